-- Version 6: a failed payment-code attempt also records the account index its code decoded to
-- (when that index has a secret, i.e. the OTP was wrong for a real customer), so failures are
-- counted per targeted customer and across all merchants, not only per merchant (issue 12
-- point 1). Rows written before this version name no index. Housekeeping forgets these rows as
-- before (by `at`).
ALTER TABLE paycode_failures ADD COLUMN account_index INTEGER;
CREATE INDEX paycode_failures_index ON paycode_failures(account_index, at)
    WHERE account_index IS NOT NULL;
