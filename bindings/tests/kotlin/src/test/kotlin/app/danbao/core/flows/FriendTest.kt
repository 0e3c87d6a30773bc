package app.danbao.core.flows

import app.danbao.core.domain.RequestStatus
import app.danbao.core.domain.Direction
import app.danbao.core.client.Change
import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/** Between friends: sending by handle, money requests accepted and declined, the listener. */
class FriendTest : FlowTest() {
    @Test
    fun `send by handle - both balances move and the friend's activity shows it`(@TempDir dir: Path) =
        withPeople(dir) {
            val sent = buyer.wallet.send(friend.handle, "5.00", "CNY", "dinner").done("send")
            assertNotNull(sent.transferId, "$sent")
            assertTrue(sent.message.contains("5.00"), sent.message)
            buyer.assertBalance(START_MINOR - 500, step = "sent 5.00")
            friend.assertBalance(START_MINOR + 500, step = "got 5.00")

            val received = friend.wallet.home().recent.first()
            assertEquals(Direction.IN, received.direction, "$received")
            assertEquals(500L, received.amount.minor)
            assertEquals(buyer.handle, received.counterparty)
            assertEquals("Bea Buyer", received.counterpartyName)
            assertEquals("dinner", received.memo)
            assertEquals(buyer.handle, friend.wallet.contacts(10u).first().handle)
        }

    @Test
    fun `money request - the payer syncs, sees it and accepts`(@TempDir dir: Path) = withPeople(dir) {
        val request = friend.wallet.requestMoney(buyer.handle, "20.00", "CNY", "movie tickets")
        assertEquals(friend.handle, request.requester)
        assertEquals(buyer.handle, request.payer)
        assertEquals(2_000L, request.amount.minor)
        assertEquals("movie tickets", request.note)
        assertEquals(RequestStatus.OPEN, request.status)
        assertEquals("open", request.statusLabel)

        buyer.wallet.sync()
        val seen = buyer.wallet.requests().single { it.id == request.id }
        assertEquals(RequestStatus.OPEN, seen.status, "$seen")
        assertEquals(friend.handle, seen.requester)
        assertTrue(seen.canAnswer, "the payer may answer: $seen")
        // The requester's own list has it after a sync (request_money does not cache it).
        friend.wallet.sync()
        assertFalse(friend.wallet.requests().single { it.id == request.id }.canAnswer, "the requester may not")
        buyer.wallet.answerRequest(request.id, true).done("accept")
        buyer.assertBalance(START_MINOR - 2_000, step = "request paid")
        friend.assertBalance(START_MINOR + 2_000, step = "request paid")
        assertEquals(RequestStatus.PAID, friend.wallet.requests().single { it.id == request.id }.status)

        buyer.wallet.sync()
        assertFalse(buyer.wallet.requests().single { it.id == request.id }.canAnswer, "a paid request is answered")
        val again = buyer.wallet.answerRequest(request.id, true).refused("accept again")
        assertTrue(again.contains("request_not_open"), again)
        buyer.assertBalance(START_MINOR - 2_000, step = "a request is paid once")
    }

    @Test
    fun `money request - declined, nothing moves`(@TempDir dir: Path) = withPeople(dir) {
        val request = friend.wallet.requestMoney(buyer.handle, "1.00", "CNY", "gum")
        buyer.wallet.sync()
        assertEquals(RequestStatus.OPEN, buyer.wallet.requests().single { it.id == request.id }.status)
        val declined = buyer.wallet.answerRequest(request.id, false).done("decline")
        assertEquals(null, declined.transferId, "$declined")
        buyer.assertBalance(START_MINOR, step = "declined")
        friend.assertBalance(START_MINOR, step = "declined")
        assertEquals(RequestStatus.DECLINED, friend.wallet.requests().single { it.id == request.id }.status)
    }

    @Test
    fun `the listener hears of an incoming payment at the next sync`(@TempDir dir: Path) = withPeople(dir) {
        friend.wallet.sync()
        friend.listener.take()

        buyer.wallet.send(friend.handle, "7.00", "CNY", "").done("send")
        assertEquals(emptyList<Change>(), friend.listener.take(), "nothing is told before a sync")

        val changes = friend.wallet.sync()
        val told = friend.listener.take()
        assertTrue(Change.BALANCES in told && Change.ACTIVITY in told, "told: $told")
        assertEquals(changes.toSet(), told.toSet(), "sync returns what it told")
        assertEquals(START_MINOR + 700, friend.cny().available.minor)

        // The sender's own listener heard about its command and its balance.
        val senderTold = buyer.listener.take()
        assertTrue(Change.OUTBOX in senderTold && Change.BALANCES in senderTold, "sender told: $senderTold")

        assertEquals(emptyList<Change>(), friend.wallet.sync(), "nothing new")
        assertEquals(emptyList<Change>(), friend.listener.take(), "nothing new is not told")

        friend.wallet.setListener(null)
        buyer.wallet.send(friend.handle, "1.00", "CNY", "").done("send")
        assertTrue(friend.wallet.sync().isNotEmpty())
        assertEquals(emptyList<Change>(), friend.listener.take(), "a removed listener hears nothing")
    }
}
