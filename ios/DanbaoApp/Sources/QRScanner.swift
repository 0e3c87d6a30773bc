import AVFoundation
import SwiftUI
import UIKit

/// The camera preview that reads QR codes (AVCaptureMetadataOutput, type `.qr`). It reports
/// each code once; `onCode` decides what to do with it. Asks for camera access on first use
/// (NSCameraUsageDescription in Info.plist).
struct QRScanner: UIViewControllerRepresentable {
    /// Called on the main thread with the text of a code.
    let onCode: (String) -> Void
    /// Called on the main thread when the camera cannot be used, with why.
    let onUnavailable: (String) -> Void

    func makeUIViewController(context: Context) -> ScannerViewController {
        let controller = ScannerViewController()
        controller.onCode = onCode
        controller.onUnavailable = onUnavailable
        return controller
    }

    func updateUIViewController(_ controller: ScannerViewController, context: Context) {
        controller.onCode = onCode
        controller.onUnavailable = onUnavailable
    }
}

final class ScannerViewController: UIViewController, AVCaptureMetadataOutputObjectsDelegate {
    var onCode: (String) -> Void = { _ in }
    var onUnavailable: (String) -> Void = { _ in }

    private let session = AVCaptureSession()
    /// startRunning/stopRunning block; Apple asks for them off the main thread.
    private let sessionQueue = DispatchQueue(label: "app.danbao.scanner")
    private var previewLayer: AVCaptureVideoPreviewLayer?
    private var lastCode: String?

    override func viewDidLoad() {
        super.viewDidLoad()
        view.backgroundColor = .black
        switch AVCaptureDevice.authorizationStatus(for: .video) {
        case .authorized:
            configure()
        case .notDetermined:
            AVCaptureDevice.requestAccess(for: .video) { granted in
                DispatchQueue.main.async {
                    if granted {
                        self.configure()
                    } else {
                        self.onUnavailable(String(localized: "Camera access was refused."))
                    }
                }
            }
        default:
            onUnavailable(
                String(
                    localized:
                        "Camera access is off: allow it in Settings › Danbao, or paste the code."))
        }
    }

    override func viewWillAppear(_ animated: Bool) {
        super.viewWillAppear(animated)
        lastCode = nil
        let session = session
        sessionQueue.async { if !session.inputs.isEmpty { session.startRunning() } }
    }

    override func viewWillDisappear(_ animated: Bool) {
        super.viewWillDisappear(animated)
        let session = session
        sessionQueue.async { session.stopRunning() }
    }

    override func viewDidLayoutSubviews() {
        super.viewDidLayoutSubviews()
        previewLayer?.frame = view.bounds
    }

    private func configure() {
        guard let camera = AVCaptureDevice.default(for: .video),
            let input = try? AVCaptureDeviceInput(device: camera),
            session.canAddInput(input)
        else {
            onUnavailable(
                String(localized: "This device has no camera that can scan (the Simulator has none)."))
            return
        }
        let output = AVCaptureMetadataOutput()
        guard session.canAddOutput(output) else {
            onUnavailable(String(localized: "The camera cannot read codes right now."))
            return
        }
        session.addInput(input)
        session.addOutput(output)
        output.setMetadataObjectsDelegate(self, queue: .main)
        output.metadataObjectTypes = [.qr]

        let preview = AVCaptureVideoPreviewLayer(session: session)
        preview.videoGravity = .resizeAspectFill
        preview.frame = view.bounds
        view.layer.addSublayer(preview)
        previewLayer = preview

        let session = session
        sessionQueue.async { session.startRunning() }
    }

    func metadataOutput(
        _ output: AVCaptureMetadataOutput, didOutput metadataObjects: [AVMetadataObject],
        from connection: AVCaptureConnection
    ) {
        guard
            let code = metadataObjects.compactMap({ $0 as? AVMetadataMachineReadableCodeObject })
                .first?.stringValue,
            code != lastCode
        else { return }
        // The same code stays in view for many frames; report it once.
        lastCode = code
        UINotificationFeedbackGenerator().notificationOccurred(.success)
        onCode(code)
    }
}
