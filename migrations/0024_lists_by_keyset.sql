-- Lists are read a page at a time in their own order (keyset, src/http/pager.rs): each walks an
-- index in exactly the list's order, so a page reads its hundred rows and stops. A developer's and
-- an agency's orders and inspections carry the organisation's own column, and walk it: a small
-- developer no longer walks every order in the country to find its few.

-- Orders: open before closed, then by deadline; the number breaks ties (it is unique).
CREATE INDEX rectification_orders_listed_idx
    ON rectification_orders ((status = 'closed'), deadline, number);
CREATE INDEX rectification_orders_developer_listed_idx
    ON rectification_orders (developer_org_id, (status = 'closed'), deadline, number);
CREATE INDEX rectification_orders_agency_listed_idx
    ON rectification_orders (agency_org_id, (status = 'closed'), deadline, number);
-- Superseded: the developer's list index above leads with the developer's column too.
DROP INDEX rectification_orders_developer_idx;

-- Inspections: newest first; the id breaks ties (bulk loads share a creation time).
DROP INDEX inspections_recent_idx;
CREATE INDEX inspections_recent_idx ON inspections (inspected_on DESC, created_at DESC, id DESC);
CREATE INDEX inspections_developer_recent_idx
    ON inspections (developer_org_id, inspected_on DESC, created_at DESC, id DESC);
CREATE INDEX inspections_agency_recent_idx
    ON inspections (agency_org_id, inspected_on DESC, created_at DESC, id DESC);

-- Projects: newest first.
CREATE INDEX projects_recent_idx ON projects (created_at DESC, id DESC);

-- A party's projects pass the projects' read rule on a hashed lookup of its projects first (as
-- orders and inspections do since 0023) instead of a membership query per row: the projects list
-- and every page that names a party's projects read thousands of them. Same rule: the lookup is the
-- membership query (app.is_project_party) asked once per statement instead of once per row.
ALTER POLICY projects_visible ON projects
    USING (id IN (SELECT unnest(app.party_project_ids()))
           OR developer_org_id = (SELECT app.current_org_id())
           OR contractor_org_id = (SELECT app.current_org_id())
           OR supervisor_org_id = (SELECT app.current_org_id())
           OR app.in_jurisdiction(district_id));
