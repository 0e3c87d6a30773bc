"""Just enough EMV QR (EMVCo MPM) to forge codes in tests: split the top-level TLV fields,
change one, and write the text back with a correct CRC, so that only the server's checks
(the real name, the seal) can catch the change."""


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, initial 0xFFFF), as EMV MPM 4.7.3 specifies."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def fields(text: str) -> list:
    """The top-level (id, value) pairs, the CRC field (63) left out."""
    pairs, at = [], 0
    while at < len(text):
        tag, length = text[at : at + 2], int(text[at + 2 : at + 4])
        pairs.append((tag, text[at + 4 : at + 4 + length]))
        at += 4 + length
    return [(tag, value) for tag, value in pairs if tag != "63"]


def join(pairs: list) -> str:
    """The code text of `pairs`, with the CRC field computed over everything before it."""
    body = "".join(f"{tag}{len(value):02d}{value}" for tag, value in pairs) + "6304"
    return body + f"{crc16(body.encode()):04X}"


def with_field(text: str, tag: str, value: str) -> str:
    """`text` with field `tag` set to `value` and a valid CRC."""
    pairs = fields(text)
    assert any(t == tag for t, _ in pairs), f"the code has no field {tag}"
    return join([(t, value if t == tag else v) for t, v in pairs])
