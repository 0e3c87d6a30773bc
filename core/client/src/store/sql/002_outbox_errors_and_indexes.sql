-- Client store schema version 2.

-- Why the last attempt of a command that is still to be retried failed ("no connection",
-- "server answered 503"), so the app can say why it is waiting. NULL once answered.
ALTER TABLE outbox ADD COLUMN last_error TEXT;

-- `next_due(now)`: the oldest due pending command, without scanning finished ones.
CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id);

-- The activity screen pages one kind (money movements: 'transfer') newest first.
CREATE INDEX activity_by_kind ON activity (kind, seq DESC);
