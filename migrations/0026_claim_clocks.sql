-- A claim's SLA clocks are kept on the claim: when first contact, the survey and the decision are
-- due, fixed from its policy's rule pack when it is reported and again when it is reopened or found
-- complex (the application computes them: domain::claims::deadlines). From them
-- `clock_breaks_at`: the instant the claim's first clock broke or will break ('infinity' when every
-- step was done in time; domain::claims::clock_breaks_at). A clock is broken when its step was done
-- after it, or is still undone after it (domain::claims::breaches), so an open claim is late now
-- exactly when `clock_breaks_at < now()`. Desks rank and count their claims off indexes on it
-- instead of reading every open claim's clocks on each page. (Never NULL: a comparison with a
-- COALESCE in it would not be taken into an index scan under row-level security.)

ALTER TABLE claims
    ADD COLUMN contact_due_at timestamptz,
    ADD COLUMN survey_due_at timestamptz,
    ADD COLUMN decision_due_at timestamptz;

-- Existing claims: the same rule as domain::claims::deadlines, once.
UPDATE claims c SET
    contact_due_at = CASE WHEN c.fast_channel
        THEN coalesce(c.reopened_at, c.reported_at) + make_interval(hours => coalesce((r.params -> 'claim_sla_hours' ->> 'fast_contact')::int, 2)) END,
    survey_due_at = coalesce(c.reopened_at, c.reported_at) + make_interval(hours => CASE WHEN c.fast_channel
        THEN coalesce((r.params -> 'claim_sla_hours' ->> 'fast_on_site')::int, 24)
        ELSE coalesce((r.params -> 'claim_sla_hours' ->> 'survey')::int, 48) END),
    decision_due_at = coalesce(c.reopened_at, c.reported_at) + make_interval(hours => CASE WHEN c.complex
        THEN coalesce((r.params -> 'claim_sla_hours' ->> 'decision_complex')::int, 720)
        ELSE coalesce((r.params -> 'claim_sla_hours' ->> 'decision')::int, 168) END)
FROM policies po JOIN rule_packs r ON r.id = po.rule_pack_id
WHERE po.id = c.policy_id;

ALTER TABLE claims
    ALTER COLUMN survey_due_at SET NOT NULL,
    ALTER COLUMN decision_due_at SET NOT NULL,
    ADD CONSTRAINT claims_contact_clock CHECK ((contact_due_at IS NOT NULL) = fast_channel);

-- Each clock's contribution: its due time if its step is undone or was done late.
CREATE FUNCTION app.clock_broken_at(due timestamptz, done timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN done IS NULL OR done > due THEN due END $$;

-- First contact is made by the survey too (a surveyor on site has contacted the owner).
ALTER TABLE claims ADD COLUMN clock_breaks_at timestamptz NOT NULL GENERATED ALWAYS AS (coalesce(least(
    app.clock_broken_at(contact_due_at, coalesce(contacted_at, surveyed_at)),
    app.clock_broken_at(survey_due_at, surveyed_at),
    app.clock_broken_at(decision_due_at, decided_at)), 'infinity')) STORED;

GRANT UPDATE (contact_due_at, survey_due_at, decision_due_at) ON claims TO zhianbao_app;

-- A desk's open claims in the queue's order within each group: the fast channel first, then by
-- when the first clock broke or will break. Late claims are the range before now(), so each of
-- the four groups (late or not, fast or not) is one range, walked only for its head.
CREATE INDEX claims_lead_attention_idx ON claims (lead_insurer_org_id, fast_channel DESC, clock_breaks_at, id)
    WHERE status NOT IN ('paid', 'rejected');
CREATE INDEX claims_developer_attention_idx ON claims (developer_org_id, fast_channel DESC, clock_breaks_at, id)
    WHERE status NOT IN ('paid', 'rejected');

-- How many of an insurer's open claims turned late on each day (Shanghai): its late claims are
-- the days before today's sum plus today's few, counted off claims_lead_attention_idx.
CREATE TABLE stats_claims_late (
    insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    late_on        date NOT NULL,
    open_claims    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (insurer_org_id, late_on)
);

CREATE FUNCTION app.count_late_claim() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.clock_breaks_at < 'infinity' AND OLD.status NOT IN ('paid', 'rejected') THEN
        UPDATE stats_claims_late SET open_claims = open_claims - 1
        WHERE insurer_org_id = OLD.lead_insurer_org_id AND late_on = app.shanghai_day(OLD.clock_breaks_at);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.clock_breaks_at < 'infinity' AND NEW.status NOT IN ('paid', 'rejected') THEN
        INSERT INTO stats_claims_late (insurer_org_id, late_on, open_claims)
        VALUES (NEW.lead_insurer_org_id, app.shanghai_day(NEW.clock_breaks_at), 1)
        ON CONFLICT (insurer_org_id, late_on) DO UPDATE SET open_claims = stats_claims_late.open_claims + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER claims_counted_late AFTER INSERT OR DELETE ON claims
    FOR EACH ROW EXECUTE FUNCTION app.count_late_claim();
CREATE TRIGGER claims_recounted_late AFTER UPDATE ON claims FOR EACH ROW
    WHEN (OLD.clock_breaks_at IS DISTINCT FROM NEW.clock_breaks_at OR OLD.status IS DISTINCT FROM NEW.status
          OR OLD.lead_insurer_org_id IS DISTINCT FROM NEW.lead_insurer_org_id)
    EXECUTE FUNCTION app.count_late_claim();

ALTER TABLE stats_claims_late ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_claims_late FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_claims_late_own ON stats_claims_late FOR SELECT TO zhianbao_app
    USING (insurer_org_id = (SELECT app.current_org_id()));
GRANT SELECT ON stats_claims_late TO zhianbao_app;

CREATE FUNCTION app.recount_late_claims() RETURNS void LANGUAGE sql AS $$
    TRUNCATE stats_claims_late;
    INSERT INTO stats_claims_late
        SELECT lead_insurer_org_id, app.shanghai_day(clock_breaks_at), count(*) FROM claims
        WHERE clock_breaks_at < 'infinity' AND status NOT IN ('paid', 'rejected') GROUP BY 1, 2;
$$;

ALTER FUNCTION app.rebuild_stats() RENAME TO rebuild_counters_0022;
CREATE FUNCTION app.rebuild_stats() RETURNS void LANGUAGE sql AS $$
    SELECT app.rebuild_counters_0022();
    SELECT app.recount_late_claims();
$$;
REVOKE ALL ON FUNCTION app.rebuild_stats() FROM PUBLIC;
REVOKE ALL ON FUNCTION app.rebuild_counters_0022() FROM PUBLIC;
REVOKE ALL ON FUNCTION app.recount_late_claims() FROM PUBLIC;

SELECT app.recount_late_claims();
