-- Reads that a party's pages make on every visit, by the party's own columns.

-- The lead insurer's own claims pass the claims' read rule on its first, cheapest test: its desk of
-- a thousand open claims no longer checks a thousand times whether it is a party to each claim's
-- project. It sees nothing new: it handles (and may already update, 0008) every claim it leads.
ALTER POLICY claims_visible ON claims
    USING (lead_insurer_org_id = (SELECT app.current_org_id())
           OR app.can_see_claim(owner_user_id, project_id, district_id, developer_org_id));

-- Orders and inspections on a party's own projects pass the read rule on a hashed lookup of its
-- projects (as the counters' rules do since 0021) instead of a function call per row: a national
-- agency's lists walk thousands of them. Same rule, cheaper first test.
ALTER POLICY rectification_orders_visible ON rectification_orders
    USING (project_id IN (SELECT unnest(app.party_project_ids()))
           OR app.can_see_project_row(project_id, district_id, developer_org_id));
ALTER POLICY inspections_visible ON inspections
    USING (project_id IN (SELECT unnest(app.party_project_ids()))
           OR app.can_see_project_row(project_id, district_id, developer_org_id));
-- The inspections list, newest first, walked in its own order instead of sorting every visible
-- inspection.
CREATE INDEX inspections_recent_idx ON inspections (inspected_on DESC, created_at DESC);

-- An organisation's latest audit entries (in the exact order the page shows them), and its
-- people's operations over 30 days, off indexes of their own: an agency's log also holds the
-- escalation job's entries (hundreds of thousands nationally), which are not its people's
-- operations. An owner's entries carry no organisation.
DROP INDEX audit_log_org_time_idx;
CREATE INDEX audit_log_org_recent_idx ON audit_log (org_id, occurred_at DESC, seq DESC);
CREATE INDEX audit_log_org_people_time_idx ON audit_log (org_id, occurred_at) WHERE user_id IS NOT NULL;
CREATE INDEX audit_log_owner_time_idx ON audit_log (user_id, occurred_at DESC) WHERE org_id IS NULL;
