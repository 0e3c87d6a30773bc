//! What the OpenAPI annotations of the route files share: the problem codes each kind of
//! request can answer, the `Idempotency-Key` header and the one-of body of an order step. A
//! leaf of the API layer, so the route files do not import the document (`crate::openapi`),
//! which imports them.

use std::borrow::Cow;

use danbao_domain::protocol::wire::{RefundRequest, Ship};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{
    AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr, Required};
use utoipa::{IntoParams, PartialSchema, ToSchema};

/// Security scheme: the registered device's id (`new` on sign-up).
pub const SCHEME_DEVICE: &str = "Danbao-Device";
/// Security scheme: Unix seconds at signing.
pub const SCHEME_TIMESTAMP: &str = "Danbao-Timestamp";
/// Security scheme: a fresh nonce per attempt.
pub const SCHEME_NONCE: &str = "Danbao-Nonce";
/// Security scheme: the ECDSA P-256 signature of the request.
pub const SCHEME_SIGNATURE: &str = "Danbao-Signature";
/// Security scheme: the operator's bearer token.
pub const SCHEME_OPERATOR: &str = "operator";
/// Security scheme: a merchant API key as a bearer token.
pub const SCHEME_MERCHANT_KEY: &str = "Merchant-Key";

/// 401 codes of a signed read (and of signed POSTs that change nothing).
pub const SIGNED_READ_401: &str =
    "missing_signature, bad_signature, stale_request, unknown_device, device_revoked";
/// 401 codes of a signed mutating request: a read's, plus the replayed nonce.
pub const SIGNED_WRITE_401: &str = "missing_signature, bad_signature, stale_request, unknown_device, device_revoked, replayed_request";
/// 400 codes of a signed POST with a JSON body.
pub const SIGNED_WRITE_400: &str = "invalid_body, missing_idempotency_key, bad_idempotency_key";
/// 400 codes of a signed POST whose body is ignored.
pub const SIGNED_KEY_400: &str = "missing_idempotency_key, bad_idempotency_key";
/// 400 codes of an operator POST with a JSON body.
pub const OPERATOR_WRITE_400: &str = "invalid_body, missing_idempotency_key";
/// 401 code of an operator endpoint.
pub const OPERATOR_401: &str = "operator_only";
/// 413 code: the body is over 64 KiB.
pub const BODY_413: &str = "body_too_large";
/// 503 code: the store failed; retry with the same Idempotency-Key.
pub const STORAGE_503: &str = "storage_unavailable";

/// The `Idempotency-Key` header of a POST (`params(IdempotencyKey)` in an annotation).
pub struct IdempotencyKey;

impl IntoParams for IdempotencyKey {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .description(Some(
                    "8–128 printable ASCII characters, chosen by the client per operation. The \
                     same key with the same request answers the stored first answer byte for \
                     byte; with a different request, 422 idempotency_key_reused. A retry is \
                     re-signed with a fresh nonce but the same key and body.",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(8))
                        .max_length(Some(128)),
                ))
                .build(),
        ]
    }
}

/// Body of `POST /v1/orders/{id}/{action}`: `ship` takes ShipBody, `refund-request` takes
/// RefundBody, the other steps no body (or `{}`).
pub struct StepBody;

impl PartialSchema for StepBody {
    fn schema() -> RefOr<Schema> {
        let empty = ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::Object))
            .description(Some("pay, cancel, confirm, refund-accept, refund-reject"))
            .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)));
        OneOfBuilder::new()
            .item(Ref::from_schema_name(Ship::name()))
            .item(Ref::from_schema_name(RefundRequest::name()))
            .item(empty)
            .description(Some(
                "ship: ShipBody; refund-request: RefundBody; the other steps: empty or {}",
            ))
            .into()
    }

    // The referenced bodies are registered through `schemas`.
}

impl ToSchema for StepBody {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("StepBody")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((Ship::name().into_owned(), Ship::schema()));
        schemas.push((RefundRequest::name().into_owned(), RefundRequest::schema()));
    }
}
