-- The policies awaiting their lead insurer, in the order its home lists them (those needing
-- action first: storage::policies::NEEDING_ACTION_FIRST, written identically here so the planner
-- matches it): the home reads its first twenty off this index instead of sorting all of them (a
-- national insurer has ≈ 200 quoted policies waiting on developers).
CREATE INDEX policies_lead_queue_idx ON policies (
    lead_insurer_org_id,
    array_position(ARRAY['applied', 'accepted', 'paid', 'quoted', 'draft', 'issued', 'in_force', 'expired', 'cancelled'], status),
    created_at DESC)
    WHERE status IN ('applied', 'quoted', 'accepted', 'paid');
