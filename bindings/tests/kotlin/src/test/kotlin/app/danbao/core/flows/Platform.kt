package app.danbao.core.flows

import app.danbao.core.Change
import app.danbao.core.ChangeListener
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
import java.util.concurrent.ConcurrentLinkedQueue
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The device key as a JVM app would hold it without a hardware key store: a P-256 key pair
 * from the JDK's provider, signing with SHA256withECDSA (DER, what the core expects).
 */
class JdkSigner : Signer {
    private val keys: KeyPair = KeyPairGenerator.getInstance("EC").run {
        initialize(ECGenParameterSpec("secp256r1"))
        generateKeyPair()
    }

    /** How many signatures were made (each server request is signed). */
    @Volatile
    var signatures = 0
        private set

    override fun publicKey(): ByteArray = uncompressedSec1(keys.public as ECPublicKey)

    override fun sign(message: ByteArray): ByteArray {
        signatures++
        return Signature.getInstance("SHA256withECDSA").run {
            initSign(keys.private)
            update(message)
            sign()
        }
    }
}

/**
 * 0x04 ‖ X ‖ Y, each coordinate as 32 big-endian bytes (SEC 1 §2.3.3). The X.509 encoding
 * the JDK gives ends with the same 65 bytes; building it from the coordinates does not depend
 * on the encoder's layout.
 */
fun uncompressedSec1(key: ECPublicKey): ByteArray {
    fun coordinate(value: BigInteger): ByteArray {
        val bytes = value.toByteArray() // big-endian, maybe with a leading sign byte
        val unsigned = if (bytes.size > 32) bytes.copyOfRange(bytes.size - 32, bytes.size) else bytes
        return ByteArray(32 - unsigned.size) + unsigned
    }
    val point = byteArrayOf(0x04) + coordinate(key.w.affineX) + coordinate(key.w.affineY)
    val x509 = key.encoded
    check(x509.copyOfRange(x509.size - 65, x509.size).contentEquals(point)) {
        "the X.509 encoding does not end with the uncompressed point"
    }
    return point
}

/** A signer whose `sign` fails the way a platform signer does: by throwing `failure`. */
class FailingSigner(private val failure: () -> Throwable) : Signer {
    private val real = JdkSigner()

    override fun publicKey(): ByteArray = real.publicKey()

    override fun sign(message: ByteArray): ByteArray = throw failure()
}

/**
 * The data key wrapped with AES-256-GCM under a key made per instance (a test's stand-in for
 * the Android Keystore): 12 random nonce bytes, then ciphertext and tag.
 */
class AesGcmKeyStore : KeyStore {
    private val key: SecretKey = KeyGenerator.getInstance("AES").run {
        init(256)
        generateKey()
    }
    private val random = SecureRandom()

    override fun wrap(plaintextKey: ByteArray): ByteArray {
        val nonce = ByteArray(NONCE_BYTES).also(random::nextBytes)
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.ENCRYPT_MODE, key, GCMParameterSpec(TAG_BITS, nonce))
        return nonce + cipher.doFinal(plaintextKey)
    }

    override fun unwrap(wrappedKey: ByteArray): ByteArray {
        if (wrappedKey.size < NONCE_BYTES + TAG_BITS / 8) {
            throw PlatformException.Failed("the wrapped key has ${wrappedKey.size} bytes; too short for AES-GCM")
        }
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BITS, wrappedKey, 0, NONCE_BYTES))
        return try {
            cipher.doFinal(wrappedKey, NONCE_BYTES, wrappedKey.size - NONCE_BYTES)
        } catch (_: AEADBadTagException) {
            throw PlatformException.Failed("the wrapped key does not open with this key store's key")
        }
    }

    private companion object {
        const val NONCE_BYTES = 12
        const val TAG_BITS = 128
    }
}

/** Collects what the core says changed. */
class RecordingListener : ChangeListener {
    private val seen = ConcurrentLinkedQueue<Change>()

    override fun onChange(change: Change) {
        seen.add(change)
    }

    /** The changes told since the last call, in order, and forgets them. */
    fun take(): List<Change> = generateSequence { seen.poll() }.toList()
}
