-- Parcels, projects, buildings, rule packs and the policy lifecycle.

ALTER TABLE districts ADD COLUMN short_code text;
UPDATE districts SET short_code = v.short_code
FROM (VALUES ('qingdao', 'QD'), ('shinan', 'SN'), ('shibei', 'SB'), ('huangdao', 'HD'), ('laoshan', 'LS'),
             ('licang', 'LC'), ('chengyang', 'CY')) AS v (code, short_code)
WHERE districts.code = v.code;
ALTER TABLE districts ALTER COLUMN short_code SET NOT NULL;

-- Rule packs: versioned district parameters (see src/domain/rules.rs for the JSON shape).
CREATE TABLE rule_packs (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    district_id    uuid NOT NULL REFERENCES districts (id),
    version        text NOT NULL CHECK (char_length(version) BETWEEN 1 AND 40),
    effective_from date NOT NULL,
    params         jsonb NOT NULL,
    note           text NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
    created_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rule_packs_district_version_key UNIQUE (district_id, version)
);

INSERT INTO rule_packs (district_id, version, effective_from, note, params)
SELECT d.id, '2021-11', DATE '2021-11-01', '崂山区质安保实施细则默认参数（2021）', $json$
{
  "sections": [
    {"code": "STRUCTURE", "name_zh": "地基基础和主体结构", "name_en": "Foundations and main structure", "period_months": 120},
    {"code": "INSULATION", "name_zh": "围护结构保温", "name_en": "Envelope insulation", "period_months": 120},
    {"code": "WATERPROOFING", "name_zh": "防水", "name_en": "Waterproofing", "period_months": 60},
    {"code": "DECORATION", "name_zh": "装饰装修", "name_en": "Decoration", "period_months": 24},
    {"code": "MEP", "name_zh": "电气管线、给排水管道、设备安装", "name_en": "Electrical, plumbing and equipment", "period_months": 24},
    {"code": "HVAC", "name_zh": "供热与供冷系统", "name_en": "Heating and cooling (2 seasons)", "period_months": 24}
  ],
  "cover_start_anchor": "completion_acceptance",
  "cover_start_offset_months": 24,
  "rates": {"commercial_bp": 150, "resettlement_bp": 125, "public_rental_bp": 125, "safety_bp": 20},
  "tis_fee_share_bp": 2500,
  "rectification_days": {"B": 30, "C": 14, "D": 3, "E": 3, "R": 30},
  "claim_sla_hours": {"survey": 48, "decision": 168, "decision_complex": 720, "repair_or_payment": 168,
                      "fast_contact": 2, "fast_on_site": 24},
  "safety_min_per_person_fen": 40000000,
  "cancellable_after_permit": false
}
$json$::jsonb
FROM districts d WHERE d.code IN ('laoshan', 'shinan', 'shibei', 'huangdao', 'licang', 'chengyang');

CREATE TABLE parcels (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    district_id        uuid NOT NULL REFERENCES districts (id),
    code               text NOT NULL CHECK (char_length(code) BETWEEN 1 AND 40),
    name               text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    location           text NOT NULL DEFAULT '' CHECK (char_length(location) <= 200),
    area_m2            numeric(12, 2) NOT NULL CHECK (area_m2 > 0 AND area_m2 < 10000000),
    contract_no        text NOT NULL CHECK (char_length(contract_no) BETWEEN 1 AND 60),
    transfer_date      date NOT NULL,
    developer_org_id   uuid NOT NULL REFERENCES organisations (id),
    requires_insurance boolean NOT NULL DEFAULT true,
    status             text NOT NULL DEFAULT 'transferred' CHECK (status IN ('transferred', 'project_registered')),
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT parcels_district_code_key UNIQUE (district_id, code)
);
CREATE INDEX parcels_developer_idx ON parcels (developer_org_id);

