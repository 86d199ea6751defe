-- Coverage and safety counters: the bureau's 投保率 figures and their history, kept in the same
-- transaction as the parcels, projects and policies they count, so its home and analytics read a row
-- per district, housing type and month of land transfer instead of every parcel, project and
-- policy; and safety incidents and prevention services per district, month and kind.

-- Each parcel's part in the figures, as of its project and its first issued policy.
CREATE TABLE stats_parcel_coverage (
    parcel_id               uuid PRIMARY KEY REFERENCES parcels (id),
    district_id             uuid NOT NULL REFERENCES districts (id),
    -- '' while the parcel has no project.
    housing_type            text NOT NULL,
    transfer_date           date NOT NULL,
    requiring               int NOT NULL,
    insured                 int NOT NULL,
    permitted               int NOT NULL,
    permitted_insured_first int NOT NULL,
    awaiting_permit         int NOT NULL,
    awaiting_permit_insured int NOT NULL,
    premium_fen             bigint NOT NULL
);
-- The parcels that must insure and have not, oldest transfer first (the bureau's chase list).
CREATE INDEX stats_parcel_coverage_uninsured_idx ON stats_parcel_coverage (district_id, transfer_date)
    WHERE requiring = 1 AND insured = 0;

CREATE TABLE stats_coverage (
    district_id             uuid NOT NULL REFERENCES districts (id),
    housing_type            text NOT NULL,
    transfer_month          date NOT NULL,
    parcels                 bigint NOT NULL DEFAULT 0,
    requiring               bigint NOT NULL DEFAULT 0,
    insured                 bigint NOT NULL DEFAULT 0,
    permitted               bigint NOT NULL DEFAULT 0,
    permitted_insured_first bigint NOT NULL DEFAULT 0,
    awaiting_permit         bigint NOT NULL DEFAULT 0,
    awaiting_permit_insured bigint NOT NULL DEFAULT 0,
    premium_fen             bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (district_id, housing_type, transfer_month)
);

-- A parcel's part, from the raw rows (the same rules as the coverage query it replaces).
CREATE FUNCTION app.parcel_coverage(p_parcel uuid) RETURNS stats_parcel_coverage
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT pa.id, pa.district_id, coalesce(pr.housing_type, ''), pa.transfer_date,
           pa.requires_insurance::int,
           (pa.requires_insurance AND po.issued_at IS NOT NULL)::int,
           (pr.permit_date IS NOT NULL)::int,
           coalesce(pr.permit_date IS NOT NULL AND po.issued_at IS NOT NULL AND app.shanghai_day(po.issued_at) <= pr.permit_date, false)::int,
           coalesce(pr.id IS NOT NULL AND pr.stage = 'registered', false)::int,
           coalesce(pr.stage = 'registered' AND po.issued_at IS NOT NULL, false)::int,
           coalesce(po.total_premium_fen, 0)
    FROM parcels pa
    LEFT JOIN projects pr ON pr.parcel_id = pa.id
    LEFT JOIN LATERAL (SELECT issued_at, total_premium_fen FROM policies
                       WHERE project_id = pr.id AND status IN ('issued', 'in_force', 'expired')
                       ORDER BY issued_at LIMIT 1) po ON true
    WHERE pa.id = p_parcel
$$;

CREATE FUNCTION app.coverage_add(r stats_parcel_coverage, p_sign int) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, public AS $$
    INSERT INTO stats_coverage AS s VALUES (
        r.district_id, r.housing_type, date_trunc('month', r.transfer_date)::date, p_sign,
        p_sign * r.requiring, p_sign * r.insured, p_sign * r.permitted, p_sign * r.permitted_insured_first,
        p_sign * r.awaiting_permit, p_sign * r.awaiting_permit_insured, p_sign * r.premium_fen)
    ON CONFLICT (district_id, housing_type, transfer_month) DO UPDATE SET
        parcels = s.parcels + excluded.parcels, requiring = s.requiring + excluded.requiring,
        insured = s.insured + excluded.insured, permitted = s.permitted + excluded.permitted,
        permitted_insured_first = s.permitted_insured_first + excluded.permitted_insured_first,
        awaiting_permit = s.awaiting_permit + excluded.awaiting_permit,
        awaiting_permit_insured = s.awaiting_permit_insured + excluded.awaiting_permit_insured,
        premium_fen = s.premium_fen + excluded.premium_fen
$$;

-- Replaces a parcel's part: its old part out of the totals, its new part in.
CREATE FUNCTION app.recount_coverage(p_parcel uuid) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    was stats_parcel_coverage;
    now_ stats_parcel_coverage;
BEGIN
    IF p_parcel IS NULL THEN
        RETURN;
    END IF;
    SELECT * INTO was FROM stats_parcel_coverage WHERE parcel_id = p_parcel FOR UPDATE;
    IF FOUND THEN
        PERFORM app.coverage_add(was, -1);
        DELETE FROM stats_parcel_coverage WHERE parcel_id = p_parcel;
    END IF;
    now_ := app.parcel_coverage(p_parcel);
    IF now_.parcel_id IS NOT NULL THEN
        INSERT INTO stats_parcel_coverage SELECT now_.*;
        PERFORM app.coverage_add(now_, 1);
    END IF;
END $$;
REVOKE ALL ON FUNCTION app.recount_coverage(uuid) FROM PUBLIC;
REVOKE ALL ON FUNCTION app.coverage_add(stats_parcel_coverage, int) FROM PUBLIC;

CREATE FUNCTION app.coverage_of_parcel() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM app.recount_coverage(NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER parcels_counted_for_coverage AFTER INSERT OR UPDATE OF requires_insurance, transfer_date, district_id ON parcels
    FOR EACH ROW EXECUTE FUNCTION app.coverage_of_parcel();

CREATE FUNCTION app.coverage_of_project() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM app.recount_coverage(NEW.parcel_id);
    IF TG_OP = 'UPDATE' AND OLD.parcel_id <> NEW.parcel_id THEN
        PERFORM app.recount_coverage(OLD.parcel_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER projects_counted_for_coverage AFTER INSERT OR UPDATE OF stage, permit_date, housing_type, parcel_id ON projects
    FOR EACH ROW EXECUTE FUNCTION app.coverage_of_project();

CREATE FUNCTION app.coverage_of_policy() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM app.recount_coverage((SELECT parcel_id FROM projects WHERE id = NEW.project_id));
    RETURN NULL;
END $$;
CREATE TRIGGER policies_counted_for_coverage AFTER INSERT OR UPDATE OF status, issued_at, total_premium_fen ON policies
    FOR EACH ROW EXECUTE FUNCTION app.coverage_of_policy();

ALTER TABLE stats_parcel_coverage ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_parcel_coverage FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_parcel_coverage_visible ON stats_parcel_coverage FOR SELECT TO zhianbao_app
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]));
GRANT SELECT ON stats_parcel_coverage TO zhianbao_app;

