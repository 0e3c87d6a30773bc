import Danbao
import Foundation
import UIKit

/// The app's one wallet and the core state the screens render.
///
/// Everything shown comes from the core: `home` and `orders` are its cache reads, refreshed
/// whenever its change listener fires. Network calls run in tasks through `perform`, which
/// turns a failure into `errorMessage` (the root view shows it as an alert).
@MainActor
final class WalletModel: ObservableObject {
    enum Phase: Equatable {
        case opening
        case signUp
        case ready
        case failed(String)
    }

    @Published private(set) var phase: Phase = .opening
    @Published private(set) var home: HomeSnapshot?
    @Published private(set) var orders: [OrderSummary] = []
    @Published var errorMessage: String?

    private var wallet: Wallet?

    /// The currency new codes and transfers use: the first balance's, else CNY (the core has
    /// no "home currency" setting yet).
    var currency: String { home?.balances.first?.currency ?? "CNY" }

    /// Opens the wallet once: the database in Application Support, the device key in the
    /// Secure Enclave, the data key wrapped by the Keychain.
    func open() async {
        guard wallet == nil else { return }
        phase = .opening
        do {
            let wallet = try await Wallet.open(
                config: try Self.config(),
                keyStore: KeychainKeyStore(),
                signer: try SecureEnclaveSigner())
            // The core calls the listener on its own thread; hop to the main actor.
            wallet.setListener(
                listener: ChangeForwarder { [weak self] _ in
                    Task { @MainActor in self?.reload() }
                })
            self.wallet = wallet
            reload()
            phase = home?.profile == nil ? .signUp : .ready
            if phase == .ready { await refresh() }
        } catch {
            phase = .failed(Self.message(for: error))
        }
    }

    /// Creates the user on the server and registers this device.
    func signUp(handle: String, displayName: String) async {
        let device = UIDevice.current.name
        if await perform({
            try await $0.signUp(handle: handle, displayName: displayName, deviceName: device)
        }) != nil {
            phase = .ready
            await refresh()
        }
    }

    /// Sends the outbox and applies the server's feed (pull to refresh, coming to the front).
    func refresh() async {
        _ = await perform { try await $0.sync() }
    }

    /// Runs one wallet call; its error becomes `errorMessage` and the result `nil`.
    func perform<T>(_ call: (Wallet) async throws -> T) async -> T? {
        guard let wallet else { return nil }
        do {
            return try await call(wallet)
        } catch {
            errorMessage = Self.message(for: error)
            return nil
        }
    }

    /// Runs one cache read (well under a millisecond, fine on the main actor); `nil` before
    /// the wallet is open. The caller handles the error, as some mean "do this first".
    func read<T>(_ call: (Wallet) throws -> T) rethrows -> T? {
        guard let wallet else { return nil }
        return try call(wallet)
    }

    /// Re-reads the home snapshot and the orders from the cache.
    private func reload() {
        guard let wallet else { return }
        do {
            home = try wallet.home()
            orders = try wallet.orders()
        } catch {
            errorMessage = Self.message(for: error)
        }
    }

    /// The wallet's files and server. The URL is the Info.plist's `DanbaoServerURL`, set
    /// from the `DANBAO_SERVER_URL` build setting in project.yml.
    private static func config() throws -> WalletConfig {
        let support = try FileManager.default.url(
            for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil,
            create: true)
        let server = Bundle.main.object(forInfoDictionaryKey: "DanbaoServerURL") as? String
        return WalletConfig(
            dbPath: support.appendingPathComponent("wallet.db").path,
            serverUrl: server ?? "http://127.0.0.1:8080")
    }

    /// The readable sentence of any error a wallet call throws.
    nonisolated static func message(for error: Error) -> String {
        if let error = error as? DanbaoError { return error.reason }
        if let error = error as? PlatformError, case .Failed(let reason) = error { return reason }
        return error.localizedDescription
    }
}

/// Forwards the core's change notices to a closure.
final class ChangeForwarder: ChangeListener {
    private let forward: @Sendable (Change) -> Void

    init(_ forward: @escaping @Sendable (Change) -> Void) {
        self.forward = forward
    }

    func onChange(change: Change) {
        forward(change)
    }
}
