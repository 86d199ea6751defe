-- Construction-period safety: prevention services logged by the agency or the lead insurer, and
-- safety incidents with their victims reported by the developer (settled later as claims).

CREATE TABLE safety_services (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id       uuid NOT NULL REFERENCES projects (id),
    district_id      uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    provider_org_id  uuid NOT NULL REFERENCES organisations (id),
    kind             text NOT NULL CHECK (kind IN ('risk_assessment', 'hazard_inspection', 'training', 'drill')),
    hazard_category  text CHECK (hazard_category IN ('tower_crane', 'deep_excavation', 'high_formwork', 'scaffolding', 'other')),
    performed_on     date NOT NULL,
    hazards_found    integer NOT NULL DEFAULT 0 CHECK (hazards_found BETWEEN 0 AND 999),
    participants     integer NOT NULL DEFAULT 0 CHECK (participants BETWEEN 0 AND 99999),
    summary          text NOT NULL CHECK (char_length(summary) BETWEEN 2 AND 2000),
    created_by       uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX safety_services_project_idx ON safety_services (project_id, performed_on DESC);

CREATE TABLE safety_incidents (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    number           text NOT NULL CONSTRAINT safety_incidents_number_key UNIQUE,
    project_id       uuid NOT NULL REFERENCES projects (id),
    district_id      uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    occurred_at      timestamptz NOT NULL,
    place            text NOT NULL CHECK (char_length(place) BETWEEN 1 AND 200),
    accident_type    text NOT NULL CHECK (accident_type IN ('fall', 'struck_by', 'collapse', 'electric_shock', 'machinery',
                                                            'lifting', 'fire', 'other')),
    description      text NOT NULL CHECK (char_length(description) BETWEEN 2 AND 4000),
    rescue_cost_fen  bigint NOT NULL DEFAULT 0 CHECK (rescue_cost_fen BETWEEN 0 AND 100000000000),
    status           text NOT NULL DEFAULT 'reported' CHECK (status IN ('reported', 'closed')),
    reported_by      uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1
);
CREATE INDEX safety_incidents_project_idx ON safety_incidents (project_id, occurred_at DESC);

CREATE TABLE incident_victims (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    incident_id      uuid NOT NULL REFERENCES safety_incidents (id),
    project_id       uuid NOT NULL REFERENCES projects (id),
    district_id      uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
    party            text NOT NULL CHECK (party IN ('worker', 'third_party')),
    injury_class     text NOT NULL CHECK (injury_class IN ('minor', 'serious', 'disability', 'death')),
    medical_cost_fen bigint NOT NULL DEFAULT 0 CHECK (medical_cost_fen BETWEEN 0 AND 100000000000)
);
CREATE INDEX incident_victims_incident_idx ON incident_victims (incident_id);

CREATE SEQUENCE safety_incident_numbers;
GRANT USAGE ON SEQUENCE safety_incident_numbers TO zhianbao_app;

ALTER TABLE safety_services ENABLE ROW LEVEL SECURITY;
ALTER TABLE safety_services FORCE ROW LEVEL SECURITY;
CREATE POLICY safety_services_visible ON safety_services FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY safety_services_providers_log ON safety_services FOR INSERT TO zhianbao_app
    WITH CHECK (provider_org_id = app.current_org_id()
                AND (app.is_assigned_agency(project_id) OR app.is_lead_insurer(project_id)));
GRANT SELECT, INSERT ON safety_services TO zhianbao_app;

ALTER TABLE safety_incidents ENABLE ROW LEVEL SECURITY;
ALTER TABLE safety_incidents FORCE ROW LEVEL SECURITY;
CREATE POLICY safety_incidents_visible ON safety_incidents FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY safety_incidents_developer_reports ON safety_incidents FOR INSERT TO zhianbao_app
    WITH CHECK (developer_org_id = app.current_org_id() AND app.is_project_developer(project_id));
CREATE POLICY safety_incidents_lead_closes ON safety_incidents FOR UPDATE TO zhianbao_app
    USING (app.is_lead_insurer(project_id)) WITH CHECK (app.is_lead_insurer(project_id));
GRANT SELECT, INSERT, UPDATE (status, version) ON safety_incidents TO zhianbao_app;

ALTER TABLE incident_victims ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_victims FORCE ROW LEVEL SECURITY;
CREATE POLICY incident_victims_visible ON incident_victims FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY incident_victims_developer_adds ON incident_victims FOR INSERT TO zhianbao_app
    WITH CHECK (developer_org_id = app.current_org_id() AND app.is_project_developer(project_id));
GRANT SELECT, INSERT ON incident_victims TO zhianbao_app;
