import Danbao
import DanbaoModel
import SwiftUI

/// Orders: the user's escrow orders, most recently changed first (`Wallet.orders()`, cache).
struct OrdersView: View {
    @Environment(WalletModel.self) private var model

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
                Text(order.stateLabel).font(.footnote).foregroundColor(.secondary)
            }
            Spacer()
            Text(order.amount.display)
        }
    }
}

/// One order, fresh from the server (`Wallet.order(id:)`), with one button per entry of its
/// `buttons`: the core decides what the user may do now, its words and what each step needs;
/// this screen only asks for those details (carrier and tracking, the amount of a refund).
struct OrderDetailView: View {
    @Environment(WalletModel.self) private var model
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
                LabeledRow(label: "State", value: order.stateLabel)
                LabeledRow(label: "You are the", value: order.roleLabel)
                if let counterparty = order.counterparty {
                    LabeledRow(
                        label: order.role == .buyer ? "Seller" : "Buyer",
                        value: "@\(counterparty)")
                }
                if let deadline = order.deadline {
                    LabeledRow(
                        label: "Next deadline",
                        value: Date(timeIntervalSince1970: TimeInterval(deadline))
                            .formatted(date: .abbreviated, time: .shortened))
                }
                if let shipment = order.shipment {
                    LabeledRow(label: "Carrier", value: shipment.carrier)
                    LabeledRow(label: "Tracking", value: shipment.tracking)
                }
                if let asked = order.refundAsked {
                    LabeledRow(label: "Refund asked", value: asked.display)
                }
                if let released = order.released {
                    LabeledRow(label: "To the seller", value: released.display)
                }
                if let refunded = order.refunded {
                    LabeledRow(label: "Back to the buyer", value: refunded.display)
                }
                LabeledRow(label: "Order", value: order.id)
            }
            if let outcome {
                Section { OutcomeLabel(outcome: outcome) }
            }
            if !order.buttons.isEmpty {
                Section {
                    ForEach(order.buttons, id: \.action) { button in
                        Button(button.label) { start(button) }
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
                StepFormView(form: form) { input in
                    self.form = nil
                    Task { await run(form.step, input) }
                }
            }
        }
    }

    /// Steps that need no details run at once; the others open their form first.
    private func start(_ button: OrderButton) {
        switch button.input {
        case .shipment: form = .ship(button.action)
        case .refundAmount: form = .refund(button.action, suggested: order.amount)
        case .nothing: Task { await run(button.action, StepInput()) }
        }
    }

    private func run(_ step: OrderStep, _ input: StepInput) async {
        working = true
        let id = order.id
        outcome = await model.orderStep(id: id, step: step, input: input)
        await reload()
        working = false
    }

    private func reload() async {
        let id = order.id
        if let fresh = await model.order(id: id) {
            order = fresh
        }
    }
}

/// The details an order step needs before it can be sent.
enum StepForm: Identifiable {
    case ship(OrderStep)
    case refund(OrderStep, suggested: Amount)

    var step: OrderStep {
        switch self {
        case .ship(let step), .refund(let step, _): return step
        }
    }

    var id: String {
        switch self {
        case .ship: return "ship"
        case .refund: return "refund"
        }
    }

    var title: LocalizedStringKey {
        switch self {
        case .ship: return "Ship"
        case .refund: return "Refund"
        }
    }
}

struct StepFormView: View {
    let form: StepForm
    let submit: (StepInput) -> Void
    @Environment(\.dismiss) private var dismiss
    @State private var carrier = ""
    @State private var tracking = ""
    @State private var amount = ""

    init(form: StepForm, submit: @escaping (StepInput) -> Void) {
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
                    submit(StepInput(carrier: carrier, tracking: tracking))
                }
                .disabled(carrier.isEmpty || tracking.isEmpty)
            case .refund(_, let suggested):
                HStack {
                    TextField(suggested.value, text: $amount).keyboardType(.decimalPad)
                    Text(suggested.currency).foregroundColor(.secondary)
                }
                Button("Ask for a refund") {
                    submit(StepInput(amount: amount.isEmpty ? suggested.value : amount))
                }
            }
        }
        .navigationTitle(form.title)
        .toolbar {
            ToolbarItem(placement: .cancellationAction) { Button("Cancel") { dismiss() } }
        }
    }
}

struct LabeledRow: View {
    /// A key of the string catalogue (the row's name is the app's word, in the device's language).
    let label: LocalizedStringKey
    let value: String

    var body: some View {
        HStack {
            Text(label).foregroundColor(.secondary)
            Spacer()
            Text(value).multilineTextAlignment(.trailing)
        }
    }
}
