import Foundation

/// Just enough EMV MPM to tamper with a code the way a forger would: edit one top-level field
/// and write a fresh CRC, so the edited code passes the CRC check like a genuine one and only
/// the server (its signature, its record of the payee) can give it away.
enum Emv {
    /// The top-level fields in order: (two-digit id, value).
    static func fields(_ code: String) -> [(id: String, value: String)] {
        let chars = Array(code)
        var fields: [(id: String, value: String)] = []
        var at = 0
        while at + 4 <= chars.count {
            let id = String(chars[at..<at + 2])
            guard let length = Int(String(chars[at + 2..<at + 4])), at + 4 + length <= chars.count
            else { break }
            fields.append((id, String(chars[at + 4..<at + 4 + length])))
            at += 4 + length
        }
        return fields
    }

    /// The value of the top-level field `id`, if the code has it.
    static func field(_ code: String, _ id: String) -> String? {
        fields(code).first { $0.id == id }?.value
    }

    /// `code` with field `id` set to `value` and the CRC (field 63) written again.
    static func withField(_ code: String, _ id: String, _ value: String) throws -> String {
        let kept = fields(code).filter { $0.id != "63" }
        guard kept.contains(where: { $0.id == id }) else {
            throw TestFailure("the code has no field \(id): \(code)")
        }
        let body =
            kept.map { field in
                let text = field.id == id ? value : field.value
                return field.id + twoDigits(text.count) + text
            }.joined() + "6304"
        let crc = String(crc16(body), radix: 16, uppercase: true)
        return body + String(repeating: "0", count: 4 - crc.count) + crc
    }

    private static func twoDigits(_ number: Int) -> String {
        number < 10 ? "0\(number)" : "\(number)"
    }

    /// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over the UTF-8 text, as EMV MPM 4.7.3 asks.
    static func crc16(_ text: String) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in text.utf8 {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
            }
        }
        return crc
    }
}
