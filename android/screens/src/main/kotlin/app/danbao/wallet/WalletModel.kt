package app.danbao.wallet

import app.danbao.core.client.ActivityPage
import app.danbao.core.client.Change
import app.danbao.core.ChangeListener
import app.danbao.core.client.CodeView
import app.danbao.core.client.Contact
import app.danbao.core.DanbaoException
import app.danbao.core.client.HomeSnapshot
import app.danbao.core.OrderAction
import app.danbao.core.domain.OrderStep
import app.danbao.core.client.OrderSummary
import app.danbao.core.client.PaymentCodeView
import app.danbao.core.client.Profile
import app.danbao.core.client.RequestView
import app.danbao.core.client.ScanScreen
import app.danbao.core.StepInput
import app.danbao.core.Wallet
import app.danbao.wallet.ui.Word
import app.danbao.wallet.ui.Words
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch

/**
 * What the platform gives the wallet's state holder: how to open the [Wallet] (the key store
 * and signer, the database file, the server) and a few settings. Android's is backed by the
 * Keystore and `noBackupFilesDir`; the JVM tests' by JDK keys and a temporary directory.
 */
interface WalletPlatform {
    /** The server the wallet talks to (shown on the sign-up screen). */
    val serverUrl: String

    /** The currency the amount fields offer before the user holds any. */
    val defaultCurrency: String

    /** The name this device registers under at sign-up. */
    val deviceName: String

    /** The words of [WalletModel]'s own messages. */
    val words: Words

    /**
     * The user's locale as a BCP 47 tag (`zh-Hans-CN`, `en-US`): the device's. The core writes
     * every word and amount of its records in it; [WalletModel.setLocale] changes it later.
     */
    val locale: String get() = "en"

    /**
     * The device's time zone by IANA name (`Asia/Shanghai`; Android's
     * `TimeZone.getDefault().id`): the core writes each date with the zone's offset at its
     * instant. Empty: UTC. [WalletModel.setTimeZone] changes it later.
     */
    val timeZone: String get() = ""

    /**
     * Opens the wallet with this platform's key store and signer. Throws [DanbaoException]
     * when the core refuses, [LinkageError] when its native library is missing.
     */
    suspend fun openWallet(): Wallet
}

/**
 * Holds the app's one [Wallet] (on Android scoped to the activity by `WalletViewModel`, shared
 * by every screen).
 *
 * It mirrors the core's cache into flows the screens render — [home], [orders], [profile] —
 * and reads them again when the core's [ChangeListener] says what changed. Network calls run
 * in [scope] (the main thread's: `viewModelScope` on Android); their
 * [app.danbao.core.CommandOutcome.message] or the [DanbaoException] message becomes the
 * one-line [message] the screen shows.
 *
 * Nothing here knows a money rule: amounts arrive formatted, titles and allowed order actions
 * come from the core, and every value the user types goes to the core as they typed it.
 */
class WalletModel(private val scope: CoroutineScope, private val platform: WalletPlatform) {

    /** Whether the wallet is open. */
    sealed interface Session {
        data object Opening : Session
        data class Failed(val reason: String) : Session
        data object Open : Session
    }

    /** What the payment-code screen shows. */
    sealed interface PaymentCodeState {
        data class Shown(val code: PaymentCodeView) : PaymentCodeState
        /** Not provisioned on this device yet ([reason] is the core's): offer "Enable". */
        data class NotEnabled(val reason: String) : PaymentCodeState
        data class Failed(val reason: String) : PaymentCodeState
    }

    private var wallet: Wallet? = null

    private val _session = MutableStateFlow<Session>(Session.Opening)
    val session: StateFlow<Session> = _session.asStateFlow()

    private val _profile = MutableStateFlow<Profile?>(null)
    /** The signed-up identity; `null` before sign-up (the app shows the sign-up screen). */
    val profile: StateFlow<Profile?> = _profile.asStateFlow()

    private val _home = MutableStateFlow<HomeSnapshot?>(null)
    val home: StateFlow<HomeSnapshot?> = _home.asStateFlow()

    private val _olderActivity = MutableStateFlow<ActivityPage?>(null)
    /** Activity pages the user asked for ("Older"); `null` shows the home's latest items. */
    val olderActivity: StateFlow<ActivityPage?> = _olderActivity.asStateFlow()

    private val _requests = MutableStateFlow<List<RequestView>>(emptyList())

    /** Money requests to and from the user, newest first; `canAnswer` marks the ones to pay. */
    val requests: StateFlow<List<RequestView>> = _requests.asStateFlow()

    private val _orders = MutableStateFlow<List<OrderSummary>>(emptyList())
    val orders: StateFlow<List<OrderSummary>> = _orders.asStateFlow()

    private val _order = MutableStateFlow<OrderSummary?>(null)
    /** The order on the detail screen, fresh from the server when it could be reached. */
    val order: StateFlow<OrderSummary?> = _order.asStateFlow()

