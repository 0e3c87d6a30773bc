//! Money: see module docs.
