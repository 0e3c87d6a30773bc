import Danbao
import Foundation
import Observation

/// What the model needs from the phone it runs on: where the wallet lives, and the keys.
///
/// The iOS app answers with Application Support, the Keychain and the Secure Enclave; the
/// tests on Linux with a temporary directory and software keys.
public protocol WalletPlatform: Sendable {
    /// The wallet database's path and the server's URL.
    func config() throws -> WalletConfig
    /// Wraps the wallet database's data key (the Keychain on iOS).
    func keyStore() throws -> KeyStore
    /// The device key that signs requests (the Secure Enclave on iOS).
    func signer() throws -> Signer
    /// The name the server shows for this device ("Bea's iPhone").
    var deviceName: String { get }
    /// The sentence shown when an action is tried before the wallet has opened, in the
    /// device's language (the app takes it from its string catalogue, `Localizable.xcstrings`;
    /// the core cannot say it, as there is no wallet yet).
    var notOpenMessage: String { get }
}

/// The app's one wallet and the core state the screens render.
///
/// Everything shown comes from the core: `home`, `orders`, `contacts` and `requests` are its
/// cache reads, refreshed whenever its change listener fires. Every user action is a method
/// here; a failure becomes `errorMessage` (the root view shows it) and the method returns
/// `nil`. `busy` counts the network calls in flight, for a spinner.
@MainActor
@Observable
public final class WalletModel {
    /// Where the wallet is in its life.
    public enum Phase: Equatable, Sendable {
        case opening
        case signUp
        case ready
        case failed(String)
    }

    public private(set) var phase: Phase = .opening
    public private(set) var home: HomeSnapshot?
    public private(set) var orders: [OrderSummary] = []
    public private(set) var contacts: [Contact] = []
    public private(set) var requests: [RequestView] = []
    /// The last failure's sentence for a person; the view clears it when shown.
    public var errorMessage: String?
    /// How many network calls are in flight.
    public private(set) var busy = 0
    /// How many change notices the core sent since the wallet opened (each re-reads the
    /// cache).
    public private(set) var changeNotices = 0

    @ObservationIgnored private let platform: WalletPlatform
    @ObservationIgnored private var wallet: Wallet?

    public init(platform: WalletPlatform) {
        self.platform = platform
    }

    /// True while a network call runs.
    public var isBusy: Bool { busy > 0 }

    /// The currency new codes and transfers use, as the core decides it (`HomeSnapshot.currency`);
    /// empty until the wallet is open.
    public var currency: String { home?.currency ?? "" }

    /// Opens the wallet once and installs the change listener; then asks for sign-up or syncs.
    public func open() async {
        guard wallet == nil else { return }
        phase = .opening
        do {
            let wallet = try await Wallet.open(
                config: try platform.config(),
                keyStore: try platform.keyStore(),
                signer: try platform.signer())
            // The core calls the listener on its own thread; the reload hops to the main actor.
            wallet.setListener(listener: ChangeForwarder { [weak self] _ in
                Task { @MainActor [weak self] in self?.changed() }
            })
            self.wallet = wallet
            reload()
            phase = home?.profile == nil ? .signUp : .ready
            if phase == .ready { await refresh() }
        } catch {
            phase = .failed(Self.message(for: error))
        }
    }

    /// The device's language changed to `tag` (BCP 47, e.g. `zh-Hans-CN`): the core speaks it
    /// from now on and every record on screen is read again in it.
    public func setLocale(_ tag: String) {
        guard let wallet else { return }
        do {
            try wallet.setLocale(locale: tag)
            reload()
        } catch {
            errorMessage = Self.message(for: error)
        }
    }

    /// The device's time zone changed to `name` (IANA, e.g. `Europe/Berlin`: iOS's
    /// `TimeZone.current.identifier`): the core writes dates in it from now on, each with the
    /// zone's offset at its instant, and every record on screen is read again.
    public func setTimeZone(_ name: String) {
        guard let wallet else { return }
        do {
            try wallet.setTimeZone(name: name)
            reload()
        } catch {
            errorMessage = Self.message(for: error)
        }
    }

    /// Closes the wallet (the listener goes with it); `open()` opens it again.
    public func close() {
        wallet?.setListener(listener: nil)
        wallet = nil
        phase = .opening
    }

    /// Creates the user on the server and registers this device.
    @discardableResult
    public func signUp(handle: String, displayName: String) async -> Profile? {
        let device = platform.deviceName
        let profile = await perform {
            try await $0.signUp(handle: handle, displayName: displayName, deviceName: device)
        }
        if profile != nil {
            phase = .ready
            await refresh()
        }
        return profile
    }

    /// Sends the outbox and applies the server's feed (pull to refresh, coming to the front).
    public func refresh() async {
        _ = await perform { try await $0.sync() }
    }

    /// The confirm screen of a scanned or pasted code (the payee as the server knows it).
    public func scan(_ text: String) async -> ScanScreen? {
        await perform { try await $0.scan(text: text) }
    }

    /// A payment link (`https://<host>/pay?code=…` or `danbao://pay?code=…`) the app was opened
    /// with, until `confirmOpenedLink()` takes it.
    public private(set) var openedLink: String?

