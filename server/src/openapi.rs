//! The OpenAPI 3.1 document of the whole API, served at `GET /openapi.json`.
//!
//! It is generated from the code: every handler carries a `#[utoipa::path]` annotation (method,
//! path, body, answers and the stable problem `code`s each status can carry, listed in the
//! response's description), and the request and answer types derive `utoipa::ToSchema`. This
//! module gathers them into [`ApiDoc`], adds the security schemes and the one-of body of an
//! order step. The request and answer types are `danbao_domain::protocol::wire`'s, whose
//! schemas the domain derives with its `openapi` feature. The document is built once per
//! process.

use std::borrow::Cow;
use std::sync::OnceLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use danbao_domain::protocol::wire::{RefundRequest, Ship};
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{
    AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, Ref, RefOr, Required};
use utoipa::{IntoParams, Modify, OpenApi, PartialSchema, ToSchema};

use crate::api;
use crate::error::Problem;

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

/// 401 codes of a signed read (and of signed POSTs that change nothing).
pub const SIGNED_READ_401: &str = "missing_signature, bad_signature, stale_request, unknown_device";
/// 401 codes of a signed mutating request: a read's, plus the replayed nonce.
pub const SIGNED_WRITE_401: &str =
    "missing_signature, bad_signature, stale_request, unknown_device, replayed_request";
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

/// The whole API: every route of [`crate::api::router`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Danbao API",
        description = "The Danbao reference server: an authoritative double-entry ledger, \
            escrow orders, P2P, money requests, Danbao codes and payment codes. Amounts go to \
            the server as decimal text plus an ISO 4217 code and come back as AmountView. \
            Every refusal is application/problem+json (Problem) with a stable `code`; each \
            response's description lists the codes it can carry. Request signing, \
            idempotency and the flows are described in docs/protocol.md."
    ),
    paths(
        api::health,
        serve,
        api::identity::sign_up,
        api::identity::lookup,
        api::identity::me,
        api::wallet::top_up,
        api::wallet::withdraw,
        api::wallet::send,
        api::wallet::balances,
        api::wallet::activity,
        api::wallet::events,
        api::merchant::issue_code,
        api::merchant::resolve_code,
        api::merchant::pay_code,
        api::requests::create,
        api::requests::get,
        api::requests::accept,
        api::requests::decline,
        api::paycode::provision,
        api::paycode::charge,
        api::admin::invariants,
        api::admin::advance_clock,
        api::orders::create,
        api::orders::list,
        api::orders::pay_code,
        api::orders::show,
        api::orders::act,
        api::orders::admin_show,
        api::orders::resolve,
    ),
    components(schemas(Problem, StepBody)),
    modifiers(&Conventions),
    security((
        "Danbao-Device" = [],
        "Danbao-Timestamp" = [],
        "Danbao-Nonce" = [],
        "Danbao-Signature" = []
    )),
    tags(
        (name = "identity", description = "Sign-up and profiles"),
        (name = "wallet", description = "Top-ups, withdrawals, P2P, balances, activity, events"),
        (name = "codes", description = "Danbao merchant and receive codes, and paying them"),
        (name = "requests", description = "Money requests"),
        (name = "paycode", description = "Payment codes shown at the till"),
        (name = "orders", description = "Escrow orders (DESIGN.md §4)"),
        (name = "admin", description = "Operator endpoints"),
        (name = "meta", description = "Health and this document"),
    )
)]
pub struct ApiDoc;

