package app.danbao.wallet

import android.app.Application
import android.util.Log
import app.danbao.core.DanbaoException
import app.danbao.core.LogLevel
import app.danbao.sdk.LogcatLogger

/** Sends the core's log lines to Logcat (debug builds: everything down to DEBUG). */
class DanbaoApplication : Application() {

    override fun onCreate() {
        super.onCreate()
        try {
            LogcatLogger.install(if (BuildConfig.DEBUG) LogLevel.DEBUG else LogLevel.INFO)
        } catch (e: DanbaoException) {
            Log.w(LogcatLogger.DEFAULT_TAG, "the core's logs stay off: ${e.message}")
        } catch (e: LinkageError) {
            // The native library is missing from this build; the wallet screen says so.
            Log.e(LogcatLogger.DEFAULT_TAG, "the Danbao native library could not be loaded", e)
        }
    }
}
