package app.danbao.wallet.ui

import androidx.annotation.OptIn
import androidx.camera.core.ExperimentalGetImage
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import com.google.mlkit.vision.barcode.BarcodeScannerOptions
import com.google.mlkit.vision.barcode.BarcodeScanning
import com.google.mlkit.vision.barcode.common.Barcode
import com.google.mlkit.vision.common.InputImage
import java.io.Closeable

/**
 * A CameraX analyzer that reads QR codes with ML Kit (the bundled model: no download) and
 * hands each decoded text to [onText] on the main thread. What the text means is the core's
 * business (`Wallet.scan`); this only reads pixels.
 */
class BarcodeAnalyzer(private val onText: (String) -> Unit) : ImageAnalysis.Analyzer, Closeable {

    private val scanner = BarcodeScanning.getClient(
        BarcodeScannerOptions.Builder().setBarcodeFormats(Barcode.FORMAT_QR_CODE).build()
    )

    @OptIn(ExperimentalGetImage::class)
    override fun analyze(frame: ImageProxy) {
        val image = frame.image
        if (image == null) {
            frame.close()
            return
        }
        scanner.process(InputImage.fromMediaImage(image, frame.imageInfo.rotationDegrees))
            .addOnSuccessListener { codes -> codes.firstNotNullOfOrNull { it.rawValue }?.let(onText) }
            // The frame goes back to CameraX only when ML Kit is done with it.
            .addOnCompleteListener { frame.close() }
    }

    override fun close() = scanner.close()
}
