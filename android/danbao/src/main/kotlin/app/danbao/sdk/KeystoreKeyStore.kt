package app.danbao.sdk

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Wraps the wallet database's 32-byte data key with an AES-256-GCM key that lives in the
 * Android Keystore (in StrongBox when the device has one) and never leaves it. The core stores
 * only the wrapped form: `IV (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes)`.
 *
 * The wrapping key is created by the first [wrap] under [alias]. [unwrap] never creates one: if
 * the key is gone (app data cleared, device restored from a backup), the data key cannot be
 * recovered and the error says so.
 */
class KeystoreKeyStore(
    private val alias: String = DEFAULT_ALIAS,
    private val preferStrongBox: Boolean = true,
) : app.danbao.core.KeyStore {

    override fun wrap(plaintextKey: ByteArray): ByteArray = platformCall("the Android Keystore could not wrap the data key with '$alias'") {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        // The Keystore chooses a fresh random IV for each encryption; it is stored in front.
        cipher.init(Cipher.ENCRYPT_MODE, wrappingKey(create = true))
        cipher.iv + cipher.doFinal(plaintextKey)
    }

    override fun unwrap(wrappedKey: ByteArray): ByteArray = platformCall("the Android Keystore could not unwrap the data key with '$alias'") {
        if (wrappedKey.size <= IV_BYTES + TAG_BITS / 8) {
            throw failed(
                "the wrapped data key is ${wrappedKey.size} bytes; it must hold a $IV_BYTES-byte " +
                    "IV, the sealed key and a ${TAG_BITS / 8}-byte tag"
            )
        }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, wrappingKey(create = false), GCMParameterSpec(TAG_BITS, wrappedKey, 0, IV_BYTES))
        cipher.doFinal(wrappedKey, IV_BYTES, wrappedKey.size - IV_BYTES)
    }

    private fun wrappingKey(create: Boolean): SecretKey =
        keystoreEntry(alias, create = if (create) ::generate else null) { store ->
            if (!store.containsAlias(alias)) {
                throw failed(
                    "the Keystore has no key '$alias', so the wallet's data key cannot be " +
                        "unwrapped; the local wallet must be deleted and signed in again"
                )
            }
            store.getKey(alias, null) as? SecretKey
                ?: throw failed("the Keystore entry '$alias' is not a secret key; delete it or choose another alias")
        }

    private fun generate() = generateWithStrongBoxFallback(preferStrongBox) { strongBox ->
        val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setKeySize(256)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .strongBox(strongBox)
            .build()
        KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE).run {
            init(spec)
            generateKey()
        }
    }

    companion object {
        /** The Keystore alias used when none is given. */
        const val DEFAULT_ALIAS = "app.danbao.data-key-wrap"

        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val IV_BYTES = 12
        private const val TAG_BITS = 128
    }
}
