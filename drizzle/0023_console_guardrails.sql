-- Console guardrails after the attacker review of issue 9 (decision 015).
--
-- 1. Rows that say nothing are not audited: an UPDATE that changed no column but updated_at, and a session refresh
--    (better-auth moves a session's expiry once a day; on an impersonation session the cap leaves even that as it
--    was). The sign-in, the sign-out and every other change of a session stay recorded.
CREATE OR REPLACE FUNCTION haven_audit_row() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_old jsonb;
  v_new jsonb;
  v_row jsonb;
  v_col text;
  v_tenant uuid;
  v_quiet text[];
  v_ctx text[] := public.haven_context();
BEGIN
  -- No verified context is only acceptable from the owner or a superuser (migrations, operators). A runtime login
  -- always has one, and one it cleared or forged in mid-statement must not turn its change into an anonymous one.
  IF v_ctx IS NULL AND NOT public.haven_is_operator() THEN
    RAISE EXCEPTION 'haven_audit_row: the request context does not verify' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP <> 'INSERT' THEN v_old := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN v_new := to_jsonb(NEW); END IF;
  IF TG_OP = 'UPDATE' THEN
    v_quiet := CASE WHEN TG_ARGV[0] = 'sessions' THEN ARRAY['updated_at', 'expires_at'] ELSE ARRAY['updated_at'] END;
    IF (v_new - v_quiet) = (v_old - v_quiet) THEN
      RETURN NULL;
    END IF;
  END IF;
  v_row := coalesce(v_new, v_old);
  v_tenant := (v_row ->> TG_ARGV[1])::uuid;
  IF TG_OP = 'DELETE' AND v_tenant::text = current_setting('app.purging_tenant', true)
     AND NOT EXISTS (SELECT 1 FROM public.tenants WHERE id = v_tenant) THEN
    RETURN NULL;
  END IF;
  IF TG_ARGV[2] <> '' THEN
    FOREACH v_col IN ARRAY string_to_array(TG_ARGV[2], ',') LOOP
      IF v_old ? v_col AND v_old ->> v_col IS NOT NULL THEN v_old := jsonb_set(v_old, ARRAY[v_col], '"[redacted]"'); END IF;
      IF v_new ? v_col AND v_new ->> v_col IS NOT NULL THEN v_new := jsonb_set(v_new, ARRAY[v_col], '"[redacted]"'); END IF;
    END LOOP;
  END IF;
  INSERT INTO public.audit_log (tenant_id, table_name, record_id, action, old_values, new_values,
                                user_id, impersonator_id, ip_address, user_agent, request_id)
  VALUES (
    v_tenant,
    TG_ARGV[0],
    (v_row ->> 'id')::uuid,
    (CASE TG_OP WHEN 'INSERT' THEN 'CREATE' WHEN 'UPDATE' THEN 'UPDATE' ELSE 'DELETE' END)::public.audit_action,
    v_old,
    v_new,
    nullif(v_ctx[3], '')::uuid,
    nullif(v_ctx[4], '')::uuid,
    nullif(v_ctx[5], ''),
    nullif(v_ctx[6], ''),
    nullif(v_ctx[7], '')
  );
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- 2. Why the console ends a tenant's sessions (suspension, deletion), for the end events of the impersonations among
--    them. Set with SET LOCAL so that it reaches Citus workers like the purge marker; only the console may set it.
CREATE OR REPLACE FUNCTION haven_mark_sessions_ending(p_reason text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  IF p_reason IS NOT NULL AND p_reason NOT IN ('tenant_suspended', 'tenant_deleted') THEN
    RAISE EXCEPTION 'haven_mark_sessions_ending: unknown reason %', p_reason USING ERRCODE = 'invalid_parameter_value';
  END IF;
  EXECUTE pg_catalog.format('SET LOCAL app.sessions_ending = %L', coalesce(p_reason, ''));
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_mark_sessions_ending(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_mark_sessions_ending(text) TO haven_console;
--> statement-breakpoint
-- 3. Every end of an impersonation names the person (user_id), the operator (impersonator_id and the name the
--    session kept) and lands in the session's own tenant, whoever deleted the session: Stop or sign-out, better-auth
--    removing an expired session, or the console suspending or deleting the tenant (whose context names the console
--    tenant, so haven_audit_event would put the event there). Written here rather than through the outbox because the
--    actor is the session's, not the context's; request, address and agent still come from the context.
CREATE OR REPLACE FUNCTION haven_sessions_impersonation_ended() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_ctx text[] := public.haven_context();
  v_reason text;
BEGIN
  IF OLD.impersonator_id IS NULL OR OLD.tenant_id::text = current_setting('app.purging_tenant', true) THEN
    RETURN NULL;
  END IF;
  IF v_ctx IS NULL AND NOT public.haven_is_operator() THEN
    RAISE EXCEPTION 'haven_sessions_impersonation_ended: the request context does not verify' USING ERRCODE = 'insufficient_privilege';
  END IF;
  v_reason := CASE
    WHEN OLD.expires_at <= now() THEN 'expired'
    WHEN v_ctx[1] = 'haven_console' THEN coalesce(nullif(current_setting('app.sessions_ending', true), ''), 'ended_by_console')
    ELSE 'stopped'
  END;
  INSERT INTO public.audit_log (tenant_id, table_name, record_id, action, new_values,
                                user_id, impersonator_id, ip_address, user_agent, request_id)
  VALUES (OLD.tenant_id, 'sessions', OLD.id, 'IMPERSONATION_ENDED',
          jsonb_build_object('userId', OLD.user_id, 'impersonatorId', OLD.impersonator_id,
                             'operatorName', OLD.impersonator_name, 'reason', v_reason),
          OLD.user_id, OLD.impersonator_id,
          nullif(v_ctx[5], ''), nullif(v_ctx[6], ''), nullif(v_ctx[7], ''));
  RETURN NULL;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_sessions_impersonation_ended() FROM PUBLIC;
--> statement-breakpoint
SELECT haven_assign_ownership();
