package app.danbao.sdk

import android.util.Log
import app.danbao.core.LogLevel
import app.danbao.core.LogRecord
import app.danbao.core.Logger
import app.danbao.core.setLogger

/**
 * Writes the core's log lines to Logcat under [tag], as `target: message`. The core never logs
 * keys, secrets of codes or signatures, so these lines are safe to keep in bug reports.
 */
class LogcatLogger(private val tag: String = DEFAULT_TAG) : Logger {

    override fun log(record: LogRecord) {
        Log.println(priority(record.level), tag, "${record.target}: ${record.message}")
    }

    companion object {
        /** The Logcat tag used when none is given. */
        const val DEFAULT_TAG = "Danbao"

        /**
         * Sends the core's lines at [maxLevel] and above to Logcat. Call once, early (e.g. in
         * `Application.onCreate`). Throws `DanbaoException.NotReady` if the process already
         * installed another `tracing` subscriber.
         */
        fun install(maxLevel: LogLevel = LogLevel.INFO, tag: String = DEFAULT_TAG) {
            setLogger(LogcatLogger(tag), maxLevel)
        }

        private fun priority(level: LogLevel): Int = when (level) {
            LogLevel.ERROR -> Log.ERROR
            LogLevel.WARN -> Log.WARN
            LogLevel.INFO -> Log.INFO
            LogLevel.DEBUG -> Log.DEBUG
            LogLevel.TRACE -> Log.VERBOSE
        }
    }
}
