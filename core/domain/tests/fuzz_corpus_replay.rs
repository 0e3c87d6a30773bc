//! Replays every seed of the cargo-fuzz corpora (fuzz/corpus/<target>/) on stable Rust:
//! nothing panics, and what decodes re-encodes consistently — the fuzz targets' own checks.

use std::path::{Path, PathBuf};

use danbao_domain::qr::{self, emv};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    files
}

/// The emv_decode target's property, on one input.
fn emv_property(path: &Path, text: &str) -> bool {
    let report = danbao_domain::qr::inspect(text);
    assert_eq!(report.valid, report.errors.is_empty(), "{}", path.display());
    let Ok(payload) = emv::decode(text) else {
        return false;
    };
    assert_eq!(
        report.payload.as_ref(),
        Some(&payload),
        "{}",
        path.display()
    );
    match emv::encode(&payload) {
        Ok(again) => {
            assert_eq!(
                emv::decode(&again).as_ref(),
                Ok(&payload),
                "{}",
                path.display()
            );
            assert_eq!(
                emv::encode(&emv::decode(&again).unwrap()).as_ref(),
                Ok(&again)
            );
        }
        Err(emv::EncodeError::ControlCharacter { path: tag, .. }) => {
            // Only a value that check() flags may be refused.
            let flagged = emv::check(&payload)
                .iter()
                .any(|p| p.tag == tag && p.message.contains("control character"));
            assert!(
                flagged,
                "{}: {tag} refused but not reported",
                path.display()
            );
        }
        Err(other) => panic!(
            "{}: decoded payload does not re-encode: {other}",
            path.display()
        ),
    }
    true
}

#[test]
fn emv_decode_corpus_replays() {
    let files = corpus("emv_decode");
    assert!(files.len() >= 40, "only {} seeds", files.len());
    let mut decoded = 0;
    let mut non_utf8 = 0;
    for (path, bytes) in &files {
        match std::str::from_utf8(bytes) {
            Ok(text) => decoded += usize::from(emv_property(path, text)),
            Err(_) => {
                non_utf8 += 1;
                // The target skips these; the lossy text must still not panic.
                emv_property(path, &String::from_utf8_lossy(bytes));
            }
        }
    }
    // The corpus holds both sides: the 25 real-world codes and others decode, bad inputs do not.
    assert!(decoded >= 30, "{decoded} decoded");
    assert!(files.len() - decoded >= 15);
    assert!(non_utf8 >= 1);
}

#[test]
fn scan_corpus_replays() {
    let files = corpus("scan");
    assert!(files.len() >= 40, "only {} seeds", files.len());
    let mut kinds = std::collections::HashSet::new();
    for (_, bytes) in &files {
        let outcome = qr::scan(&String::from_utf8_lossy(bytes));
        kinds.insert(std::mem::discriminant(&outcome));
    }
    // Danbao order, payment code, foreign scheme and invalid at least.
    assert!(kinds.len() >= 4, "{} kinds", kinds.len());
}
