//! The wire protocol: every request body, answer and feed event the server and the client
//! exchange, defined once (docs/protocol.md describes them). The server writes these types
//! and the client reads them; with the `openapi` feature they also derive the OpenAPI schemas
//! of the server's document.
//!
//! Requests carry amounts as decimal text plus an ISO 4217 code; answers carry an
//! [`AmountView`]. Request bodies refuse unknown fields (`deny_unknown_fields`, as the server
//! always did); answers accept them, so an older client reads a newer server's answers.
//!
//! | file | family |
//! |---|---|
//! | `amounts` | [`AmountView`], [`BalanceView`], and the amount rules ([`positive_amount`], [`amount_for_code`]) |
//! | `identity` | sign-up, profiles, [`PartyView`] |
//! | `devices` | approval codes, joining a user, listing and revoking devices |
//! | `movements` | top-ups, withdrawals, transfers to friends |
//! | `codes` | issuing, resolving and paying Danbao codes |
//! | `orders` | escrow orders: create, view, steps, resolution |
//! | `requests` | money requests |
//! | `paycode` | payment-code provisioning and charges |
//! | `admin` | the operator's invariants and sandbox clock |
//! | `merchant_api` | the merchant API: API keys, orders under the shop's reference |
//! | `merchants` | merchant profiles the operator controls, and a payee's standing ([`PayeeStanding`]) |
//! | `feed` | the event feed: [`FeedEvent`], [`Event`], [`FeedPage`] |

mod admin;
mod amounts;
mod codes;
mod devices;
mod feed;
mod identity;
mod merchant_api;
mod merchants;
mod movements;
mod orders;
mod paycode;
mod requests;
#[cfg(feature = "openapi")]
pub mod schema;

pub use admin::*;
pub use amounts::*;
pub use codes::*;
pub use devices::*;
pub use feed::*;
pub use identity::*;
pub use merchant_api::*;
pub use merchants::*;
pub use movements::*;
pub use orders::*;
pub use paycode::*;
pub use requests::*;

#[cfg(test)]
mod tests;
