-- Indexes that let the scoped lists find their rows. A project's policies by status: the partial
-- unique index covers live policies only, so "the issued policy of this project" (which may have
-- expired) was found by scanning an insurer's whole book per project: the bureau's coverage
-- figures took 5 s over 20,000 projects, 70 ms with this.
CREATE INDEX IF NOT EXISTS policies_project_idx ON policies (project_id, status);

-- Claims queues (storage::claims::claims): each party's claims in the queue's order (open first,
-- the fast channel first, oldest first), so the most urgent thousand are read off an index.
CREATE INDEX claims_lead_queue_idx ON claims
    (lead_insurer_org_id, (status IN ('paid', 'rejected')), fast_channel DESC, reported_at);
CREATE INDEX claims_developer_queue_idx ON claims
    (developer_org_id, (status IN ('paid', 'rejected')), fast_channel DESC, reported_at);
CREATE INDEX claims_district_queue_idx ON claims
    (district_id, (status IN ('paid', 'rejected')), fast_channel DESC, reported_at);
CREATE INDEX claims_project_queue_idx ON claims
    (project_id, (status IN ('paid', 'rejected')), fast_channel DESC, reported_at);

-- The projects the current organisation takes part in other than as their lead insurer (a
-- co-insurer, the assigned agency): the lead's own claims have an arm of their own.
CREATE FUNCTION app.co_party_project_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT coalesce(array_agg(DISTINCT project_id), '{}') FROM project_parties
    WHERE org_id = app.current_org_id() AND retired_at IS NULL AND role <> 'lead_insurer'
$$;
REVOKE ALL ON FUNCTION app.co_party_project_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.co_party_project_ids() TO zhianbao_app;
