//! danbao-e2e holds cross-crate tests only (see `tests/`): the wallet client's transport and
//! typed API against an in-process danbao-server. It cannot live in `core/client/tests`
//! because danbao-client may not depend on danbao-server (the server links danbao-domain only).
//!
//! The library itself holds only what several test files share and cannot share through a
//! `tests/` module: the [`canary`] scan of the secrets tests.

pub mod canary;
