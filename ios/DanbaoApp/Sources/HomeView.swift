import Danbao
import DanbaoModel
import SwiftUI

/// Home: balances, orders waiting for the user, recent activity, commands not yet sent — all
/// `Wallet.home()` (cache), re-read on every change the core reports.
struct HomeView: View {
    @Environment(WalletModel.self) private var model

    var body: some View {
        List {
            if let home = model.home {
                Section("Balance") {
                    ForEach(home.balances, id: \.currency) { BalanceRow(line: $0) }
                }
                if !home.ordersNeedingAction.isEmpty {
                    Section("Waiting for you") {
                        ForEach(home.ordersNeedingAction, id: \.id) { order in
                            NavigationLink(destination: OrderDetailView(order: order)) {
                                OrderRow(order: order)
                            }
                        }
                    }
                }
                Section("Recent activity") {
                    ForEach(home.recent, id: \.seq) { ActivityRow(item: $0) }
                    NavigationLink("All activity", destination: ActivityView())
                }
                if !home.outbox.isEmpty {
                    Section("Waiting to send") {
                        ForEach(home.outbox, id: \.id) { OutboxRow(item: $0) }
                    }
                }
            }
        }
        .refreshable { await model.refresh() }
        .navigationTitle(model.home?.profile?.displayName ?? "Danbao")
        .toolbar {
            ToolbarItemGroup(placement: .navigationBarTrailing) {
                NavigationLink(destination: ReceiveView()) {
                    Label("Receive", systemImage: "qrcode")
                }
                NavigationLink(destination: TillCodeView()) {
                    Label("Pay at a till", systemImage: "barcode")
                }
            }
        }
    }
}

struct BalanceRow: View {
    let line: BalanceLine

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(line.available.display).font(.title2.bold())
            Text("In escrow: \(line.heldOut.display)").font(.footnote)
            Text("On its way to you: \(line.incoming.display)").font(.footnote)
        }
        .padding(.vertical, 4)
    }
}

struct ActivityRow: View {
    let item: ActivityItem

    var body: some View {
        HStack {
            VStack(alignment: .leading) {
                Text(item.title)
                if let memo = item.memo { Text(memo).font(.footnote).foregroundColor(.secondary) }
                Text(Date(timeIntervalSince1970: TimeInterval(item.createdAt)), style: .date)
                    .font(.caption)
                    .foregroundColor(.secondary)
            }
            Spacer()
            Text(item.amount.display)
                .foregroundColor(item.direction == .in ? .green : .primary)
        }
    }
}

struct OutboxRow: View {
    let item: OutboxItem

    var body: some View {
        VStack(alignment: .leading) {
            Text(item.summary)
            Text(item.outcome ?? item.stateLabel).font(.footnote).foregroundColor(.secondary)
        }
    }
}

/// All activity, newest first, a page at a time (`Wallet.activity(cursor:limit:)`).
struct ActivityView: View {
    @Environment(WalletModel.self) private var model
    @State private var items: [ActivityItem] = []
    @State private var nextCursor: Int64?
    @State private var finished = false

    var body: some View {
        List {
            ForEach(items, id: \.seq) { ActivityRow(item: $0) }
            if !finished {
                // Keyed by the cursor, so each page loaded while the row shows asks for the next.
                ProgressView().task(id: nextCursor) { await loadPage() }
            }
        }
        .navigationTitle("Activity")
    }

    private func loadPage() async {
        let cursor = nextCursor
        guard let page = await model.activity(cursor: cursor)
        else {
            finished = true
            return
        }
        items += page.items
        nextCursor = page.nextCursor
        finished = page.nextCursor == nil
    }
}