CREATE TABLE projects (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    parcel_id         uuid NOT NULL REFERENCES parcels (id),
    district_id       uuid NOT NULL REFERENCES districts (id),
    developer_org_id  uuid NOT NULL REFERENCES organisations (id),
    name              text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    housing_type      text NOT NULL CHECK (housing_type IN ('commercial', 'resettlement', 'public_rental')),
    contractor_org_id uuid REFERENCES organisations (id),
    supervisor_org_id uuid REFERENCES organisations (id),
    stage             text NOT NULL DEFAULT 'registered'
                      CHECK (stage IN ('registered', 'permitted', 'completed', 'filed', 'handed_over')),
    permit_date       date,
    completion_date   date,
    filing_date       date,
    handover_date     date,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT projects_parcel_key UNIQUE (parcel_id),
    CONSTRAINT projects_dates_in_order CHECK (
        (completion_date IS NULL OR (permit_date IS NOT NULL AND completion_date >= permit_date))
        AND (filing_date IS NULL OR (completion_date IS NOT NULL AND filing_date >= completion_date))
        AND (handover_date IS NULL OR (filing_date IS NOT NULL AND handover_date >= filing_date)))
);
CREATE INDEX projects_district_idx ON projects (district_id, stage);
CREATE INDEX projects_developer_idx ON projects (developer_org_id);

CREATE TABLE buildings (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id            uuid NOT NULL REFERENCES projects (id),
    name                  text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 40),
    housing_types         text[] NOT NULL CHECK (cardinality(housing_types) BETWEEN 1 AND 3
                          AND housing_types <@ ARRAY['commercial', 'resettlement', 'public_rental']),
    floor_area_m2         numeric(12, 2) NOT NULL CHECK (floor_area_m2 > 0 AND floor_area_m2 < 1000000),
    units                 integer NOT NULL CHECK (units >= 0 AND units < 10000),
    construction_cost_fen bigint NOT NULL CHECK (construction_cost_fen > 0 AND construction_cost_fen <= 10000000000000),
    created_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT buildings_project_name_key UNIQUE (project_id, name)
);

-- Insurers and agencies on a project (the developer, contractor and supervisor are columns of
-- projects). Rows are retired, never deleted.
CREATE TABLE project_parties (
    project_id uuid NOT NULL REFERENCES projects (id),
    org_id     uuid NOT NULL REFERENCES organisations (id),
    role       text NOT NULL CHECK (role IN ('lead_insurer', 'co_insurer', 'risk_agency')),
    added_at   timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz,
    PRIMARY KEY (project_id, org_id, role)
);
CREATE INDEX project_parties_org_idx ON project_parties (org_id, project_id) WHERE retired_at IS NULL;

CREATE TABLE policies (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id          uuid NOT NULL REFERENCES projects (id),
    district_id         uuid NOT NULL REFERENCES districts (id),
    developer_org_id    uuid NOT NULL REFERENCES organisations (id),
    lead_insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    rule_pack_id        uuid NOT NULL REFERENCES rule_packs (id),
    status              text NOT NULL CHECK (status IN ('draft', 'applied', 'quoted', 'accepted', 'paid', 'issued',
                                                        'in_force', 'expired', 'cancelled')),
    policy_number       text CONSTRAINT policies_number_key UNIQUE,
    idi_premium_fen     bigint CHECK (idi_premium_fen >= 0),
    safety_premium_fen  bigint CHECK (safety_premium_fen >= 0),
    total_premium_fen   bigint CHECK (total_premium_fen >= 0),
    tis_fee_fen         bigint CHECK (tis_fee_fen >= 0),
    applied_at          timestamptz,
    quoted_at           timestamptz,
    accepted_at         timestamptz,
    paid_at             timestamptz,
    paid_amount_fen     bigint,
    payment_reference   text CHECK (char_length(payment_reference) <= 100),
    issued_at           timestamptz,
    cancelled_at        timestamptz,
    cancel_reason       text CHECK (char_length(cancel_reason) <= 500),
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    -- 见费出单: no policy number without the full premium paid first.
    CONSTRAINT policies_issued_only_when_paid CHECK (
        status NOT IN ('issued', 'in_force', 'expired')
        OR (paid_at IS NOT NULL AND policy_number IS NOT NULL AND paid_amount_fen = total_premium_fen)),
    CONSTRAINT policies_quoted_has_premium CHECK (
        status IN ('draft', 'applied', 'cancelled') OR total_premium_fen IS NOT NULL)
);
-- At most one live policy per project.
CREATE UNIQUE INDEX policies_one_live_per_project ON policies (project_id) WHERE status NOT IN ('cancelled', 'expired');
CREATE INDEX policies_lead_idx ON policies (lead_insurer_org_id, status);
CREATE INDEX policies_district_idx ON policies (district_id, status);

