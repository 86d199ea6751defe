-- The lead insurer's money on its claims (its home's claims panel) is read off its own rows of
-- the per-policy counters instead of a scan of every policy's.
CREATE INDEX stats_policy_claims_insurer_idx ON stats_policy_claims (insurer_org_id) INCLUDE (paid_fen, reserved_fen);
