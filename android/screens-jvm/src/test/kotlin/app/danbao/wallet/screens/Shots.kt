package app.danbao.wallet.screens

import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.test.IdlingResource
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.SemanticsNodeInteraction
import androidx.compose.ui.test.SkikoComposeUiTest
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.runSkikoComposeUiTest
import androidx.compose.ui.unit.Density
import app.danbao.wallet.WalletModel
import app.danbao.wallet.jvm.jvmPlatformUi
import app.danbao.wallet.ui.DanbaoTheme
import app.danbao.wallet.ui.LocalPlatformUi
import app.danbao.wallet.ui.PlatformUi
import app.danbao.wallet.ui.WalletFrame
import java.awt.image.BufferedImage
import java.io.File
import java.time.ZoneId
import javax.imageio.ImageIO
import org.junit.Assert.assertTrue

/** A phone's screen: 1080 × 2400 pixels at density 2.75 (a 393 × 873 dp window). */
const val WIDTH_PX = 1080
const val HEIGHT_PX = 2400
const val DENSITY = 2.75f

/** Where the PNGs go: target/screenshots/android in the workspace (xtask passes the path). */
val screenshotDir: File by lazy {
    val path = System.getProperty("danbao.screenshots")
        ?: error("system property danbao.screenshots is not set; run through Maven (android/screens-jvm/pom.xml)")
    File(path).also { it.mkdirs() }
}

/** Dates as a phone in China shows them, whatever the machine's zone. */
val platformUi = jvmPlatformUi(words, ZoneId.of("Asia/Shanghai"))

/** A phone in China set to Simplified Chinese: the Chinese words, dates in Chinese. */
val chinesePlatformUi by lazy {
    jvmPlatformUi(chineseWords, ZoneId.of("Asia/Shanghai"), java.util.Locale.SIMPLIFIED_CHINESE)
}

/**
 * Runs [block] as a Compose UI test on a phone-sized window, with the app's theme and
 * platform around what it sets as content. A user-started call of any [busyOf] model counts
 * as not idle, so `waitForIdle` waits for the core's answer.
 */
fun phoneTest(vararg busyOf: WalletModel, block: SkikoComposeUiTest.() -> Unit) =
    runSkikoComposeUiTest(Size(WIDTH_PX.toFloat(), HEIGHT_PX.toFloat()), Density(DENSITY)) {
        busyOf.forEach { model ->
            registerIdlingResource(object : IdlingResource {
                override val isIdleNow: Boolean get() = !model.busy.value
            })
        }
        block()
    }

/** The app as the phone shows it: theme, platform, the frame (snackbar, sign-up) and [screen]. */
fun SkikoComposeUiTest.showApp(
    model: WalletModel,
    ui: PlatformUi = platformUi,
    screen: @Composable () -> Unit,
) = setContent {
    CompositionLocalProvider(LocalPlatformUi provides ui) {
        DanbaoTheme { WalletFrame(model, screen) }
    }
}

/** Waits until a node with exactly [text] is on screen, then returns it. */
fun SkikoComposeUiTest.awaitText(text: String, substring: Boolean = false, seconds: Long = 20): SemanticsNodeInteraction {
    val matcher = hasText(text, substring = substring)
    waitUntil("\"$text\" on screen", seconds * 1000) { onAllNodes(matcher).fetchSemanticsNodes().isNotEmpty() }
    return onAllNodes(matcher)[0]
}

/** Waits until [matcher] matches a node. */
fun SkikoComposeUiTest.await(what: String, matcher: SemanticsMatcher, seconds: Long = 20): SemanticsNodeInteraction {
    waitUntil(what, seconds * 1000) { onAllNodes(matcher).fetchSemanticsNodes().isNotEmpty() }
    return onAllNodes(matcher)[0]
}

/** A button: a clickable node whose text (merged from its label) is [label]. */
fun button(label: String): SemanticsMatcher = hasText(label) and hasClickAction()

