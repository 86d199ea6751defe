-- The insurer's book at scale: per project, findings by level and recurring defects (for the
-- risk score); per policy, claims, paid and reserved amounts (for loss ratios). Kept by the same
-- triggers as 0016, read by the lead insurer (and the bureau) without aggregating raw rows.

CREATE TABLE stats_project_findings (
    project_id  uuid NOT NULL REFERENCES projects (id),
    district_id uuid NOT NULL REFERENCES districts (id),
    level       text NOT NULL,
    raised      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, level)
);

-- Recurring defects: findings at C or worse on a building and cover section that already has
-- one (each beyond the first counts, whatever the order they were recorded in).
CREATE TABLE stats_project_recurrence (
    project_id  uuid PRIMARY KEY REFERENCES projects (id),
    district_id uuid NOT NULL REFERENCES districts (id),
    recurring   bigint NOT NULL DEFAULT 0
);

CREATE TABLE stats_policy_claims (
    policy_id      uuid PRIMARY KEY REFERENCES policies (id),
    district_id    uuid NOT NULL REFERENCES districts (id),
    insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    claims         bigint NOT NULL DEFAULT 0,
    paid_fen       bigint NOT NULL DEFAULT 0,
    -- Approved and not yet paid, on claims still being settled.
    reserved_fen   bigint NOT NULL DEFAULT 0
);

CREATE INDEX findings_recurrence_idx ON findings (project_id, building_id, section_code)
    WHERE original_level IN ('C', 'D', 'E');

-- The projects the current organisation is a party to (insurer, co-insurer, agency), once per
-- statement, from the party index.
CREATE FUNCTION app.party_project_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT coalesce(array_agg(project_id), '{}') FROM project_parties
    WHERE org_id = app.current_org_id() AND retired_at IS NULL
$$;
REVOKE ALL ON FUNCTION app.party_project_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.party_project_ids() TO zhianbao_app;

CREATE FUNCTION app.count_project_finding() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO stats_project_findings (project_id, district_id, level, raised)
    VALUES (NEW.project_id, NEW.district_id, NEW.original_level, 1)
    ON CONFLICT (project_id, level) DO UPDATE SET raised = stats_project_findings.raised + 1;
    IF NEW.original_level IN ('C', 'D', 'E') AND EXISTS (
        SELECT 1 FROM findings e
        WHERE e.project_id = NEW.project_id AND e.building_id IS NOT DISTINCT FROM NEW.building_id
          AND e.section_code = NEW.section_code AND e.original_level IN ('C', 'D', 'E') AND e.id <> NEW.id) THEN
        INSERT INTO stats_project_recurrence (project_id, district_id, recurring) VALUES (NEW.project_id, NEW.district_id, 1)
        ON CONFLICT (project_id) DO UPDATE SET recurring = stats_project_recurrence.recurring + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER findings_counted_per_project AFTER INSERT ON findings
    FOR EACH ROW EXECUTE FUNCTION app.count_project_finding();

-- What a claim holds in reserve: approved, not yet paid, while it is being settled.
CREATE FUNCTION app.claim_reserve(p_status text, p_approved bigint, p_paid bigint) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN p_status IN ('approved', 'repair_ordered', 'repaired', 'owner_confirmed')
                      THEN greatest(coalesce(p_approved, 0) - p_paid, 0) ELSE 0 END $$;

CREATE FUNCTION app.count_policy_claim() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    paid bigint;
    delta bigint;
BEGIN
    SELECT coalesce(sum(amount_fen), 0) INTO paid FROM claim_payments WHERE claim_id = NEW.id;
    delta := app.claim_reserve(NEW.status, NEW.approved_amount_fen, paid);
    IF TG_OP = 'UPDATE' THEN
        delta := delta - app.claim_reserve(OLD.status, OLD.approved_amount_fen, paid);
    END IF;
    INSERT INTO stats_policy_claims (policy_id, district_id, insurer_org_id, claims, reserved_fen)
    VALUES (NEW.policy_id, NEW.district_id, NEW.lead_insurer_org_id, (TG_OP = 'INSERT')::int, delta)
    ON CONFLICT (policy_id) DO UPDATE
        SET claims = stats_policy_claims.claims + excluded.claims,
            reserved_fen = stats_policy_claims.reserved_fen + excluded.reserved_fen;
    RETURN NEW;
END $$;
CREATE TRIGGER claims_counted_per_policy AFTER INSERT OR UPDATE OF status, approved_amount_fen ON claims
    FOR EACH ROW EXECUTE FUNCTION app.count_policy_claim();

CREATE FUNCTION app.count_claim_payment() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    c claims%ROWTYPE;
    paid_before bigint;
BEGIN
    SELECT * INTO c FROM claims WHERE id = NEW.claim_id;
    SELECT coalesce(sum(amount_fen), 0) - NEW.amount_fen INTO paid_before FROM claim_payments WHERE claim_id = NEW.claim_id;
    INSERT INTO stats_policy_claims (policy_id, district_id, insurer_org_id, paid_fen, reserved_fen)
    VALUES (c.policy_id, c.district_id, c.lead_insurer_org_id, NEW.amount_fen,
            app.claim_reserve(c.status, c.approved_amount_fen, paid_before + NEW.amount_fen)
            - app.claim_reserve(c.status, c.approved_amount_fen, paid_before))
    ON CONFLICT (policy_id) DO UPDATE
        SET paid_fen = stats_policy_claims.paid_fen + excluded.paid_fen,
            reserved_fen = stats_policy_claims.reserved_fen + excluded.reserved_fen;
    RETURN NEW;
