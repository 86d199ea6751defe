-- Inspection checklists: templates per stage that each agency maintains, copied into every
-- inspection it opens; each item is answered pass / fail / not applicable, and a failed item
-- must point at the finding that records it before the inspection can be submitted.

CREATE TABLE checklist_items (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agency_org_id uuid NOT NULL REFERENCES organisations (id),
    stage_code    text NOT NULL CHECK (stage_code IN ('design_review', 'foundation', 'main_structure', 'waterproofing',
                                                      'envelope', 'decoration', 'installation', 'completion', 'routine')),
    text          text NOT NULL CHECK (char_length(text) BETWEEN 2 AND 300),
    position      integer NOT NULL DEFAULT 0,
    retired_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checklist_items_agency_idx ON checklist_items (agency_org_id, stage_code, position);

CREATE TABLE inspection_checks (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    inspection_id    uuid NOT NULL REFERENCES inspections (id),
    project_id       uuid NOT NULL REFERENCES projects (id),
    district_id      uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    item_id          uuid NOT NULL REFERENCES checklist_items (id),
    text             text NOT NULL,
    position         integer NOT NULL,
    result           text CHECK (result IN ('pass', 'fail', 'na')),
    finding_id       uuid REFERENCES findings (id),
    CONSTRAINT inspection_checks_item_key UNIQUE (inspection_id, item_id),
    CONSTRAINT inspection_checks_fail_has_finding CHECK (result IS DISTINCT FROM 'fail' OR finding_id IS NOT NULL)
);
CREATE INDEX inspection_checks_inspection_idx ON inspection_checks (inspection_id, position);

ALTER TABLE checklist_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE checklist_items FORCE ROW LEVEL SECURITY;
CREATE POLICY checklist_items_own ON checklist_items FOR ALL TO zhianbao_app
    USING (agency_org_id = app.current_org_id())
    WITH CHECK (agency_org_id = app.current_org_id() AND app.current_org_kind() = 'risk_agency');
GRANT SELECT, INSERT, UPDATE (retired_at) ON checklist_items TO zhianbao_app;

ALTER TABLE inspection_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE inspection_checks FORCE ROW LEVEL SECURITY;
CREATE POLICY inspection_checks_visible ON inspection_checks FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY inspection_checks_agency_writes ON inspection_checks FOR INSERT TO zhianbao_app
    WITH CHECK (app.is_assigned_agency(project_id));
CREATE POLICY inspection_checks_agency_answers ON inspection_checks FOR UPDATE TO zhianbao_app
    USING (app.is_assigned_agency(project_id)) WITH CHECK (app.is_assigned_agency(project_id));
GRANT SELECT, INSERT, UPDATE (result, finding_id) ON inspection_checks TO zhianbao_app;
