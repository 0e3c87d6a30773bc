package app.danbao.wallet

import android.app.Application
import android.os.Build
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import app.danbao.core.Wallet
import app.danbao.core.WalletConfig
import app.danbao.sdk.KeystoreKeyStore
import app.danbao.sdk.KeystoreSigner
import app.danbao.wallet.ui.Words
import java.io.File

/**
 * Keeps the app's one [WalletModel] for the activity's lifetime (across configuration changes)
 * and closes its wallet when the activity is finished. The model itself is platform-neutral
 * (android/screens); what is Android about it is here: the Keystore, `noBackupFilesDir`, the
 * build's server URL and currency, and the device's model name.
 */
class WalletViewModel(application: Application) : AndroidViewModel(application) {

    val model = WalletModel(viewModelScope, AndroidWalletPlatform(application))

    override fun onCleared() {
        model.close()
    }
}

private class AndroidWalletPlatform(private val app: Application) : WalletPlatform {
    override val serverUrl: String = BuildConfig.DANBAO_SERVER_URL
    override val defaultCurrency: String = BuildConfig.DANBAO_CURRENCY
    override val deviceName: String = Build.MODEL
    override val words: Words = ResourceWords(app)
    override val locale: String get() = app.resources.configuration.locales[0].toLanguageTag()
    override val timeZone: String get() = java.util.TimeZone.getDefault().id

    override suspend fun openWallet(): Wallet {
        val config = WalletConfig(
            // noBackupFilesDir: the database is sealed under this device's Keystore keys.
            dbPath = File(app.noBackupFilesDir, "wallet.db").path,
            serverUrl = serverUrl,
            // The core writes its records' words and amounts in the device's language.
            locale = locale,
            // ... and writes dates in the device's zone: its IANA name, so that each date gets
            // the zone's offset at its own instant (daylight saving included); the offset now
            // is the fallback the core uses only without a name.
            utcOffsetMinutes = java.util.TimeZone.getDefault().getOffset(System.currentTimeMillis()) / 60_000,
            timeZone = timeZone,
        )
        return Wallet.open(config, KeystoreKeyStore(), KeystoreSigner())
    }
}
