-- The per-project counters' policies tested a row's project against the party's projects with
-- `= ANY (array)`, a linear search per row: for an insurer leading 4,000 projects, reading its
-- 4,000 projects' counters compared 16 million pairs. `IN (subquery)` is a hashed subplan: one
-- lookup per row. Same rule, new form.
ALTER POLICY stats_project_findings_visible ON stats_project_findings
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[])
           OR project_id IN (SELECT unnest(app.party_project_ids())));
ALTER POLICY stats_project_recurrence_visible ON stats_project_recurrence
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[])
           OR project_id IN (SELECT unnest(app.party_project_ids())));
ALTER POLICY stats_project_league_visible ON stats_project_league
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[])
           OR project_id IN (SELECT unnest(app.party_project_ids())));
ALTER POLICY stats_project_open_visible ON stats_project_open
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[])
           OR project_id IN (SELECT unnest(app.party_project_ids()))
           OR developer_org_id = (SELECT app.current_org_id()));
ALTER POLICY stats_project_deadlines_visible ON stats_project_deadlines
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[])
           OR project_id IN (SELECT unnest(app.party_project_ids()))
           OR developer_org_id = (SELECT app.current_org_id()));
