-- Owners' claims: units handed over to owners (invited with a one-time code), claims with their
-- cover check, SLA clocks and history, repair, owner confirmation and idempotent payments.

CREATE TABLE units (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id        uuid NOT NULL REFERENCES projects (id),
    district_id       uuid NOT NULL REFERENCES districts (id),
    developer_org_id  uuid NOT NULL REFERENCES organisations (id),
    building_id       uuid NOT NULL REFERENCES buildings (id),
    number            text NOT NULL CHECK (char_length(number) BETWEEN 1 AND 40),
    floor_area_m2     numeric(10, 2) NOT NULL CHECK (floor_area_m2 > 0),
    handed_over_on    date,
    owner_user_id     uuid REFERENCES users (id),
    -- The owner's name as registered, readable by the developer and insurers (who cannot read
    -- another tenant's users).
    owner_name        text,
    invite_code_hash  bytea,
    invite_expires_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    version           integer NOT NULL DEFAULT 1,
    CONSTRAINT units_building_number_key UNIQUE (building_id, number)
);
CREATE INDEX units_owner_idx ON units (owner_user_id);
CREATE INDEX units_project_idx ON units (project_id);

CREATE TABLE claims (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    number              text NOT NULL CONSTRAINT claims_number_key UNIQUE,
    unit_id             uuid REFERENCES units (id),
    project_id          uuid NOT NULL REFERENCES projects (id),
    district_id         uuid NOT NULL REFERENCES districts (id),
    developer_org_id    uuid NOT NULL REFERENCES organisations (id),
    policy_id           uuid NOT NULL REFERENCES policies (id),
    lead_insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    building_id         uuid NOT NULL REFERENCES buildings (id),
    owner_user_id       uuid NOT NULL REFERENCES users (id),
    owner_name          text NOT NULL CHECK (char_length(owner_name) <= 100),
    component           text NOT NULL,
    section_code        text NOT NULL,
    location            text NOT NULL CHECK (char_length(location) BETWEEN 1 AND 200),
    description         text NOT NULL CHECK (char_length(description) BETWEEN 2 AND 4000),
    fast_channel        boolean NOT NULL,
    complex             boolean NOT NULL DEFAULT false,
    cover_verdict       jsonb NOT NULL,
    status              text NOT NULL DEFAULT 'reported'
                        CHECK (status IN ('reported', 'surveying', 'surveyed', 'more_info', 'rejected', 'approved',
                                          'repair_ordered', 'repaired', 'owner_confirmed', 'paid')),
    surveyor            text CHECK (char_length(surveyor) <= 100),
    survey_report       text CHECK (char_length(survey_report) <= 4000),
    reject_reason       text,
    approved_amount_fen bigint CHECK (approved_amount_fen > 0 AND approved_amount_fen <= 100000000000),
    repair_contractor   text CHECK (char_length(repair_contractor) <= 100),
    reported_at         timestamptz NOT NULL DEFAULT now(),
    contacted_at        timestamptz,
    surveyed_at         timestamptz,
    decided_at          timestamptz,
    repaired_at         timestamptz,
    owner_signed_at     timestamptz,
    paid_at             timestamptz,
    version             integer NOT NULL DEFAULT 1,
    CONSTRAINT claims_rejection_has_reason CHECK (status <> 'rejected' OR reject_reason IS NOT NULL),
    CONSTRAINT claims_approval_has_amount CHECK (
        status NOT IN ('approved', 'repair_ordered', 'repaired', 'owner_confirmed', 'paid') OR approved_amount_fen IS NOT NULL)
);
CREATE INDEX claims_insurer_idx ON claims (lead_insurer_org_id, status);
CREATE INDEX claims_owner_idx ON claims (owner_user_id);
CREATE INDEX claims_project_idx ON claims (project_id, building_id, section_code);

