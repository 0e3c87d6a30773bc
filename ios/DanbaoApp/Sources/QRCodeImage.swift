import Danbao
import DanbaoModel
import SwiftUI

/// Draws a QR code from the core's module matrix (`renderQrMatrix`), quiet zone included.
///
/// The records also carry the code as SVG, but SwiftUI and UIKit have no SVG renderer for a
/// string, so the shell asks the core for the modules of the same text and fills them.
struct QRCodeImage: View {
    private let matrix: Result<QrMatrix, Error>

    init(text: String) {
        matrix = Result { try renderQrMatrix(text: text) }
    }

    var body: some View {
        switch matrix {
        case .success(let matrix):
            Canvas { context, size in
                let count = Int(matrix.size)
                let module = min(size.width, size.height) / CGFloat(count)
                context.fill(Path(CGRect(origin: .zero, size: size)), with: .color(.white))
                var dark = Path()
                for row in 0..<count {
                    for column in 0..<count where matrix.modules[row * count + column] {
                        dark.addRect(
                            CGRect(
                                x: CGFloat(column) * module, y: CGFloat(row) * module,
                                width: module, height: module))
                    }
                }
                context.fill(dark, with: .color(.black))
            }
            .aspectRatio(1, contentMode: .fit)
            .accessibilityLabel("QR code")
        case .failure(let error):
            Text(WalletModel.message(for: error)).foregroundColor(.red)
        }
    }
}
