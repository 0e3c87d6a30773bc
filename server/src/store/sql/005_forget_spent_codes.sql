-- Version 5: the single-use markers of signed codes and payment codes, and merchants' failed
-- payment-code attempts, are forgotten by housekeeping once they can no longer matter, so these
-- tables stop growing with every payment.
--
-- A signed code's nonce is kept until the code expires (then the code is refused for its age).
-- Rows written before this version did not record the expiry: every signed code expires at most
-- 30 days after it was issued (an order code at the end of its pay window, at most 30 days; a
-- merchant or receive code after at most 7 days), and it was issued before it was used.
ALTER TABLE code_nonces ADD COLUMN expires_at INTEGER;
UPDATE code_nonces SET expires_at = used_at + 30 * 24 * 3600;
CREATE INDEX code_nonces_expiry ON code_nonces(expires_at);
CREATE INDEX paycode_uses_step ON paycode_uses(step);
CREATE INDEX paycode_failures_at ON paycode_failures(at);
