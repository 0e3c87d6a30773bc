//! Signed order codes: written for a new order, and their decoding errors in the protocol's words
//! (paying by one is a flow of the parent module).

use danbao_domain::qr::danbao::{self, DanbaoCode, DanbaoError, DanbaoSigner, Nonce, OrderCode};

use crate::service::{ServiceError, ServiceResult};
use crate::store::{OrderRecord, User};

/// City written into order codes (EMV tag 60 is mandatory; sellers here are online shops).
pub const ORDER_CODE_CITY: &str = "Online";
/// Country written into order codes (EMV tag 58).
pub const ORDER_CODE_COUNTRY: &str = "CN";
/// Merchant category code written into order codes: 5399, miscellaneous general merchandise.
pub const ORDER_CODE_MCC: &str = "5399";

/// Signs the per-order Danbao code the buyer scans: valid from `now` until the pay window
/// closes, with a fresh `nonce` that [`pay_by_code`] marks used.
pub fn order_code(
    signer: &DanbaoSigner,
    nonce: Nonce,
    record: &OrderRecord,
    seller: &User,
    now: i64,
) -> ServiceResult<String> {
    let name: String = seller.display_name.chars().take(25).collect();
    let name = match name.trim() {
        "" => seller.handle.clone(),
        trimmed => trimmed.to_owned(),
    };
    let code = DanbaoCode::Order(OrderCode {
        merchant_id: seller.handle.clone(),
        order_id: record.id.clone(),
        merchant_name: name,
        merchant_city: ORDER_CODE_CITY.to_owned(),
        country: ORDER_CODE_COUNTRY.to_owned(),
        mcc: ORDER_CODE_MCC.to_owned(),
        currency: record.order.amount.currency(),
        amount_minor: record.order.amount.minor(),
    });
    let issued_at = u64::try_from(now).map_err(ServiceError::storage)?;
    let expires_at = u64::try_from(record.order.pay_by).map_err(ServiceError::storage)?;
    danbao::issue(&code, signer, nonce, issued_at, expires_at).map_err(ServiceError::storage)
}

/// Maps why a scanned code was refused to the API's codes.
pub fn code_error(error: DanbaoError) -> ServiceError {
    let code = match error {
        DanbaoError::Expired { .. } => "code_expired",
        DanbaoError::NotYetValid { .. } => "code_not_yet_valid",
        DanbaoError::UnknownKey { .. } | DanbaoError::BadSignature { .. } => "code_not_genuine",
        _ => "invalid_code",
    };
    ServiceError::unprocessable(code, error.to_string())
}