    private val _scan = MutableStateFlow<ScanScreen?>(null)
    /** The last scanned code as the pay-confirm screen shows it. */
    val scan: StateFlow<ScanScreen?> = _scan.asStateFlow()

    private val _code = MutableStateFlow<CodeView?>(null)
    /** The receive, merchant or order code on screen. */
    val code: StateFlow<CodeView?> = _code.asStateFlow()

    /** User-started calls still running (main thread only). */
    private var running = 0
    private val _busy = MutableStateFlow(false)
    /** A network call is running (buttons that start another are disabled). */
    val busy: StateFlow<Boolean> = _busy.asStateFlow()

    private val _message = MutableStateFlow<String?>(null)
    /** One line for the user: a command's outcome or why a call was refused. */
    val message: StateFlow<String?> = _message.asStateFlow()

    /** Called on a core thread: hop to the main thread and re-read the part that changed. */
    private val listener = object : ChangeListener {
        override fun onChange(change: Change) {
            scope.launch { reread(change) }
        }
    }

    init {
        scope.launch { open() }
    }

    /** The server the wallet talks to. */
    val serverUrl: String get() = platform.serverUrl

    private suspend fun open() {
        try {
            val opened = platform.openWallet()
            wallet = opened
            opened.setListener(listener)
            Change.entries.forEach(::reread)
            _session.value = Session.Open
            if (_profile.value != null) sync()
        } catch (e: DanbaoException) {
            _session.value = Session.Failed(e.readable())
        } catch (e: LinkageError) {
            _session.value = Session.Failed(platform.words.text(Word.ERROR_NATIVE_LIBRARY, e.message.orEmpty()))
        }
    }

    /**
     * The device's language changed to [tag] (BCP 47): the core speaks it from now on, and
     * every record on screen is read again in it.
     */
    fun setLocale(tag: String) {
        val wallet = wallet ?: return
        try {
            wallet.setLocale(tag)
            Change.entries.forEach(::reread)
        } catch (e: DanbaoException) {
            _message.value = e.readable()
        }
    }

    /**
     * The device's time zone changed to [name] (IANA, e.g. `Europe/Berlin`): the core writes
     * dates in it from now on, and every record on screen is read again.
     */
    fun setTimeZone(name: String) {
        val wallet = wallet ?: return
        try {
            wallet.setTimeZone(name)
            Change.entries.forEach(::reread)
        } catch (e: DanbaoException) {
            _message.value = e.readable()
        }
    }

    /** Stops listening and closes the wallet (Android: when the activity is finished). */
    fun close() {
        wallet?.let {
            it.setListener(null)
            it.close()
        }
        wallet = null
    }

    // ---- reads of the local cache (well under a millisecond; safe on the main thread) ----

    private fun reread(change: Change) {
        val wallet = wallet ?: return
        read {
            when (change) {
                Change.PROFILE -> {
                    _profile.value = wallet.profile()
                    _home.value = wallet.home()
                }
                Change.ORDERS -> {
                    _orders.value = wallet.orders()
                    _home.value = wallet.home()
                    _order.value?.let { shown -> _order.value = _orders.value.firstOrNull { it.id == shown.id } ?: shown }
                }
                Change.ACTIVITY -> {
                    _olderActivity.value = null
                    _home.value = wallet.home()
                    _requests.value = wallet.requests()
                }
                Change.BALANCES, Change.OUTBOX -> _home.value = wallet.home()
            }
        }
    }

    /** People to suggest on the send screen, most recent first. */
    fun contacts(): List<Contact> = wallet?.let { read { it.contacts(CONTACT_SUGGESTIONS) } }.orEmpty()

    /**
     * The currencies the user holds, for the amount fields; with no balance yet, the one the
     * core chooses (`HomeSnapshot.currency`), and the build's only before the first snapshot.
     */
    fun currencies(): List<String> =
        _home.value?.balances?.map { it.currency }.orEmpty()
            .ifEmpty { listOf(_home.value?.currency ?: platform.defaultCurrency) }

    /** The payment code to show now; the screen calls this every second. */
    fun paymentCode(): PaymentCodeState {
        val wallet = wallet ?: return PaymentCodeState.Failed(platform.words.text(Word.WALLET_OPENING))
        if (_home.value?.paymentCodeEnabled == false) {
            return PaymentCodeState.NotEnabled(platform.words.text(Word.PAYMENT_CODE_NOT_ENABLED))
        }
        return try {
            PaymentCodeState.Shown(wallet.paymentCode())
        } catch (e: DanbaoException.NotReady) {
            PaymentCodeState.NotEnabled(e.readable())
        } catch (e: DanbaoException) {
            PaymentCodeState.Failed(e.readable())
        }
    }

    fun messageShown() {
        _message.value = null
    }

    // ---- calls to the server (suspend, in the model's scope) -------------------------

    fun signUp(handle: String, displayName: String) = call { wallet ->
        _profile.value = wallet.signUp(handle, displayName, platform.deviceName)
        sync()
    }