    /// The app was opened with `link` (a tapped payment link).
    public func openLink(_ link: String) {
        openedLink = link
    }

    /// The confirm screen of the link the app was opened with, once: the core reads the link as
    /// the code it carries (`scan`); a broken link is an error message like a bad scan, and nil.
    public func confirmOpenedLink() async -> ScanScreen? {
        guard let link = openedLink else { return nil }
        openedLink = nil
        return await scan(link)
    }

    /// Pays what `screen` shows; `amount` only when the code has none.
    public func pay(_ screen: ScanScreen, amount: String?) async -> CommandOutcome? {
        let code = screen.code
        return await perform { try await $0.pay(code: code, amount: amount) }
    }

    /// Sends `amount` in the model's currency to `handle`.
    public func send(to handle: String, amount: String, memo: String) async -> CommandOutcome? {
        let currency = currency
        return await perform {
            try await $0.send(toHandle: handle, amount: amount, currency: currency, memo: memo)
        }
    }

    /// Asks `handle` for `amount` in the model's currency.
    public func request(from handle: String, amount: String, note: String) async -> RequestView? {
        let currency = currency
        return await perform {
            try await $0.requestMoney(
                fromHandle: handle, amount: amount, currency: currency, note: note)
        }
    }

    /// Pays (`accept`) or declines a money request addressed to this user.
    public func answerRequest(id: Int64, accept: Bool) async -> CommandOutcome? {
        let outcome = await perform { try await $0.answerRequest(id: id, accept: accept) }
        if outcome != nil { await refresh() }
        return outcome
    }

    /// This user's receive code, with a fixed amount when `amount` is given.
    public func receiveCode(amount: String?) async -> CodeView? {
        let currency = currency
        return await perform { try await $0.receiveCode(amount: amount, currency: currency) }
    }

    /// This merchant's code to print: static, or with a fixed amount when `amount` is given.
    public func merchantCode(amount: String?) async -> CodeView? {
        let currency = currency
        return await perform { try await $0.merchantCode(amount: amount, currency: currency) }
    }

    /// A new escrow order with its per-order code, for the buyer to scan.
    public func createOrder(title: String, amount: String) async -> OrderCreated? {
        let currency = currency
        return await perform {
            try await $0.createOrder(title: title, amount: amount, currency: currency)
        }
    }

    /// One step of an order (what an order button does); `order(id:)` then fetches it.
    public func orderAction(id: String, action: OrderAction) async -> CommandOutcome? {
        await perform { try await $0.orderAction(id: id, action: action) }
    }

    /// What an order button does: `step` with what the user entered (nothing, a shipment, an
    /// amount to ask back); a missing field is refused with a sentence that names it.
    public func orderStep(id: String, step: OrderStep, input: StepInput) async -> CommandOutcome? {
        let action: OrderAction
        do {
            action = try Danbao.orderAction(step: step, input: input)
        } catch {
            errorMessage = Self.message(for: error)
            return nil
        }
        return await orderAction(id: id, action: action)
    }

    /// The order fetched from the server.
    public func order(id: String) async -> OrderSummary? {
        await perform { try await $0.order(id: id) }
    }

    /// One page of the activity list, newest first.
    public func activity(cursor: Int64?, limit: UInt32 = 50) async -> ActivityPage? {
        await perform { try await $0.activity(cursor: cursor, limit: limit) }
    }

    /// Turns on payment codes for this device (the till screen's "Enable").
    public func enablePaymentCode() async -> Bool {
        await perform { try await $0.enablePaymentCode() } != nil
    }

    /// The payment code of this time step, or `nil` with `errorMessage` set.
    public func paymentCode() -> PaymentCodeView? {
        read { try $0.paymentCode() }
    }

    /// Runs one wallet call, counted in `busy`; its error becomes `errorMessage`, the result
    /// `nil`. The cache is re-read after it, so the screens never wait for a change notice.
    public func perform<T: Sendable>(_ call: @Sendable (Wallet) async throws -> T) async -> T? {
        guard let wallet else {
            errorMessage = platform.notOpenMessage
            return nil
        }
        busy += 1
        defer {
            busy -= 1
            reload()
        }
        do {
            return try await call(wallet)
        } catch {
            errorMessage = Self.message(for: error)
            return nil
        }
    }

    /// Runs one cache read (well under a millisecond, fine on the main actor); its error
    /// becomes `errorMessage` and the result `nil`.
    public func read<T>(_ call: (Wallet) throws -> T) -> T? {
        guard let wallet else { return nil }
        do {
            return try call(wallet)
        } catch {
            errorMessage = Self.message(for: error)
            return nil
        }
    }

    /// A change notice from the core: re-read what it may have changed.
    private func changed() {
        changeNotices += 1
        reload()
    }

    /// Re-reads the home snapshot, orders, contacts and requests from the cache.
    private func reload() {
        guard let wallet else { return }
        do {
            home = try wallet.home()
            orders = try wallet.orders()
            contacts = try wallet.contacts(limit: 20)
            requests = try wallet.requests()
        } catch {
            errorMessage = Self.message(for: error)
        }
    }

    /// The readable sentence of any error a wallet call throws.
    public nonisolated static func message(for error: Error) -> String {
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
