//! Rate limits per device, per user and per client address for the writes an abuser repeats:
//! sign-up, transfers and payments, money requests, code issuing and payment-code charges.
//!
//! Each (action, subject) has a token bucket: `per_minute` tokens refilled evenly, holding at
//! most `per_minute` (the burst). A request takes one token from each of its buckets (all or
//! none) or is refused `429 rate_limited` with `Retry-After` (the seconds until a token is
//! back).
//!
//! Where the buckets live follows the store:
//! - On SQLite (one instance) they are in this process's memory. Full buckets are dropped
//!   once the table grows, so memory stays bounded by the number of recently active subjects.
//! - On PostgreSQL (any number of instances) they are rows of `rate_buckets`, taken by one
//!   statement per request on the database's clock ([`SharedBuckets`]), so N instances
//!   together allow the configured rate, not N times it. Housekeeping deletes buckets idle
//!   for longer than a minute (they are full again).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::http::Method;

use crate::service::ServiceError;
use crate::store::SharedBuckets;

/// A write that is rate-limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `POST /v1/users`, `POST /v1/devices/join` (counted per client address).
    SignUp,
    /// Money out of a wallet: transfers, code payments, request acceptance, withdrawals, order
    /// payments.
    Transfer,
    /// `POST /v1/requests`.
    MoneyRequest,
    /// `POST /v1/codes`, `POST /v1/orders`, `POST /v1/merchant-api/orders`,
    /// `POST /v1/paycode/provision`, `POST /v1/paycode/masks`, `POST /v1/devices/approvals`.
    IssueCode,
    /// `POST /v1/merchant/charges`.
    Charge,
}

impl Action {
    /// The limited action a request is, if any.
    pub fn of(method: &Method, path: &str) -> Option<Self> {
        if method != Method::POST {
            return None;
        }
        let path = path.split('?').next().unwrap_or_default();
        Some(match path {
            "/v1/users" | "/v1/devices/join" => Self::SignUp,
            "/v1/transfers" | "/v1/payments" | "/v1/withdrawals" | "/v1/orders/pay-code" => {
                Self::Transfer
            }
            "/v1/requests" => Self::MoneyRequest,
            "/v1/codes"
            | "/v1/orders"
            | "/v1/merchant-api/orders"
            | "/v1/paycode/provision"
            | "/v1/paycode/masks"
            | "/v1/devices/approvals" => Self::IssueCode,
            "/v1/merchant/charges" => Self::Charge,
            _ if path.starts_with("/v1/requests/") && path.ends_with("/accept") => Self::Transfer,
            _ if path.starts_with("/v1/orders/") && path.ends_with("/pay") => Self::Transfer,
            _ => return None,
        })
    }

    /// The action's part of a shared bucket's key.
    fn key(self) -> &'static str {
        match self {
            Self::SignUp => "sign-up",
            Self::Transfer => "transfer",
            Self::MoneyRequest => "money-request",
            Self::IssueCode => "issue-code",
            Self::Charge => "charge",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::SignUp => "sign-ups",
            Self::Transfer => "payments",
            Self::MoneyRequest => "money requests",
            Self::IssueCode => "codes issued",
            Self::Charge => "charges",
        }
    }
}

/// Who is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A registered device (after its signature was verified).
    Device(i64),
    /// A user, over all their devices.
    User(i64),
    /// A client address (before any signature: the only subject of a sign-up).
    Address(IpAddr),
}

