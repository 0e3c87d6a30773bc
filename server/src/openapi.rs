//! The OpenAPI 3.1 document of the whole API, served at `GET /openapi.json`.
//!
//! It is generated from the code: every handler carries a `#[utoipa::path]` annotation (method,
//! path, body, answers and the stable problem `code`s each status can carry, listed in the
//! response's description), and the request and answer types derive `utoipa::ToSchema`. This
//! module gathers them into [`ApiDoc`], adds the security schemes and the one-of body of an
//! order step. The request and answer types are `danbao_domain::protocol::wire`'s, whose
//! schemas the domain derives with its `openapi` feature. The document is built once per
//! process.

use std::sync::OnceLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, RefOr};
use utoipa::{Modify, OpenApi};

use crate::api;
use crate::api::doc::{
    SCHEME_DEVICE, SCHEME_MERCHANT_KEY, SCHEME_NONCE, SCHEME_OPERATOR, SCHEME_SIGNATURE,
    SCHEME_TIMESTAMP,
};
use crate::error::Problem;

/// The whole API: every route of [`crate::router`].
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
        api::http::health,
        serve,
        api::identity::sign_up,
        api::identity::lookup,
        api::identity::me,
        api::devices::new_approval,
        api::devices::join,
        api::devices::list,
        api::devices::revoke,
        api::merchant_admin::rename,
        api::wallet::top_up,
        api::wallet::deposit,
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
        api::paycode::masks,
        api::payouts::list,
        api::payouts::paid_out,
        api::payouts::failed,
        api::paycode::charge,
        api::admin::invariants,
        api::admin::advance_clock,
        api::merchant_admin::change,
        api::merchant_admin::show,
        api::orders::create,
        api::orders::list,
        api::orders::pay_code,
        api::orders::show,
        api::orders::act,
        api::orders::admin_show,
        api::orders::resolve,
        api::merchant_keys::create,
        api::merchant_keys::list,
        api::merchant_keys::rotate,
        api::merchant_keys::revoke,
        api::merchant_api::create,
        api::merchant_api::list,
        api::merchant_api::show,
        api::merchant_api::act,
        api::merchant_api::settlements,
        api::merchant_webhooks::create,
        api::merchant_webhooks::list,
        api::merchant_webhooks::rotate,
        api::merchant_webhooks::enable,
        api::merchant_webhooks::test,
        api::merchant_webhooks::deliveries,
        api::merchant_webhooks::redeliver,
        api::merchant_fees::set,
    ),
    components(schemas(Problem, api::doc::StepBody)),
    modifiers(&Conventions),
    security((
        "Danbao-Device" = [],
        "Danbao-Timestamp" = [],
        "Danbao-Nonce" = [],
        "Danbao-Signature" = []
    )),
    tags(
        (name = "identity", description = "Sign-up and profiles"),
        (name = "devices", description = "Adding devices with approval codes, listing and revoking them"),
        (name = "wallet", description = "Top-ups, withdrawals, P2P, balances, activity, events"),
        (name = "codes", description = "Danbao merchant and receive codes, and paying them"),
        (name = "requests", description = "Money requests"),
        (name = "paycode", description = "Payment codes shown at the till"),
        (name = "orders", description = "Escrow orders (DESIGN.md §4)"),
        (name = "merchant-api", description = "The merchant API: API keys, orders under the shop's reference, webhooks, settlement reports (docs/merchant-guide.md)"),
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
                "Base64 DER ECDSA P-256/SHA-256 signature over DANBAO-REQUEST-V2, method, \
                 host, path?query, hex SHA-256 of the body, device id, timestamp, nonce and \
                 idempotency key, newline-separated (see docs/protocol.md).",
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
        components.add_security_scheme(
            SCHEME_MERCHANT_KEY,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A merchant API key (mk_….<secret>) created by the merchant's device \
                         (POST /v1/merchant/api-keys); see docs/merchant-guide.md.",
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
            danbao_domain::protocol::Refusal::Unavailable,
            "document_unavailable",
            format!("the OpenAPI document could not be generated: {cause}"),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use crate::api::orders::step_command;
    use crate::service::orders::action_slug;
    use danbao_domain::escrow::{Deadline, OrderState};
    use danbao_domain::protocol::wire::StepAction;
    use danbao_domain::protocol::wire::schema::OrderRole;
    use utoipa::PartialSchema;

    #[test]
    fn step_actions_are_the_routes_steps() {
        let step_actions = StepAction::ALL.map(StepAction::slug);
        for slug in step_actions {
            let body: &[u8] = match slug {
                "ship" => br#"{"carrier": "SF", "tracking": "1"}"#,
                "refund-request" => br#"{"amount": "1.00"}"#,
                _ => b"",
            };
            assert!(step_command(slug, body).is_ok(), "{slug}");
        }
        assert_eq!(
            step_command("teleport", b"").map_err(|e| e.code),
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