CREATE TABLE claim_events (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    claim_id   uuid NOT NULL REFERENCES claims (id),
    kind       text NOT NULL CHECK (char_length(kind) <= 40),
    text       text NOT NULL CHECK (char_length(text) <= 4000),
    by_user    uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claim_events_claim_idx ON claim_events (claim_id, created_at);

-- Payments: one row per payment, an Idempotency-Key per claim (a replay returns the first
-- answer), and the database itself refuses paying more than was approved.
CREATE TABLE claim_payments (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    claim_id        uuid NOT NULL REFERENCES claims (id),
    lead_insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    idempotency_key text NOT NULL CHECK (char_length(idempotency_key) BETWEEN 8 AND 100),
    request_hash    bytea NOT NULL,
    payee           text NOT NULL CHECK (char_length(payee) BETWEEN 1 AND 100),
    amount_fen      bigint NOT NULL CHECK (amount_fen > 0),
    paid_by         uuid NOT NULL REFERENCES users (id),
    paid_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT claim_payments_key UNIQUE (claim_id, idempotency_key)
);

CREATE FUNCTION app.claim_payments_within_approval() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public AS $$
DECLARE
    approved bigint;
    paid bigint;
BEGIN
    SELECT approved_amount_fen INTO approved FROM claims WHERE id = NEW.claim_id FOR UPDATE;
    SELECT coalesce(sum(amount_fen), 0) INTO paid FROM claim_payments WHERE claim_id = NEW.claim_id;
    IF approved IS NULL OR paid + NEW.amount_fen > approved THEN
        RAISE EXCEPTION 'payment exceeds the approved amount' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER claim_payments_within_approval BEFORE INSERT ON claim_payments
    FOR EACH ROW EXECUTE FUNCTION app.claim_payments_within_approval();

CREATE SEQUENCE claim_numbers;
GRANT USAGE ON SEQUENCE claim_numbers TO zhianbao_app;

ALTER TABLE evidence_photos ADD COLUMN claim_event_id uuid REFERENCES claim_events (id);
ALTER TABLE evidence_photos DROP CONSTRAINT evidence_photos_one_parent;
ALTER TABLE evidence_photos ADD CONSTRAINT evidence_photos_one_parent
    CHECK (num_nonnulls(finding_id, order_event_id, claim_event_id) = 1);
-- Owners add photos to their own claims (they belong to no organisation).
ALTER TABLE evidence_photos ALTER COLUMN uploaded_by_org DROP NOT NULL;
CREATE POLICY evidence_photos_owner_reads ON evidence_photos FOR SELECT TO zhianbao_app
    USING (claim_event_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM claim_events e JOIN claims c ON c.id = e.claim_id
        WHERE e.id = evidence_photos.claim_event_id AND c.owner_user_id = app.current_user_id()));
CREATE POLICY evidence_photos_owner_adds ON evidence_photos FOR INSERT TO zhianbao_app
    WITH CHECK (uploaded_by = app.current_user_id() AND uploaded_by_org IS NULL AND claim_event_id IS NOT NULL);

