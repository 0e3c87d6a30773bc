package app.danbao.core.flows

import java.nio.file.Path
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance

/**
 * A test class with its own server process, started before its first test and stopped after
 * its last. Each test makes its own users (fresh handles, fresh databases under its temp dir).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FlowTest {
    protected lateinit var server: TestServer

    @BeforeAll
    fun startServer() {
        server = TestServer.start()
    }

    @AfterAll
    fun stopServer() {
        if (::server.isInitialized) server.close()
    }

    /** Runs `flow` with a buyer, a seller and a friend, closing their wallets afterwards. */
    protected fun withPeople(dir: Path, flow: suspend People.() -> Unit) = runBlocking<Unit> {
        server.people(dir).use { it.flow() }
    }
}
