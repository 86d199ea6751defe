-- Construction-safety claims beyond the victims: rescue (抢险救援), accident investigation
-- (事故鉴定) and legal costs, each agreed by the lead insurer as its own line and then paid.
-- Rescue lines never exceed the rescue cost the developer recorded for the incident.
CREATE TABLE incident_cost_settlements (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    incident_id         uuid NOT NULL REFERENCES safety_incidents (id),
    project_id          uuid NOT NULL REFERENCES projects (id),
    district_id         uuid NOT NULL REFERENCES districts (id),
    developer_org_id    uuid NOT NULL REFERENCES organisations (id),
    lead_insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    kind                text NOT NULL CHECK (kind IN ('rescue', 'investigation', 'legal')),
    payee               text NOT NULL CHECK (char_length(payee) BETWEEN 1 AND 100),
    amount_fen          bigint NOT NULL CHECK (amount_fen > 0 AND amount_fen <= 100000000000),
    status              text NOT NULL DEFAULT 'agreed' CHECK (status IN ('agreed', 'paid')),
    payment_reference   text CHECK (char_length(payment_reference) BETWEEN 1 AND 100),
    agreed_by           uuid NOT NULL REFERENCES users (id),
    agreed_at           timestamptz NOT NULL DEFAULT now(),
    paid_at             timestamptz,
    version             integer NOT NULL DEFAULT 1,
    CONSTRAINT incident_cost_settlements_paid_has_reference CHECK (status <> 'paid' OR payment_reference IS NOT NULL)
);
CREATE INDEX incident_cost_settlements_incident_idx ON incident_cost_settlements (incident_id);

-- Settling locks the incident, so closing it (which counts what is still unpaid under the same
-- lock) and settling never interleave; a closed incident takes no new settlement.
CREATE FUNCTION app.incident_settlement_allowed() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public AS $$
DECLARE
    recorded bigint;
    agreed bigint;
BEGIN
    SELECT rescue_cost_fen INTO recorded FROM safety_incidents
        WHERE id = NEW.incident_id AND status = 'reported' FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the incident is closed' USING ERRCODE = 'check_violation';
    END IF;
    -- Victims' settlements have no kind: test the table first (PL/pgSQL does not short-circuit).
    IF TG_TABLE_NAME = 'incident_cost_settlements' THEN
        IF NEW.kind = 'rescue' THEN
            SELECT coalesce(sum(amount_fen), 0) INTO agreed FROM incident_cost_settlements
                WHERE incident_id = NEW.incident_id AND kind = 'rescue';
            IF agreed + NEW.amount_fen > recorded THEN
                RAISE EXCEPTION 'rescue costs exceed those recorded for the incident' USING ERRCODE = 'check_violation';
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER incident_settlement_allowed BEFORE INSERT ON incident_cost_settlements
    FOR EACH ROW EXECUTE FUNCTION app.incident_settlement_allowed();
CREATE TRIGGER incident_settlement_allowed BEFORE INSERT ON victim_settlements
    FOR EACH ROW EXECUTE FUNCTION app.incident_settlement_allowed();

ALTER TABLE incident_cost_settlements ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_cost_settlements FORCE ROW LEVEL SECURITY;
CREATE POLICY incident_cost_settlements_visible ON incident_cost_settlements FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY incident_cost_settlements_lead_agrees ON incident_cost_settlements FOR INSERT TO zhianbao_app
    WITH CHECK (lead_insurer_org_id = app.current_org_id() AND app.is_lead_insurer(project_id)
                AND agreed_by = app.current_user_id());
CREATE POLICY incident_cost_settlements_lead_pays ON incident_cost_settlements FOR UPDATE TO zhianbao_app
    USING (lead_insurer_org_id = app.current_org_id()) WITH CHECK (lead_insurer_org_id = app.current_org_id());
GRANT SELECT, INSERT, UPDATE (status, payment_reference, paid_at, version) ON incident_cost_settlements TO zhianbao_app;
