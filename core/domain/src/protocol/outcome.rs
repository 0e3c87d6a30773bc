//! The classes of answer the protocol gives, as types: a request was done, created something,
//! or was refused for one of a few reasons. The server's flows speak these; only the wire
//! encoding below gives them their HTTP status numbers (docs/protocol.md), so the number
//! for a class is defined once, here, for the server that writes it and the client that reads it.

use serde::{Deserialize, Serialize};

/// Why a request was refused (or failed): the class of a problem answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The request is malformed (400).
    Malformed,
    /// Missing or invalid credentials (401).
    Unauthenticated,
    /// Authenticated, but not allowed to do this (403).
    Forbidden,
    /// The named thing does not exist, or is not the caller's to see (404).
    NotFound,
    /// The request took too long to arrive (408).
    Timeout,
    /// The request conflicts with the current state (409).
    Conflict,
    /// The body is over the limit (413).
    TooLarge,
    /// Well-formed, but the values are refused (422).
    Unprocessable,
    /// Too many attempts; wait before the next (429).
    TooMany,
    /// The server broke an invariant of its own; nothing was changed (500).
    Internal,
    /// The server cannot take the request now; retry later (503).
    Unavailable,
}

impl Refusal {
    /// Every class, for tables and tests.
    pub const ALL: [Self; 11] = [
        Self::Malformed,
        Self::Unauthenticated,
        Self::Forbidden,
        Self::NotFound,
        Self::Timeout,
        Self::Conflict,
        Self::TooLarge,
        Self::Unprocessable,
        Self::TooMany,
        Self::Internal,
        Self::Unavailable,
    ];

    /// The HTTP status number of this class on the wire.
    pub fn status(self) -> u16 {
        match self {
            Self::Malformed => 400,
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Timeout => 408,
            Self::Conflict => 409,
            Self::TooLarge => 413,
            Self::Unprocessable => 422,
            Self::TooMany => 429,
            Self::Internal => 500,
            Self::Unavailable => 503,
        }
    }

    /// The class of a status number, if it is one the protocol uses.
    pub fn from_status(status: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|class| class.status() == status)
    }

    /// The reason phrase (RFC 9110): a problem's `title`.
    pub fn title(self) -> &'static str {
        match self {
            Self::Malformed => "Bad Request",
            Self::Unauthenticated => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not Found",
            Self::Timeout => "Request Timeout",
            Self::Conflict => "Conflict",
            Self::TooLarge => "Payload Too Large",
            Self::Unprocessable => "Unprocessable Entity",
            Self::TooMany => "Too Many Requests",
            Self::Internal => "Internal Server Error",
            Self::Unavailable => "Service Unavailable",
        }
    }

    /// True when the request itself was refused and nothing changed, so the same request
    /// would be refused again: its answer is final and is kept under the idempotency key.
    /// `TooMany`, `Internal` and `Unavailable` are not final: a later retry may succeed.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::TooMany | Self::Internal | Self::Unavailable)
    }
}

/// What became of a request: the class of every answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Done; the body is the result (200).
    Done,
    /// Done, and something new exists; the body describes it (201).
    Created,
    /// Refused or failed; the body is a problem.
    Refused(Refusal),
}

impl Outcome {
    /// The HTTP status number on the wire.
    pub fn status(self) -> u16 {
        match self {
            Self::Done => 200,
            Self::Created => 201,
            Self::Refused(refusal) => refusal.status(),
        }
    }

    /// The outcome of a status number the protocol uses (a stored answer read back).
    pub fn from_status(status: u16) -> Option<Self> {
        match status {
            200 => Some(Self::Done),
            201 => Some(Self::Created),
            other => Refusal::from_status(other).map(Self::Refused),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_one_status_and_reads_back() {
        let mut seen = std::collections::HashSet::new();
        for class in Refusal::ALL {
            assert!(seen.insert(class.status()), "{class:?} shares a status");
            assert_eq!(Refusal::from_status(class.status()), Some(class));
            let outcome = Outcome::Refused(class);
            assert_eq!(Outcome::from_status(outcome.status()), Some(outcome));
        }
        assert_eq!(Outcome::from_status(200), Some(Outcome::Done));
        assert_eq!(Outcome::from_status(201), Some(Outcome::Created));
        assert_eq!(Outcome::from_status(418), None);
        assert_eq!(Outcome::from_status(204), None);
    }

    #[test]
    fn the_documented_numbers_and_titles() {
        assert_eq!(Refusal::Unprocessable.status(), 422);
        assert_eq!(Refusal::Unprocessable.title(), "Unprocessable Entity");
        assert_eq!(Refusal::TooMany.status(), 429);
        assert_eq!(Refusal::Unavailable.status(), 503);
        assert_eq!(Refusal::Conflict.title(), "Conflict");
    }

    #[test]
    fn only_refusals_of_the_request_itself_are_final() {
        let final_ones: Vec<_> = Refusal::ALL.into_iter().filter(|c| c.is_final()).collect();
        assert_eq!(final_ones.len(), 8);
        assert!(!Refusal::TooMany.is_final());
        assert!(!Refusal::Unavailable.is_final());
        assert!(!Refusal::Internal.is_final());
        assert!(Refusal::Conflict.is_final());
    }
}
