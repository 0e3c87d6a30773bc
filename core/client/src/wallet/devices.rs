//! Devices of the user (issue 12 point 8): a one-time approval code shown on an active device
//! ([`Wallet::device_approval_code`]), a new wallet joining the user with it
//! ([`Wallet::join_with_approval`]), the device list ([`Wallet::devices`]) and revocation
//! ([`Wallet::revoke_device`]). All need the network; nothing here goes through the outbox
//! (none of it moves money, and an approval code must not wait in a queue).

use std::sync::Arc;

use super::args::render;
use super::view::{DeviceApprovalView, DeviceItem};
use super::{Change, Wallet, WalletError, outbox};
use crate::api::{DeviceApi, DeviceView, new_idempotency_key};
use crate::i18n::Texts;
use crate::store;
use danbao_domain::protocol::wire::{
    APPROVAL_CODE_TTL_SECS, MAX_DEVICE_NAME_CHARS, approval_qr_payload, normalize_approval_code,
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
        let code = normalize_approval_code(code)
            .map_err(|e| WalletError::invalid("code", e.to_string()))?;
        let device_name = device_name.trim();
        if device_name.is_empty() || device_name.chars().count() > MAX_DEVICE_NAME_CHARS {
            return Err(WalletError::invalid(
                "device_name",
                format!("give this device a name of 1–{MAX_DEVICE_NAME_CHARS} characters"),
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
        let now = self.now();
        let stored = profile.clone();
        outbox::on_store(&self.store, move |s| s.set_profile(&stored, now)).await?;
        *self
            .profile
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(profile.clone());
        self.notify(Change::Profile);
        Ok(profile.into())
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
