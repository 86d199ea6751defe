-- Repair in kind: after approving a claim the lead insurer collects quotes from repair
-- contractors and orders the repair from one of them, at no more than it approved.
CREATE TABLE claim_repair_quotes (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    claim_id            uuid NOT NULL REFERENCES claims (id),
    lead_insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    contractor          text NOT NULL CHECK (char_length(contractor) BETWEEN 1 AND 100),
    amount_fen          bigint NOT NULL CHECK (amount_fen > 0 AND amount_fen <= 100000000000),
    scope               text NOT NULL CHECK (char_length(scope) BETWEEN 2 AND 2000),
    recorded_by         uuid NOT NULL REFERENCES users (id),
    recorded_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claim_repair_quotes_claim_idx ON claim_repair_quotes (claim_id, recorded_at);

ALTER TABLE claims ADD COLUMN repair_quote_id uuid REFERENCES claim_repair_quotes (id);
GRANT UPDATE (repair_quote_id) ON claims TO zhianbao_app;

-- The ordered quote belongs to the claim and stays within the approved amount, whoever writes.
CREATE FUNCTION app.claims_repair_quote_fits() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public AS $$
BEGIN
    IF NEW.repair_quote_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM claim_repair_quotes q
        WHERE q.id = NEW.repair_quote_id AND q.claim_id = NEW.id AND q.amount_fen <= NEW.approved_amount_fen) THEN
        RAISE EXCEPTION 'the repair quote is not this claim''s or exceeds the approved amount' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER claims_repair_quote_fits BEFORE UPDATE OF repair_quote_id, approved_amount_fen ON claims
    FOR EACH ROW EXECUTE FUNCTION app.claims_repair_quote_fits();

ALTER TABLE claim_repair_quotes ENABLE ROW LEVEL SECURITY;
ALTER TABLE claim_repair_quotes FORCE ROW LEVEL SECURITY;
CREATE POLICY claim_repair_quotes_visible ON claim_repair_quotes FOR SELECT TO zhianbao_app
    USING (EXISTS (SELECT 1 FROM claims c WHERE c.id = claim_repair_quotes.claim_id));
CREATE POLICY claim_repair_quotes_lead_adds ON claim_repair_quotes FOR INSERT TO zhianbao_app
    WITH CHECK (lead_insurer_org_id = app.current_org_id() AND recorded_by = app.current_user_id()
                AND EXISTS (SELECT 1 FROM claims c WHERE c.id = claim_repair_quotes.claim_id
                              AND c.lead_insurer_org_id = app.current_org_id() AND c.status = 'approved'));
GRANT SELECT, INSERT ON claim_repair_quotes TO zhianbao_app;
