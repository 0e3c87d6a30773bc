//! See the [client module](super) docs.
