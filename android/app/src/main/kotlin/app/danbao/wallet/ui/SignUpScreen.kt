package app.danbao.wallet.ui

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.danbao.wallet.BuildConfig
import app.danbao.wallet.R
import app.danbao.wallet.WalletViewModel

/**
 * First run: choose a handle and the name payers see. The core checks both and the server
 * says whether the handle is free; its message shows as a snackbar.
 */
@Composable
fun SignUpScreen(wallet: WalletViewModel) {
    val busy by wallet.busy.collectAsStateWithLifecycle()
    var handle by rememberSaveable { mutableStateOf("") }
    var name by rememberSaveable { mutableStateOf("") }

    Screen(title = stringResource(R.string.signup_title), onBack = null) {
        item { Text(stringResource(R.string.signup_intro)) }
        item {
            OutlinedTextField(
                value = handle,
                onValueChange = { handle = it },
                label = { Text(stringResource(R.string.signup_handle)) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth(),
            )
        }
        item {
            OutlinedTextField(
                value = name,
                onValueChange = { name = it },
                label = { Text(stringResource(R.string.signup_display_name)) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth(),
            )
        }
        item {
            Button(onClick = { wallet.signUp(handle, name) }, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
                Text(stringResource(R.string.signup_button))
            }
        }
        item {
            Text(
                stringResource(R.string.signup_server, BuildConfig.DANBAO_SERVER_URL),
                style = MaterialTheme.typography.bodySmall,
            )
        }
    }
}
