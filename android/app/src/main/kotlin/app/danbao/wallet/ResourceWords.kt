package app.danbao.wallet

import android.annotation.SuppressLint
import android.content.Context
import app.danbao.wallet.ui.Word
import app.danbao.wallet.ui.Words

/**
 * The screens' words from the app's string resources (android/screens/src/main/res, merged
 * into the app), so they are translated the Android way. A [Word] is looked up by its
 * resource name; the JVM test `WordsTest` checks that every [Word] has its string, and
 * `res/raw/keep_screens_strings.xml` keeps them through resource shrinking.
 */
class ResourceWords(context: Context) : Words {
    private val resources = context.resources
    private val ids: Map<Word, Int> = Word.entries.associateWith { word ->
        @SuppressLint("DiscouragedApi")
        val id = resources.getIdentifier(word.key, "string", context.packageName)
        check(id != 0) { "no string resource named ${word.key}" }
        id
    }

    override fun text(word: Word, vararg args: Any): String = resources.getString(ids.getValue(word), *args)
}
