package app.danbao.core

import java.nio.file.Path
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

/**
 * `Wallet` is `AutoCloseable`: `close()` releases the Rust object (and its database) at once,
 * and a call on a closed wallet is an exception, never a crash. No server is needed: a wallet
 * that is not signed up opens offline.
 */
class LifetimeTest {
    private fun config(dir: Path) = WalletConfig(
        dbPath = dir.resolve("wallet.db").toString(),
        // Nothing listens here; opening a wallet without a profile does not call the server.
        serverUrl = "http://127.0.0.1:9",
    )

    @Test
    fun `a closed wallet refuses calls and its database opens again`(@TempDir dir: Path) = runBlocking {
        val keys = fileKeyStore(dir.resolve("wallet.key").toString())
        val wallet = Wallet.open(config(dir), keys, null)
        assertNull(wallet.profile())
        assertTrue(wallet.home().balances.isEmpty())

        wallet.close()
        val refused = assertThrows<IllegalStateException> { wallet.home() }
        assertTrue(refused.message!!.contains("destroyed"), refused.message)
        wallet.close() // closing twice is harmless

        Wallet.open(config(dir), keys, null).use { again ->
            assertNull(again.profile())
            assertTrue(again.outbox().isEmpty())
        }
    }
}
