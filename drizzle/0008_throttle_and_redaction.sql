-- better-auth keeps a reset token in verifications.identifier ('reset-password:<token>'); the audit copy of that
-- row must not carry a live token, so identifier is redacted along with value.
SELECT haven_secure_table('verifications', 'value,identifier');
--> statement-breakpoint
-- Takes one attempt from each bucket atomically and answers how long to wait if any bucket is now over its limit
-- (0 = go ahead). Counting before the password is checked means a burst of parallel attempts cannot all pass a
-- check made before any of them was recorded. Expired buckets start again from 1.
CREATE OR REPLACE FUNCTION haven_rate_limit_take(p_keys text[], p_limits int[], p_window_seconds int)
RETURNS int
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  WITH taken AS (
    INSERT INTO auth_rate_limits AS r (key, window_start, count)
    SELECT encode(sha256(convert_to(k.key, 'UTF8')), 'hex'), now(), 1
    FROM unnest(p_keys, p_limits) AS k(key, max_count)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN r.window_start > now() - make_interval(secs => p_window_seconds) THEN r.count + 1 ELSE 1 END,
      window_start = CASE WHEN r.window_start > now() - make_interval(secs => p_window_seconds) THEN r.window_start ELSE now() END
    RETURNING r.key, r.count, r.window_start
  )
  SELECT coalesce(max(ceil(extract(epoch FROM (t.window_start + make_interval(secs => p_window_seconds) - now()))))::int, 0)
  FROM taken t
  JOIN unnest(p_keys, p_limits) AS k(key, max_count) ON t.key = encode(sha256(convert_to(k.key, 'UTF8')), 'hex')
  WHERE t.count > k.max_count
$$;
--> statement-breakpoint
-- Gives an attempt back (a successful sign-in should not use up its IP's allowance).
CREATE OR REPLACE FUNCTION haven_rate_limit_release(p_key text)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  UPDATE auth_rate_limits SET count = greatest(count - 1, 0) WHERE key = encode(sha256(convert_to(p_key, 'UTF8')), 'hex')
$$;
--> statement-breakpoint
-- Buckets whose window ended long ago carry no information.
CREATE OR REPLACE FUNCTION haven_rate_limit_prune() RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  DELETE FROM auth_rate_limits WHERE window_start < now() - interval '1 day'
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_rate_limit_take(text[], int[], int), haven_rate_limit_release(text), haven_rate_limit_prune() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_rate_limit_take(text[], int[], int), haven_rate_limit_release(text), haven_rate_limit_prune()
  TO haven_tenant, haven_console;
--> statement-breakpoint
SELECT haven_assign_ownership();
