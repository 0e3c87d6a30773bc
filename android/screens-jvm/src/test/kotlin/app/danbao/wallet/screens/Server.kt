package app.danbao.wallet.screens

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
 * started once for the test JVM and stopped when it exits (as bindings/tests/kotlin's
 * TestServer starts it: the binary is the system property `danbao.server`).
 */
class TestServer private constructor(private val process: Process, val dir: Path, val url: String) {
    companion object {
        const val OPERATOR_TOKEN = "kotlin-screen-tests-operator-token"

        /** The server every test of this JVM uses. */
        val shared: TestServer by lazy {
            start().also { server -> Runtime.getRuntime().addShutdownHook(Thread { server.stop() }) }
        }

        private fun start(): TestServer {
            val path = System.getProperty("danbao.server")
                ?: error("system property danbao.server is not set; run through Maven (android/screens-jvm/pom.xml)")
            val binary = File(path)
            check(binary.canExecute()) {
                "$path is missing: build it with `cargo build -p danbao-server` and pass -Ddanbao.server=/abs/path"
            }
            val failures = mutableListOf<String>()
            repeat(5) {
                val port = ServerSocket(0).use { it.localPort }
                val dir = Files.createTempDirectory("danbao-screens-server-")
                val log = dir.resolve("server.log").toFile()
                val builder = ProcessBuilder(binary.path, "--bind", "127.0.0.1:$port", "--db", dir.resolve("server.db").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log)
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
                val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20)
                while (System.nanoTime() < deadline && process.isAlive) {
                    if (accepts(port)) return TestServer(process, dir, "http://127.0.0.1:$port")
                    Thread.sleep(50)
                }
                failures += "port $port: ${if (process.isAlive) "not listening after 20 s" else "exited ${process.exitValue()}"}: " +
                    log.readText().takeLast(2000)
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS)
                dir.toFile().deleteRecursively()
            }
            error("danbao-server did not start listening:\n" + failures.joinToString("\n"))
        }

        private fun accepts(port: Int): Boolean = try {
            Socket().use { it.connect(InetSocketAddress("127.0.0.1", port), 200) }
            true
        } catch (_: java.io.IOException) {
            false
        }
    }

    /** The operator enrols [handle] as a merchant and verifies it under [name]. */
    suspend fun verifiedMerchant(handle: String, name: String) {
        enrolMerchant(url, OPERATOR_TOKEN, handle)
        verifyMerchant(url, OPERATOR_TOKEN, handle, name)
    }

    /** The operator adds [amount] CNY to [handle] from the sandbox funding account. */
    suspend fun topUp(handle: String, amount: String): Amount = sandboxTopUp(url, OPERATOR_TOKEN, handle, amount, "CNY")

    private fun stop() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS)
        dir.toFile().deleteRecursively()
    }
}