-- Who sees a claim: its owner, the developer, the bureau, the insurers and agency of the project.
CREATE FUNCTION app.can_see_claim(p_owner uuid, p_project uuid, p_district uuid, p_developer uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_owner = app.current_user_id() OR app.can_see_project_row(p_project, p_district, p_developer)
$$;

-- Binding a unit to its owner: the invite code is the credential, so this runs without the
-- developer's context; it binds only an unclaimed unit whose code matches and has not expired.
CREATE FUNCTION app.claim_unit(p_code_hash bytea) RETURNS uuid
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    UPDATE units SET owner_user_id = app.current_user_id(), invite_code_hash = NULL, invite_expires_at = NULL,
                     owner_name = (SELECT display_name FROM users WHERE id = app.current_user_id()),
                     version = version + 1
    WHERE invite_code_hash = p_code_hash AND invite_expires_at > now() AND owner_user_id IS NULL
      AND app.current_user_id() IS NOT NULL AND app.current_org_id() IS NULL
    RETURNING id
$$;
REVOKE ALL ON FUNCTION app.claim_unit(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.claim_unit(bytea) TO zhianbao_app;

ALTER TABLE units ENABLE ROW LEVEL SECURITY;
ALTER TABLE units FORCE ROW LEVEL SECURITY;
CREATE POLICY units_visible ON units FOR SELECT TO zhianbao_app
    USING (owner_user_id = app.current_user_id() OR app.can_see_project_row(project_id, district_id, developer_org_id));
CREATE POLICY units_developer_adds ON units FOR INSERT TO zhianbao_app
    WITH CHECK (developer_org_id = app.current_org_id() AND app.is_project_developer(project_id));
CREATE POLICY units_developer_hands_over ON units FOR UPDATE TO zhianbao_app
    USING (developer_org_id = app.current_org_id()) WITH CHECK (developer_org_id = app.current_org_id());
GRANT SELECT, INSERT, UPDATE (handed_over_on, invite_code_hash, invite_expires_at, version) ON units TO zhianbao_app;

ALTER TABLE claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE claims FORCE ROW LEVEL SECURITY;
CREATE POLICY claims_visible ON claims FOR SELECT TO zhianbao_app
    USING (app.can_see_claim(owner_user_id, project_id, district_id, developer_org_id));
CREATE POLICY claims_owner_reports ON claims FOR INSERT TO zhianbao_app
    WITH CHECK (owner_user_id = app.current_user_id()
                AND EXISTS (SELECT 1 FROM units u WHERE u.id = unit_id AND u.owner_user_id = app.current_user_id()));
-- The lead insurer handles the claim; the owner answers questions and signs the repair.
CREATE POLICY claims_parties_update ON claims FOR UPDATE TO zhianbao_app
    USING (lead_insurer_org_id = app.current_org_id() OR owner_user_id = app.current_user_id())
    WITH CHECK (lead_insurer_org_id = app.current_org_id() OR owner_user_id = app.current_user_id());
GRANT SELECT, INSERT, UPDATE (status, surveyor, survey_report, reject_reason, approved_amount_fen, repair_contractor,
    contacted_at, surveyed_at, decided_at, repaired_at, owner_signed_at, paid_at, complex, version) ON claims TO zhianbao_app;

ALTER TABLE claim_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE claim_events FORCE ROW LEVEL SECURITY;
CREATE POLICY claim_events_visible ON claim_events FOR SELECT TO zhianbao_app
    USING (EXISTS (SELECT 1 FROM claims c WHERE c.id = claim_events.claim_id));
CREATE POLICY claim_events_parties_add ON claim_events FOR INSERT TO zhianbao_app
    WITH CHECK (by_user = app.current_user_id() AND EXISTS (
        SELECT 1 FROM claims c WHERE c.id = claim_events.claim_id
          AND (c.lead_insurer_org_id = app.current_org_id() OR c.owner_user_id = app.current_user_id())));
GRANT SELECT, INSERT ON claim_events TO zhianbao_app;

ALTER TABLE claim_payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE claim_payments FORCE ROW LEVEL SECURITY;
CREATE POLICY claim_payments_visible ON claim_payments FOR SELECT TO zhianbao_app
    USING (EXISTS (SELECT 1 FROM claims c WHERE c.id = claim_payments.claim_id));
CREATE POLICY claim_payments_lead_pays ON claim_payments FOR INSERT TO zhianbao_app
    WITH CHECK (lead_insurer_org_id = app.current_org_id() AND paid_by = app.current_user_id());
GRANT SELECT, INSERT ON claim_payments TO zhianbao_app;

-- An owner reads the project and policy that cover their home (for the coverage passport).
CREATE POLICY projects_owner_reads ON projects FOR SELECT TO zhianbao_app
    USING (EXISTS (SELECT 1 FROM units u WHERE u.project_id = projects.id AND u.owner_user_id = app.current_user_id()));
CREATE POLICY policies_owner_reads ON policies FOR SELECT TO zhianbao_app
    USING (EXISTS (SELECT 1 FROM units u WHERE u.project_id = policies.project_id AND u.owner_user_id = app.current_user_id()));
