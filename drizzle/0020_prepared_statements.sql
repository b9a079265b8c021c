-- The server's queries are now named prepared statements, cached per connection by postgres.js (decision 002).
-- The SQL-PREPAREd statements an earlier request left are dropped by haven_release_prepared(), the request's
-- second statement — after the reset (so a statement_timeout left behind no longer applies to it) and, like the
-- reset, always sent unnamed — so none of them can stand in, under a cached name, for a statement of a later
-- request (haven_set_context's, whose bound parameters are the later request's signed context): the later request
-- finds its statement gone (26000) and prepares it again.
CREATE OR REPLACE FUNCTION haven_reset_session() RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  EXECUTE 'RESET ALL';
  EXECUTE 'RESET ROLE';
  -- RESET ALL returns to the login role's defaults, which that role may set for itself (ALTER ROLE … SET): the
  -- settings Haven's requests rely on are set explicitly rather than trusted.
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
  EXECUTE 'CLOSE ALL';
  EXECUTE 'UNLISTEN *';
  PERFORM pg_catalog.pg_advisory_unlock_all();
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_release_prepared() RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
  v_name text;
BEGIN
  FOR v_name IN SELECT name FROM pg_catalog.pg_prepared_statements WHERE from_sql LOOP
    EXECUTE pg_catalog.format('DEALLOCATE %I', v_name);
  END LOOP;
END
$$;
--> statement-breakpoint
ALTER FUNCTION haven_release_prepared() OWNER TO haven_owner;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_release_prepared() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_release_prepared() TO haven_app, haven_tenant, haven_console;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_set_context(p_context text, p_sig text, p_reset boolean DEFAULT true) RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
  v text[];
BEGIN
  IF p_reset THEN
    PERFORM public.haven_reset_session();
    PERFORM public.haven_release_prepared();
  END IF;
  -- SET LOCAL, not set_config: Citus forwards only SET LOCAL to the workers (decision 017).
  EXECUTE pg_catalog.format('SET LOCAL app.context = %L', p_context);
  EXECUTE pg_catalog.format('SET LOCAL app.context_sig = %L', p_sig);
  v := public.haven_context();
  IF v IS NULL THEN
    RAISE EXCEPTION 'haven_set_context: the context signature does not verify' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF v[1] NOT IN ('haven_tenant', 'haven_console', 'haven_app') THEN
    RAISE EXCEPTION 'haven_set_context: role % is not a request role', v[1] USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- The role is entered before the check below: the statements the scope pipelined behind this one (the session
  -- prefetch) must not fail for want of privileges, or the transaction would abort and roll the reset back.
  EXECUTE pg_catalog.format('SET LOCAL ROLE %I', v[1]);
  -- A read-only or serializable default left by an earlier request already applies to this transaction and can no
  -- longer be changed in it: answer false, and the scope commits (keeping the reset) and starts again.
  IF pg_catalog.current_setting('transaction_read_only') = 'on'
     OR pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
    RETURN false;
  END IF;
  RETURN true;
END
$$;
