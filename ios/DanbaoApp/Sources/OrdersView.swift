import Danbao
import SwiftUI

/// Orders: the user's escrow orders, most recently changed first (`Wallet.orders()`, cache).
struct OrdersView: View {
    @EnvironmentObject private var model: WalletModel

    var body: some View {
        List(model.orders, id: \.id) { order in
            NavigationLink(destination: OrderDetailView(order: order)) {
                OrderRow(order: order)
            }
        }
        .overlay {
            if model.orders.isEmpty {
                Text("No orders yet. Scan a shop's order code to pay into escrow.")
                    .foregroundColor(.secondary)
                    .multilineTextAlignment(.center)
                    .padding()
            }
        }
        .refreshable { await model.refresh() }
        .navigationTitle("Orders")
    }
}

struct OrderRow: View {
    let order: OrderSummary

    var body: some View {
        HStack {
            VStack(alignment: .leading) {
                Text(order.title)
                Text(OrderText.state(order.state)).font(.footnote).foregroundColor(.secondary)
            }
            Spacer()
            Text(order.amount.display)
        }
    }
}

/// One order, fresh from the server (`Wallet.order(id:)`), with one button per entry of its
/// `actions`: the core decides what the user may do now; this screen only asks for the
/// details a step needs (carrier and tracking to ship, the amount of a refund request).
struct OrderDetailView: View {
    @EnvironmentObject private var model: WalletModel
    @State private var order: OrderSummary
    @State private var outcome: CommandOutcome?
    @State private var working = false
    @State private var form: StepForm?

    init(order: OrderSummary) {
        _order = State(initialValue: order)
    }

    var body: some View {
        Form {
            Section {
                Text(order.title).font(.headline)
                Text(order.amount.display).font(.title2.bold())
                LabeledRow(label: "State", value: OrderText.state(order.state))
                LabeledRow(label: "You are the", value: order.role)
                if let counterparty = order.counterparty {
                    LabeledRow(
                        label: order.role == "buyer" ? "Seller" : "Buyer",
                        value: "@\(counterparty)")
                }
                if let deadline = order.deadline {
                    LabeledRow(
                        label: "Next deadline",
                        value: Date(timeIntervalSince1970: TimeInterval(deadline))
                            .formatted(date: .abbreviated, time: .shortened))
                }
                LabeledRow(label: "Order", value: order.id)
            }
            if let outcome {
                Section { OutcomeLabel(outcome: outcome) }
            }
            if !order.actions.isEmpty {
                Section {
                    ForEach(order.actions, id: \.self) { name in
                        Button(OrderText.action(name)) { start(name) }
                            .disabled(working)
                    }
                }
            }
        }
        .navigationTitle("Order")
        .refreshable { await reload() }
        .task { await reload() }
        .sheet(item: $form) { form in
            NavigationView {
                StepFormView(form: form) { action in
                    self.form = nil
                    Task { await run(action) }
                }
            }
        }
    }

    /// Steps that need no details run at once; the others open their form first.
    private func start(_ name: String) {
        switch name {
        case "pay": Task { await run(.pay) }
        case "confirm": Task { await run(.confirm) }
        case "cancel": Task { await run(.cancel) }
        case "refund-accept": Task { await run(.acceptRefund) }
        case "refund-reject": Task { await run(.rejectRefund) }
        case "ship": form = .ship
        case "refund-request": form = .refund(suggested: order.amount)
        default: model.errorMessage = "This app does not know the step “\(name)” yet."
        }
    }

    private func run(_ action: OrderAction) async {
        working = true
        let id = order.id
        outcome = await model.perform { try await $0.orderAction(id: id, action: action) }
        await reload()
        working = false
    }

    private func reload() async {
        let id = order.id
        if let fresh = await model.perform({ try await $0.order(id: id) }) {
            order = fresh
        }
    }
}

/// The details an order step needs before it can be sent.
enum StepForm: Identifiable {
    case ship
    case refund(suggested: Amount)

    var id: String {
        switch self {
        case .ship: return "ship"
        case .refund: return "refund"
        }
    }
}

struct StepFormView: View {
    let form: StepForm
    let submit: (OrderAction) -> Void
    @Environment(\.dismiss) private var dismiss
    @State private var carrier = ""
    @State private var tracking = ""
    @State private var amount = ""

    init(form: StepForm, submit: @escaping (OrderAction) -> Void) {
        self.form = form
        self.submit = submit
    }

    var body: some View {
        Form {
            switch form {
            case .ship:
                TextField("Carrier", text: $carrier)
                TextField("Tracking number", text: $tracking)
                    .textInputAutocapitalization(.characters)
                    .autocorrectionDisabled()
                Button("Mark as shipped") {
                    submit(.ship(carrier: carrier, tracking: tracking))
                }
                .disabled(carrier.isEmpty || tracking.isEmpty)
            case .refund(let suggested):
                HStack {
                    TextField(suggested.value, text: $amount).keyboardType(.decimalPad)
                    Text(suggested.currency).foregroundColor(.secondary)
                }
                Button("Ask for a refund") {
                    submit(.requestRefund(amount: amount.isEmpty ? suggested.value : amount))
                }
            }
        }
        .navigationTitle(form.id == "ship" ? "Ship" : "Refund")
        .toolbar {
            ToolbarItem(placement: .cancellationAction) { Button("Cancel") { dismiss() } }
        }
    }
}

struct LabeledRow: View {
    let label: String
    let value: String

    var body: some View {
        HStack {
            Text(label).foregroundColor(.secondary)
            Spacer()
            Text(value).multilineTextAlignment(.trailing)
        }
    }
}

/// Words for the core's order codes. The core gives the codes (`state`, `actions`) but no
/// labels, so the words live here; an unknown code is shown as it is.
enum OrderText {
    static func state(_ code: String) -> String {
        switch code {
        case "awaiting_payment": return "Waiting for payment"
        case "paid": return "Paid into escrow"
        case "shipped": return "Shipped"
        case "refund_requested": return "Refund requested"
        case "disputed": return "In dispute"
        case "completed": return "Completed"
        case "cancelled": return "Cancelled"
        case "refunded": return "Refunded"
        default: return code
        }
    }

    static func action(_ code: String) -> String {
        switch code {
        case "pay": return "Pay into escrow"
        case "confirm": return "Confirm receipt (releases the money)"
        case "cancel": return "Cancel order"
        case "ship": return "Mark as shipped"
        case "refund-request": return "Ask for a refund"
        case "refund-accept": return "Accept the refund"
        case "refund-reject": return "Reject the refund (opens a dispute)"
        default: return code
        }
    }
}
