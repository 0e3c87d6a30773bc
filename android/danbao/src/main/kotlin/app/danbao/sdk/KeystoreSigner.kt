package app.danbao.sdk

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import app.danbao.core.Signer
import java.math.BigInteger
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec

/**
 * The device key: an EC P-256 key pair created in the Android Keystore (in StrongBox when the
 * device has one), whose private half never leaves it. Every request the core sends to the
 * server is signed with it, and its public key is registered at sign-up.
 *
 * The key is created on first use under [alias] and reused afterwards; uninstalling the app
 * deletes it (and the wallet's database with it).
 *
 * Both methods may block briefly (StrongBox signatures take tens of milliseconds); the core
 * calls them from its own threads, never the UI thread.
 */
class KeystoreSigner(
    private val alias: String = DEFAULT_ALIAS,
    private val preferStrongBox: Boolean = true,
) : Signer {

    private val entry: KeyStore.PrivateKeyEntry by lazy { loadOrCreate() }

    /** The public key as an uncompressed SEC1 point: 0x04 ‖ X ‖ Y, 65 bytes. */
    override fun publicKey(): ByteArray = platformCall("the Android Keystore could not give the public key of '$alias'") {
        val key = entry.certificate.publicKey as? ECPublicKey
            ?: throw failed("the Keystore key '$alias' is not an EC key; delete it or choose another alias")
        uncompressedPoint(key)
    }

    /** ECDSA P-256 over SHA-256 of [message], DER-encoded (what `SHA256withECDSA` gives). */
    override fun sign(message: ByteArray): ByteArray = platformCall("the Android Keystore could not sign with '$alias'") {
        Signature.getInstance("SHA256withECDSA").run {
            initSign(entry.privateKey)
            update(message)
            sign()
        }
    }

    private fun loadOrCreate(): KeyStore.PrivateKeyEntry = keystoreEntry(alias, ::generate) { store ->
        store.getEntry(alias, null) as? KeyStore.PrivateKeyEntry
            ?: throw failed("the Keystore entry '$alias' holds no private key; delete it or choose another alias")
    }

    private fun generate() = generateWithStrongBoxFallback(preferStrongBox) { strongBox ->
        val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_SIGN)
            .setAlgorithmParameterSpec(ECGenParameterSpec("secp256r1"))
            .setDigests(KeyProperties.DIGEST_SHA256)
            .strongBox(strongBox)
            .build()
        KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, ANDROID_KEYSTORE).run {
            initialize(spec)
            generateKeyPair()
        }
    }

    companion object {
        /** The Keystore alias used when none is given. */
        const val DEFAULT_ALIAS = "app.danbao.device-key"

        /**
         * [key] as an uncompressed SEC1 point (SEC 1 v2 §2.3.3): 0x04, then X and Y as
         * 32-byte big-endian integers.
         */
        internal fun uncompressedPoint(key: ECPublicKey): ByteArray =
            byteArrayOf(0x04) + coordinate(key.w.affineX) + coordinate(key.w.affineY)

        /** [value] as exactly 32 big-endian bytes (BigInteger adds a sign byte or drops zeros). */
        private fun coordinate(value: BigInteger): ByteArray {
            val bytes = value.toByteArray()
            return when {
                bytes.size == 32 -> bytes
                bytes.size == 33 && bytes[0] == 0.toByte() -> bytes.copyOfRange(1, 33)
                bytes.size < 32 -> ByteArray(32 - bytes.size) + bytes
                else -> throw failed("a P-256 coordinate is ${bytes.size} bytes long; it must fit in 32")
            }
        }
    }
}
