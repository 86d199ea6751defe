-- The last read rules that called app.can_see_project_row for every row they test take the shape
-- 0028 gave the projects' and the claims' rules. The function hides its sub-queries from the
-- planner, so each row cost a call of a SECURITY DEFINER function and its own lookup: the claims
-- queue's page spent about a millisecond on the fifty units it names. Written out, the developer's
-- column goes first, membership is a probe of stats_party_projects (exactly the live roles of
-- project_parties plus the projects an organisation develops), and a bureau's districts are one
-- array per statement (app.jurisdiction_ids, the same districts app.in_jurisdiction accepts).
-- Same rules: no row is visible to anyone it was not visible to before, nor hidden from anyone.

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['risk_reports', 'order_events', 'evidence_photos', 'order_escalations',
                             'safety_services', 'safety_incidents', 'incident_victims',
                             'victim_settlements', 'inspection_checks', 'incident_cost_settlements'] LOOP
        EXECUTE format(
            'ALTER POLICY %I ON %I USING (developer_org_id = (SELECT app.current_org_id()) '
            '  OR EXISTS (SELECT 1 FROM stats_party_projects m '
            '             WHERE m.org_id = (SELECT app.current_org_id()) AND m.project_id = %I.project_id) '
            '  OR district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]))',
            t || '_visible', t, t);
    END LOOP;
END $$;

ALTER POLICY units_visible ON units
    USING (owner_user_id = app.current_user_id()
           OR developer_org_id = (SELECT app.current_org_id())
           OR EXISTS (SELECT 1 FROM stats_party_projects m
                      WHERE m.org_id = (SELECT app.current_org_id()) AND m.project_id = units.project_id)
           OR district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]));

ALTER POLICY property_mandates_visible ON property_mandates
    USING (manager_org_id = (SELECT app.current_org_id())
           OR developer_org_id = (SELECT app.current_org_id())
           OR EXISTS (SELECT 1 FROM stats_party_projects m
                      WHERE m.org_id = (SELECT app.current_org_id()) AND m.project_id = property_mandates.project_id)
           OR district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]));
