-- Impersonation ends after the second attacker review of issue 9 (decision 015).
--
-- A workspace that withdraws its consent (settings.allowImpersonation switched off) ends its running impersonations in
-- the same transaction; the tenant role may mark that one reason, the console its own two.
CREATE OR REPLACE FUNCTION haven_mark_sessions_ending(p_reason text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  IF p_reason IS NOT NULL AND p_reason NOT IN ('tenant_suspended', 'tenant_deleted', 'consent_withdrawn') THEN
    RAISE EXCEPTION 'haven_mark_sessions_ending: unknown reason %', p_reason USING ERRCODE = 'invalid_parameter_value';
  END IF;
  EXECUTE pg_catalog.format('SET LOCAL app.sessions_ending = %L', coalesce(p_reason, ''));
END
$$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_mark_sessions_ending(text) TO haven_tenant;
--> statement-breakpoint
-- The reason a tenant's own request gives is read only when it is consent_withdrawn (a custom setting can be set by
-- anyone: the tenant may not claim a console reason); everything else it ends was stopped. An expiry stays an expiry
-- whoever deletes the row, the browser's next request or the server's sweep: the DELETE removes the row once, so
-- the event is written once.
CREATE OR REPLACE FUNCTION haven_sessions_impersonation_ended() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_ctx text[] := public.haven_context();
  v_marked text := nullif(current_setting('app.sessions_ending', true), '');
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
    WHEN v_ctx[1] = 'haven_console' THEN coalesce(v_marked, 'ended_by_console')
    WHEN v_marked = 'consent_withdrawn' THEN v_marked
    ELSE 'stopped'
  END;
  INSERT INTO public.audit_log (tenant_id, table_name, record_id, action, new_values,
                                user_id, impersonator_id, ip_address, user_agent, request_id)
  VALUES (OLD.tenant_id, 'sessions', OLD.id, 'IMPERSONATION_ENDED',
          jsonb_build_object('userId', OLD.user_id, 'impersonatorId', OLD.impersonator_id,
                             'operatorName', OLD.impersonator_name, 'reason', v_reason),
          OLD.user_id, OLD.impersonator_id,
          nullif(v_ctx[5], ''), nullif(v_ctx[6], ''), coalesce(nullif(v_ctx[7], ''), CASE WHEN v_ctx IS NULL THEN 'impersonation-sweep' END));
  RETURN NULL;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_sessions_impersonation_ended() FROM PUBLIC;
--> statement-breakpoint
-- The server's scheduled jobs (as haven_owner, like audit retention) may see and remove exactly the impersonation
-- sessions that ran out, in every tenant, and nothing else of the sessions table.
DROP POLICY IF EXISTS owner_expired_impersonations ON sessions;
--> statement-breakpoint
CREATE POLICY owner_expired_impersonations ON sessions AS PERMISSIVE FOR SELECT TO haven_owner
  USING (impersonator_id IS NOT NULL AND expires_at <= now());
--> statement-breakpoint
DROP POLICY IF EXISTS owner_end_expired_impersonations ON sessions;
--> statement-breakpoint
CREATE POLICY owner_end_expired_impersonations ON sessions AS PERMISSIVE FOR DELETE TO haven_owner
  USING (impersonator_id IS NOT NULL AND expires_at <= now());
--> statement-breakpoint
SELECT haven_assign_ownership();
