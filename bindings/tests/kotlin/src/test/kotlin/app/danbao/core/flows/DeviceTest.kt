package app.danbao.core.flows

import app.danbao.core.DanbaoException
import app.danbao.core.Wallet
import app.danbao.core.WalletConfig
import app.danbao.core.fixtures.AesGcmKeyStore
import app.danbao.core.fixtures.JdkSigner
import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

/**
 * Devices: a second device added with a one-time approval code, the list, and a lost device
 * revoked from the other one — its next request and its payment code refused.
 */
class DeviceTest : FlowTest() {
    private suspend fun newWallet(dir: Path, name: String): Wallet =
        Wallet.open(
            WalletConfig(dbPath = dir.resolve("$name.db").toString(), serverUrl = server.url),
            AesGcmKeyStore(),
            JdkSigner(),
        )

    @Test
    fun `a second device joins, is listed, and once revoked is refused with its payment codes`(@TempDir dir: Path) =
        withPeople(dir) {
            val approval = buyer.wallet.deviceApprovalCode()
            assertTrue(approval.code.matches(Regex("[0-9A-Z]{4}(-[0-9A-Z]{4}){3}")), approval.code)
            assertEquals("DANBAO-JOIN:${approval.code}", approval.qrPayload)
            assertTrue(approval.svg.contains("<svg"))
            assertTrue(approval.expiresLabel.startsWith("Valid until "), approval.expiresLabel)

            newWallet(dir, "tablet").use { tablet ->
                val profile = tablet.joinWithApproval(approval.qrPayload, "Tablet")
                assertEquals(buyer.handle, profile.handle)
                assertEquals("Bea Buyer", profile.displayName)
                assertNotEquals(buyer.wallet.profile()!!.deviceId, profile.deviceId)

                // Used once: another new device is refused.
                newWallet(dir, "other").use { other ->
                    val used = assertThrows<DanbaoException.Refused> {
                        other.joinWithApproval(approval.code, "Other")
                    }
                    assertTrue(used.message!!.contains("(409 approval_code_used)"), used.message)
                    assertNull(other.profile())
                }

                val devices = tablet.devices()
                assertEquals(listOf("JVM test", "Tablet"), devices.map { it.name })
                assertEquals(listOf(false, true), devices.map { it.thisDevice })
                assertEquals("Tablet (this device)", devices[1].title)
                assertTrue(devices[1].active)

                tablet.enablePaymentCode()
                val shown = tablet.paymentCode()
                val revoked = buyer.wallet.revokeDevice(profile.deviceId)
                assertFalse(revoked.active)
                assertNotNull(revoked.revokedAt)
                assertTrue(revoked.detail.contains(" · revoked "), revoked.detail)

                val refused = assertThrows<DanbaoException.Refused> { tablet.devices() }
                assertTrue(refused.message!!.contains("(401 device_revoked)"), refused.message)
                server.enrol(seller.handle)
                val charge = seller.wallet.chargePaymentCode(shown.digits, "3.00", "CNY").refused("stolen code")
                assertTrue(charge.contains("payment_code_rejected"), charge)
                buyer.assertBalance(START_MINOR, step = "after the lost device's code was refused")
            }

            val last = assertThrows<DanbaoException.Refused> {
                buyer.wallet.revokeDevice(buyer.wallet.profile()!!.deviceId)
            }
            assertTrue(last.message!!.contains("(409 last_device)"), last.message)
            assertEquals(listOf(true, false), buyer.wallet.devices().map { it.active })
        }
}