    /** Sends the outbox and fetches what happened; in the background (buttons stay enabled). */
    fun sync() = call(showsBusy = false) { wallet -> wallet.sync() }

    fun loadOlderActivity() = call { wallet ->
        val shown = _olderActivity.value
        val page = wallet.activity(shown?.nextCursor, ACTIVITY_PAGE)
        _olderActivity.value = if (shown == null) page else ActivityPage(shown.items + page.items, page.nextCursor)
    }

    fun scan(text: String, onScreen: () -> Unit, onFailed: () -> Unit) =
        call(onFailed = onFailed) { wallet ->
            _scan.value = wallet.scan(text)
            onScreen()
        }

    private val _openedLink = MutableStateFlow<String?>(null)

    /**
     * A payment link (`https://<host>/pay?code=…` or `danbao://pay?code=…`) the app was opened
     * with, until [confirmOpenedLink] takes it.
     */
    val openedLink: StateFlow<String?> = _openedLink.asStateFlow()

    /** The app was opened with [uri] (a tapped payment link). */
    fun openLink(uri: String) {
        _openedLink.value = uri
    }

    /**
     * Shows the confirm screen of the link the app was opened with, once: the core reads the
     * link as the code it carries ([scan]); a broken link is a message like a bad scan.
     */
    fun confirmOpenedLink(onScreen: () -> Unit) {
        val link = _openedLink.value ?: return
        _openedLink.value = null
        scan(link, onScreen = onScreen, onFailed = {})
    }

    /** Pays the scanned code; [amount] only when the code asked for one (`needs_amount`). */
    fun pay(amount: String?, onDone: () -> Unit) {
        val screen = _scan.value ?: return
        call { wallet ->
            _message.value = wallet.pay(screen.code, amount?.takeIf { it.isNotBlank() }).message
            onDone()
        }
    }

    fun receiveCode(amount: String?, currency: String, asMerchant: Boolean) = call { wallet ->
        val fixed = amount?.takeIf { it.isNotBlank() }
        _code.value = if (asMerchant) wallet.merchantCode(fixed, currency) else wallet.receiveCode(fixed, currency)
    }

    fun enablePaymentCode() = call { wallet ->
        wallet.enablePaymentCode()
    }

    fun openOrder(id: String) {
        _order.value = _orders.value.firstOrNull { it.id == id }
        call { wallet -> _order.value = wallet.order(id) }
    }

    fun orderAction(id: String, action: OrderAction) = call { wallet ->
        _message.value = wallet.orderAction(id, action).message
        _order.value = wallet.order(id)
    }

    /**
     * What an order button does: [step] with what the user entered (nothing, a shipment, an
     * amount to ask back). The core builds the action and refuses a missing field by name.
     */
    fun orderStep(id: String, step: OrderStep, input: StepInput) = call { wallet ->
        val action = app.danbao.core.orderAction(step, input)
        _message.value = wallet.orderAction(id, action).message
        _order.value = wallet.order(id)
    }

    fun createOrder(title: String, amount: String, currency: String, onCreated: () -> Unit) = call { wallet ->
        val created = wallet.createOrder(title, amount, currency)
        _code.value = created.code
        onCreated()
    }

    fun send(toHandle: String, amount: String, currency: String, memo: String, onDone: () -> Unit) =
        call { wallet ->
            _message.value = wallet.send(toHandle, amount, currency, memo).message
            onDone()
        }

    fun requestMoney(fromHandle: String, amount: String, currency: String, note: String, onDone: () -> Unit) =
        call { wallet ->
            val request = wallet.requestMoney(fromHandle, amount, currency, note)
            _message.value = platform.words.text(Word.REQUEST_SENT, request.amount.display, request.payer)
            onDone()
        }

    /** Pays ([accept]) or declines a request whose `canAnswer` is true. */
    fun answerRequest(id: Long, accept: Boolean) = call { wallet ->
        _message.value = wallet.answerRequest(id, accept).message
    }

    fun clearCode() {
        _code.value = null
    }

    /**
     * Runs [block] against the open wallet; a refusal becomes [message]. A call the user
     * started ([showsBusy]) disables the buttons that would start another until it ends.
     */
    private fun call(onFailed: () -> Unit = {}, showsBusy: Boolean = true, block: suspend (Wallet) -> Unit) {
        val wallet = wallet ?: return
        scope.launch {
            if (showsBusy) running += 1
            _busy.value = running > 0
            try {
                block(wallet)
            } catch (e: DanbaoException) {
                _message.value = e.readable()
                onFailed()
            } finally {
                if (showsBusy) running -= 1
                _busy.value = running > 0
            }
        }
    }

    private fun <T> read(block: () -> T): T? =
        try {
            block()
        } catch (e: DanbaoException) {
            _message.value = e.readable()
            null
        }

    private fun DanbaoException.readable(): String = message ?: javaClass.simpleName

    private companion object {
        const val ACTIVITY_PAGE = 50u
        const val CONTACT_SUGGESTIONS = 8u
    }
}
