//! Consumer-presented payment codes: provisioning ([`Wallet::enable_payment_code`]), the
//! code shown at a till ([`Wallet::payment_code`]) and a merchant charging one
//! ([`Wallet::charge_payment_code`]).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::args::{currency, positive_amount, render};
use super::outbox;
use super::view::{CommandOutcome, PaymentCodeView};
use super::{Change, Wallet, WalletError};
use crate::api::{self, Command, new_idempotency_key};
use crate::i18n::Words;
use crate::store::PaymentCodeCredentials;
use danbao_domain::paycode::{
    AccountIndex, MASK_REFRESH_BELOW_STEPS, MaskWindow, PAYMENT_CODE_LEN, PaycodeError,
    PaycodeSecret, PaymentCodeGenerator, STEP_SECONDS,
};

impl Wallet {
    /// Provisions this device for payment codes (once; again replaces the secret): the
    /// server's secret, this device's masks for the coming days and its account index are
    /// stored sealed. Needs the network.
    pub async fn enable_payment_code(&self) -> Result<(), WalletError> {
        let api = self.api()?;
        self.provision_with(&api).await
    }

    async fn provision_with(&self, api: &api::DeviceApi) -> Result<(), WalletError> {
        let key = new_idempotency_key()?;
        let provisioned = api.provision_paycode(&key).await?;
        if provisioned.digits != PAYMENT_CODE_LEN || provisioned.step_seconds != STEP_SECONDS {
            return Err(WalletError::Protocol {
                detail: format!(
                    "the server provisions {}-digit codes of {} s; this build makes {}-digit \
                     codes of {} s",
                    provisioned.digits, provisioned.step_seconds, PAYMENT_CODE_LEN, STEP_SECONDS
                ),
            });
        }
        let bad = |what: &str, e: String| WalletError::Protocol {
            detail: format!("the provisioned {what} is unusable: {e}"),
        };
        let secret = STANDARD
            .decode(&provisioned.secret)
            .map_err(|e| bad("secret", e.to_string()))
            .and_then(|bytes| {
                PaycodeSecret::from_bytes(&bytes).map_err(|e| bad("secret", e.to_string()))
            })?;
        let masks = decode_masks(&provisioned.masks).map_err(|e| bad("masks", e))?;
        let account_index = AccountIndex::new(provisioned.account_index)
            .map_err(|e| bad("account index", e.to_string()))?;
        let credentials = PaymentCodeCredentials {
            secret,
            masks,
            account_index,
        };
        let now = self.now();
        outbox::on_store(&self.store, move |s| {
            s.put_payment_code_credentials(&credentials, now)
        })
        .await?;
        self.notify(Change::Profile);
        Ok(())
    }

    /// Keeps the payment-code material usable, as part of a sync: a device provisioned under
    /// the older layout is provisioned again; a window of masks with less than
    /// [`MASK_REFRESH_BELOW_STEPS`] left is replaced by a fresh one (same secret and index).
    /// Returns whether anything changed.
    pub(super) async fn refresh_payment_codes(
        &self,
        api: &api::DeviceApi,
    ) -> Result<bool, WalletError> {
        let (outdated, credentials) = outbox::on_store(&self.store, |s| {
            Ok((s.payment_code_outdated()?, s.payment_code_credentials()?))
        })
        .await?;
        if outdated {
            self.provision_with(api).await?;
            return Ok(true);
        }
        let Some(credentials) = credentials else {
            return Ok(false);
        };
        let step = u64::try_from(self.now()).unwrap_or_default() / STEP_SECONDS;
        if credentials.masks.steps_left(step) >= MASK_REFRESH_BELOW_STEPS {
            return Ok(false);
        }
        let key = new_idempotency_key()?;
        let fresh = api.refresh_paycode_masks(&key).await?;
        let masks = decode_masks(&fresh.masks).map_err(|e| WalletError::Protocol {
            detail: format!("the refreshed payment-code masks are unusable: {e}"),
        })?;
        let now = self.now();
        outbox::on_store(&self.store, move |s| s.put_payment_code_masks(&masks, now)).await?;
        Ok(true)
    }

    /// The payment code to show at a till at `now_unix`, made offline from the sealed
    /// secret and masks; show the next one after `seconds_remaining`. Once the masks run out
    /// (3 days after the last sync) it is [`WalletError::PaymentCodeRefreshNeeded`], never a
    /// code the till would refuse.
    pub fn payment_code(&self, now_unix: u64) -> Result<PaymentCodeView, WalletError> {
        let Some(credentials) = self.store.payment_code_credentials()? else {
            if self.store.payment_code_outdated()? {
                return Err(WalletError::PaymentCodeRefreshNeeded {
                    outdated_layout: true,
                });
            }
            return Err(WalletError::NotReady {
                detail: Words::new("not-ready-payment-code"),
            });
        };
        let code = PaymentCodeGenerator::new(
            credentials.secret,
            credentials.masks,
            credentials.account_index,
        )
        .generate(now_unix)
        .map_err(|error| match error {
            PaycodeError::OutsideMaskWindow { .. } => WalletError::PaymentCodeRefreshNeeded {
                outdated_layout: false,
            },
            other => other.into(),
        })?;
        Ok(PaymentCodeView {
            svg: render(&code.digits)?,
            digits: code.digits.clone(),
            seconds_remaining: code.seconds_remaining,
            valid_until: code.valid_until,
        })
    }

    /// As a merchant, charges a customer's 18-digit payment code, through the outbox.
    pub async fn charge_payment_code(
        &self,
        payment_code: &str,
        amount: &str,
        currency: &str,
    ) -> Result<CommandOutcome, WalletError> {
        let payment_code = payment_code.trim();
        danbao_domain::paycode::check_format(payment_code).map_err(|e| {
            WalletError::invalid(
                "payment_code",
                Words::new("input-payment-code").text("detail", e),
            )
        })?;
        let money = positive_amount(amount, self::currency(currency)?)?;
        self.run_command(Command::Charge(api::Charge::new(payment_code, money, "")))
            .await
    }
}

/// A provisioned window of masks from its base64 wire form.
fn decode_masks(base64: &str) -> Result<MaskWindow, String> {
    let bytes = STANDARD.decode(base64).map_err(|e| e.to_string())?;
    MaskWindow::from_bytes(&bytes).map_err(|e| e.to_string())
}
