package app.danbao.core.flows

import app.danbao.core.fixtures.Emv
import app.danbao.core.fixtures.JdkSigner
import app.danbao.core.fixtures.AesGcmKeyStore
import app.danbao.core.DanbaoException
import app.danbao.core.PlatformException
import app.danbao.core.client.ScanKind
import app.danbao.core.domain.ScanOutcome
import app.danbao.core.Wallet
import app.danbao.core.WalletConfig
import app.danbao.core.diagnosticsNoop
import app.danbao.core.diagnosticsPanic
import app.danbao.core.scan
import app.danbao.core.version
import java.nio.file.Path
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

/** Failures reach Kotlin as `DanbaoException`s with readable messages, and move no money. */
class ErrorTest : FlowTest() {
    @Test
    fun `bad amounts are refused with a message naming them`(@TempDir dir: Path) = withPeople(dir) {
        val decimals = assertThrows<DanbaoException> { buyer.wallet.send(friend.handle, "12.345", "CNY", "") }
        assertTrue(
            decimals is DanbaoException.InvalidInput || decimals is DanbaoException.InvalidAmount,
            "$decimals",
        )
        assertTrue(decimals.message!!.contains("12.345") && decimals.message!!.contains("decimals"), decimals.message)

        val words = assertThrows<DanbaoException.InvalidInput> { buyer.wallet.createOrder("Tea", "ten", "CNY") }
        assertTrue(words.message!!.contains("ten"), words.message)
        val zero = assertThrows<DanbaoException.InvalidInput> { buyer.wallet.send(friend.handle, "0.00", "CNY", "") }
        assertTrue(zero.message!!.isNotBlank())

        buyer.assertBalance(START_MINOR, step = "refused amounts moved nothing")
        assertEquals(emptyList<Any>(), buyer.wallet.outbox(), "nothing was queued")
    }

    @Test
    fun `a tampered code is refused at scan and at pay, and no money moves`(@TempDir dir: Path) = withPeople(dir) {
        val genuine = seller.wallet.merchantCode("50.00", "CNY")
        assertEquals("50.00", Emv.fields(genuine.text).single { it.first == "54" }.second)
        val forged = Emv.withField(genuine.text, "54", "0.50")
        assertTrue(scan(forged) is ScanOutcome.MerchantPayment, "the forgery is well-formed: ${scan(forged)}")

        val screen = buyer.wallet.scan(forged)
        assertEquals(ScanKind.INVALID, screen.kind, "$screen")
        assertFalse(screen.payable, "$screen")
        assertTrue(screen.reasons.isNotEmpty(), "$screen")
        val refused = assertThrows<DanbaoException.CodeRefused> { buyer.wallet.pay(forged, null) }
        assertTrue(refused.message!!.contains("refused this code"), refused.message)

        buyer.assertBalance(START_MINOR, step = "forged code")
        seller.assertBalance(START_MINOR, step = "forged code")
        // The genuine code still pays: the refusal was about the edit.
        buyer.wallet.pay(genuine.text, null).done("genuine code")
        buyer.assertBalance(START_MINOR - 5_000, step = "genuine code")
    }

    @Test
    fun `a panic inside Rust is DanbaoException Internal and the JVM carries on`(@TempDir dir: Path) = withPeople(dir) {
        val panic = assertThrows<DanbaoException.Internal> { diagnosticsPanic("kotlin probe 42") }
        assertTrue(panic.message!!.contains("kotlin probe 42"), panic.message)
        diagnosticsNoop()
        assertTrue(version().isNotBlank())
        assertEquals(buyer.handle, buyer.wallet.profile()?.handle)
        buyer.wallet.send(friend.handle, "1.00", "CNY", "after the panic").done("a call after the panic")
        friend.assertBalance(START_MINOR + 100, step = "after the panic")
    }

    @Test
    fun `a Kotlin signer that throws becomes DanbaoException Secrets, not a crash`(@TempDir dir: Path) = runBlocking<Unit> {
        val cancelled = FailingSigner { PlatformException.Failed("the user cancelled the biometric prompt") }
        val error = assertThrows<DanbaoException.Secrets> { server.phone(dir, "nosign", "No Sign", signer = cancelled) }
        assertTrue(error.message!!.contains("the user cancelled the biometric prompt"), error.message)

        val broken = FailingSigner { IllegalStateException("keystore service died") }
        val unexpected = assertThrows<DanbaoException> { server.phone(dir, "broken", "Broken", signer = broken) }
        assertTrue(
            unexpected is DanbaoException.Secrets || unexpected is DanbaoException.Refused,
            "$unexpected",
        )
        assertTrue(unexpected.message!!.contains("keystore service died"), unexpected.message)
    }

    @Test
    fun `the data key opens only with its key store`(@TempDir dir: Path) = runBlocking<Unit> {
        val first = server.phone(dir, "keys", "Kay Keys", topUp = false)
        val (handle, dbPath, keyStore) = Triple(first.handle, first.dbPath, first.keyStore)
        first.close()

        Wallet.open(WalletConfig(dbPath, server.url), keyStore, JdkSigner()).use { reopened ->
            assertEquals(handle, reopened.profile()?.handle, "reopened with its key store")
        }
        val wrongStore = assertThrows<DanbaoException.Secrets> {
            Wallet.open(WalletConfig(dbPath, server.url), AesGcmKeyStore(), JdkSigner()).close()
        }
        assertTrue(wrongStore.message!!.contains("does not open with this key store's key"), wrongStore.message)
    }

    @Test
    fun `insufficient funds - refused with its code, nothing moves`(@TempDir dir: Path) = withPeople(dir) {
        val message = buyer.wallet.send(friend.handle, "100.01", "CNY", "too much").refused("send too much")
        assertTrue(message.startsWith("Refused:") && message.contains("insufficient_funds"), message)
        buyer.assertBalance(START_MINOR, step = "refused send")
        friend.assertBalance(START_MINOR, step = "refused send")

        // A call answered at once (not through the outbox) throws Refused with the code.
        val unknown = assertThrows<DanbaoException.Refused> {
            buyer.wallet.requestMoney("nobody_${uniqueHandle("x")}", "1.00", "CNY", "")
        }
        assertTrue(unknown.message!!.contains("404") || unknown.message!!.contains("not_found"), unknown.message)
    }

    @Test
    fun `calls before sign-up and to a dead server say what is wrong`(@TempDir dir: Path) = runBlocking<Unit> {
        val deadPort = java.net.ServerSocket(0).use { it.localPort }
        val config = WalletConfig(dir.resolve("offline.db").toString(), "http://127.0.0.1:$deadPort", connectTimeoutMs = 2_000uL)
        Wallet.open(config, AesGcmKeyStore(), JdkSigner()).use { wallet ->
            val account = assertThrows<DanbaoException.Account> { wallet.sync() }
            assertTrue(account.message!!.contains("sign"), account.message)
            val offline = assertThrows<DanbaoException.Offline> { wallet.signUp("offline_x", "Off Line", "JVM") }
            assertTrue(offline.message!!.isNotBlank())
        }
    }
}
