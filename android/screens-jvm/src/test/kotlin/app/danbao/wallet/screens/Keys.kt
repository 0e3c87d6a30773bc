package app.danbao.wallet.screens

import app.danbao.core.KeyStore
import app.danbao.core.PlatformException
import app.danbao.core.Signer
import java.math.BigInteger
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.SecureRandom
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

// The JVM stand-ins for the Android Keystore classes, as in bindings/tests/kotlin's Platform.kt
// (that module's test sources are not a library this one can depend on).

/** A P-256 device key from the JDK, signing SHA256withECDSA (DER). */
class JdkSigner : Signer {
    private val keys: KeyPair = KeyPairGenerator.getInstance("EC").run {
        initialize(ECGenParameterSpec("secp256r1"))
        generateKeyPair()
    }

    /** 0x04 ‖ X ‖ Y, each coordinate as 32 big-endian bytes (SEC 1 §2.3.3). */
    override fun publicKey(): ByteArray {
        val key = keys.public as ECPublicKey
        fun coordinate(value: BigInteger): ByteArray {
            val bytes = value.toByteArray()
            val unsigned = if (bytes.size > 32) bytes.copyOfRange(bytes.size - 32, bytes.size) else bytes
            return ByteArray(32 - unsigned.size) + unsigned
        }
        return byteArrayOf(0x04) + coordinate(key.w.affineX) + coordinate(key.w.affineY)
    }

    override fun sign(message: ByteArray): ByteArray = Signature.getInstance("SHA256withECDSA").run {
        initSign(keys.private)
        update(message)
        sign()
    }
}

/** The data key wrapped with AES-256-GCM under a per-instance key: nonce (12) ‖ ciphertext ‖ tag. */
class AesGcmKeyStore : KeyStore {
    private val key: SecretKey = KeyGenerator.getInstance("AES").run {
        init(256)
        generateKey()
    }
    private val random = SecureRandom()

    override fun wrap(plaintextKey: ByteArray): ByteArray {
        val nonce = ByteArray(12).also(random::nextBytes)
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.ENCRYPT_MODE, key, GCMParameterSpec(128, nonce))
        return nonce + cipher.doFinal(plaintextKey)
    }

    override fun unwrap(wrappedKey: ByteArray): ByteArray {
        if (wrappedKey.size < 12 + 16) throw PlatformException.Failed("the wrapped key is too short for AES-GCM")
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, wrappedKey, 0, 12))
        return try {
            cipher.doFinal(wrappedKey, 12, wrappedKey.size - 12)
        } catch (_: AEADBadTagException) {
            throw PlatformException.Failed("the wrapped key does not open with this key store's key")
        }
    }
}
