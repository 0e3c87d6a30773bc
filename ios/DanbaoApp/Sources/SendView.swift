import Danbao
import DanbaoModel
import SwiftUI

/// Friends: send money by handle (`Wallet.send`), or ask for it (`Wallet.requestMoney`);
/// recent contacts fill in the handle (`Wallet.contacts`); money requests, with Pay and
/// Decline on the open ones addressed to this user (`Wallet.requests`,
/// `Wallet.answerRequest`).
struct SendView: View {
    @Environment(WalletModel.self) private var model
    @State private var handle = ""
    @State private var amount = ""
    @State private var memo = ""
    @State private var asking = false
    @State private var contacts: [Contact] = []
    @State private var requests: [RequestView] = []
    @State private var outcome: CommandOutcome?
    @State private var working = false

    var body: some View {
        Form {
            Section {
                Picker("", selection: $asking) {
                    Text("Send").tag(false)
                    Text("Request").tag(true)
                }
                .pickerStyle(.segmented)
                TextField("Friend's handle", text: $handle)
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
                HStack {
                    TextField("Amount", text: $amount).keyboardType(.decimalPad)
                    Text(model.currency).foregroundColor(.secondary)
                }
                TextField(asking ? "What it is for" : "Message (optional)", text: $memo)
                Button(asking ? "Request" : "Send") { Task { await submit() } }
                    .disabled(working || handle.isEmpty || amount.isEmpty)
            }
            if let outcome {
                Section { OutcomeLabel(outcome: outcome) }
            }
            if !contacts.isEmpty {
                Section("Recent") {
                    ForEach(contacts, id: \.handle) { contact in
                        Button {
                            handle = contact.handle
                        } label: {
                            VStack(alignment: .leading) {
                                Text(contact.displayName)
                                Text("@\(contact.handle)").font(.footnote)
                                    .foregroundColor(.secondary)
                            }
                        }
                    }
                }
            }
            if !requests.isEmpty {
                Section("Requests") {
                    ForEach(requests, id: \.id) { RequestRow(request: $0, answer: answer) }
                }
            }
        }
        .navigationTitle("Friends")
        .refreshable {
            await model.refresh()
            loadLists()
        }
        .onAppear { loadLists() }
        // The lists are cache reads; a sync elsewhere (a push, coming to the front) changes
        // the home snapshot, so re-read them with it.
        .onChange(of: model.home) { _ in loadLists() }
    }

    private func loadLists() {
        contacts = model.contacts
        requests = model.requests
    }

    private func submit() async {
        working = true
        if asking {
            if let request = await model.request(from: handle, amount: amount, note: memo) {
                outcome = nil
                requests.insert(request, at: 0)
                amount = ""
            }
        } else {
            outcome = await model.send(to: handle, amount: amount, memo: memo)
            if outcome?.state == .done { amount = "" }
        }
        working = false
    }

    private func answer(_ request: RequestView, _ accept: Bool) {
        Task {
            let id = request.id
            outcome = await model.answerRequest(id: id, accept: accept)
            loadLists()
        }
    }
}

struct RequestRow: View {
    let request: RequestView
    let answer: (RequestView, Bool) -> Void
    @Environment(WalletModel.self) private var model

    init(request: RequestView, answer: @escaping (RequestView, Bool) -> Void) {
        self.request = request
        self.answer = answer
    }

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            Text("@\(request.requester) asks @\(request.payer) for \(request.amount.display)")
            if !request.note.isEmpty {
                Text(request.note).font(.footnote).foregroundColor(.secondary)
            }
            Text(request.statusLabel).font(.caption).foregroundColor(.secondary)
            if request.canAnswer {
                HStack {
                    Button("Pay") { answer(request, true) }.buttonStyle(.borderedProminent)
                    Button("Decline") { answer(request, false) }.buttonStyle(.bordered)
                }
            }
        }
    }
}