ALTER TABLE stats_coverage ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_coverage FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_coverage_visible ON stats_coverage FOR SELECT TO zhianbao_app
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]));
GRANT SELECT ON stats_coverage TO zhianbao_app;

-- Incidents by accident type and prevention services by kind, per district and month (both are
-- written once; only an incident's status changes later).
CREATE TABLE stats_safety (
    district_id   uuid NOT NULL REFERENCES districts (id),
    month         date NOT NULL,
    category      text NOT NULL CHECK (category IN ('incident', 'service')),
    kind          text NOT NULL,
    events        bigint NOT NULL DEFAULT 0,
    hazards_found bigint NOT NULL DEFAULT 0,
    participants  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (district_id, month, category, kind)
);

CREATE FUNCTION app.count_safety() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_TABLE_NAME = 'safety_incidents' THEN
        INSERT INTO stats_safety AS s (district_id, month, category, kind, events)
        VALUES (NEW.district_id, date_trunc('month', app.shanghai_day(NEW.occurred_at))::date, 'incident', NEW.accident_type, 1)
        ON CONFLICT (district_id, month, category, kind) DO UPDATE SET events = s.events + 1;
    ELSE
        INSERT INTO stats_safety AS s (district_id, month, category, kind, events, hazards_found, participants)
        VALUES (NEW.district_id, date_trunc('month', NEW.performed_on)::date, 'service', NEW.kind, 1, NEW.hazards_found, NEW.participants)
        ON CONFLICT (district_id, month, category, kind) DO UPDATE
            SET events = s.events + 1, hazards_found = s.hazards_found + excluded.hazards_found,
                participants = s.participants + excluded.participants;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER safety_incidents_counted AFTER INSERT ON safety_incidents
    FOR EACH ROW EXECUTE FUNCTION app.count_safety();
CREATE TRIGGER safety_services_counted AFTER INSERT ON safety_services
    FOR EACH ROW EXECUTE FUNCTION app.count_safety();

ALTER TABLE stats_safety ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_safety FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_safety_visible ON stats_safety FOR SELECT TO zhianbao_app
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]));
GRANT SELECT ON stats_safety TO zhianbao_app;

-- The recount of every counter now covers coverage and safety too (after a bulk load, and in tests).
ALTER FUNCTION app.rebuild_stats() RENAME TO rebuild_counters;
CREATE FUNCTION app.rebuild_stats() RETURNS void LANGUAGE sql AS $$
    SELECT app.rebuild_counters();
    TRUNCATE stats_parcel_coverage, stats_coverage;
    INSERT INTO stats_parcel_coverage SELECT c.* FROM parcels pa CROSS JOIN LATERAL app.parcel_coverage(pa.id) c;
    INSERT INTO stats_coverage
        SELECT district_id, housing_type, date_trunc('month', transfer_date)::date, count(*), sum(requiring), sum(insured),
               sum(permitted), sum(permitted_insured_first), sum(awaiting_permit), sum(awaiting_permit_insured), sum(premium_fen)
        FROM stats_parcel_coverage GROUP BY 1, 2, 3;
    TRUNCATE stats_safety;
    INSERT INTO stats_safety
        SELECT district_id, date_trunc('month', app.shanghai_day(occurred_at))::date, 'incident', accident_type, count(*), 0, 0
        FROM safety_incidents GROUP BY 1, 2, 4;
    INSERT INTO stats_safety
        SELECT district_id, date_trunc('month', performed_on)::date, 'service', kind, count(*), sum(hazards_found), sum(participants)
        FROM safety_services GROUP BY 1, 2, 4;
$$;
REVOKE ALL ON FUNCTION app.rebuild_stats() FROM PUBLIC;
REVOKE ALL ON FUNCTION app.rebuild_counters() FROM PUBLIC;

SELECT app.rebuild_stats();
