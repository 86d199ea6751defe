-- A party's membership, as the read rules test it, written into the rules as a correlated EXISTS
-- on the party's own membership row (stats_party_projects, kept by the membership triggers of 0022
-- in the same transaction as project_parties and projects) instead of the hashed set of all its
-- projects (0021–0024) or a SECURITY DEFINER call per row (app.is_project_party).
--
-- Why: the hashed set is built once per statement per table, whatever the statement reads: a
-- national agency's 3,300 projects cost ≈ 1–2 ms to gather and hash, and a home's statement that
-- joins ten orders to their projects and findings built it twice. Written as EXISTS, the planner
-- sees the sub-query and keeps both ways (PostgreSQL's alternative sub-plans): a probe of the
-- membership primary key per row when the statement reads few rows, the hashed set when it
-- scans many. A function call hides the sub-query from it.
--
-- Same rules: the membership rows are exactly the live roles of project_parties plus the projects
-- an organisation develops, and the developer's own column was already a test of each rule.
-- Cheap tests of the row's own columns go first, and a bureau's districts are one array computed
-- once per statement (app.jurisdiction_ids, as the counters' rules test them) instead of a call of
-- app.in_jurisdiction for every row that fails the other tests.

ALTER POLICY projects_visible ON projects
    USING (developer_org_id = (SELECT app.current_org_id())
           OR EXISTS (SELECT 1 FROM stats_party_projects m
                      WHERE m.org_id = (SELECT app.current_org_id()) AND m.project_id = projects.id)
           OR contractor_org_id = (SELECT app.current_org_id())
           OR supervisor_org_id = (SELECT app.current_org_id())
           OR district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]));

ALTER POLICY policies_visible ON policies
    USING (developer_org_id = (SELECT app.current_org_id())
           OR lead_insurer_org_id = (SELECT app.current_org_id())
           OR EXISTS (SELECT 1 FROM stats_party_projects m
                      WHERE m.org_id = (SELECT app.current_org_id()) AND m.project_id = policies.project_id)
           OR district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]));

-- Orders, inspections, their findings and planned visits: one rule of the same shape each.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['rectification_orders', 'inspections', 'findings', 'inspection_visits'] LOOP
        EXECUTE format(
            'ALTER POLICY %I ON %I USING (developer_org_id = (SELECT app.current_org_id()) '
            '  OR EXISTS (SELECT 1 FROM stats_party_projects m '
            '             WHERE m.org_id = (SELECT app.current_org_id()) AND m.project_id = %I.project_id) '
            '  OR district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]))',
            t || '_visible', t, t);
    END LOOP;
END $$;

ALTER POLICY claims_visible ON claims
    USING (lead_insurer_org_id = (SELECT app.current_org_id())
           OR owner_user_id = app.current_user_id()
           OR developer_org_id = (SELECT app.current_org_id())
           OR EXISTS (SELECT 1 FROM stats_party_projects m
                      WHERE m.org_id = (SELECT app.current_org_id()) AND m.project_id = claims.project_id)
           OR district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]));

ALTER POLICY stats_project_open_visible ON stats_project_open
    USING (developer_org_id = (SELECT app.current_org_id())
           OR district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[])
           OR EXISTS (SELECT 1 FROM stats_party_projects m
                      WHERE m.org_id = (SELECT app.current_org_id()) AND m.project_id = stats_project_open.project_id));

ALTER POLICY stats_project_deadlines_visible ON stats_project_deadlines
    USING (developer_org_id = (SELECT app.current_org_id())
           OR district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[])
           OR EXISTS (SELECT 1 FROM stats_party_projects m
                      WHERE m.org_id = (SELECT app.current_org_id()) AND m.project_id = stats_project_deadlines.project_id));
