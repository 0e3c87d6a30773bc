package app.danbao.core.flows

import app.danbao.core.client.Change
import app.danbao.core.ChangeListener
import app.danbao.core.Signer
import app.danbao.core.fixtures.JdkSigner
import java.util.concurrent.ConcurrentLinkedQueue

/** A signer whose `sign` fails the way a platform signer does: by throwing `failure`. */
class FailingSigner(private val failure: () -> Throwable) : Signer {
    private val real = JdkSigner()

    override fun publicKey(): ByteArray = real.publicKey()

    override fun sign(message: ByteArray): ByteArray = throw failure()
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
