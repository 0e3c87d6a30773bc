package app.danbao.wallet.jvm

import app.danbao.core.KeyStore
import app.danbao.core.Signer
import app.danbao.core.Wallet
import app.danbao.core.WalletConfig
import app.danbao.wallet.WalletPlatform
import app.danbao.wallet.ui.PlatformUi
import app.danbao.wallet.ui.Words
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle
import java.util.Locale

/**
 * The screens' platform on the JVM: words from strings.xml, dates with java.time in [zone],
 * no secure window (a desktop window has no FLAG_SECURE) and no camera (codes are pasted).
 */
fun jvmPlatformUi(words: Words, zone: ZoneId = ZoneId.systemDefault(), locale: Locale = Locale.US): PlatformUi {
    val format = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT).withLocale(locale).withZone(zone)
    return PlatformUi(
        words = words,
        dateTime = { seconds -> format.format(Instant.ofEpochSecond(seconds)) },
    )
}

/**
 * Opens the wallet at [dbPath] against [serverUrl] with the given key store and signer (JDK
 * keys on the JVM, where there is no hardware key store); [opened] is the wallet, for a test
 * that drives the same phone through the core directly.
 */
class JvmWalletPlatform(
    override val serverUrl: String,
    private val dbPath: String,
    private val keyStore: KeyStore,
    private val signer: Signer,
    override val words: Words,
    override val defaultCurrency: String = "CNY",
    override val deviceName: String = "JVM",
    override val locale: String = "en-US",
    override val timeZone: String = "Asia/Shanghai",
) : WalletPlatform {
    @Volatile
    var opened: Wallet? = null
        private set

    override suspend fun openWallet(): Wallet =
        opened ?: Wallet.open(
            WalletConfig(dbPath = dbPath, serverUrl = serverUrl, locale = locale, timeZone = timeZone),
            keyStore,
            signer,
        ).also { opened = it }
}
