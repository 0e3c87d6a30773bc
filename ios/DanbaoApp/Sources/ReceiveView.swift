import Danbao
import DanbaoModel
import SwiftUI

/// Receive: the user's code for a friend to scan (`Wallet.receiveCode`). Without an amount it
/// is the user's standing code; with one it is signed, single use and expires.
struct ReceiveView: View {
    @Environment(WalletModel.self) private var model
    @State private var amount = ""
    @State private var code: CodeView?

    var body: some View {
        Form {
            Section {
                if let code {
                    QRCodeImage(text: code.text).padding()
                    if let fixed = code.amount {
                        Text(fixed.display).font(.title2.bold())
                    }
                    if let expiresAt = code.expiresAt {
                        Text("Valid until \(Self.time(expiresAt))").foregroundColor(.secondary)
                    }
                } else {
                    ProgressView()
                }
            }
            Section("Ask for a fixed amount") {
                HStack {
                    TextField("Any amount", text: $amount).keyboardType(.decimalPad)
                    Text(model.currency).foregroundColor(.secondary)
                }
                Button("Show code") { Task { await load() } }
            }
        }
        .navigationTitle("Receive")
        .task { await load() }
    }

    private func load() async {
        let fixed = amount.isEmpty ? nil : amount
        if let view = await model.receiveCode(amount: fixed) {
            code = view
        }
    }

    private static func time(_ unix: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(unix)).formatted(date: .omitted, time: .shortened)
    }
}
