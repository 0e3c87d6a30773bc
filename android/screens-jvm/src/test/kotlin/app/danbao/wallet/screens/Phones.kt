package app.danbao.wallet.screens

import app.danbao.core.client.BalanceLine
import app.danbao.core.client.CommandState
import app.danbao.core.client.CommandOutcome
import app.danbao.core.Wallet
import app.danbao.wallet.WalletModel
import app.danbao.wallet.jvm.JvmWalletPlatform
import app.danbao.wallet.jvm.XmlWords
import java.nio.file.Files
import java.nio.file.Path
import java.security.SecureRandom
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.junit.Assert.assertEquals
import app.danbao.core.fixtures.AesGcmKeyStore
import app.danbao.core.fixtures.JdkSigner

/** The screens' words, read once from android/screens/src/main/res/values/strings.xml. */
val words: XmlWords by lazy { XmlWords.fromSystemProperty() }

/** The screens' words for [locale] (BCP 47): the Chinese resources for `zh-…`. */
fun wordsFor(locale: String): XmlWords =
    if (locale.startsWith("zh")) chineseWords else words

/** The Chinese words, from android/screens/src/main/res/values-zh-rCN/strings.xml. */
val chineseWords: XmlWords by lazy { XmlWords.forLocale(java.util.Locale.SIMPLIFIED_CHINESE) }

/** Each user starts with this much sandbox money. */
const val START = "100.00"

/**
 * One user's phone: the app's [WalletModel] on the main (AWT) dispatcher, as the Android app
 * runs it on the main thread, over a real [Wallet] against the real server. [wallet] is the
 * same wallet, for setting a scene up through the core directly.
 */
class Phone(
    val handle: String,
    val displayName: String,
    private val platform: JvmWalletPlatform,
    val model: WalletModel,
    private val scope: CoroutineScope,
) : AutoCloseable {
    val wallet: Wallet get() = platform.opened ?: error("$handle's wallet is not open")

    /** The CNY balance line after a sync with the server. */
    fun syncedCny(): BalanceLine = runBlocking {
        wallet.sync()
        wallet.home().balances.single { it.currency == "CNY" }
    }

    /** Syncs and returns the available CNY in minor units (fen), as the server has it. */
    fun availableFen(): Long = syncedCny().available.minor

    override fun close() {
        runBlocking(Dispatchers.Main) { model.close() }
        scope.cancel()
    }
}

/** A handle unique to this run: `role` and six random characters (a-z0-9). */
fun uniqueHandle(role: String): String {
    val alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    val random = SecureRandom()
    return role + "_" + (1..6).map { alphabet[random.nextInt(alphabet.length)] }.joinToString("")
}

private val phoneDir: Path by lazy { Files.createTempDirectory("danbao-screens-phones-") }

/**
 * A phone on [serverUrl] (the shared test server unless given). Unless [signedUp] is false
 * the user signs up as [displayName] through the core and gets [topUp] CNY from the sandbox
 * before the app's model opens the wallet, so the screens start with real data.
 */
fun phone(
    role: String,
    displayName: String,
    topUp: String? = START,
    signedUp: Boolean = true,
    serverUrl: String = TestServer.shared.url,
    locale: String = "en-US",
): Phone {
    val handle = uniqueHandle(role)
    val platform = JvmWalletPlatform(
        serverUrl = serverUrl,
        dbPath = phoneDir.resolve("$handle.db").toString(),
        keyStore = AesGcmKeyStore(),
        signer = JdkSigner(),
        words = wordsFor(locale),
        deviceName = "JVM screen test",
        locale = locale,
    )
    if (signedUp) {
        runBlocking {
            val wallet = platform.openWallet()
            wallet.signUp(handle, displayName, "JVM screen test")
            if (topUp != null) TestServer.shared.topUp(handle, topUp)
            wallet.sync()
        }
    }
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Main)
    val model = WalletModel(scope, platform)
    waitFor("$handle's wallet opens") {
        model.session.value == WalletModel.Session.Open && (!signedUp || model.profile.value != null)
    }
    return Phone(handle, displayName, platform, model, scope)
}

/** Polls [condition] for up to [seconds] s (outside a compose test). */
fun waitFor(what: String, seconds: Long = 20, condition: () -> Boolean) {
    val deadline = System.nanoTime() + seconds * 1_000_000_000
    while (!runBlocking { withContext(Dispatchers.Main) { condition() } }) {
        check(System.nanoTime() < deadline) { "timed out after $seconds s waiting until $what" }
        Thread.sleep(20)
    }
}

/** The command reached the server and was applied. */
fun CommandOutcome.done(step: String): CommandOutcome {
    assertEquals("$step: $this", CommandState.DONE, state)
    return this
}
