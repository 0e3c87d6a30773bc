import Danbao
import XCTest

/// QR rendering through the generated Swift and the real libdanbao_ffi.
final class RenderTests: XCTestCase {
    private func dark(_ matrix: QrMatrix, _ x: Int, _ y: Int) -> Bool {
        matrix.modules[y * Int(matrix.size) + x]
    }

    func testDefaultOptionsAreTheCores() {
        XCTAssertEqual(
            defaultRenderOptions(),
            RenderOptions(errorCorrection: .medium, quietZone: 4, modulePx: 8, darkColor: "#000000", lightColor: "#ffffff"))
    }

    func testMatrixHasTheQuietZoneAndTheFinderPattern() throws {
        let matrix = try renderQrMatrix(text: "HELLO")
        // Version 1 is 21 modules wide; the default quiet zone adds 4 on each side.
        XCTAssertEqual(matrix.size, 29)
        XCTAssertEqual(matrix.version, 1)
        XCTAssertEqual(matrix.errorCorrection, .medium)
        XCTAssertEqual(matrix.modules.count, 29 * 29)
        XCTAssertFalse((0..<29).contains { dark(matrix, $0, 3) }, "quiet zone row must be light")
        // Top-left finder pattern (ISO/IEC 18004 §6.3.3): dark ring, light ring, dark core.
        XCTAssertTrue((0..<7).allSatisfy { dark(matrix, 4 + $0, 4) })
        XCTAssertFalse(dark(matrix, 5, 5))
        XCTAssertTrue(dark(matrix, 7, 7))
    }

    func testOptionsChangeTheMatrix() throws {
        var options = defaultRenderOptions()
        options.quietZone = 0
        options.errorCorrection = .high
        let matrix = try renderQrMatrix(text: "HELLO", options: options)
        XCTAssertEqual(matrix.size, 21)
        XCTAssertEqual(matrix.errorCorrection, .high)
        XCTAssertTrue(dark(matrix, 0, 0))
    }

    func testSvgIsSizedByModulesAndColoured() throws {
        var options = defaultRenderOptions()
        options.modulePx = 2
        options.darkColor = "#112233"
        let svg = try renderQrSvg(text: "HELLO", options: options)
        XCTAssertTrue(svg.hasPrefix("<?xml"), String(svg.prefix(80)))
        XCTAssertContains(svg, "viewBox=\"0 0 58 58\"")
        XCTAssertContains(svg, "fill=\"#112233\"")
    }

    func testTooLongTextIsARenderErrorSayingWhatFits() async throws {
        let error = try await danbaoError("render 3000 bytes") {
            try renderQrSvg(text: String(repeating: "a", count: 3000))
        }
        guard case .Render(let message) = error else { return XCTFail("\(error)") }
        XCTAssertTrue(
            message.hasPrefix(
                "text of 3000 bytes does not fit a QR code at error correction M, which holds at most 2331 bytes"),
            message)
    }

    func testABadColourIsARenderError() async throws {
        var options = defaultRenderOptions()
        options.lightColor = "white"
        let error = try await danbaoError("render with a named colour") { try renderQrSvg(text: "x", options: options) }
        guard case .Render(let message) = error else { return XCTFail("\(error)") }
        XCTAssertContains(message, "is not a colour")
    }
}
