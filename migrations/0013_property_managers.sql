-- Property managers (物业) report common-area defects on behalf of a project's owners. The
-- developer records which manager serves a project (前期物业服务合同); the manager then reads the
-- project and its policy, reports common-area claims, follows them and takes the owner's steps on
-- them (answering questions, signing the repair confirmation, disputing a rejection). It sees no
-- inspections, findings or owners' own claims.
CREATE TABLE property_mandates (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id       uuid NOT NULL REFERENCES projects (id),
    district_id      uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    manager_org_id   uuid NOT NULL REFERENCES organisations (id),
    since            date NOT NULL,
    created_by       uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT property_mandates_key UNIQUE (project_id, manager_org_id)
);
CREATE INDEX property_mandates_manager_idx ON property_mandates (manager_org_id, project_id);

-- Answers from the mandate index, and only for property managers, so no other organisation's
-- project or policy list pays for it (see 0009).
CREATE FUNCTION app.manages_property(p_project uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT app.current_org_kind() = 'property_manager' AND EXISTS (
        SELECT 1 FROM property_mandates m WHERE m.manager_org_id = app.current_org_id() AND m.project_id = p_project)
$$;
REVOKE ALL ON FUNCTION app.manages_property(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.manages_property(uuid) TO zhianbao_app;

ALTER TABLE property_mandates ENABLE ROW LEVEL SECURITY;
ALTER TABLE property_mandates FORCE ROW LEVEL SECURITY;
CREATE POLICY property_mandates_visible ON property_mandates FOR SELECT TO zhianbao_app
    USING (manager_org_id = app.current_org_id() OR app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY property_mandates_developer_adds ON property_mandates FOR INSERT TO zhianbao_app
    WITH CHECK (developer_org_id = app.current_org_id() AND app.is_project_developer(project_id)
                AND created_by = app.current_user_id()
                AND EXISTS (SELECT 1 FROM organisations o WHERE o.id = manager_org_id AND o.kind = 'property_manager'));
GRANT SELECT, INSERT ON property_mandates TO zhianbao_app;

CREATE POLICY projects_property_manager_reads ON projects FOR SELECT TO zhianbao_app
    USING (app.manages_property(id));
CREATE POLICY policies_property_manager_reads ON policies FOR SELECT TO zhianbao_app
    USING (app.manages_property(project_id));

-- A claim is brought either by the owner of a unit or, for a common area, by the project's
-- property manager; the claimant's name stays in owner_name.
ALTER TABLE claims ALTER COLUMN owner_user_id DROP NOT NULL;
ALTER TABLE claims ADD COLUMN manager_org_id uuid REFERENCES organisations (id);
ALTER TABLE claims ADD CONSTRAINT claims_one_claimant CHECK (num_nonnulls(owner_user_id, manager_org_id) = 1);
ALTER TABLE claims ADD CONSTRAINT claims_manager_reports_common_areas CHECK (manager_org_id IS NULL OR unit_id IS NULL);
CREATE INDEX claims_manager_idx ON claims (manager_org_id) WHERE manager_org_id IS NOT NULL;

CREATE POLICY claims_manager_reads ON claims FOR SELECT TO zhianbao_app
    USING (manager_org_id = app.current_org_id());
CREATE POLICY claims_manager_reports ON claims FOR INSERT TO zhianbao_app
    WITH CHECK (manager_org_id = app.current_org_id() AND owner_user_id IS NULL AND unit_id IS NULL
                AND app.manages_property(project_id));
CREATE POLICY claims_manager_updates ON claims FOR UPDATE TO zhianbao_app
    USING (manager_org_id = app.current_org_id()) WITH CHECK (manager_org_id = app.current_org_id());

CREATE POLICY claim_events_manager_adds ON claim_events FOR INSERT TO zhianbao_app
    WITH CHECK (by_user = app.current_user_id() AND EXISTS (
        SELECT 1 FROM claims c WHERE c.id = claim_events.claim_id AND c.manager_org_id = app.current_org_id()));

CREATE POLICY evidence_photos_manager_reads ON evidence_photos FOR SELECT TO zhianbao_app
    USING (claim_event_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM claim_events e JOIN claims c ON c.id = e.claim_id
        WHERE e.id = evidence_photos.claim_event_id AND c.manager_org_id = app.current_org_id()));
CREATE POLICY evidence_photos_manager_adds ON evidence_photos FOR INSERT TO zhianbao_app
    WITH CHECK (uploaded_by = app.current_user_id() AND uploaded_by_org = app.current_org_id()
                AND claim_event_id IS NOT NULL AND app.manages_property(project_id));
