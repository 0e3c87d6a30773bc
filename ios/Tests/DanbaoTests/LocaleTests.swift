import Danbao
import DanbaoModel
import Foundation
import XCTest

/// The wallet speaks the user's language through the Swift bindings: a locale change reaches
/// the records (words, amounts, buttons) and the errors; the app model re-reads its records in
/// it; and the app's own words (`Localizable.xcstrings`) all have their Chinese.
final class LocaleTests: XCTestCase {
    func testALocaleChangeReachesTheRecordsAndTheErrors() async throws {
        try await withPeople { people in
            let (buyer, seller) = (people.buyer, people.seller)
            XCTAssertEqual(buyer.wallet.locale(), "en")
            let synced = try await buyer.syncedCny()
            XCTAssertEqual(synced.available.display, "CN¥100.00")

            try buyer.wallet.setLocale(locale: "zh-Hans-CN")
            try seller.wallet.setLocale(locale: "zh-Hans-CN")
            XCTAssertEqual(buyer.wallet.locale(), "zh-Hans-CN")
            XCTAssertEqual(try buyer.cny().available.display, "¥100.00")

            let created = try await seller.wallet.createOrder(title: "茶具", amount: "1,234.50", currency: "CNY")
            XCTAssertEqual(created.order.amount.display, "¥1,234.50")
            XCTAssertEqual(created.order.stateLabel, "等待买家付款")
            XCTAssertEqual(created.order.buttons.map(\.label), ["取消订单"])

            let sent = try await buyer.wallet.send(toHandle: seller.handle, amount: "１２。５０", currency: "CNY", memo: "")
                .done("send in full-width digits")
            XCTAssertEqual(sent.message, "已转账 ¥12.50 给 @\(seller.handle)")
            try buyer.wallet.setUtcOffset(minutes: 480)
            let newest = try XCTUnwrap(try buyer.wallet.home().recent.first)
            XCTAssertTrue(newest.timeLabel.contains("年") && newest.timeLabel.contains("日 "), newest.timeLabel)

            let error = try await danbaoError("too many decimals") {
                try await buyer.wallet.send(toHandle: seller.handle, amount: "1.234", currency: "CNY", memo: "")
            }
            XCTAssertTrue(error.reason.hasPrefix("金额无效"), error.reason)

            XCTAssertThrowsError(try buyer.wallet.setLocale(locale: "not a locale!"))
            XCTAssertEqual(buyer.wallet.locale(), "zh-Hans-CN", "a refused tag changes nothing")

            // A time zone by name reaches the records: the same row in Shanghai (+8) and in
            // Berlin (+1 or +2 by the season) shows different hours.
            try buyer.wallet.setTimeZone(name: "Asia/Shanghai")
            XCTAssertEqual(buyer.wallet.timeZone(), "Asia/Shanghai")
            let inShanghai = try XCTUnwrap(try buyer.wallet.home().recent.first).timeLabel
            try buyer.wallet.setTimeZone(name: "Europe/Berlin")
            XCTAssertEqual(buyer.wallet.timeZone(), "Europe/Berlin")
            let inBerlin = try XCTUnwrap(try buyer.wallet.home().recent.first).timeLabel
            XCTAssertNotEqual(inShanghai, inBerlin)
            let unknown = try await danbaoError("an unknown zone") {
                try buyer.wallet.setTimeZone(name: "Mars/Olympus_Mons")
            }
            XCTAssertTrue(unknown.reason.hasPrefix("时区无效"), unknown.reason)
            XCTAssertEqual(buyer.wallet.timeZone(), "Europe/Berlin", "a refused zone changes nothing")
        }
    }

