//! A device's window of index masks: the masks of its own codes for the coming days, which
//! the server computes (it holds the mask key and the device's secret) and provisions, so no
//! device ever holds the key (docs/payment-codes.md, docs/security.md).

use std::fmt;

use super::error::PaycodeError;
use super::layout::{INDEX_MODULUS, OTP_MODULUS, STEP_SECONDS, index_mask};
use super::otp::hotp_with_key;
use super::secret::{IndexMaskKey, PaycodeSecret};

/// Steps a provisioned window covers: 3 days of 60-second steps (4,320 masks, 17,297 bytes
/// encoded, about 23 KB as base64).
pub const MASK_WINDOW_STEPS: u32 = 3 * 24 * 60 * 60 / STEP_SECONDS as u32;
/// The device asks for a fresh window when it syncs and fewer steps than this are left:
/// 2 days, so a phone that syncs daily never runs out and refreshes about once a day.
pub const MASK_REFRESH_BELOW_STEPS: u64 = 2 * 24 * 60 * 60 / STEP_SECONDS;
/// The longest window [`MaskWindow::from_bytes`] reads (14 days): bounds what a hostile
/// server or a corrupted store can make the device allocate.
pub const MAX_MASK_WINDOW_STEPS: u32 = 14 * 24 * 60 * 60 / STEP_SECONDS as u32;

const MAGIC: &[u8; 4] = b"DBMW";
const VERSION: u8 = 2;
const HEADER_LEN: usize = MAGIC.len() + 1 + 8 + 4;

/// The masks of one device's codes for consecutive steps from `first_step`.
///
/// `Debug` shows only the steps covered: together with a code, a mask gives away the device's
/// account index, so the masks are kept sealed like the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct MaskWindow {
    first_step: u64,
    masks: Vec<u32>,
}

impl MaskWindow {
    /// Server side: the masks of the device with `secret` for `steps` steps from
    /// `first_step` — for each step, the mask of the code the device will make then (its
    /// TOTP for that step), under the server's `mask_key`.
    pub fn provision(
        mask_key: &IndexMaskKey,
        secret: &PaycodeSecret,
        first_step: u64,
        steps: u32,
    ) -> Result<Self, PaycodeError> {
        Self::check_len(steps)?;
        first_step
            .checked_add(u64::from(steps))
            .ok_or_else(|| PaycodeError::InvalidMasks {
                reason: format!("a window from step {first_step} would run past the last step"),
            })?;
        let masks = (first_step..first_step + u64::from(steps))
            .map(|step| {
                let otp = hotp_with_key(secret.hmac_key(), step, OTP_MODULUS);
                index_mask(mask_key, step, otp)
            })
            .collect();
        Ok(Self { first_step, masks })
    }

    fn check_len(steps: u32) -> Result<(), PaycodeError> {
        if steps == 0 || steps > MAX_MASK_WINDOW_STEPS {
            return Err(PaycodeError::InvalidMasks {
                reason: format!(
                    "a window of {steps} steps; it must cover 1 to {MAX_MASK_WINDOW_STEPS} steps"
                ),
            });
        }
        Ok(())
    }

    /// The first step covered.
    pub fn first_step(&self) -> u64 {
        self.first_step
    }

    /// The last step covered.
    pub fn last_step(&self) -> u64 {
        // Non-empty and checked against overflow when made.
        self.first_step + self.masks.len() as u64 - 1
    }

    /// How many steps are covered.
    pub fn len(&self) -> usize {
        self.masks.len()
    }

    /// Always `false`: a window covers at least one step.
    pub fn is_empty(&self) -> bool {
        self.masks.is_empty()
    }

    /// Steps from `step` (included) to the end of the window: 0 once it has ended, the whole
    /// window before it begins.
    pub fn steps_left(&self, step: u64) -> u64 {
        let end = self.last_step() + 1;
        end.saturating_sub(step.max(self.first_step))
    }

    /// The mask for `step`, or [`PaycodeError::OutsideMaskWindow`].
    pub fn mask_for(&self, step: u64) -> Result<u32, PaycodeError> {
        step.checked_sub(self.first_step)
            .and_then(|offset| usize::try_from(offset).ok())
            .and_then(|offset| self.masks.get(offset).copied())
            .ok_or(PaycodeError::OutsideMaskWindow {
                step,
                first_step: self.first_step,
                last_step: self.last_step(),
            })
    }

