-- The session reset at the start of every request (decision 009), cheaper: measured with callgrind on PostgreSQL 15
-- (instructions per BEGIN; reset; COMMIT, of which about 53,000 are the transaction itself), the reset cost about
-- 230,000 instructions, most of it the parser: each `EXECUTE 'SET …'` parsed and planned its statement anew in every
-- request. RESET ALL already returns every setting to its value at session start; the twelve explicit settings only
-- matter when role- or database-level defaults (ALTER ROLE … SET, which the login may do to itself) would otherwise
-- come back with it, so they are applied only when such defaults exist — one catalog probe, about 100,000
-- instructions for the whole reset. The static statements are parsed once per session (PL/pgSQL caches their plans).
CREATE OR REPLACE FUNCTION haven_reset_session() RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  RESET ALL;
  RESET ROLE;
  IF EXISTS (
    SELECT 1 FROM pg_catalog.pg_db_role_setting s
     WHERE s.setdatabase IN (0, (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()))
       AND s.setrole IN (0, (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = SESSION_USER))
  ) THEN
    -- The settings Haven's requests rely on, set explicitly rather than trusted.
    EXECUTE 'SET search_path = "$user", public';
    EXECUTE 'SET row_security = on';
    EXECUTE 'SET statement_timeout = 0';
    EXECUTE 'SET lock_timeout = 0';
    EXECUTE 'SET idle_in_transaction_session_timeout = 0';
    EXECUTE 'SET default_transaction_read_only = off';
    EXECUTE 'SET default_transaction_isolation = ''read committed''';
    EXECUTE 'SET client_encoding = ''UTF8''';
    EXECUTE 'SET DateStyle = ''ISO, MDY''';
    EXECUTE 'SET IntervalStyle = ''postgres''';
    EXECUTE 'SET TimeZone = ''UTC''';
    EXECUTE 'SET bytea_output = ''hex''';
  END IF;
  -- CLOSE is a PL/pgSQL statement of its own (a cursor variable's), so CLOSE ALL goes through EXECUTE.
  EXECUTE 'CLOSE ALL';
  UNLISTEN *;
  PERFORM pg_catalog.pg_advisory_unlock_all();
END
$$;
