package app.danbao.core.flows

import app.danbao.core.fixtures.JdkSigner
import app.danbao.core.fixtures.AesGcmKeyStore
import app.danbao.core.client.CommandState
import app.danbao.core.client.BalanceLine
import app.danbao.core.client.CommandOutcome
import app.danbao.core.KeyStore
import app.danbao.core.Signer
import app.danbao.core.Wallet
import app.danbao.core.WalletConfig
import java.nio.file.Path
import java.security.SecureRandom
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.fail

/** Each user starts with this much sandbox money, in fen. */
const val START_MINOR = 10_000L

/**
 * One user's phone: a Kotlin [Wallet] opened with a Kotlin signer and key store, its own
 * database file, and a listener that records what the core said changed.
 */
class Phone(
    val wallet: Wallet,
    val handle: String,
    val displayName: String,
    val listener: RecordingListener,
    val keyStore: KeyStore,
    val dbPath: String,
) : AutoCloseable {
    /** The cached CNY balance line (no network). */
    fun cny(): BalanceLine =
        wallet.home().balances.singleOrNull { it.currency == "CNY" }
            ?: fail("$handle has no CNY balance line: ${wallet.home().balances}")

    /** Syncs, then the CNY balance line. */
    suspend fun syncedCny(): BalanceLine {
        wallet.sync()
        return cny()
    }

    /** Syncs and checks available, held-out and incoming CNY in fen. */
    suspend fun assertBalance(available: Long, heldOut: Long = 0, incoming: Long = 0, step: String) {
        val line = syncedCny()
        assertEquals(
            listOf(available, heldOut, incoming),
            listOf(line.available.minor, line.heldOut.minor, line.incoming.minor),
            "$step: $handle's CNY (available, held out, incoming): $line",
        )
    }

    override fun close() = wallet.close()
}

/** A handle unique to this run: `role` and six random characters (a-z0-9). */
fun uniqueHandle(role: String): String {
    val alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    val random = SecureRandom()
    return role + "_" + (1..6).map { alphabet[random.nextInt(alphabet.length)] }.joinToString("")
}

/**
 * Opens a wallet in `dir`, signs `role` up under a fresh handle with `displayName`, and tops
 * it up with [START_MINOR] fen (unless `topUp` is false).
 */
suspend fun TestServer.phone(
    dir: Path,
    role: String,
    displayName: String,
    topUp: Boolean = true,
    signer: Signer = JdkSigner(),
): Phone {
    val handle = uniqueHandle(role)
    val keyStore = AesGcmKeyStore()
    val dbPath = dir.resolve("$handle.db").toString()
    val wallet = Wallet.open(WalletConfig(dbPath = dbPath, serverUrl = url), keyStore, signer)
    try {
        val listener = RecordingListener()
        wallet.setListener(listener)
        val profile = wallet.signUp(handle, displayName, "JVM test")
        assertEquals(handle, profile.handle)
        assertEquals(displayName, profile.displayName)
        if (topUp) {
            val balance = topUp(handle, "100.00")
            assertEquals(START_MINOR, balance.minor, "top-up of $handle: $balance")
        }
        return Phone(wallet, handle, displayName, listener, keyStore, dbPath)
    } catch (e: Throwable) {
        wallet.close()
        throw e
    }
}

/** The three users of the flows, closed together. */
class People(val buyer: Phone, val seller: Phone, val friend: Phone) : AutoCloseable {
    override fun close() {
        buyer.use { seller.use { friend.close() } }
    }
}

/** A buyer, a seller (also the merchant, "Lotus Tea House") and a friend, each with 100.00 CNY. */
suspend fun TestServer.people(dir: Path): People {
    val buyer = phone(dir, "buyer", "Bea Buyer")
    val seller = try {
        phone(dir, "seller", "Lotus Tea House")
    } catch (e: Throwable) {
        buyer.close()
        throw e
    }
    val friend = try {
        phone(dir, "friend", "Fay Friend")
    } catch (e: Throwable) {
        seller.close()
        buyer.close()
        throw e
    }
    return People(buyer, seller, friend)
}

/** Asserts the command was applied by the server, and returns it. */
fun CommandOutcome.done(step: String): CommandOutcome {
    assertEquals(CommandState.DONE, state, "$step: $this")
    return this
}

/** Asserts the server refused the command for good, moving nothing; returns its message. */
fun CommandOutcome.refused(step: String): String {
    assertEquals(CommandState.FAILED, state, "$step: $this")
    assertEquals(null, transferId, "$step moved money: $this")
    assertNotNull(message)
    return message
}
