//! Secrets at rest, one format for every kind: AES-256-GCM under the server's seal key,
//! stored as `nonce ‖ ciphertext ‖ tag`, with authenticated data that names the kind and the
//! row (a sealed secret copied to another row, or read as another kind, does not open).
//! Used for payment-code secrets ([`super::paycode`]) and webhook signing secrets
//! ([`super::merchant_api::webhooks`]).

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

/// A sealed secret that does not open: the key, the row or the bytes are not the ones it was
/// sealed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoesNotOpen;

fn key(seal_key: &[u8; 32]) -> Result<LessSafeKey, DoesNotOpen> {
    UnboundKey::new(&AES_256_GCM, seal_key)
        .map(LessSafeKey::new)
        .map_err(|_| DoesNotOpen)
}

/// Seals `plain` under `seal_key` with the fresh `nonce` (drawn once per sealing, outside
/// the job), binding `aad`.
pub fn seal(
    seal_key: &[u8; 32],
    nonce: [u8; NONCE_LEN],
    aad: &[u8],
    plain: &[u8],
) -> Result<Vec<u8>, DoesNotOpen> {
    let key = key(seal_key)?;
    let mut in_out = plain.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut in_out,
    )
    .map_err(|_| DoesNotOpen)?;
    let mut sealed = nonce.to_vec();
    sealed.extend_from_slice(&in_out);
    Ok(sealed)
}

/// Opens what [`seal`] wrote with the same `aad` and hands the plain bytes to `read`; the
/// buffer is wiped afterwards, whatever `read` answers.
pub fn open<T, E>(
    seal_key: &[u8; 32],
    aad: &[u8],
    sealed: &[u8],
    read: impl FnOnce(&[u8]) -> Result<T, E>,
) -> Result<Result<T, E>, DoesNotOpen> {
    let key = key(seal_key)?;
    if sealed.len() < NONCE_LEN {
        return Err(DoesNotOpen);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| DoesNotOpen)?;
    let mut in_out = ciphertext.to_vec();
    let result = key
        .open_in_place(nonce, Aad::from(aad), &mut in_out)
        .map(|plain| read(plain))
        .map_err(|_| DoesNotOpen);
    in_out.fill(0);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_opens_only_with_its_key_and_its_row() {
        let key = [7u8; 32];
        let sealed = seal(&key, [1; NONCE_LEN], b"row-1", b"secret").unwrap();
        assert_eq!(sealed.len(), NONCE_LEN + 6 + 16);
        let read = |plain: &[u8]| Ok::<_, ()>(plain.to_vec());
        assert_eq!(
            open(&key, b"row-1", &sealed, read),
            Ok(Ok(b"secret".to_vec()))
        );
        assert_eq!(open(&key, b"row-2", &sealed, read), Err(DoesNotOpen));
        assert_eq!(open(&[8u8; 32], b"row-1", &sealed, read), Err(DoesNotOpen));
        assert_eq!(open(&key, b"row-1", &sealed[..5], read), Err(DoesNotOpen));
        let mut flipped = sealed.clone();
        flipped[NONCE_LEN] ^= 1;
        assert_eq!(open(&key, b"row-1", &flipped, read), Err(DoesNotOpen));
    }
}
