package app.danbao.sdk

import java.math.BigInteger
import java.security.KeyFactory
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import java.security.spec.ECPoint
import java.security.spec.ECPublicKeySpec
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * The public-key conversion of [KeystoreSigner] on the JVM's own EC provider: the 65 bytes
 * the core receives must name the same point, also when a coordinate has leading zero bytes
 * (which `BigInteger.toByteArray` drops) or a high bit set (where it adds a sign byte).
 */
class Sec1PointTest {

    private val generator = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }

    @Test
    fun the_point_is_0x04_then_x_then_y_in_32_bytes_each() {
        repeat(50) {
            val key = generator.generateKeyPair().public as ECPublicKey
            val point = KeystoreSigner.uncompressedPoint(key)
            assertEquals(65, point.size)
            assertEquals(0x04.toByte(), point[0])
            assertEquals(key.w.affineX, BigInteger(1, point.copyOfRange(1, 33)))
            assertEquals(key.w.affineY, BigInteger(1, point.copyOfRange(33, 65)))
        }
    }

    @Test
    fun a_coordinate_with_a_leading_zero_byte_keeps_its_place() {
        // About one key in 128 has a coordinate below 2^248; look for one.
        val key = generateSequence { generator.generateKeyPair().public as ECPublicKey }
            .take(5_000)
            .first { it.w.affineX.bitLength() <= 248 || it.w.affineY.bitLength() <= 248 }
        val point = KeystoreSigner.uncompressedPoint(key)
        assertEquals(65, point.size)
        assertEquals(key.w.affineX, BigInteger(1, point.copyOfRange(1, 33)))
        assertEquals(key.w.affineY, BigInteger(1, point.copyOfRange(33, 65)))
    }

    @Test
    fun a_signature_verifies_under_the_key_rebuilt_from_the_65_bytes() {
        val pair = generator.generateKeyPair()
        val original = pair.public as ECPublicKey
        val point = KeystoreSigner.uncompressedPoint(original)
        val rebuilt = KeyFactory.getInstance("EC").generatePublic(
            ECPublicKeySpec(
                ECPoint(BigInteger(1, point.copyOfRange(1, 33)), BigInteger(1, point.copyOfRange(33, 65))),
                original.params,
            )
        )
        assertArrayEquals(original.encoded, rebuilt.encoded)

        val message = "POST /v1/payments".toByteArray()
        val signature = Signature.getInstance("SHA256withECDSA").run {
            initSign(pair.private)
            update(message)
            sign()
        }
        val verified = Signature.getInstance("SHA256withECDSA").run {
            initVerify(rebuilt)
            update(message)
            verify(signature)
        }
        assertTrue(verified)
    }
}
