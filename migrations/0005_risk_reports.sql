-- Risk-management reports: a process report per visit, a stage report per node, the final
-- evaluation report before completion acceptance. Each freezes the open findings at issue time;
-- the lead insurer reviews the final report and confirms cover or adds exclusions.

CREATE TABLE risk_reports (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    number           text NOT NULL CONSTRAINT risk_reports_number_key UNIQUE,
    project_id       uuid NOT NULL REFERENCES projects (id),
    district_id      uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    agency_org_id    uuid NOT NULL REFERENCES organisations (id),
    inspection_id    uuid REFERENCES inspections (id),
    kind             text NOT NULL CHECK (kind IN ('process', 'stage', 'final')),
    conclusion       text NOT NULL CHECK (char_length(conclusion) BETWEEN 2 AND 4000),
    items            jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'confirmed', 'exclusions_added')),
    review_note      text CHECK (char_length(review_note) <= 2000),
    reviewed_at      timestamptz,
    created_by       uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1,
    CONSTRAINT risk_reports_review_final_only CHECK (status = 'issued' OR kind = 'final')
);
CREATE INDEX risk_reports_project_idx ON risk_reports (project_id, created_at DESC);

ALTER TABLE risk_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY risk_reports_visible ON risk_reports FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY risk_reports_agency_issues ON risk_reports FOR INSERT TO zhianbao_app
    WITH CHECK (agency_org_id = app.current_org_id() AND app.is_assigned_agency(project_id));
CREATE POLICY risk_reports_lead_reviews ON risk_reports FOR UPDATE TO zhianbao_app
    USING (app.is_lead_insurer(project_id)) WITH CHECK (app.is_lead_insurer(project_id));
GRANT SELECT, INSERT, UPDATE (status, review_note, reviewed_at, version) ON risk_reports TO zhianbao_app;

-- Readable report numbers BG-2026-000123 (gaps are harmless; numbers are never reused).
CREATE SEQUENCE risk_report_numbers;
GRANT USAGE ON SEQUENCE risk_report_numbers TO zhianbao_app;
