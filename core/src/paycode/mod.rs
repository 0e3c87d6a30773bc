//! Payment codes: the consumer-presented 18-digit code (TOTP, RFC 6238).
