import Danbao
import DanbaoModel
import SwiftUI

/// Scan: the camera (or a pasted code, e.g. on the Simulator) → `Wallet.scan(text:)` → the
/// confirm screen for what the core says the code is.
struct ScanView: View {
    @Environment(WalletModel.self) private var model
    @State private var scanned: ScannedCode?
    /// Bumped when the confirm sheet closes: a fresh scanner reads the same code again.
    @State private var scannerGeneration = 0
    @State private var cameraProblem: String?
    @State private var pasted = ""
    @State private var resolving = false

    var body: some View {
        VStack(spacing: 0) {
            if let cameraProblem {
                Text(cameraProblem).padding().frame(maxHeight: .infinity)
            } else {
                QRScanner(
                    onCode: { resolve($0) },
                    onUnavailable: { cameraProblem = $0 })
                .id(scannerGeneration)
            }
            HStack {
                TextField("Or paste a code", text: $pasted)
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
                Button("Check") { resolve(pasted) }.disabled(pasted.isEmpty || resolving)
            }
            .padding()
        }
        .overlay { if resolving { ProgressView() } }
        .navigationTitle("Scan")
        .sheet(item: $scanned, onDismiss: { scannerGeneration += 1 }) { scanned in
            NavigationView { PayConfirmView(screen: scanned.screen) }
                .environment(model)
        }
    }

    private func resolve(_ text: String) {
        guard !resolving else { return }
        resolving = true
        Task {
            if let screen = await model.scan(text) {
                scanned = ScannedCode(screen: screen)
            }
            resolving = false
        }
    }
}

/// A scan result as a sheet's item.
struct ScannedCode: Identifiable {
    let screen: ScanScreen
    var id: String { screen.code }
}

/// Pay confirm: who really gets paid (the server's name, with the core's warning when the
/// printed name differs), the amount or an amount field, and Pay only when the core says the
/// code is payable.
struct PayConfirmView: View {
    let screen: ScanScreen
    @Environment(WalletModel.self) private var model
    @Environment(\.dismiss) private var dismiss
    @State private var enteredAmount = ""
    @State private var outcome: CommandOutcome?
    @State private var paying = false

    // Written out: the synthesized initializer would be private (the @State properties are).
    init(screen: ScanScreen) {
        self.screen = screen
    }

    var body: some View {
        Form {
            if let warning = screen.nameWarning {
                Section {
                    Label(warning, systemImage: "exclamationmark.triangle.fill")
                        .font(.headline)
                        .foregroundColor(.white)
                        .listRowBackground(Color.red)
                }
            }
            if let name = screen.payeeName ?? screen.payeeHandle {
                Section("Pay to") {
                    Text(name).font(.title2)
                    if let handle = screen.payeeHandle {
                        Text("@\(handle)").foregroundColor(.secondary)
                    }
                }
            }
            if let scheme = screen.scheme {
                Section("Code of another network") { Text(scheme) }
            }
            if let amount = screen.amount {
                Section("Amount") { Text(amount.display).font(.title.bold()) }
            } else if screen.needsAmount {
                Section("Amount") {
                    HStack {
                        TextField("0.00", text: $enteredAmount).keyboardType(.decimalPad)
                        Text(screen.currency ?? model.currency).foregroundColor(.secondary)
                    }
                }
            }
            if !screen.reasons.isEmpty {
                Section("Why it cannot be paid") {
                    ForEach(screen.reasons, id: \.self) { Text($0) }
                }
            }
            if let outcome {
                Section { OutcomeLabel(outcome: outcome) }
            }
            if screen.payable && outcome == nil {
                Button(paying ? "Paying…" : "Pay") { pay() }
                    .disabled(paying || (screen.needsAmount && enteredAmount.isEmpty))
            }
        }
        .navigationTitle("Confirm")
        .toolbar {
            ToolbarItem(placement: .cancellationAction) {
                Button(outcome == nil ? "Cancel" : "Done") { dismiss() }
            }
        }
    }

    private func pay() {
        paying = true
        let amount = screen.needsAmount ? enteredAmount : nil
        Task {
            outcome = await model.pay(screen, amount: amount)
            paying = false
        }
    }
}

/// A command's result as the core words it ("Sent 12.50 CNY to @bob", "queued: …").
struct OutcomeLabel: View {
    let outcome: CommandOutcome

    var body: some View {
        Label(outcome.message, systemImage: symbol).foregroundColor(color)
    }

    private var symbol: String {
        switch outcome.state {
        case .done: return "checkmark.circle.fill"
        case .queued: return "clock"
        case .failed: return "xmark.octagon.fill"
        }
    }

    private var color: Color {
        switch outcome.state {
        case .done: return .green
        case .queued: return .orange
        case .failed: return .red
        }
    }
}
