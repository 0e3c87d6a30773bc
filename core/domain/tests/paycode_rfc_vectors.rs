//! The HOTP/TOTP core against the published test vectors of RFC 4226 (Appendix D) and
//! RFC 6238 (Appendix B).

use danbao_domain::paycode::{OtpAlgorithm, format_otp, hotp_value, time_step, totp_value};

/// RFC 4226 Appendix D: the secret is the ASCII string "12345678901234567890".
const RFC4226_SECRET: &[u8] = b"12345678901234567890";

/// RFC 4226 Appendix D, "Truncated" table: the 31-bit value of dynamic truncation for
/// counters 0–9 (decimal), and the 6-digit HOTP value derived from it.
const RFC4226_TRUNCATED_AND_HOTP: [(u32, &str); 10] = [
    (1284755224, "755224"),
    (1094287082, "287082"),
    (137359152, "359152"),
    (1726969429, "969429"),
    (1640338314, "338314"),
    (868254676, "254676"),
    (1918287922, "287922"),
    (82162583, "162583"),
    (673399871, "399871"),
    (645520489, "520489"),
];

#[test]
fn rfc4226_appendix_d_six_digit_hotp() {
    for (counter, (_, expected)) in RFC4226_TRUNCATED_AND_HOTP.iter().enumerate() {
        let value = hotp_value(OtpAlgorithm::Sha1, RFC4226_SECRET, counter as u64, 6).unwrap();
        assert_eq!(format_otp(value, 6), *expected, "counter {counter}");
    }
}

/// Generalising the truncation to N digits means "truncated value mod 10^N"; the RFC's
/// truncated column lets that be checked for every N from 1 to 9.
#[test]
fn rfc4226_appendix_d_truncated_values_for_every_digit_count() {
    for (counter, (truncated, _)) in RFC4226_TRUNCATED_AND_HOTP.iter().enumerate() {
        for digits in 1..=9u32 {
            let value =
                hotp_value(OtpAlgorithm::Sha1, RFC4226_SECRET, counter as u64, digits).unwrap();
            assert_eq!(
                value,
                truncated % 10u32.pow(digits),
                "counter {counter}, {digits} digits"
            );
        }
    }
}

/// RFC 6238 Appendix B: seeds are the ASCII digits "1234567890" repeated to 20 (SHA-1),
/// 32 (SHA-256) and 64 (SHA-512) bytes; T0 = 0, X = 30 s, 8 digits.
const RFC6238_SHA1_SEED: &[u8] = b"12345678901234567890";
const RFC6238_SHA256_SEED: &[u8] = b"12345678901234567890123456789012";
const RFC6238_SHA512_SEED: &[u8] =
    b"1234567890123456789012345678901234567890123456789012345678901234";

/// (unix time, T as hex, SHA-1, SHA-256, SHA-512) from the table in RFC 6238 Appendix B.
const RFC6238_TABLE: [(u64, u64, &str, &str, &str); 6] = [
    (59, 0x1, "94287082", "46119246", "90693936"),
    (1111111109, 0x23523EC, "07081804", "68084774", "25091201"),
    (1111111111, 0x23523ED, "14050471", "67062674", "99943326"),
    (1234567890, 0x273EF07, "89005924", "91819424", "93441116"),
    (2000000000, 0x3F940AA, "69279037", "90698825", "38618901"),
    (20000000000, 0x27BC86AA, "65353130", "77737706", "47863826"),
];

#[test]
fn rfc6238_appendix_b_time_steps() {
    for (time, t_hex, ..) in RFC6238_TABLE {
        assert_eq!(time_step(time, 0, 30).unwrap(), t_hex, "time {time}");
    }
}

#[test]
fn rfc6238_appendix_b_sha256() {
    for (time, _, _, sha256, _) in RFC6238_TABLE {
        let value = totp_value(OtpAlgorithm::Sha256, RFC6238_SHA256_SEED, time, 30, 8).unwrap();
        assert_eq!(format_otp(value, 8), sha256, "time {time}");
    }
}

#[test]
fn rfc6238_appendix_b_sha1() {
    for (time, _, sha1, _, _) in RFC6238_TABLE {
        let value = totp_value(OtpAlgorithm::Sha1, RFC6238_SHA1_SEED, time, 30, 8).unwrap();
        assert_eq!(format_otp(value, 8), sha1, "time {time}");
    }
}

#[test]
fn rfc6238_appendix_b_sha512() {
    for (time, _, _, _, sha512) in RFC6238_TABLE {
        let value = totp_value(OtpAlgorithm::Sha512, RFC6238_SHA512_SEED, time, 30, 8).unwrap();
        assert_eq!(format_otp(value, 8), sha512, "time {time}");
    }
}

/// The TOTP for the last second of a step equals the one for its first second.
#[test]
fn rfc6238_vector_holds_across_its_whole_step() {
    // 1111111109 is in step 0x23523EC, which spans 1111111080..=1111111109.
    for time in [1_111_111_080, 1_111_111_095, 1_111_111_109] {
        let value = totp_value(OtpAlgorithm::Sha256, RFC6238_SHA256_SEED, time, 30, 8).unwrap();
        assert_eq!(format_otp(value, 8), "68084774", "time {time}");
    }
    let next = totp_value(
        OtpAlgorithm::Sha256,
        RFC6238_SHA256_SEED,
        1_111_111_110,
        30,
        8,
    )
    .unwrap();
    assert_eq!(format_otp(next, 8), "67062674");
}