/** A node one of whose texts matches [regex] entirely. */
fun textMatching(regex: Regex): SemanticsMatcher = SemanticsMatcher("text matching $regex") { node ->
    node.config.getOrElseNullable(SemanticsProperties.Text) { null }.orEmpty().any { regex.matches(it.text) }
}

/** The node's text, its parts joined with spaces. */
fun textOf(node: SemanticsNodeInteraction): String =
    node.fetchSemanticsNode().config.getOrElseNullable(SemanticsProperties.Text) { null }.orEmpty().joinToString(" ") { it.text }

val EIGHTEEN_DIGITS = Regex("[0-9]{18}")

/** The labels of every clickable node on screen, top to bottom. */
fun SkikoComposeUiTest.clickableLabels(): List<String> =
    onAllNodes(hasClickAction()).fetchSemanticsNodes()
        .sortedBy { it.boundsInRoot.top }
        .mapNotNull { node ->
            node.config.getOrElseNullable(SemanticsProperties.Text) { null }
                ?.joinToString(" ") { it.text }
        }

/**
 * Writes the whole window to `target/screenshots/android/<name>.png` and checks that it is a
 * real picture: phone-sized, and not one flat colour (at least 1 % of the pixels differ from
 * the background and there are several colours).
 */
fun SkikoComposeUiTest.screenshot(name: String): File {
    if (mainClock.autoAdvance) waitForIdle()
    val image = captureToImage().toBufferedImage()
    assertTrue("$name: ${image.width}x${image.height}", image.width == WIDTH_PX && image.height == HEIGHT_PX)
    assertNotBlank(name, image)
    val file = File(screenshotDir, "$name.png")
    check(ImageIO.write(image, "png", file)) { "no PNG writer" }
    return file
}

fun ImageBitmap.toBufferedImage(): BufferedImage {
    val awt = toAwtImage()
    val copy = BufferedImage(awt.width, awt.height, BufferedImage.TYPE_INT_RGB)
    copy.createGraphics().apply { drawImage(awt, 0, 0, null); dispose() }
    return copy
}

fun assertNotBlank(name: String, image: BufferedImage) {
    val background = image.getRGB(image.width - 1, image.height - 1)
    var differing = 0
    val colours = HashSet<Int>()
    for (y in 0 until image.height step 2) {
        for (x in 0 until image.width step 2) {
            val rgb = image.getRGB(x, y)
            if (rgb != background) differing++
            if (colours.size < 64) colours += rgb
        }
    }
    val sampled = (image.width / 2) * (image.height / 2)
    assertTrue("$name is blank: only $differing of $sampled sampled pixels differ from the background", differing * 100 >= sampled)
    assertTrue("$name has only ${colours.size} colours", colours.size >= 8)
}

/**
 * Stops the test clock and runs frames by hand until [condition] holds: for screens with
 * something timed on them (a snackbar that leaves after 10 s, the payment code's refresh every
 * second), which a self-advancing test clock would run to its end before the picture is taken.
 */
fun SkikoComposeUiTest.framesUntil(what: String, seconds: Long = 20, frameMillis: Long = 16, condition: () -> Boolean) {
    mainClock.autoAdvance = false
    val deadline = System.nanoTime() + seconds * 1_000_000_000
    while (!condition()) {
        check(System.nanoTime() < deadline) { "timed out after $seconds s waiting until $what" }
        mainClock.advanceTimeBy(frameMillis)
        Thread.sleep(20)
    }
}

/** The wallet's message on screen (the snackbar), once it is there; the clock stays stopped. */
fun SkikoComposeUiTest.awaitSnackbar(model: WalletModel, seconds: Long = 20): String {
    var shown = ""
    framesUntil("a message on screen", seconds) {
        val message = model.message.value
        message != null && onAllNodes(hasText(message)).fetchSemanticsNodes().isNotEmpty() && run { shown = message; true }
    }
    // Let the snackbar finish sliding in.
    repeat(30) { mainClock.advanceTimeByFrame() }
    return shown
}
