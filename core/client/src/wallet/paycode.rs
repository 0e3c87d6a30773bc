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
    AccountIndex, IndexMaskKey, PAYMENT_CODE_LEN, PaycodeSecret, PaymentCodeGenerator, STEP_SECONDS,
};

impl Wallet {
    /// Provisions this device for payment codes (once; again replaces the secret): the
    /// server's secret, mask key and account index are stored sealed. Needs the network.
    pub async fn enable_payment_code(&self) -> Result<(), WalletError> {
        let api = self.api()?;
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
        let mask_key = STANDARD
            .decode(&provisioned.mask_key)
            .map_err(|e| bad("mask key", e.to_string()))
            .and_then(|bytes| {
                IndexMaskKey::from_bytes(&bytes).map_err(|e| bad("mask key", e.to_string()))
            })?;
        let account_index = AccountIndex::new(provisioned.account_index)
            .map_err(|e| bad("account index", e.to_string()))?;
        let credentials = PaymentCodeCredentials {
            secret,
            mask_key,
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

    /// The payment code to show at a till at `now_unix`, made offline from the sealed
    /// secret; show the next one after `seconds_remaining`.
    pub fn payment_code(&self, now_unix: u64) -> Result<PaymentCodeView, WalletError> {
        let credentials =
            self.store
                .payment_code_credentials()?
                .ok_or_else(|| WalletError::NotReady {
                    detail: Words::new("not-ready-payment-code"),
                })?;
        let code = PaymentCodeGenerator::new(
            credentials.secret,
            credentials.mask_key,
            credentials.account_index,
        )
        .generate(now_unix);
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