    /// The window as bytes (for the wire, base64, and the sealed slot): `DBMW`, version 2,
    /// the first step (8 bytes), the count (4 bytes) and each mask (4 bytes), big-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + 4 * self.masks.len());
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&self.first_step.to_be_bytes());
        out.extend_from_slice(&(self.masks.len() as u32).to_be_bytes());
        for mask in &self.masks {
            out.extend_from_slice(&mask.to_be_bytes());
        }
        out
    }

    /// Reads [`MaskWindow::to_bytes`]' layout; anything else (an older mask key in the same
    /// slot, a truncated or altered window) is [`PaycodeError::InvalidMasks`] saying what.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PaycodeError> {
        let bad = |reason: String| PaycodeError::InvalidMasks { reason };
        if bytes.len() < HEADER_LEN || &bytes[..MAGIC.len()] != MAGIC {
            return Err(bad(format!(
                "{} bytes that are not a window of masks (an older layout, or damaged)",
                bytes.len()
            )));
        }
        let version = bytes[MAGIC.len()];
        if version != VERSION {
            return Err(bad(format!(
                "version {version}; this build reads version {VERSION}"
            )));
        }
        let mut first = [0u8; 8];
        first.copy_from_slice(&bytes[5..13]);
        let mut count = [0u8; 4];
        count.copy_from_slice(&bytes[13..HEADER_LEN]);
        let first_step = u64::from_be_bytes(first);
        let count = u32::from_be_bytes(count);
        Self::check_len(count)?;
        let body = &bytes[HEADER_LEN..];
        if body.len() != 4 * count as usize {
            return Err(bad(format!(
                "{count} masks announced but {} bytes follow; each mask is 4 bytes",
                body.len()
            )));
        }
        if first_step.checked_add(u64::from(count)).is_none() {
            return Err(bad(format!(
                "a window from step {first_step} would run past the last step"
            )));
        }
        let mut masks = Vec::with_capacity(count as usize);
        for (n, chunk) in body.chunks_exact(4).enumerate() {
            let mut word = [0u8; 4];
            word.copy_from_slice(chunk);
            let mask = u32::from_be_bytes(word);
            if mask >= INDEX_MODULUS {
                return Err(bad(format!(
                    "mask {n} is {mask}; masks are below {INDEX_MODULUS}"
                )));
            }
            masks.push(mask);
        }
        Ok(Self { first_step, masks })
    }
}

impl fmt::Debug for MaskWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaskWindow")
            .field("first_step", &self.first_step)
            .field("steps", &self.masks.len())
            .field("masks", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(first_step: u64, steps: u32) -> MaskWindow {
        MaskWindow::provision(
            &IndexMaskKey::from_bytes(&[3u8; 32]).unwrap(),
            &PaycodeSecret::from_bytes(&[4u8; 32]).unwrap(),
            first_step,
            steps,
        )
        .unwrap()
    }

    #[test]
    fn the_codec_round_trips_and_has_the_documented_size() {
        let w = window(28_333_333, MASK_WINDOW_STEPS);
        let bytes = w.to_bytes();
        assert_eq!(bytes.len(), 17 + 4 * 4_320);
        assert_eq!(bytes.len(), 17_297);
        assert_eq!(&bytes[..5], b"DBMW\x02");
        let back = MaskWindow::from_bytes(&bytes).unwrap();
        assert_eq!(back, w);
        assert_eq!(back.first_step(), 28_333_333);
        assert_eq!(back.last_step(), 28_333_333 + 4_319);
        for step in [28_333_333, 28_335_000, 28_337_652] {
            assert_eq!(back.mask_for(step), w.mask_for(step));
        }
    }

    #[test]
    fn the_codec_refuses_what_it_did_not_write() {
        let bytes = window(10, 3).to_bytes();
        let reason = |bytes: &[u8]| match MaskWindow::from_bytes(bytes) {
            Err(PaycodeError::InvalidMasks { reason }) => reason,
            other => panic!("{other:?}"),
        };
        // An older mask key stored in the same slot.
        assert!(reason(&[0xa5; 32]).contains("not a window"));
        assert!(reason(&bytes[..bytes.len() - 1]).contains("3 masks announced but 11 bytes"));
        let mut later = bytes.clone();
        later[4] = 3;
        assert!(reason(&later).contains("version 3"));
        let mut big = bytes.clone();
        big[17..21].copy_from_slice(&100_000_000u32.to_be_bytes());
        assert!(reason(&big).contains("mask 0 is 100000000"));
        let mut none = bytes.clone();
        none[13..17].copy_from_slice(&0u32.to_be_bytes());
        assert!(reason(&none[..17]).contains("0 steps"));
        let mut huge = bytes;
        huge[13..17].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(reason(&huge).contains("1 to 20160 steps"));
    }

    #[test]
    fn steps_outside_the_window_are_refused_precisely() {
        let w = window(100, 10);
        assert!(w.mask_for(100).is_ok());
        assert!(w.mask_for(109).is_ok());
        assert_eq!(
            w.mask_for(110),
            Err(PaycodeError::OutsideMaskWindow {
                step: 110,
                first_step: 100,
                last_step: 109
            })
        );
        assert!(w.mask_for(99).is_err());
        assert_eq!(w.steps_left(95), 10);
        assert_eq!(w.steps_left(105), 5);
        assert_eq!(w.steps_left(110), 0);
        assert_eq!(w.steps_left(u64::MAX), 0);
        assert!(
            MaskWindow::provision(
                &IndexMaskKey::from_bytes(&[3u8; 32]).unwrap(),
                &PaycodeSecret::from_bytes(&[4u8; 32]).unwrap(),
                u64::MAX - 2,
                5
            )
            .is_err()
        );
    }

    #[test]
    fn debug_hides_the_masks() {
        let w = window(100, 2);
        let shown = format!("{w:?}");
        assert!(
            !shown.contains(&w.mask_for(100).unwrap().to_string()),
            "{shown}"
        );
        assert!(shown.contains("steps: 2"), "{shown}");
    }
}