impl Subject {
    /// The subject's part of a shared bucket's key.
    fn key(self) -> String {
        match self {
            Self::Device(id) => format!("device:{id}"),
            Self::User(id) => format!("user:{id}"),
            Self::Address(address) => format!("address:{address}"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Device(_) => "this device",
            Self::User(_) => "this account",
            Self::Address(_) => "this network address",
        }
    }
}

/// The limits, in requests per minute per subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Per device and per user, for each action.
    pub per_account: u32,
    /// Per client address, for each action (higher: many phones share a NAT).
    pub per_address: u32,
    /// Sign-ups per client address.
    pub sign_ups: u32,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets kept before full ones are dropped.
const PRUNE_ABOVE: usize = 100_000;

/// The rate limiter: buckets in this process's memory, or shared through the store.
pub struct RateLimiter {
    limits: Limits,
    buckets: Mutex<HashMap<(Action, Subject), Bucket>>,
    shared: Option<Arc<dyn SharedBuckets>>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("limits", &self.limits)
            .field("shared", &self.shared.is_some())
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    /// A limiter with `limits`, counting in memory.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            buckets: Mutex::new(HashMap::new()),
            shared: None,
        }
    }

    /// A limiter with `limits`, counting in `shared` buckets when given (every instance on
    /// one store), else in memory.
    pub fn with_shared(limits: Limits, shared: Option<Arc<dyn SharedBuckets>>) -> Self {
        Self {
            shared,
            ..Self::new(limits)
        }
    }

    /// Takes one token of `action` from each of `subjects` (all or none), now. A store that
    /// cannot count answers its own error (`503`): the request would need it anyway.
    pub async fn take(&self, action: Action, subjects: &[Subject]) -> Result<(), ServiceError> {
        let (Some(shared), Some(&first)) = (&self.shared, subjects.first()) else {
            return self.check(action, subjects, Instant::now());
        };
        let buckets = subjects
            .iter()
            .map(|&subject| {
                let key = format!("{}:{}", action.key(), subject.key());
                (key, self.per_minute(action, subject))
            })
            .collect();
        match shared.take(buckets).await? {
            None => Ok(()),
            Some(empty) => {
                let subject = subjects.get(empty.place).copied().unwrap_or(first);
                let per_minute = self.per_minute(action, subject);
                Err(refusal(action, subject, per_minute, empty.wait_secs))
            }
        }
    }

    fn per_minute(&self, action: Action, subject: Subject) -> u32 {
        match (action, subject) {
            (Action::SignUp, _) => self.limits.sign_ups,
            (_, Subject::Address(_)) => self.limits.per_address,
            _ => self.limits.per_account,
        }
    }

    /// Takes one token of `action` from each of `subjects` (all or none), at `now`.
    pub fn check(
        &self,
        action: Action,
        subjects: &[Subject],
        now: Instant,
    ) -> Result<(), ServiceError> {
        let Ok(mut buckets) = self.buckets.lock() else {
            // A poisoned lock means a panic elsewhere while counting; do not refuse traffic
            // for it (the limiter is a guard, not a ledger).
            return Ok(());
        };
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|(action, subject), bucket| {
                let rate = f64::from(self.per_minute(*action, *subject)) / 60.0;
                let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
                bucket.tokens + elapsed * rate < f64::from(self.per_minute(*action, *subject))
            });
        }
        let mut refill = Vec::with_capacity(subjects.len());
        for &subject in subjects {
            let per_minute = f64::from(self.per_minute(action, subject));
            let rate = per_minute / 60.0;
            let bucket = buckets.get(&(action, subject)).copied().unwrap_or(Bucket {
                tokens: per_minute,
                at: now,
            });
            let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
            let tokens = (bucket.tokens + elapsed * rate).min(per_minute);
            if tokens < 1.0 {
                let wait = if rate > 0.0 {
                    ((1.0 - tokens) / rate).ceil().max(1.0) as u64
                } else {
                    60
                };
                return Err(refusal(action, subject, per_minute as u32, wait));
            }
            refill.push((subject, tokens));
        }
        for (subject, tokens) in refill {
            buckets.insert(
                (action, subject),
                Bucket {
                    tokens: tokens - 1.0,
                    at: now,
                },
            );
        }
        Ok(())
    }
}

