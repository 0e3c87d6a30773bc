package app.danbao.core.flows

import app.danbao.core.client.Amount
import app.danbao.core.enrolMerchant
import app.danbao.core.sandboxTopUp
import app.danbao.core.verifyMerchant
import java.io.File
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.Socket
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A real `danbao-server` process on a free loopback port with its own database directory,
 * stopped (and its directory removed) by [close].
 *
 * The binary is the system property `danbao.server` (the pom passes
 * `target/debug/danbao-server`; build it with `cargo build -p danbao-server`).
 */
class TestServer private constructor(
    private val process: Process,
    private val dir: Path,
    /** The base URL wallets talk to, `http://127.0.0.1:PORT`. */
    val url: String,
) : AutoCloseable {
    companion object {
        /** The operator credential the server is started with (sandbox top-ups need it). */
        const val OPERATOR_TOKEN = "kotlin-flow-tests-operator-token"

        private const val START_ATTEMPTS = 5
        private const val LISTEN_TIMEOUT_MS = 20_000L

        /** Starts a server; a port taken between probing and binding is retried on another. */
        fun start(): TestServer {
            val binary = serverBinary()
            val failures = mutableListOf<String>()
            repeat(START_ATTEMPTS) {
                val port = ServerSocket(0).use { it.localPort }
                val dir = Files.createTempDirectory("danbao-server-")
                when (val started = spawn(binary, dir, port)) {
                    is Started.Listening -> return TestServer(started.process, dir, "http://127.0.0.1:$port")
                    is Started.Failed -> {
                        failures += "port $port: ${started.why}"
                        dir.toFile().deleteRecursively()
                    }
                }
            }
            error("danbao-server did not start listening:\n" + failures.joinToString("\n"))
        }

        private fun serverBinary(): File {
            val path = System.getProperty("danbao.server")
                ?: error("system property danbao.server is not set; run through Maven (see pom.xml)")
            val binary = File(path)
            check(binary.canExecute()) {
                "$path is missing: build it with `cargo build -p danbao-server` and pass " +
                    "-Ddanbao.server=/abs/path/to/danbao-server"
            }
            return binary
        }

        private sealed interface Started {
            class Listening(val process: Process) : Started
            class Failed(val why: String) : Started
        }

        private fun spawn(binary: File, dir: Path, port: Int): Started {
            val log = dir.resolve("server.log").toFile()
            val builder = ProcessBuilder(
                binary.path,
                "--bind", "127.0.0.1:$port",
                "--db", dir.resolve("server.db").toString(),
            ).redirectErrorStream(true).redirectOutput(log)
            builder.environment().apply {
                put("DANBAO_OPERATOR_TOKEN", OPERATOR_TOKEN)
                put("DANBAO_SANDBOX", "true")
                put("DANBAO_RATE_LIMIT", "1000000")
                put("DANBAO_RATE_LIMIT_ADDRESS", "1000000")
                put("DANBAO_SIGN_UP_LIMIT", "1000000")
                put("DANBAO_TIMER_INTERVAL_MS", "100")
                put("RUST_LOG", "warn")
            }
            val process = builder.start()
            val deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LISTEN_TIMEOUT_MS)
            while (System.nanoTime() < deadline) {
                if (!process.isAlive) {
                    return Started.Failed("exited with ${process.exitValue()}: ${log.readText().takeLast(2000)}")
                }
                if (accepts(port)) return Started.Listening(process)
                Thread.sleep(50)
            }
            stop(process)
            return Started.Failed("not listening after $LISTEN_TIMEOUT_MS ms: ${log.readText().takeLast(2000)}")
        }

        private fun accepts(port: Int): Boolean = try {
            Socket().use { it.connect(InetSocketAddress("127.0.0.1", port), 200) }
            true
        } catch (_: java.io.IOException) {
            false
        }

        private fun stop(process: Process) {
            process.destroy()
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS)
            }
        }
    }

    /** The operator adds `amount` CNY to `handle` from the sandbox funding account. */
    suspend fun topUp(handle: String, amount: String): Amount =
        sandboxTopUp(url, OPERATOR_TOKEN, handle, amount, "CNY")

    /** The operator enrols `handle` as a merchant: only then does its till charge payment codes. */
    suspend fun enrol(handle: String) = enrolMerchant(url, OPERATOR_TOKEN, handle)

    /** The operator verifies the merchant `handle` under `name`. */
    suspend fun verify(handle: String, name: String) = verifyMerchant(url, OPERATOR_TOKEN, handle, name)

    override fun close() {
        stop(process)
        dir.toFile().deleteRecursively()
    }
}
