package app.danbao.wallet.screens

/**
 * Just enough EMV MPM to reprint a code the way a forger would: edit one top-level field and
 * write a fresh CRC (as bindings/tests/kotlin's Emv does), so only the server can tell.
 */
object Emv {
    fun fields(code: String): List<Pair<String, String>> {
        val fields = mutableListOf<Pair<String, String>>()
        var at = 0
        while (at < code.length) {
            val id = code.substring(at, at + 2)
            val length = code.substring(at + 2, at + 4).toInt()
            fields += id to code.substring(at + 4, at + 4 + length)
            at += 4 + length
        }
        return fields
    }

    fun withField(code: String, id: String, value: String): String {
        val edited = fields(code).filter { it.first != "63" }.map { if (it.first == id) id to value else it }
        check(edited.any { it.first == id }) { "the code has no field $id: $code" }
        val body = edited.joinToString("") { (tag, text) -> tag + "%02d".format(text.length) + text } + "6304"
        return body + "%04X".format(crc16(body))
    }

    /** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF). */
    private fun crc16(text: String): Int {
        var crc = 0xFFFF
        for (byte in text.toByteArray(Charsets.UTF_8)) {
            crc = crc xor ((byte.toInt() and 0xFF) shl 8)
            repeat(8) {
                crc = if (crc and 0x8000 != 0) (crc shl 1) xor 0x1021 else crc shl 1
                crc = crc and 0xFFFF
            }
        }
        return crc
    }
}
