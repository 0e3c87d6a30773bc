-- Rate-limit token buckets shared by every instance (server/src/ratelimit.rs).
--
-- A bucket holds at most `per_minute` tokens and refills `per_minute` a minute, evenly; a
-- limited request takes one token from each of its buckets (device, user, address), all or
-- none. A bucket untouched for a minute is full again, so housekeeping may delete it: a
-- missing bucket is a full one.
CREATE TABLE rate_buckets (
    bucket TEXT PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    at     TIMESTAMPTZ NOT NULL
);

CREATE INDEX rate_buckets_at ON rate_buckets (at);

-- Takes one token from each bucket named in `bucket_keys` (with its limit at the same place
-- of `per_minute`), or none when one of them is empty. Answers `refused = 0` when taken, else
-- the 1-based place of the first empty bucket and the whole seconds until it holds a token.
--
-- Called as a statement of its own (READ COMMITTED): the buckets' rows are locked in key
-- order, so concurrent takers of the same buckets queue instead of deadlocking, and each
-- sees the tokens the previous one left. The time is the database's, the same for every
-- instance.
CREATE FUNCTION danbao_take_tokens(bucket_keys TEXT[], per_minute INTEGER[])
RETURNS TABLE (refused INTEGER, wait_seconds INTEGER)
LANGUAGE plpgsql AS $$
DECLARE
    now_at TIMESTAMPTZ := clock_timestamp();
BEGIN
    INSERT INTO rate_buckets (bucket, tokens, at)
        SELECT wanted.bucket, wanted.cap, now_at
          FROM unnest(bucket_keys, per_minute) AS wanted(bucket, cap)
         ORDER BY wanted.bucket
    ON CONFLICT (bucket) DO NOTHING;
    PERFORM 1 FROM rate_buckets
      WHERE bucket = ANY (bucket_keys)
      ORDER BY bucket
      FOR UPDATE;
    SELECT held.place,
           CASE WHEN held.cap <= 0 THEN 60
                ELSE greatest(1, ceil((1 - held.tokens) * 60.0 / held.cap))::INTEGER END
      INTO refused, wait_seconds
      FROM (SELECT wanted.place, wanted.cap,
                   least(wanted.cap::DOUBLE PRECISION,
                         b.tokens + greatest(0, extract(epoch FROM now_at - b.at))
                                    * wanted.cap / 60.0) AS tokens
              FROM unnest(bucket_keys, per_minute) WITH ORDINALITY AS wanted(bucket, cap, place)
              JOIN rate_buckets b ON b.bucket = wanted.bucket) AS held
     WHERE held.tokens < 1
     ORDER BY held.place
     LIMIT 1;
    IF FOUND THEN
        RETURN NEXT;
        RETURN;
    END IF;
    UPDATE rate_buckets b
       SET tokens = least(wanted.cap::DOUBLE PRECISION,
                          b.tokens + greatest(0, extract(epoch FROM now_at - b.at))
                                     * wanted.cap / 60.0) - 1,
           at = greatest(b.at, now_at)
      FROM unnest(bucket_keys, per_minute) AS wanted(bucket, cap)
     WHERE b.bucket = wanted.bucket;
    refused := 0;
    wait_seconds := 0;
    RETURN NEXT;
END;
$$;
