-- The orders' read rule probes the party's membership row by row. Since 0028 the planner chose,
-- per statement, between probing the membership key for each order and hashing all of the
-- party's memberships first. Costing the whole range of the index it walks (an agency's 640,000
-- orders nationally), it always hashed, even when the statement stops after ten orders: an
-- agency's or insurer's home hashed its 2,500–3,400 memberships (≈ 0.7 ms) to show ten orders.
-- Every read of orders by a party is bounded (a page of a list, a home's head, one project's
-- open items for a report), so a probe per row read is always the cheaper way. OFFSET 0 keeps the
-- planner from turning the EXISTS into a hashed IN. The bureau's districts are tested before it,
-- so a bureau's reads do not probe a membership it does not have. Same rule, same rows.
ALTER POLICY rectification_orders_visible ON rectification_orders
    USING (developer_org_id = (SELECT app.current_org_id())
           OR district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[])
           OR EXISTS (SELECT 1 FROM stats_party_projects m
                      WHERE m.org_id = (SELECT app.current_org_id())
                        AND m.project_id = rectification_orders.project_id
                      OFFSET 0));
