package app.danbao.wallet.ui

import android.Manifest
import android.content.pm.PackageManager
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberUpdatedState
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import androidx.lifecycle.compose.LocalLifecycleOwner
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.danbao.wallet.R
import app.danbao.wallet.WalletViewModel
import java.util.concurrent.Executors

/**
 * Scan: the camera reads a QR code and the core says what it is (`Wallet.scan`); then the
 * pay-confirm screen shows the answer. A code can also be pasted (emulators, codes in
 * messages).
 */
@Composable
fun ScanScreen(wallet: WalletViewModel, onBack: () -> Unit, onScanned: () -> Unit) {
    val context = LocalContext.current
    val busy by wallet.busy.collectAsStateWithLifecycle()
    var cameraAllowed by remember {
        mutableStateOf(ContextCompat.checkSelfPermission(context, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED)
    }
    val askCamera = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { cameraAllowed = it }
    LaunchedEffect(Unit) {
        if (!cameraAllowed) askCamera.launch(Manifest.permission.CAMERA)
    }

    // The camera reads the same code many times a second: send one at a time, and do not
    // resend a text the core just refused (the user moves on to another code or goes back).
    var reading by remember { mutableStateOf(false) }
    var refused by remember { mutableStateOf<String?>(null) }
    val read: (String) -> Unit = { text ->
        if (!reading && text != refused) {
            reading = true
            wallet.scan(
                text,
                onScreen = { reading = false; onScanned() },
                onFailed = { reading = false; refused = text },
            )
        }
    }
    var pasted by rememberSaveable { mutableStateOf("") }

    Column(
        modifier = Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        TextButton(onClick = onBack) { Text(stringResource(R.string.back)) }
        Text(stringResource(R.string.scan_title), style = MaterialTheme.typography.headlineSmall)
        if (cameraAllowed) {
            CameraScanner(onText = read, modifier = Modifier.fillMaxWidth().aspectRatio(3f / 4f))
        } else {
            Text(stringResource(R.string.scan_camera_needed))
            OutlinedButton(onClick = { askCamera.launch(Manifest.permission.CAMERA) }) {
                Text(stringResource(R.string.scan_allow_camera))
            }
        }
        OutlinedTextField(
            value = pasted,
            onValueChange = { pasted = it },
            label = { Text(stringResource(R.string.scan_paste)) },
            modifier = Modifier.fillMaxWidth(),
        )
        Button(
            onClick = { refused = null; read(pasted) },
            enabled = !busy && pasted.isNotBlank(),
            modifier = Modifier.fillMaxWidth(),
        ) { Text(stringResource(R.string.scan_read)) }
    }
}

/** The back camera's preview with [BarcodeAnalyzer] on its frames, bound to the screen's lifecycle. */
@Composable
private fun CameraScanner(onText: (String) -> Unit, modifier: Modifier) {
    val context = LocalContext.current
    val lifecycleOwner = LocalLifecycleOwner.current
    val currentOnText by rememberUpdatedState(onText)
    val previewView = remember { PreviewView(context) }

    DisposableEffect(lifecycleOwner) {
        val analysisThread = Executors.newSingleThreadExecutor()
        val analyzer = BarcodeAnalyzer { currentOnText(it) }
        val providerFuture = ProcessCameraProvider.getInstance(context)
        var provider: ProcessCameraProvider? = null
        var disposed = false
        providerFuture.addListener({
            if (disposed) return@addListener
            val cameras = providerFuture.get()
            provider = cameras
            val preview = Preview.Builder().build().also { it.setSurfaceProvider(previewView.surfaceProvider) }
            val analysis = ImageAnalysis.Builder()
                .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
                .build()
                .also { it.setAnalyzer(analysisThread, analyzer) }
            cameras.unbindAll()
            cameras.bindToLifecycle(lifecycleOwner, CameraSelector.DEFAULT_BACK_CAMERA, preview, analysis)
        }, ContextCompat.getMainExecutor(context))

        onDispose {
            disposed = true
            provider?.unbindAll()
            analyzer.close()
            analysisThread.shutdown()
        }
    }
    AndroidView(factory = { previewView }, modifier = modifier)
}
