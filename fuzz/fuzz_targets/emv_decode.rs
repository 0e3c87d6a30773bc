//! Fuzz the EMV MPM decoder: no input may panic, and whatever decodes must re-encode to text
//! that decodes to the same payload (the same property core/domain/tests/fuzz_corpus_replay.rs checks).
#![no_main]

use danbao_domain::qr::emv::{self, EncodeError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let report = emv::inspect(text);
    assert_eq!(report.valid, report.errors.is_empty());
    let Ok(payload) = emv::decode(text) else {
        return;
    };
    match emv::encode(&payload) {
        Ok(again) => {
            assert_eq!(emv::decode(&again).as_ref(), Ok(&payload));
            assert_eq!(emv::encode(&payload).as_deref(), Ok(again.as_str()));
        }
        // Decode keeps control characters (reported as problems); encode refuses to write them.
        Err(EncodeError::ControlCharacter { .. }) => {}
        Err(other) => panic!("decoded payload does not re-encode: {other}"),
    }
});
