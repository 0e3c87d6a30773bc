package app.danbao.wallet.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable

/**
 * Every text the screens write themselves, by the name of its entry in the screens' string
 * resources (`android/screens/src/main/res/values/strings.xml`): [key] is the lower-case name.
 * On Android the words are the app's resources (so they are translated the Android way); on the
 * JVM they are read from the same file. A JVM test checks that this list and the file agree.
 */
enum class Word {
    BACK,
    CANCEL,
    AMOUNT,
    HANDLE,
    SYNC,
    WALLET_OPENING,
    WALLET_OPEN_FAILED,
    ERROR_NATIVE_LIBRARY,
    SIGNUP_TITLE,
    SIGNUP_INTRO,
    SIGNUP_HANDLE,
    SIGNUP_DISPLAY_NAME,
    SIGNUP_BUTTON,
    SIGNUP_SERVER,
    BALANCE_AVAILABLE,
    BALANCE_HELD_OUT,
    BALANCE_INCOMING,
    NAV_SCAN,
    NAV_PAYMENT_CODE,
    NAV_RECEIVE,
    NAV_SEND,
    NAV_ORDERS,
    HOME_ORDERS_WAITING,
    HOME_OUTBOX,
    HOME_ACTIVITY,
    HOME_ACTIVITY_EMPTY,
    HOME_ACTIVITY_OLDER,
    SCAN_TITLE,
    SCAN_PASTE,
    SCAN_READ,
    SCAN_KIND_MERCHANT,
    SCAN_KIND_ORDER,
    SCAN_KIND_FRIEND,
    SCAN_KIND_PAYMENT_CODE,
    SCAN_KIND_FOREIGN,
    SCAN_KIND_INVALID,
    CONFIRM_NOTHING,
    CONFIRM_PAY_TO,
    CONFIRM_ORDER,
    CONFIRM_SCHEME,
    CONFIRM_PAY,
    RECEIVE_TITLE,
    RECEIVE_AMOUNT_OPTIONAL,
    RECEIVE_AS_MERCHANT,
    RECEIVE_SHOW,
    CODE_EXPIRES,
    ORDER_CODE_TITLE,
    ORDER_CODE_INTRO,
    PAYMENT_CODE_TITLE,
    PAYMENT_CODE_REFRESH,
    PAYMENT_CODE_ENABLE,
    PAYMENT_CODE_NOT_ENABLED,
    ORDERS_TITLE,
    ORDERS_EMPTY,
    ORDERS_SELL,
    ORDERS_SELL_TITLE,
    ORDERS_SELL_CREATE,
    ORDER_ROLE,
    ORDER_COUNTERPARTY,
    ORDER_DEADLINE,
    ORDER_SHIPMENT,
    ORDER_REFUND_ASKED,
    ORDER_RELEASED,
    ORDER_REFUNDED,
    ORDER_ID,
    ORDER_ACTION_SHIP,
    ORDER_ACTION_REFUND_REQUEST,
    SHIP_CARRIER,
    SHIP_TRACKING,
    REFUND_AMOUNT,
    SEND_TITLE,
    SEND_TO,
    SEND_MEMO,
    SEND_BUTTON,
    REQUEST_BUTTON,
    REQUEST_SENT,
    REQUESTS_TITLE,
    REQUEST_LINE,
    REQUEST_PAY,
    REQUEST_DECLINE,
    ;

    /** The resource name, e.g. `signup_title`. */
    val key: String get() = name.lowercase()
}

/** Where the screens' words come from on this platform. */
fun interface Words {
    /** The text of [word], its `%1$s`-style placeholders filled with [args]. */
    fun text(word: Word, vararg args: Any): String
}

/** The text of [word] in the current platform's words. */
@Composable
@ReadOnlyComposable
fun word(word: Word, vararg args: Any): String = LocalPlatformUi.current.words.text(word, *args)
