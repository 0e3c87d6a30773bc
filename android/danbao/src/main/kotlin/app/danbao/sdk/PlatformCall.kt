package app.danbao.sdk

import app.danbao.core.PlatformException

/** The Android Keystore provider's name. */
internal const val ANDROID_KEYSTORE = "AndroidKeyStore"

/**
 * Runs [block], turning anything the platform throws into [PlatformException.Failed] that
 * says what was being done ([what]) and what the platform reported. The core shows that
 * reason in the `DanbaoException.Secrets` the calling screen receives.
 */
internal inline fun <T> platformCall(what: String, block: () -> T): T =
    try {
        block()
    } catch (e: PlatformException) {
        throw e
    } catch (e: Exception) {
        throw PlatformException.Failed("$what: ${e.javaClass.simpleName}: ${e.message}")
    }

/** A [PlatformException.Failed] with [reason]. */
internal fun failed(reason: String) = PlatformException.Failed(reason)
