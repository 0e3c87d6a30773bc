//! Devices of the user (issue 12 point 8): a one-time approval code shown on an active device
//! ([`Wallet::device_approval_code`]), a new wallet joining the user with it
//! ([`Wallet::join_with_approval`]), the device list ([`Wallet::devices`]) and revocation
//! ([`Wallet::revoke_device`]). All need the network; nothing here goes through the outbox
//! (none of it moves money, and an approval code must not wait in a queue).

use std::sync::Arc;

use super::args::render;
use super::view::{DeviceApprovalView, DeviceItem};
use super::{Wallet, WalletError};
use crate::api::{DeviceApi, DeviceView, new_idempotency_key};
use crate::i18n::{Texts, Words};
use crate::store;
use danbao_domain::protocol::wire::{
    APPROVAL_CODE_CHARS, APPROVAL_CODE_TTL_SECS, ApprovalCodeError, MAX_DEVICE_NAME_CHARS,
    approval_qr_payload, normalize_approval_code,
};

/// The idempotency key of a join: the same device key and code give the same key, so a join
/// retried after a lost answer gets the first answer back.
pub(super) fn join_key(public_key: &[u8], code: &str) -> String {
    let mut input = public_key.to_vec();
    input.push(0);
    input.extend_from_slice(code.as_bytes());
    let digest = ring::digest::digest(&ring::digest::SHA256, &input);
    format!(
        "dbk-join-{}",
        danbao_domain::protocol::hex_lower(&digest.as_ref()[..20])
    )
}

/// A device as the list shows it, with its words in the current locale.
pub(super) fn device_item(texts: &Texts, device: DeviceView) -> DeviceItem {
    let title = if device.this_device {
        texts.with("device-this", &[("name", &device.name)])
    } else {
        device.name.clone()
    };
    let added = texts.date_time(device.created_at);
    let detail = match device.revoked_at {
        Some(revoked_at) => texts.with(
            "device-revoked",
            &[("added", &added), ("revoked", &texts.date_time(revoked_at))],
        ),
        None => texts.with(
            "device-active",
            &[
                ("added", &added),
                ("seen", &texts.date_time(device.last_seen_at)),
            ],
        ),
    };
    DeviceItem {
        id: device.id,
        name: device.name,
        created_at: device.created_at,
        last_seen_at: device.last_seen_at,
        revoked_at: device.revoked_at,
        this_device: device.this_device,
        active: device.revoked_at.is_none(),
        title,
        detail,
    }
}

impl Wallet {
    /// A one-time code (10 minutes, single use) with which a new device joins this user: show
    /// its QR code (or the text) to the new device, which calls
    /// [`Wallet::join_with_approval`]. Each call asks for a new code; at most 3 are open.
    pub async fn device_approval_code(&self) -> Result<DeviceApprovalView, WalletError> {
        let api = self.api()?;
        let key = new_idempotency_key()?;
        let approval = api.device_approval(&key).await?;
        let code = normalize_approval_code(&approval.code).map_err(|e| WalletError::Protocol {
            detail: format!("the server's approval code is unusable: {e}"),
        })?;
        let qr_payload = approval_qr_payload(&code);
        let texts = self.texts();
        Ok(DeviceApprovalView {
            svg: render(&qr_payload)?,
            instructions: texts.with(
                "device-approval-instructions",
                &[("minutes", &(APPROVAL_CODE_TTL_SECS / 60).to_string())],
            ),
            expires_label: texts.with(
                "device-approval-expires",
                &[("when", &texts.date_time(approval.expires_at))],
            ),
            expires_at: approval.expires_at,
            code,
            qr_payload,
        })
    }

