-- Risk management by the TIS agency: the inspection plan, inspections, graded findings with photo
-- evidence, rectification orders and their history.

-- Project-scoped rows carry project, district, developer and agency so that their policies need
-- no join: the bureau sees its jurisdiction, the developer its own projects, insurers and the
-- agency the projects they are parties to.
CREATE FUNCTION app.can_see_project_row(p_project uuid, p_district uuid, p_developer uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_developer = app.current_org_id() OR app.in_jurisdiction(p_district) OR app.is_project_party(p_project)
$$;

-- True when the current organisation is the risk-management agency assigned to the project.
CREATE FUNCTION app.is_assigned_agency(p_project uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT EXISTS (SELECT 1 FROM project_parties
                   WHERE project_id = p_project AND org_id = app.current_org_id()
                     AND role = 'risk_agency' AND retired_at IS NULL)
$$;
REVOKE ALL ON FUNCTION app.is_assigned_agency(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.is_assigned_agency(uuid) TO zhianbao_app;

CREATE TABLE inspection_visits (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id   uuid NOT NULL REFERENCES projects (id),
    district_id  uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    kind         text NOT NULL CHECK (kind IN ('stage', 'routine')),
    stage_code   text NOT NULL CHECK (stage_code IN ('design_review', 'foundation', 'main_structure', 'waterproofing',
                                                     'envelope', 'decoration', 'installation', 'completion', 'routine')),
    planned_on   date NOT NULL,
    status       text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'done')),
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inspection_visits_project_idx ON inspection_visits (project_id, planned_on);

CREATE TABLE inspections (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id       uuid NOT NULL REFERENCES projects (id),
    district_id      uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    agency_org_id    uuid NOT NULL REFERENCES organisations (id),
    visit_id         uuid REFERENCES inspection_visits (id),
    stage_code       text NOT NULL,
    inspected_on     date NOT NULL,
    inspectors       text NOT NULL CHECK (char_length(inspectors) BETWEEN 1 AND 200),
    summary          text NOT NULL DEFAULT '' CHECK (char_length(summary) <= 2000),
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
    version          integer NOT NULL DEFAULT 1,
    created_by       uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    submitted_at     timestamptz
);
CREATE INDEX inspections_project_idx ON inspections (project_id, inspected_on DESC);

CREATE TABLE findings (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    inspection_id    uuid NOT NULL REFERENCES inspections (id),
    project_id       uuid NOT NULL REFERENCES projects (id),
    district_id      uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    agency_org_id    uuid NOT NULL REFERENCES organisations (id),
    original_level   text NOT NULL CHECK (original_level IN ('A', 'B', 'C', 'D', 'E', 'R', 'O')),
    current_level    text NOT NULL CHECK (current_level IN ('A', 'B', 'C', 'D', 'E', 'R', 'O')),
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    building_id      uuid REFERENCES buildings (id),
    location         text NOT NULL CHECK (char_length(location) BETWEEN 1 AND 200),
    trade            text NOT NULL CHECK (char_length(trade) BETWEEN 1 AND 60),
    section_code     text NOT NULL CHECK (char_length(section_code) <= 40),
    description      text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 2000),
    advice           text NOT NULL DEFAULT '' CHECK (char_length(advice) <= 2000),
    version          integer NOT NULL DEFAULT 1,
    created_by       uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    closed_at        timestamptz
);
CREATE INDEX findings_project_idx ON findings (project_id, status, current_level);
CREATE INDEX findings_inspection_idx ON findings (inspection_id);

CREATE TABLE rectification_orders (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    number           text NOT NULL CONSTRAINT rectification_orders_number_key UNIQUE,
    finding_id       uuid NOT NULL CONSTRAINT rectification_orders_finding_key UNIQUE REFERENCES findings (id),
    project_id       uuid NOT NULL REFERENCES projects (id),
    district_id      uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    agency_org_id    uuid NOT NULL REFERENCES organisations (id),
    level            text NOT NULL CHECK (level IN ('B', 'C', 'D', 'E', 'R')),
    issued_on        date NOT NULL,
    deadline         date NOT NULL CHECK (deadline >= issued_on),
    status           text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'responded', 'closed')),
    rounds           integer NOT NULL DEFAULT 0,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    closed_at        timestamptz
);
CREATE INDEX rectification_orders_developer_idx ON rectification_orders (developer_org_id, status, deadline);
CREATE INDEX rectification_orders_project_idx ON rectification_orders (project_id, status);

-- The order's history: the developer's responses, the agency's rechecks.
CREATE TABLE order_events (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id   uuid NOT NULL REFERENCES rectification_orders (id),
    project_id uuid NOT NULL REFERENCES projects (id),
    district_id uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    kind       text NOT NULL CHECK (kind IN ('response', 'recheck_closed', 'recheck_rejected')),
    text       text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 2000),
    by_user    uuid NOT NULL REFERENCES users (id),
    by_org     uuid NOT NULL REFERENCES organisations (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_events_order_idx ON order_events (order_id, created_at);

-- Photo evidence: bytes in the database (never under a served directory), the type decided from
-- the content, a SHA-256 taken at upload. No UPDATE or DELETE grant: evidence is never replaced.
CREATE TABLE evidence_photos (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id       uuid NOT NULL REFERENCES projects (id),
    district_id      uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    finding_id       uuid REFERENCES findings (id),
    order_event_id   uuid REFERENCES order_events (id),
    content_type     text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/heic')),
    bytes            bytea NOT NULL,
    sha256           bytea NOT NULL CHECK (octet_length(sha256) = 32),
    size_bytes       integer NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 10485760),
    original_name    text NOT NULL DEFAULT '' CHECK (char_length(original_name) <= 200),
    uploaded_by      uuid NOT NULL REFERENCES users (id),
    uploaded_by_org  uuid NOT NULL REFERENCES organisations (id),
    uploaded_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT evidence_photos_one_parent CHECK ((finding_id IS NULL) <> (order_event_id IS NULL))
);
CREATE INDEX evidence_photos_finding_idx ON evidence_photos (finding_id);
CREATE INDEX evidence_photos_event_idx ON evidence_photos (order_event_id);

