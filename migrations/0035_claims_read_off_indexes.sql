-- An insurer's claims read off its indexes alone. The claims' read rules (claims_visible,
-- claims_manager_reads) test six columns of the row; an index that carries them lets the rules be
-- checked on the index entry, so a scan need not visit the table for each claim (an index-only
-- scan: only pages changed since the last vacuum are visited). Nationally, an insurer's queue read
-- its 1,000 most urgent claims from ≈ 1,000 table pages, and the count of its claims turned late
-- today ≈ 300; both now read a few dozen index pages. If a read rule comes to test another column
-- of claims, add it here too, or these reads quietly go back to the table.

-- The lead insurer's queue (storage::claims::queue): its order, and the clocks the queue ranks by.
DROP INDEX claims_lead_queue_idx;
CREATE INDEX claims_lead_queue_idx ON claims
    (lead_insurer_org_id, (status IN ('paid', 'rejected')), fast_channel DESC, reported_at)
    INCLUDE (id, status, contact_due_at, survey_due_at, decision_due_at, contacted_at, surveyed_at, decided_at,
             owner_user_id, developer_org_id, project_id, district_id, manager_org_id);

-- The lead insurer's desk and its count of claims late today (storage::claims::desk,
-- late_on_lead_desk).
DROP INDEX claims_lead_attention_idx;
CREATE INDEX claims_lead_attention_idx ON claims (lead_insurer_org_id, fast_channel DESC, clock_breaks_at, id)
    INCLUDE (owner_user_id, developer_org_id, project_id, district_id, manager_org_id)
    WHERE status NOT IN ('paid', 'rejected');

-- The projects an organisation takes part in other than as their lead (app.co_party_project_ids,
-- a queue's arm per project): found without reading the roles of every project it leads (2,500
-- for a national insurer that co-insures none).
CREATE INDEX project_parties_org_co_idx ON project_parties (org_id, project_id)
    WHERE retired_at IS NULL AND role <> 'lead_insurer';
