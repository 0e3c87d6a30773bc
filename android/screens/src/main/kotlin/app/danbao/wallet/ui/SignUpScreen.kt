package app.danbao.wallet.ui

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import app.danbao.wallet.WalletModel

/**
 * First run: choose a handle and the name payers see. The core checks both and the server
 * says whether the handle is free; its message shows as a snackbar.
 */
@Composable
fun SignUpScreen(wallet: WalletModel) {
    val busy by wallet.busy.collectAsState()
    var handle by rememberSaveable { mutableStateOf("") }
    var name by rememberSaveable { mutableStateOf("") }

    Screen(title = word(Word.SIGNUP_TITLE), onBack = null) {
        item { Text(word(Word.SIGNUP_INTRO)) }
        item {
            OutlinedTextField(
                value = handle,
                onValueChange = { handle = it },
                label = { Text(word(Word.SIGNUP_HANDLE)) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth(),
            )
        }
        item {
            OutlinedTextField(
                value = name,
                onValueChange = { name = it },
                label = { Text(word(Word.SIGNUP_DISPLAY_NAME)) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth(),
            )
        }
        item {
            Button(onClick = { wallet.signUp(handle, name) }, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
                Text(word(Word.SIGNUP_BUTTON))
            }
        }
        item {
            Text(
                word(Word.SIGNUP_SERVER, wallet.serverUrl),
                style = MaterialTheme.typography.bodySmall,
            )
        }
    }
}