CREATE TABLE order_number_counters (
    year integer PRIMARY KEY,
    last integer NOT NULL
);
-- Readable order numbers ZG-2026-000123, never reused.
CREATE FUNCTION app.next_order_number() RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    y integer := extract(year FROM now() AT TIME ZONE 'Asia/Shanghai');
    n integer;
BEGIN
    INSERT INTO order_number_counters (year, last) VALUES (y, 1)
        ON CONFLICT (year) DO UPDATE SET last = order_number_counters.last + 1
        RETURNING last INTO n;
    RETURN 'ZG-' || y || '-' || lpad(n::text, 6, '0');
END $$;
REVOKE ALL ON FUNCTION app.next_order_number() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.next_order_number() TO zhianbao_app;

-- Row-level security -------------------------------------------------------------------------

ALTER TABLE inspection_visits ENABLE ROW LEVEL SECURITY;
ALTER TABLE inspection_visits FORCE ROW LEVEL SECURITY;
CREATE POLICY inspection_visits_visible ON inspection_visits FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
-- The lead insurer generates the plan at issue; the agency schedules and reschedules.
CREATE POLICY inspection_visits_plan ON inspection_visits FOR INSERT TO zhianbao_app
    WITH CHECK (app.is_lead_insurer(project_id) OR app.is_assigned_agency(project_id));
CREATE POLICY inspection_visits_schedule ON inspection_visits FOR UPDATE TO zhianbao_app
    USING (app.is_assigned_agency(project_id)) WITH CHECK (app.is_assigned_agency(project_id));
GRANT SELECT, INSERT, UPDATE (planned_on, status, version) ON inspection_visits TO zhianbao_app;

ALTER TABLE inspections ENABLE ROW LEVEL SECURITY;
ALTER TABLE inspections FORCE ROW LEVEL SECURITY;
CREATE POLICY inspections_visible ON inspections FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY inspections_agency_writes ON inspections FOR INSERT TO zhianbao_app
    WITH CHECK (agency_org_id = app.current_org_id() AND app.is_assigned_agency(project_id));
CREATE POLICY inspections_agency_submits ON inspections FOR UPDATE TO zhianbao_app
    USING (agency_org_id = app.current_org_id() AND app.is_assigned_agency(project_id))
    WITH CHECK (agency_org_id = app.current_org_id() AND app.is_assigned_agency(project_id));
GRANT SELECT, INSERT, UPDATE (status, submitted_at, version) ON inspections TO zhianbao_app;

ALTER TABLE findings ENABLE ROW LEVEL SECURITY;
ALTER TABLE findings FORCE ROW LEVEL SECURITY;
CREATE POLICY findings_visible ON findings FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY findings_agency_records ON findings FOR INSERT TO zhianbao_app
    WITH CHECK (agency_org_id = app.current_org_id() AND app.is_assigned_agency(project_id));
CREATE POLICY findings_agency_updates ON findings FOR UPDATE TO zhianbao_app
    USING (agency_org_id = app.current_org_id() AND app.is_assigned_agency(project_id))
    WITH CHECK (agency_org_id = app.current_org_id() AND app.is_assigned_agency(project_id));
GRANT SELECT, INSERT, UPDATE (current_level, status, closed_at, version) ON findings TO zhianbao_app;

ALTER TABLE rectification_orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE rectification_orders FORCE ROW LEVEL SECURITY;
CREATE POLICY rectification_orders_visible ON rectification_orders FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY rectification_orders_agency_issues ON rectification_orders FOR INSERT TO zhianbao_app
    WITH CHECK (agency_org_id = app.current_org_id() AND app.is_assigned_agency(project_id));
-- The developer answers its own orders; the assigned agency rechecks them.
CREATE POLICY rectification_orders_parties_update ON rectification_orders FOR UPDATE TO zhianbao_app
    USING (developer_org_id = app.current_org_id()
           OR (agency_org_id = app.current_org_id() AND app.is_assigned_agency(project_id)))
    WITH CHECK (developer_org_id = app.current_org_id()
                OR (agency_org_id = app.current_org_id() AND app.is_assigned_agency(project_id)));
GRANT SELECT, INSERT, UPDATE (status, rounds, closed_at, version) ON rectification_orders TO zhianbao_app;

ALTER TABLE order_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_events FORCE ROW LEVEL SECURITY;
CREATE POLICY order_events_visible ON order_events FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY order_events_parties_add ON order_events FOR INSERT TO zhianbao_app
    WITH CHECK (by_org = app.current_org_id() AND by_user = app.current_user_id()
                AND (developer_org_id = app.current_org_id() OR app.is_assigned_agency(project_id)));
GRANT SELECT, INSERT ON order_events TO zhianbao_app;

ALTER TABLE evidence_photos ENABLE ROW LEVEL SECURITY;
ALTER TABLE evidence_photos FORCE ROW LEVEL SECURITY;
CREATE POLICY evidence_photos_visible ON evidence_photos FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY evidence_photos_parties_add ON evidence_photos FOR INSERT TO zhianbao_app
    WITH CHECK (uploaded_by_org = app.current_org_id() AND uploaded_by = app.current_user_id()
                AND (developer_org_id = app.current_org_id() OR app.is_assigned_agency(project_id)));
GRANT SELECT, INSERT ON evidence_photos TO zhianbao_app;