-- The quote: each building's premium, and each insurer's share.
CREATE TABLE policy_building_premiums (
    policy_id          uuid NOT NULL REFERENCES policies (id),
    building_id        uuid NOT NULL REFERENCES buildings (id),
    rate_bp            integer NOT NULL CHECK (rate_bp > 0),
    idi_premium_fen    bigint NOT NULL CHECK (idi_premium_fen >= 0),
    safety_premium_fen bigint NOT NULL CHECK (safety_premium_fen >= 0),
    PRIMARY KEY (policy_id, building_id)
);

CREATE TABLE policy_shares (
    policy_id      uuid NOT NULL REFERENCES policies (id),
    insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    is_lead        boolean NOT NULL,
    share_bp       integer NOT NULL CHECK (share_bp > 0 AND share_bp <= 10000),
    premium_fen    bigint NOT NULL CHECK (premium_fen >= 0),
    PRIMARY KEY (policy_id, insurer_org_id)
);

CREATE TABLE endorsements (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    policy_id    uuid NOT NULL REFERENCES policies (id),
    kind         text NOT NULL CHECK (kind IN ('exclusion', 'special_condition', 'cancellation')),
    section_code text CHECK (char_length(section_code) <= 40),
    building_id  uuid REFERENCES buildings (id),
    text         text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 2000),
    created_by   uuid NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX endorsements_policy_idx ON endorsements (policy_id);

