-- Merchant profiles the operator controls, and look-alike display names (issue 12 points 1
-- and 2).
--
-- Charging a payment code needs an enrolled, enabled merchant: a fresh account cannot charge.
-- The operator verifies a merchant under the name it checked; `verified_key` is that name's
-- look-alike key (`danbao_domain::text::name_key`: the TR39 skeleton without spaces).
CREATE TABLE merchants (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id),
    enrolled_at   INTEGER NOT NULL,
    enabled       INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    verified_name TEXT,
    verified_key  TEXT,
    verified_at   INTEGER,
    category      TEXT,
    updated_at    INTEGER NOT NULL,
    CHECK ((verified_name IS NULL) = (verified_key IS NULL)
       AND (verified_name IS NULL) = (verified_at IS NULL))
) STRICT;
CREATE INDEX merchants_verified_key ON merchants(verified_key) WHERE verified_key IS NOT NULL;

-- Every display name's look-alike key. Rows written before this version are filled by the
-- migration's hook (the key is computed in Rust, not SQL).
ALTER TABLE users ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX users_name_key ON users(name_key);