    /// Makes this new wallet a device of the user whose approval `code` (the text or the
    /// scanned QR payload) an active device shows, and stores the profile. Safe to call again
    /// after a lost answer with the same code.
    pub async fn join_with_approval(
        &self,
        code: &str,
        device_name: &str,
    ) -> Result<super::Profile, WalletError> {
        if let Some(profile) = self.cached_profile() {
            return Err(WalletError::AlreadySignedUp {
                handle: profile.handle,
            });
        }
        let code = normalize_approval_code(code).map_err(|error| {
            let reason = match error {
                ApprovalCodeError::Length { found } => Words::new("input-approval-code-length")
                    .text("chars", APPROVAL_CODE_CHARS)
                    .text("found", found),
                ApprovalCodeError::Character { found } => {
                    Words::new("input-approval-code-character").text("found", found)
                }
            };
            WalletError::invalid("code", reason)
        })?;
        let device_name = device_name.trim();
        if device_name.is_empty() || device_name.chars().count() > MAX_DEVICE_NAME_CHARS {
            return Err(WalletError::invalid(
                "device_name",
                Words::new("input-device-name").text("max", MAX_DEVICE_NAME_CHARS),
            ));
        }
        let key = join_key(&self.signer.public_key(), &code);
        let (_, joined) = DeviceApi::join(
            self.transport.clone(),
            Arc::clone(&self.signer),
            &code,
            device_name,
            &key,
        )
        .await?;
        let profile = store::Profile {
            server_url: self.transport.base_url().to_owned(),
            user_id: joined.user_id,
            handle: joined.handle,
            display_name: joined.display_name,
            device_id: joined.device_id,
        };
        self.keep_profile(profile).await
    }

    /// This user's devices from the server: active ones first, this device marked.
    pub async fn devices(&self) -> Result<Vec<DeviceItem>, WalletError> {
        let list = self.api()?.devices().await?;
        let texts = self.texts();
        Ok(list
            .devices
            .into_iter()
            .map(|device| device_item(&texts, device))
            .collect())
    }

    /// Revokes device `id` of this user (a lost phone, or this device itself): its requests
    /// and payment codes are refused from now on. The last active device cannot be revoked
    /// (the server answers `last_device`).
    pub async fn revoke_device(&self, id: i64) -> Result<DeviceItem, WalletError> {
        let api = self.api()?;
        let key = new_idempotency_key()?;
        let device = api.revoke_device(id, &key).await?;
        Ok(device_item(&self.texts(), device))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(this_device: bool, revoked_at: Option<i64>) -> DeviceView {
        DeviceView {
            id: 7,
            name: "Pixel".into(),
            created_at: 1_700_000_000,
            last_seen_at: 1_700_003_600,
            revoked_at,
            this_device,
        }
    }

    #[test]
    fn device_rows_say_which_is_this_one_and_when_each_was_active_or_revoked() {
        let en = Texts::new("en").unwrap();
        let zh = Texts::new("zh-Hans-CN").unwrap();
        let active = device_item(&en, device(true, None));
        assert_eq!(active.title, "Pixel (this device)");
        assert!(active.active);
        assert_eq!(
            active.detail,
            format!(
                "Added {} · last active {}",
                en.date_time(1_700_000_000),
                en.date_time(1_700_003_600)
            )
        );
        let revoked = device_item(&en, device(false, Some(1_700_007_200)));
        assert_eq!(revoked.title, "Pixel");
        assert!(!revoked.active);
        assert!(
            revoked
                .detail
                .ends_with(&format!("revoked {}", en.date_time(1_700_007_200)))
        );
        assert_eq!(
            device_item(&zh, device(true, None)).title,
            "Pixel（本设备）"
        );
        assert!(
            device_item(&zh, device(false, Some(1_700_007_200)))
                .detail
                .contains("移除")
        );
    }

    #[test]
    fn a_join_is_keyed_by_the_device_key_and_the_code() {
        let a = join_key(&[4, 1], "AAAA-AAAA-AAAA-AAAA");
        assert_eq!(a, join_key(&[4, 1], "AAAA-AAAA-AAAA-AAAA"));
        assert_ne!(a, join_key(&[4, 2], "AAAA-AAAA-AAAA-AAAA"));
        assert_ne!(a, join_key(&[4, 1], "AAAA-AAAA-AAAA-AAAB"));
        assert!(danbao_domain::protocol::idempotency_key_is_well_formed(&a));
    }

    #[test]
    fn refusals_of_devices_have_catalogue_words_in_both_languages() {
        let zh = Texts::new("zh-Hans-CN").unwrap();
        for code in [
            "device_revoked",
            "last_device",
            "unknown_device",
            "approval_code_invalid",
            "approval_code_expired",
            "approval_code_used",
            "too_many_approval_codes",
            "invalid_device_name",
        ] {
            let error = WalletError::Server {
                status: 409,
                code: code.into(),
                detail: "detail".into(),
            };
            assert!(zh.has(&format!("problem-{code}")), "{code}");
            let message = error.message(&zh);
            assert!(
                message
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{code}: {message}"
            );
        }
    }
}