END $$;
CREATE TRIGGER claim_payments_counted AFTER INSERT ON claim_payments
    FOR EACH ROW EXECUTE FUNCTION app.count_claim_payment();

-- Recomputes every counter of 0016 and 0017 from the raw rows (owner only: after a bulk load, and
-- in tests to prove the triggers keep them right); it also fills them for existing data here.
CREATE FUNCTION app.rebuild_stats() RETURNS void LANGUAGE sql AS $$
    TRUNCATE stats_projects, stats_findings, stats_finding_days, stats_closures, stats_claims, stats_claim_decisions,
             stats_project_findings, stats_project_recurrence, stats_policy_claims;
    INSERT INTO stats_projects SELECT district_id, stage, housing_type, count(*) FROM projects GROUP BY 1, 2, 3;
    INSERT INTO stats_findings
        SELECT f.district_id, i.stage_code, f.current_level, count(*), count(*) FILTER (WHERE f.status = 'open')
        FROM findings f JOIN inspections i ON i.id = f.inspection_id GROUP BY 1, 2, 3;
    INSERT INTO stats_finding_days
        SELECT district_id, app.shanghai_week(created_at), original_level IN ('D', 'E'), count(*), count(*) FILTER (WHERE status = 'closed')
        FROM findings GROUP BY 1, 2, 3;
    INSERT INTO stats_closures
        SELECT district_id, app.shanghai_week(coalesce(closed_at, created_at)), original_level IN ('D', 'E'),
               app.closure_bucket(app.shanghai_day(coalesce(closed_at, created_at)) - app.shanghai_day(created_at)), count(*)
        FROM findings WHERE status = 'closed' GROUP BY 1, 2, 3, 4;
    INSERT INTO stats_claims SELECT district_id, lead_insurer_org_id, status, count(*) FROM claims GROUP BY 1, 2, 3;
    INSERT INTO stats_claim_decisions
        SELECT district_id, lead_insurer_org_id, complex,
               app.decision_bucket(decided_at, coalesce(reopened_at, reported_at)), count(*)
        FROM claims WHERE decided_at IS NOT NULL GROUP BY 1, 2, 3, 4;
    INSERT INTO stats_project_findings
        SELECT project_id, district_id, original_level, count(*) FROM findings GROUP BY 1, 2, 3;
    INSERT INTO stats_project_recurrence
        SELECT project_id, district_id, sum(n - 1) FROM (
            SELECT project_id, district_id, count(*) AS n FROM findings WHERE original_level IN ('C', 'D', 'E')
            GROUP BY project_id, district_id, building_id, section_code) g
        GROUP BY 1, 2 HAVING sum(n - 1) > 0;
    INSERT INTO stats_policy_claims
        SELECT c.policy_id, c.district_id, c.lead_insurer_org_id, count(*),
               coalesce(sum(p.paid), 0)::bigint, coalesce(sum(app.claim_reserve(c.status, c.approved_amount_fen, coalesce(p.paid, 0))), 0)::bigint
        FROM claims c LEFT JOIN (SELECT claim_id, sum(amount_fen)::bigint AS paid FROM claim_payments GROUP BY 1) p ON p.claim_id = c.id
        GROUP BY 1, 2, 3;
$$;
REVOKE ALL ON FUNCTION app.rebuild_stats() FROM PUBLIC;

ALTER TABLE stats_project_findings ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_project_findings FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_project_findings_visible ON stats_project_findings FOR SELECT TO zhianbao_app
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]) OR project_id = ANY ((SELECT app.party_project_ids())::uuid[]));
GRANT SELECT ON stats_project_findings TO zhianbao_app;

ALTER TABLE stats_project_recurrence ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_project_recurrence FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_project_recurrence_visible ON stats_project_recurrence FOR SELECT TO zhianbao_app
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]) OR project_id = ANY ((SELECT app.party_project_ids())::uuid[]));
GRANT SELECT ON stats_project_recurrence TO zhianbao_app;

ALTER TABLE stats_policy_claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_policy_claims FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_policy_claims_visible ON stats_policy_claims FOR SELECT TO zhianbao_app
    USING (insurer_org_id = (SELECT app.current_org_id()) OR district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]));
GRANT SELECT ON stats_policy_claims TO zhianbao_app;

-- The lead insurer reads its own claims counters too.
CREATE POLICY stats_claims_insurer_reads ON stats_claims FOR SELECT TO zhianbao_app
    USING (insurer_org_id = (SELECT app.current_org_id()));
CREATE POLICY stats_claim_decisions_insurer_reads ON stats_claim_decisions FOR SELECT TO zhianbao_app
    USING (insurer_org_id = (SELECT app.current_org_id()));

SELECT app.rebuild_stats();
