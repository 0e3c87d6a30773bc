package app.danbao.sdk

import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import androidx.annotation.RequiresApi
import app.danbao.core.PlatformException
import java.security.KeyStore
import java.security.ProviderException

/** The Android Keystore provider's name. */
internal const val ANDROID_KEYSTORE = "AndroidKeyStore"

/** Serialises the check-then-create of Keystore keys across this library's key holders. */
private val KEYSTORE_LOCK = Any()

/**
 * The Keystore entry under [alias], created first by [create] if there is none yet (unless
 * [create] is null). Check and creation run under one lock, so two threads never both create.
 */
internal fun <T> keystoreEntry(alias: String, create: (() -> Unit)?, read: (KeyStore) -> T): T =
    synchronized(KEYSTORE_LOCK) {
        val store = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }
        if (!store.containsAlias(alias) && create != null) {
            create()
        }
        read(store)
    }

/**
 * Runs [generate] with StrongBox asked for when [preferStrongBox] and the OS can (API 28+);
 * if there is no StrongBox or it refuses the key, runs it again without (the TEE-backed
 * Keystore). [generate] applies its argument with [strongBox].
 */
internal fun generateWithStrongBoxFallback(preferStrongBox: Boolean, generate: (strongBox: Boolean) -> Unit) {
    if (preferStrongBox && Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) {
        try {
            generate(true)
            return
        } catch (e: ProviderException) {
            // StrongBoxUnavailableException (no StrongBox here), or a StrongBox that refuses
            // this key: the TEE-backed Keystore below is the fallback.
        }
    }
    generate(false)
}

/** Asks for a StrongBox-backed key when [on] (only ever true on API 28+). */
internal fun KeyGenParameterSpec.Builder.strongBox(on: Boolean): KeyGenParameterSpec.Builder =
    apply { if (on) requireStrongBox(this) }

@RequiresApi(Build.VERSION_CODES.P)
private fun requireStrongBox(builder: KeyGenParameterSpec.Builder) {
    builder.setIsStrongBoxBacked(true)
}

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