-- Every permit-gate answer the bureau asked for, with its reason.
CREATE TABLE permit_gate_checks (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id    uuid NOT NULL REFERENCES projects (id),
    district_id   uuid NOT NULL REFERENCES districts (id),
    allowed       boolean NOT NULL,
    reason        text,
    policy_id     uuid REFERENCES policies (id),
    policy_status text,
    checked_by    uuid NOT NULL REFERENCES users (id),
    checked_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX permit_gate_checks_project_idx ON permit_gate_checks (project_id, checked_at DESC);

CREATE TABLE policy_number_counters (
    district_id uuid NOT NULL REFERENCES districts (id),
    year        integer NOT NULL,
    last        integer NOT NULL,
    PRIMARY KEY (district_id, year)
);

-- Membership checks used by policies. SECURITY DEFINER so that a policy on one table can ask
-- about another without recursing through that table's own policies; each answers only for
-- the current organisation.
CREATE FUNCTION app.is_project_party(p_project uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT EXISTS (SELECT 1 FROM project_parties
                   WHERE project_id = p_project AND org_id = app.current_org_id() AND retired_at IS NULL)
$$;
CREATE FUNCTION app.is_lead_insurer(p_project uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT EXISTS (SELECT 1 FROM project_parties
                   WHERE project_id = p_project AND org_id = app.current_org_id()
                     AND role = 'lead_insurer' AND retired_at IS NULL)
$$;
CREATE FUNCTION app.is_project_developer(p_project uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT EXISTS (SELECT 1 FROM projects WHERE id = p_project AND developer_org_id = app.current_org_id())
$$;
-- Next readable policy number for a district: ZAB-LS-2026-000123. Numbers are never reused.
CREATE FUNCTION app.next_policy_number(p_district uuid) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    y integer := extract(year FROM now() AT TIME ZONE 'Asia/Shanghai');
    n integer;
    code text;
BEGIN
    INSERT INTO policy_number_counters (district_id, year, last) VALUES (p_district, y, 1)
        ON CONFLICT (district_id, year) DO UPDATE SET last = policy_number_counters.last + 1
        RETURNING last INTO n;
    SELECT short_code INTO code FROM districts WHERE id = p_district;
    RETURN 'ZAB-' || code || '-' || y || '-' || lpad(n::text, 6, '0');
END $$;
REVOKE ALL ON FUNCTION app.is_project_party(uuid), app.is_lead_insurer(uuid), app.is_project_developer(uuid),
    app.next_policy_number(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.is_project_party(uuid), app.is_lead_insurer(uuid), app.is_project_developer(uuid),
    app.next_policy_number(uuid) TO zhianbao_app;

-- Row-level security -------------------------------------------------------------------------

ALTER TABLE rule_packs ENABLE ROW LEVEL SECURITY;
ALTER TABLE rule_packs FORCE ROW LEVEL SECURITY;
CREATE POLICY rule_packs_read ON rule_packs FOR SELECT TO zhianbao_app USING (app.current_user_id() IS NOT NULL);
CREATE POLICY rule_packs_regulator_adds ON rule_packs FOR INSERT TO zhianbao_app
    WITH CHECK (app.in_jurisdiction(district_id) AND created_by = app.current_user_id());
GRANT SELECT, INSERT ON rule_packs TO zhianbao_app;

ALTER TABLE parcels ENABLE ROW LEVEL SECURITY;
ALTER TABLE parcels FORCE ROW LEVEL SECURITY;
-- Also visible to whoever may see the project built on it (insurers, agency, contractor).
CREATE POLICY parcels_visible ON parcels FOR SELECT TO zhianbao_app
    USING (app.in_jurisdiction(district_id) OR developer_org_id = (SELECT app.current_org_id())
           OR EXISTS (SELECT 1 FROM projects pr WHERE pr.parcel_id = parcels.id));
CREATE POLICY parcels_regulator_registers ON parcels FOR INSERT TO zhianbao_app
    WITH CHECK (app.in_jurisdiction(district_id));
CREATE POLICY parcels_update ON parcels FOR UPDATE TO zhianbao_app
    USING (app.in_jurisdiction(district_id) OR developer_org_id = (SELECT app.current_org_id()))
    WITH CHECK (app.in_jurisdiction(district_id) OR developer_org_id = (SELECT app.current_org_id()));
GRANT SELECT, INSERT, UPDATE (status, version) ON parcels TO zhianbao_app;

ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects FORCE ROW LEVEL SECURITY;
CREATE POLICY projects_visible ON projects FOR SELECT TO zhianbao_app
    USING (developer_org_id = (SELECT app.current_org_id())
           OR contractor_org_id = (SELECT app.current_org_id())
           OR supervisor_org_id = (SELECT app.current_org_id())
           OR app.in_jurisdiction(district_id)
           OR app.is_project_party(id));
CREATE POLICY projects_developer_registers ON projects FOR INSERT TO zhianbao_app
    WITH CHECK (developer_org_id = (SELECT app.current_org_id()) AND app.current_org_kind() = 'developer');
CREATE POLICY projects_stage_update ON projects FOR UPDATE TO zhianbao_app
    USING (developer_org_id = (SELECT app.current_org_id()) OR app.in_jurisdiction(district_id))
    WITH CHECK (developer_org_id = (SELECT app.current_org_id()) OR app.in_jurisdiction(district_id));
GRANT SELECT, INSERT, UPDATE (stage, permit_date, completion_date, filing_date, handover_date, version)
    ON projects TO zhianbao_app;

ALTER TABLE buildings ENABLE ROW LEVEL SECURITY;
ALTER TABLE buildings FORCE ROW LEVEL SECURITY;
CREATE POLICY buildings_visible ON buildings FOR SELECT TO zhianbao_app
    USING (EXISTS (SELECT 1 FROM projects p WHERE p.id = buildings.project_id));
CREATE POLICY buildings_developer_adds ON buildings FOR INSERT TO zhianbao_app
    WITH CHECK (app.is_project_developer(project_id));
GRANT SELECT, INSERT ON buildings TO zhianbao_app;

ALTER TABLE project_parties ENABLE ROW LEVEL SECURITY;
ALTER TABLE project_parties FORCE ROW LEVEL SECURITY;
CREATE POLICY project_parties_visible ON project_parties FOR SELECT TO zhianbao_app
    USING (org_id = (SELECT app.current_org_id())
           OR app.is_project_developer(project_id)
           OR app.is_project_party(project_id)
           OR EXISTS (SELECT 1 FROM projects p WHERE p.id = project_parties.project_id AND app.in_jurisdiction(p.district_id)));
CREATE POLICY project_parties_add ON project_parties FOR INSERT TO zhianbao_app
    WITH CHECK ((role = 'lead_insurer' AND app.is_project_developer(project_id))
                OR (role IN ('co_insurer', 'risk_agency') AND app.is_lead_insurer(project_id)));
CREATE POLICY project_parties_retire ON project_parties FOR UPDATE TO zhianbao_app
    USING (app.is_lead_insurer(project_id) OR app.is_project_developer(project_id))
    WITH CHECK (app.is_lead_insurer(project_id) OR app.is_project_developer(project_id));
GRANT SELECT, INSERT, UPDATE (retired_at) ON project_parties TO zhianbao_app;

ALTER TABLE policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE policies FORCE ROW LEVEL SECURITY;
CREATE POLICY policies_visible ON policies FOR SELECT TO zhianbao_app
    USING (developer_org_id = (SELECT app.current_org_id())
           OR lead_insurer_org_id = (SELECT app.current_org_id())
           OR app.in_jurisdiction(district_id)
           OR app.is_project_party(project_id));
CREATE POLICY policies_developer_applies ON policies FOR INSERT TO zhianbao_app
    WITH CHECK (developer_org_id = (SELECT app.current_org_id()));
CREATE POLICY policies_parties_update ON policies FOR UPDATE TO zhianbao_app
    USING (developer_org_id = (SELECT app.current_org_id()) OR lead_insurer_org_id = (SELECT app.current_org_id()))
    WITH CHECK (developer_org_id = (SELECT app.current_org_id()) OR lead_insurer_org_id = (SELECT app.current_org_id()));
GRANT SELECT, INSERT, UPDATE (status, policy_number, idi_premium_fen, safety_premium_fen, total_premium_fen, tis_fee_fen,
    quoted_at, accepted_at, paid_at, paid_amount_fen, payment_reference, issued_at, cancelled_at, cancel_reason, version)
    ON policies TO zhianbao_app;

-- Quote rows: readable with their policy; only the lead insurer writes them, and only before
-- the developer accepts (a re-quote replaces them).
ALTER TABLE policy_building_premiums ENABLE ROW LEVEL SECURITY;
ALTER TABLE policy_building_premiums FORCE ROW LEVEL SECURITY;
CREATE POLICY policy_building_premiums_visible ON policy_building_premiums FOR SELECT TO zhianbao_app
    USING (EXISTS (SELECT 1 FROM policies p WHERE p.id = policy_building_premiums.policy_id));
CREATE POLICY policy_building_premiums_lead_writes ON policy_building_premiums FOR ALL TO zhianbao_app
    USING (EXISTS (SELECT 1 FROM policies p WHERE p.id = policy_building_premiums.policy_id
                   AND p.lead_insurer_org_id = (SELECT app.current_org_id()) AND p.status IN ('applied', 'quoted')))
    WITH CHECK (EXISTS (SELECT 1 FROM policies p WHERE p.id = policy_building_premiums.policy_id
                        AND p.lead_insurer_org_id = (SELECT app.current_org_id()) AND p.status IN ('applied', 'quoted')));
GRANT SELECT, INSERT, DELETE ON policy_building_premiums TO zhianbao_app;

ALTER TABLE policy_shares ENABLE ROW LEVEL SECURITY;
ALTER TABLE policy_shares FORCE ROW LEVEL SECURITY;
CREATE POLICY policy_shares_visible ON policy_shares FOR SELECT TO zhianbao_app
    USING (EXISTS (SELECT 1 FROM policies p WHERE p.id = policy_shares.policy_id));
CREATE POLICY policy_shares_lead_writes ON policy_shares FOR ALL TO zhianbao_app
    USING (EXISTS (SELECT 1 FROM policies p WHERE p.id = policy_shares.policy_id
                   AND p.lead_insurer_org_id = (SELECT app.current_org_id()) AND p.status IN ('applied', 'quoted')))
    WITH CHECK (EXISTS (SELECT 1 FROM policies p WHERE p.id = policy_shares.policy_id
                        AND p.lead_insurer_org_id = (SELECT app.current_org_id()) AND p.status IN ('applied', 'quoted')));
GRANT SELECT, INSERT, DELETE ON policy_shares TO zhianbao_app;

ALTER TABLE endorsements ENABLE ROW LEVEL SECURITY;
ALTER TABLE endorsements FORCE ROW LEVEL SECURITY;
CREATE POLICY endorsements_visible ON endorsements FOR SELECT TO zhianbao_app
    USING (EXISTS (SELECT 1 FROM policies p WHERE p.id = endorsements.policy_id));
CREATE POLICY endorsements_lead_adds ON endorsements FOR INSERT TO zhianbao_app
    WITH CHECK (EXISTS (SELECT 1 FROM policies p WHERE p.id = endorsements.policy_id
                        AND p.lead_insurer_org_id = (SELECT app.current_org_id())));
GRANT SELECT, INSERT ON endorsements TO zhianbao_app;

ALTER TABLE permit_gate_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE permit_gate_checks FORCE ROW LEVEL SECURITY;
CREATE POLICY permit_gate_checks_regulator ON permit_gate_checks FOR ALL TO zhianbao_app
    USING (app.in_jurisdiction(district_id))
    WITH CHECK (app.in_jurisdiction(district_id) AND checked_by = app.current_user_id());
GRANT SELECT, INSERT ON permit_gate_checks TO zhianbao_app;
