package app.danbao.wallet.jvm

import app.danbao.wallet.ui.Word
import app.danbao.wallet.ui.Words
import java.io.File
import java.util.Locale
import javax.xml.parsers.DocumentBuilderFactory
import org.w3c.dom.Element

/**
 * The screens' words on the JVM, read from the same `strings.xml` the Android build merges
 * into the app's resources. Android's escapes (`\'`, `\"`, `\n`, `\@`) are undone and the
 * `%1$s`-style placeholders are filled the way `Resources.getString` fills them.
 */
class XmlWords(val strings: Map<String, String>, private val locale: Locale = Locale.US) : Words {

    override fun text(word: Word, vararg args: Any): String {
        val template = strings[word.key] ?: error("strings.xml has no string named ${word.key}")
        return if (args.isEmpty()) template else String.format(locale, template, *args)
    }

    companion object {
        /** Reads `<string name="…">…</string>` entries from [file]. */
        fun read(file: File): XmlWords {
            require(file.isFile) { "$file is missing: the screens' strings.xml (android/screens/src/main/res/values)" }
            val document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file)
            val nodes = document.getElementsByTagName("string")
            val strings = (0 until nodes.length).associate { index ->
                val element = nodes.item(index) as Element
                element.getAttribute("name") to unescape(element.textContent)
            }
            return XmlWords(strings)
        }

        /** The path the Maven build passes as `danbao.strings`. */
        fun fromSystemProperty(): XmlWords = read(defaultFile())

        /**
         * The words for [locale], as Android resolves them: `values-zh-rCN` for Chinese (any
         * region), next to the default `values/strings.xml`; English otherwise.
         */
        fun forLocale(locale: Locale): XmlWords {
            val default = defaultFile()
            if (locale.language != "zh") return read(default)
            val chinese = File(default.parentFile.parentFile, "values-zh-rCN/strings.xml")
            return XmlWords(read(chinese).strings, locale)
        }

        private fun defaultFile(): File {
            val path = System.getProperty("danbao.strings")
                ?: error("system property danbao.strings is not set; run through Maven (android/screens-jvm/pom.xml)")
            return File(path)
        }

        private fun unescape(text: String): String {
            val out = StringBuilder(text.length)
            var escaped = false
            for (char in text) {
                when {
                    escaped -> {
                        out.append(if (char == 'n') '\n' else if (char == 't') '\t' else char)
                        escaped = false
                    }
                    char == '\\' -> escaped = true
                    else -> out.append(char)
                }
            }
            return out.toString()
        }
    }
}
