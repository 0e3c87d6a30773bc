//! danbao-e2e holds cross-crate tests only (see `tests/`): the wallet core's transport and
//! typed API against an in-process danbao-server. It cannot live in `core/tests` because
//! danbao-core may not depend on danbao-server (the dependency points the other way).