    /// Every literal the SwiftUI app shows (`Text("…")`, `Button("…")`, …) has a Simplified
    /// Chinese translation in `DanbaoApp/Sources/Localizable.xcstrings`.
    func testEveryWordOfTheAppHasItsChinese() throws {
        let sources = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DanbaoApp/Sources")
        let catalogue = try JSONSerialization.jsonObject(
            with: Data(contentsOf: sources.appendingPathComponent("Localizable.xcstrings")))
        let strings = try XCTUnwrap((catalogue as? [String: Any])?["strings"] as? [String: Any])
        // Literals the views show: the SwiftUI initialisers' first argument, a row's
        // `label:`, either side of a `cond ? "…" : "…"`, and `String(localized:)`.
        let pattern = try NSRegularExpression(
            pattern: #"(?:(?:Text|Button|Label|navigationTitle|TextField|Section|ProgressView|NavigationLink)\(|label: |String\(localized: |\? |(?<=") : )"((?:[^"\\]|\\.)*)""#)
        var checked = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: sources.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            for match in pattern.matches(in: text, range: range) {
                guard let literal = Range(match.range(at: 1), in: text).map({ String(text[$0]) }) else { continue }
                // Interpolations become format specifiers in the catalogue's keys.
                let key = literal
                    .replacingOccurrences(of: #"\\\(seconds\)"#, with: "%lld", options: .regularExpression)
                    .replacingOccurrences(of: #"\\\([^)]*\)*\)"#, with: "%@", options: .regularExpression)
                if key.isEmpty || !key.contains(where: \.isLetter) || key.hasPrefix("@%@") && key.count == 3 { continue }
                // Not words: a queue's label (`app.danbao.scanner`), a URL.
                if key.contains("://") || key.allSatisfy({ $0.isLowercase || $0 == "." }) && key.contains(".") {
                    continue
                }
                let entry = strings[key] as? [String: Any]
                let zh = ((entry?["localizations"] as? [String: Any])?["zh-Hans"] as? [String: Any])?["stringUnit"]
                    as? [String: Any]
                XCTAssertNotNil(zh?["value"] as? String, "\(file): «\(key)» has no zh-Hans translation")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 60, "the app's words were found")
    }

    /// A string put together with `+` is shown as is, not looked up in the catalogue: the app's
    /// sources have none in a view, and the model's one English sentence comes from the app.
    func testNoSentenceOfTheAppBypassesTheCatalogue() throws {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let concatenated = try NSRegularExpression(pattern: #""\s*\+\s*"|"\s*\n\s*\+\s*""#)
        for dir in ["DanbaoApp/Sources", "Sources/DanbaoModel"] {
            let folder = root.appendingPathComponent(dir)
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                let range = NSRange(text.startIndex..., in: text)
                XCTAssertEqual(concatenated.numberOfMatches(in: text, range: range), 0, "\(file) joins literals")
                if dir.hasSuffix("DanbaoModel") {
                    XCTAssertFalse(text.contains("errorMessage = \""), "\(file) sets an English error")
                }
            }
        }
    }
}

/// The app model re-reads its records when the device's language changes.
@MainActor
final class LocaleModelTests: XCTestCase, @unchecked Sendable {
    func testTheModelReadsItsRecordsAgainInTheNewLanguage() async throws {
        try await withServer { server, dir in
            let model = WalletModel(platform: try TestPlatform(server: server, dir: dir))
            await model.open()
            let handle = uniqueHandle("model")
            _ = await model.signUp(handle: handle, displayName: "Mo Model")
            _ = try await server.topUp(handle, "100.00")
            await model.refresh()
            XCTAssertEqual(model.home?.balances.first?.available.display, "CN¥100.00")
            model.setLocale("zh-Hans-CN")
            XCTAssertNil(model.errorMessage)
            XCTAssertEqual(model.home?.balances.first?.available.display, "¥100.00")
            model.setTimeZone("Europe/Berlin")
            XCTAssertNil(model.errorMessage)
            model.setTimeZone("Nowhere/Atlantis")
            XCTAssertTrue(model.errorMessage?.hasPrefix("时区无效") == true, model.errorMessage ?? "nil")
        }
    }

    /// Before the wallet opens, an action says so in the platform's words (the app's string
    /// catalogue), not in English written into the model.
    func testAnActionBeforeOpeningSaysSoInThePlatformsWords() async throws {
        try await withServer { server, dir in
            let platform = try TestPlatform(server: server, dir: dir)
            let model = WalletModel(platform: platform)
            let result: Int? = await model.perform { _ in 1 }
            XCTAssertNil(result)
            XCTAssertEqual(model.errorMessage, "钱包尚未打开。")
        }
    }
}
