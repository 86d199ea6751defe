-- Subrogation (代位追偿): once the insurer has paid a claim it takes the owner's rights against the
-- party responsible for the defect (a contractor, a supplier, the developer) and records what it
-- recovers. One case per claim; the database refuses recovering more than was claimed, and
-- claiming more than was paid.
CREATE TABLE subrogation_cases (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    claim_id            uuid NOT NULL UNIQUE REFERENCES claims (id),
    lead_insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    project_id          uuid NOT NULL REFERENCES projects (id),
    district_id         uuid NOT NULL REFERENCES districts (id),
    developer_org_id    uuid NOT NULL REFERENCES organisations (id),
    against_party       text NOT NULL CHECK (char_length(against_party) BETWEEN 2 AND 100),
    basis               text NOT NULL CHECK (char_length(basis) BETWEEN 2 AND 2000),
    claimed_fen         bigint NOT NULL CHECK (claimed_fen > 0),
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'recovered', 'abandoned')),
    closing_note        text CHECK (char_length(closing_note) <= 2000),
    opened_by           uuid NOT NULL REFERENCES users (id),
    opened_at           timestamptz NOT NULL DEFAULT now(),
    closed_at           timestamptz,
    version             integer NOT NULL DEFAULT 1,
    CONSTRAINT subrogation_abandon_has_note CHECK (status <> 'abandoned' OR closing_note IS NOT NULL)
);
CREATE INDEX subrogation_cases_insurer_idx ON subrogation_cases (lead_insurer_org_id, status);

CREATE TABLE subrogation_recoveries (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id             uuid NOT NULL REFERENCES subrogation_cases (id),
    lead_insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    amount_fen          bigint NOT NULL CHECK (amount_fen > 0),
    received_on         date NOT NULL,
    reference           text NOT NULL CHECK (char_length(reference) BETWEEN 1 AND 100),
    recorded_by         uuid NOT NULL REFERENCES users (id),
    recorded_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subrogation_recoveries_case_idx ON subrogation_recoveries (case_id);

CREATE FUNCTION app.subrogation_within_bounds() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public AS $$
DECLARE
    limit_fen bigint;
    so_far bigint;
BEGIN
    IF TG_TABLE_NAME = 'subrogation_cases' THEN
        SELECT coalesce(sum(amount_fen), 0) INTO limit_fen FROM claim_payments WHERE claim_id = NEW.claim_id;
        IF NEW.claimed_fen > limit_fen THEN
            RAISE EXCEPTION 'subrogation claims more than was paid' USING ERRCODE = 'check_violation';
        END IF;
    ELSE
        SELECT claimed_fen INTO limit_fen FROM subrogation_cases WHERE id = NEW.case_id FOR UPDATE;
        SELECT coalesce(sum(amount_fen), 0) INTO so_far FROM subrogation_recoveries WHERE case_id = NEW.case_id;
        IF so_far + NEW.amount_fen > limit_fen THEN
            RAISE EXCEPTION 'recovery exceeds the amount claimed' USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER subrogation_cases_within_paid BEFORE INSERT ON subrogation_cases
    FOR EACH ROW EXECUTE FUNCTION app.subrogation_within_bounds();
CREATE TRIGGER subrogation_recoveries_within_claimed BEFORE INSERT ON subrogation_recoveries
    FOR EACH ROW EXECUTE FUNCTION app.subrogation_within_bounds();

-- Seen by whoever sees the claim, except its owner (this is between the insurer and the
-- responsible party); written by the lead insurer only.
ALTER TABLE subrogation_cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE subrogation_cases FORCE ROW LEVEL SECURITY;
CREATE POLICY subrogation_cases_visible ON subrogation_cases FOR SELECT TO zhianbao_app
    USING (app.current_org_id() IS NOT NULL AND EXISTS (SELECT 1 FROM claims c WHERE c.id = claim_id));
CREATE POLICY subrogation_cases_lead_opens ON subrogation_cases FOR INSERT TO zhianbao_app
    WITH CHECK (lead_insurer_org_id = app.current_org_id() AND opened_by = app.current_user_id());
CREATE POLICY subrogation_cases_lead_updates ON subrogation_cases FOR UPDATE TO zhianbao_app
    USING (lead_insurer_org_id = app.current_org_id()) WITH CHECK (lead_insurer_org_id = app.current_org_id());
GRANT SELECT, INSERT, UPDATE (status, closing_note, closed_at, version) ON subrogation_cases TO zhianbao_app;

ALTER TABLE subrogation_recoveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE subrogation_recoveries FORCE ROW LEVEL SECURITY;
CREATE POLICY subrogation_recoveries_visible ON subrogation_recoveries FOR SELECT TO zhianbao_app
    USING (EXISTS (SELECT 1 FROM subrogation_cases s WHERE s.id = case_id));
CREATE POLICY subrogation_recoveries_lead_records ON subrogation_recoveries FOR INSERT TO zhianbao_app
    WITH CHECK (lead_insurer_org_id = app.current_org_id() AND recorded_by = app.current_user_id());
GRANT SELECT, INSERT ON subrogation_recoveries TO zhianbao_app;
