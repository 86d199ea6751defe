-- The lead insurer's own claims pass the claims' read rule on its first, cheapest test: its desk of
-- a thousand open claims no longer checks a thousand times whether it is a party to each claim's
-- project. It sees nothing new: it handles (and may already update, 0008) every claim it leads.
ALTER POLICY claims_visible ON claims
    USING (lead_insurer_org_id = (SELECT app.current_org_id())
           OR app.can_see_claim(owner_user_id, project_id, district_id, developer_org_id));
