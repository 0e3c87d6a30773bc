import SwiftUI

/// First run: choose a handle and the name payers see. The core checks both and says what
/// is wrong (`Wallet.signUp`).
struct SignUpView: View {
    @Environment(WalletModel.self) private var model
    @State private var handle = ""
    @State private var displayName = ""
    @State private var working = false

    var body: some View {
        NavigationView {
            Form {
                Section(footer: Text("3–20 of a–z, 0–9, _ and ., starting with a letter.")) {
                    TextField("Handle", text: $handle)
                        .textInputAutocapitalization(.never)
                        .autocorrectionDisabled()
                }
                Section(footer: Text("The name people see when they pay you.")) {
                    TextField("Your name", text: $displayName)
                }
                Button("Create wallet") {
                    working = true
                    Task {
                        await model.signUp(handle: handle, displayName: displayName)
                        working = false
                    }
                }
                .disabled(working || handle.isEmpty || displayName.isEmpty)
            }
            .navigationTitle("Welcome to Danbao")
        }
        .navigationViewStyle(.stack)
    }
}
