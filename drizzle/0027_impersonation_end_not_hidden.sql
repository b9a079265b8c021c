-- An impersonation's end cannot be hidden by a tenant's own request (attacker review of issue 10): the sessions
-- trigger skipped IMPERSONATION_ENDED whenever app.purging_tenant named the row's tenant, a setting any request may
-- set. It now also requires the tenant to be gone, like the row-level audit trigger (0023).
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
  -- A purge skips the event only once the tenant is really gone, as haven_audit_row does: app.purging_tenant is a
  -- custom setting anyone may set, and alone it let a tenant's request end an impersonation without a trace.
  IF OLD.impersonator_id IS NULL THEN
    RETURN NULL;
  END IF;
  IF OLD.tenant_id::text = current_setting('app.purging_tenant', true)
     AND NOT EXISTS (SELECT 1 FROM public.tenants WHERE id = OLD.tenant_id) THEN
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
SELECT haven_assign_ownership();