/// The refusal of `action` because `subject`'s bucket is empty for `wait` more seconds.
fn refusal(action: Action, subject: Subject, per_minute: u32, wait: u64) -> ServiceError {
    ServiceError::too_many_requests(
        "rate_limited",
        format!(
            "too many {} from {} (at most {per_minute} a minute); retry in {wait} s",
            action.name(),
            subject.name(),
        ),
    )
    .retry_after(wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limiter() -> RateLimiter {
        RateLimiter::new(Limits {
            per_account: 3,
            per_address: 5,
            sign_ups: 2,
        })
    }

    #[test]
    fn a_bucket_allows_its_burst_then_refuses_with_the_wait_and_refills() {
        let limiter = limiter();
        let start = Instant::now();
        let device = [Subject::Device(1)];
        for _ in 0..3 {
            limiter.check(Action::Transfer, &device, start).unwrap();
        }
        let refused = limiter.check(Action::Transfer, &device, start).unwrap_err();
        assert_eq!(
            (refused.refusal, refused.code),
            (danbao_domain::protocol::Refusal::TooMany, "rate_limited")
        );
        assert_eq!(
            refused.retry_after_secs,
            Some(20),
            "3 a minute: one every 20 s"
        );
        assert!(refused.detail.contains("this device"), "{}", refused.detail);
        // Another action and another device have their own buckets.
        limiter.check(Action::Charge, &device, start).unwrap();
        limiter
            .check(Action::Transfer, &[Subject::Device(2)], start)
            .unwrap();
        // 20 s later one token is back.
        let later = start + Duration::from_secs(20);
        limiter.check(Action::Transfer, &device, later).unwrap();
        assert!(limiter.check(Action::Transfer, &device, later).is_err());
    }

    #[test]
    fn every_subject_must_have_a_token_and_a_refusal_takes_none() {
        let limiter = limiter();
        let now = Instant::now();
        let user = Subject::User(7);
        // Two devices of one user share the user's bucket.
        for device in [1, 2, 3] {
            limiter
                .check(Action::Transfer, &[Subject::Device(device), user], now)
                .unwrap();
        }
        let refused = limiter
            .check(Action::Transfer, &[Subject::Device(4), user], now)
            .unwrap_err();
        assert!(
            refused.detail.contains("this account"),
            "{}",
            refused.detail
        );
        // The refusal did not spend device 4's token.
        for _ in 0..3 {
            limiter
                .check(Action::Transfer, &[Subject::Device(4)], now)
                .unwrap();
        }
    }

    #[test]
    fn sign_ups_are_counted_per_address_with_their_own_limit() {
        let limiter = limiter();
        let now = Instant::now();
        let address = Subject::Address(IpAddr::from([192, 0, 2, 1]));
        for _ in 0..2 {
            limiter.check(Action::SignUp, &[address], now).unwrap();
        }
        let refused = limiter.check(Action::SignUp, &[address], now).unwrap_err();
        assert_eq!(refused.retry_after_secs, Some(30));
        assert!(
            refused
                .detail
                .contains("sign-ups from this network address"),
            "{}",
            refused.detail
        );
    }

    #[test]
    fn the_limited_actions_are_the_abused_writes() {
        let post = Method::POST;
        for (path, action) in [
            ("/v1/users", Some(Action::SignUp)),
            ("/v1/transfers", Some(Action::Transfer)),
            ("/v1/payments", Some(Action::Transfer)),
            ("/v1/requests/12/accept", Some(Action::Transfer)),
            ("/v1/orders/ord_1/pay", Some(Action::Transfer)),
            ("/v1/requests", Some(Action::MoneyRequest)),
            ("/v1/codes", Some(Action::IssueCode)),
            ("/v1/merchant/charges", Some(Action::Charge)),
            ("/v1/orders/ord_1/ship", None),
            ("/v1/codes/resolve", None),
        ] {
            assert_eq!(Action::of(&post, path), action, "{path}");
        }
        assert_eq!(Action::of(&Method::GET, "/v1/transfers"), None);
    }
}
