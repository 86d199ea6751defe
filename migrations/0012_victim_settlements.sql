-- Construction-safety claims: the lead insurer settles each victim of an incident (compensation
-- for death or disability within the per-person limit, medical costs) and then pays it.
CREATE TABLE victim_settlements (
    victim_id           uuid PRIMARY KEY REFERENCES incident_victims (id),
    incident_id         uuid NOT NULL REFERENCES safety_incidents (id),
    project_id          uuid NOT NULL REFERENCES projects (id),
    district_id         uuid NOT NULL REFERENCES districts (id),
    developer_org_id    uuid NOT NULL REFERENCES organisations (id),
    lead_insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    compensation_fen    bigint NOT NULL CHECK (compensation_fen BETWEEN 0 AND 100000000000),
    medical_fen         bigint NOT NULL CHECK (medical_fen BETWEEN 0 AND 100000000000),
    status              text NOT NULL DEFAULT 'agreed' CHECK (status IN ('agreed', 'paid')),
    payment_reference   text CHECK (char_length(payment_reference) BETWEEN 1 AND 100),
    agreed_by           uuid NOT NULL REFERENCES users (id),
    agreed_at           timestamptz NOT NULL DEFAULT now(),
    paid_at             timestamptz,
    version             integer NOT NULL DEFAULT 1,
    CONSTRAINT victim_settlements_something CHECK (compensation_fen + medical_fen > 0),
    CONSTRAINT victim_settlements_paid_has_reference CHECK (status <> 'paid' OR payment_reference IS NOT NULL)
);
CREATE INDEX victim_settlements_incident_idx ON victim_settlements (incident_id);

ALTER TABLE victim_settlements ENABLE ROW LEVEL SECURITY;
ALTER TABLE victim_settlements FORCE ROW LEVEL SECURITY;
CREATE POLICY victim_settlements_visible ON victim_settlements FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY victim_settlements_lead_agrees ON victim_settlements FOR INSERT TO zhianbao_app
    WITH CHECK (lead_insurer_org_id = app.current_org_id() AND app.is_lead_insurer(project_id)
                AND agreed_by = app.current_user_id());
CREATE POLICY victim_settlements_lead_pays ON victim_settlements FOR UPDATE TO zhianbao_app
    USING (lead_insurer_org_id = app.current_org_id()) WITH CHECK (lead_insurer_org_id = app.current_org_id());
GRANT SELECT, INSERT, UPDATE (status, payment_reference, paid_at, version) ON victim_settlements TO zhianbao_app;
