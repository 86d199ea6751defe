-- Counters the homes sum on every request, read from covering indexes (index-only scans of the
-- organisation's or project's own entries) instead of their rows scattered over the heap.

-- The lead insurer's money on its claims (its home's claims panel): its own rows of the
-- per-policy counters, not a scan of every policy's.
CREATE INDEX stats_policy_claims_insurer_idx ON stats_policy_claims (insurer_org_id) INCLUDE (paid_fen, reserved_fen);

-- A party's open orders by deadline (every party's home: open, overdue, awaiting recheck).
CREATE INDEX stats_party_deadlines_sums_idx ON stats_party_deadlines (org_id, deadline) INCLUDE (open, responded);

-- A project's overdue orders (the insurer's risk table), with the columns its read rule tests.
CREATE INDEX stats_project_deadlines_sums_idx ON stats_project_deadlines (project_id, deadline)
    INCLUDE (open, responded, district_id, developer_org_id);
