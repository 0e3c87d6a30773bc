//! The limits of the wire protocol, each defined once: the server refuses a request past them,
//! and the wallet client checks the same numbers before it sends (and its API docs name them).
//! Refusal messages format these constants in rather than repeating the numbers.

/// Longest memo of a payment, transfer or charge, and longest note of a money request, in
/// characters.
pub const MAX_MEMO_CHARS: usize = 140;

/// Shortest handle, in characters (a-z, 0-9, '_' and '.', starting with a letter).
pub const MIN_HANDLE_CHARS: usize = 3;
/// Longest handle, in characters.
pub const MAX_HANDLE_CHARS: usize = 20;
/// Longest display name, in characters (at least one).
pub const MAX_DISPLAY_NAME_CHARS: usize = 40;

/// Longest order title, in characters (at least one).
pub const MAX_TITLE_CHARS: usize = 80;
/// Longest carrier name of a shipment, in characters (at least one).
pub const MAX_CARRIER_CHARS: usize = 40;
/// Longest tracking number of a shipment, in characters (at least one).
pub const MAX_TRACKING_CHARS: usize = 64;

/// Rows a paged list (`?limit=`) returns when the caller names no limit.
pub const DEFAULT_PAGE_LIMIT: u32 = 50;
/// Most rows a paged list (`?limit=`) returns; the server refuses a larger limit.
pub const MAX_PAGE_LIMIT: u32 = 200;

/// Shortest lifetime a caller may ask for a signed code, seconds.
pub const MIN_CODE_TTL_SECS: i64 = 60;
/// Lifetime of a signed code when the caller names none, seconds (10 minutes).
pub const DEFAULT_CODE_TTL_SECS: i64 = 10 * 60;
/// Longest lifetime a caller may ask for a signed code, seconds (7 days).
pub const MAX_CODE_TTL_SECS: i64 = 7 * 24 * 3600;

/// Shortest pay window a seller may choose (seconds).
pub const MIN_PAY_WINDOW_SECS: i64 = 60;
/// Longest pay window a seller may choose: 30 days.
pub const MAX_PAY_WINDOW_SECS: i64 = 30 * 24 * 3600;
/// Shortest auto-confirm window a seller may choose (seconds).
pub const MIN_AUTO_CONFIRM_SECS: i64 = 60;
/// Longest auto-confirm window a seller may choose: 90 days.
pub const MAX_AUTO_CONFIRM_SECS: i64 = 90 * 24 * 3600;
