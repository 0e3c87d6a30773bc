import Danbao
import DanbaoModel
import SwiftUI
import UIKit

/// Pay at a till: the one-minute payment code a merchant's scanner charges
/// (`Wallet.paymentCode()`, made offline; the next one is shown when `secondsRemaining` runs
/// out). The first use provisions the device (`enablePaymentCode()`, needs the network).
///
/// iOS cannot block screenshots: an app can only learn afterwards that one was taken
/// (`userDidTakeScreenshotNotification`). So the screen hides the code whenever the app is not
/// active (the app switcher snapshot) and while the screen is recorded, mirrored or AirPlayed
/// (`UIScreen.isCaptured`), and after a screenshot it tells the user that the captured code
/// stays valid until it changes. (The code is a function of the time step, so there is no
/// fresher one to show before then.) Android, by contrast, sets FLAG_SECURE.
struct TillCodeView: View {
    @Environment(WalletModel.self) private var model
    @Environment(\.scenePhase) private var scenePhase
    @State private var code: PaymentCodeView?
    @State private var needsEnabling = false
    @State private var captured = false
    @State private var screenshotTaken = false

    var body: some View {
        VStack(spacing: 20) {
            if needsEnabling {
                Text("Payment codes let a shop charge you without a network at the till.")
                    .multilineTextAlignment(.center)
                Button("Turn on payment codes") { Task { await enable() } }
                    .buttonStyle(.borderedProminent)
            } else if scenePhase != .active || captured {
                Image(systemName: "eye.slash").font(.largeTitle)
                // One literal: a concatenated String would be shown as is, not looked up in the
                // string catalogue.
                Text("Hidden while the screen is recorded or shared, or the app is in the background.")
                .multilineTextAlignment(.center)
            } else if let code {
                QRCodeImage(text: code.digits).frame(maxWidth: 280)
                Text(code.digits).font(.system(.title2, design: .monospaced))
                TimelineView(.periodic(from: .now, by: 1)) { context in
                    let seconds = Self.secondsLeft(until: code.validUntil, at: context.date)
                    Text("New code in \(seconds) s").foregroundColor(.secondary)
                }
            } else {
                ProgressView()
            }
            if screenshotTaken {
                Text("A screenshot was taken. The code in it can be charged until it changes: do not share it.")
                .font(.footnote)
                .foregroundColor(.red)
                .multilineTextAlignment(.center)
            }
        }
        .padding()
        .navigationTitle("Pay at a till")
        .task { await keepFresh() }
        .onReceive(
            NotificationCenter.default.publisher(for: UIScreen.capturedDidChangeNotification)
        ) { _ in
            captured = UIScreen.main.isCaptured
        }
        .onReceive(
            NotificationCenter.default.publisher(
                for: UIApplication.userDidTakeScreenshotNotification)
        ) { _ in
            screenshotTaken = true
        }
        .onChange(of: scenePhase) { phase in
            // Back from the background: the code shown before may have run out meanwhile.
            if phase == .active { load() }
        }
    }

    /// Shows the current code and the next one each time it runs out, while the view is up.
    private func keepFresh() async {
        captured = UIScreen.main.isCaptured
        while !Task.isCancelled {
            load()
            let wait = code?.secondsRemaining ?? 60
            try? await Task.sleep(nanoseconds: max(wait, 1) * 1_000_000_000)
        }
    }

    private func load() {
        // The home snapshot says whether this device has payment codes (no secret opened).
        needsEnabling = !(model.home?.paymentCodeEnabled ?? false)
        guard !needsEnabling else { return }
        code = model.paymentCode()
    }

    private func enable() async {
        if await model.enablePaymentCode() {
            needsEnabling = false
            load()
        }
    }

    private static func secondsLeft(until validUntil: UInt64, at date: Date) -> Int {
        max(0, Int(validUntil) - Int(date.timeIntervalSince1970))
    }
}