/// Adds what the annotations cannot say once for all: the security schemes, and the
/// `application/problem+json` media type of every error answer.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let headers = [
            (
                SCHEME_DEVICE,
                "The registered device id from sign-up; `new` when signing up.",
            ),
            (
                SCHEME_TIMESTAMP,
                "Unix seconds at signing; ±300 s of the server clock.",
            ),
            (
                SCHEME_NONCE,
                "16–64 characters of A-Za-z0-9_-, fresh for every attempt.",
            ),
            (
                SCHEME_SIGNATURE,
                "Base64 DER ECDSA P-256/SHA-256 signature over DANBAO-REQUEST-V1, method, \
                 path?query, hex SHA-256 of the body, timestamp, nonce and idempotency key, \
                 newline-separated (see docs/protocol.md).",
            ),
        ];
        for (name, description) in headers {
            components.add_security_scheme(
                name,
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    name,
                    description,
                ))),
            );
        }
        components.add_security_scheme(
            SCHEME_OPERATOR,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The operator token (DANBAO_OPERATOR_TOKEN or <db>.operator-token).",
                    ))
                    .build(),
            ),
        );
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                problems_as_problem_json(operation);
            }
        }
    }
}

/// Moves the JSON body of every 4xx/5xx answer to `application/problem+json`.
fn problems_as_problem_json(operation: &mut Operation) {
    for (status, response) in operation.responses.responses.iter_mut() {
        let is_error = matches!(status.as_bytes().first(), Some(b'4' | b'5'));
        if let (true, RefOr::T(response)) = (is_error, response)
            && let Some(content) = response.content.shift_remove("application/json")
        {
            response
                .content
                .insert("application/problem+json".to_owned(), content);
        }
    }
}

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

/// The document as served: generated and serialised once.
pub fn document() -> &'static Result<String, String> {
    static DOCUMENT: OnceLock<Result<String, String>> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        ApiDoc::openapi()
            .to_json()
            .map_err(|error| error.to_string())
    })
}

/// `GET /openapi.json`: this document (unauthenticated).
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    security(()),
    responses(
        (status = 200, description = "The OpenAPI 3.1 document of the whole API",
            content_type = "application/json", body = Object),
        (status = 503, description = "document_unavailable", body = Problem),
    )
)]
pub async fn serve() -> Response {
    match document() {
        Ok(json) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            json.as_str(),
        )
            .into_response(),
        Err(cause) => crate::error::ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "document_unavailable",
            format!("the OpenAPI document could not be generated: {cause}"),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::orders::{Action, action_slug};
    use danbao_domain::escrow::{Deadline, OrderState};
    use danbao_domain::protocol::wire::StepAction;
    use danbao_domain::protocol::wire::schema::OrderRole;

    #[test]
    fn step_actions_are_the_routes_steps() {
        let step_actions = StepAction::ALL.map(StepAction::slug);
        for slug in step_actions {
            let body: &[u8] = match slug {
                "ship" => br#"{"carrier": "SF", "tracking": "1"}"#,
                "refund-request" => br#"{"amount": "1.00"}"#,
                _ => b"",
            };
            assert!(Action::from_request(slug, body).is_ok(), "{slug}");
        }
        assert_eq!(
            Action::from_request("teleport", b"").map_err(|e| e.code),
            Err("no_such_route")
        );
        // The slugs the order views offer as actions are the documented ones.
        let events = [
            "pay",
            "ship",
            "cancel",
            "confirm receipt",
            "request refund",
            "accept refund",
            "reject refund",
        ];
        let slugs: Vec<&str> = events.into_iter().map(action_slug).collect();
        assert_eq!(slugs, step_actions);
        let schema = serde_json::to_value(StepAction::schema()).unwrap_or_default();
        assert_eq!(schema["enum"], serde_json::json!(step_actions));
    }

    #[test]
    fn core_enums_render_as_their_serde_names() {
        let states = serde_json::to_value(OrderState::schema()).unwrap_or_default();
        assert_eq!(states["enum"][0], "awaiting_payment");
        assert_eq!(states["enum"].as_array().map(Vec::len), Some(8));
        let roles = serde_json::to_value(OrderRole::schema()).unwrap_or_default();
        assert_eq!(
            roles["enum"],
            serde_json::json!(["buyer", "seller", "operator"])
        );
        let deadlines = serde_json::to_value(Deadline::schema()).unwrap_or_default();
        assert_eq!(
            deadlines["enum"],
            serde_json::json!(["pay_by", "auto_confirm", "refund_answer"])
        );
    }
}
