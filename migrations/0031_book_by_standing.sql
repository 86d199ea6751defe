-- The insurer's book names its riskiest projects and its agencies' records without reading every
-- project it leads (a national insurer leads 2,600: scoring them all cost ≈ 10 ms a page).
--
-- 1. Each league row keeps the part of its risk score that does not change with the date (the
--    "standing" part: severity, recurring defects, the final report's review), indexed per lead
--    insurer. The book scores the top of that index, then only the projects an overdue order
--    could still lift into the top (domain::underwriting::contender_floors).
-- 2. The projects' final report reviews move onto the league row (the book read them from the
--    reports), kept by a trigger on the reports.
-- 3. Each insurer's agencies have a league row of their own, rolled up with the others.

-- The same sum as domain::underwriting::standing_points (its weights, caps and order of
-- additions, in double precision); a test compares the two on generated data. The column below
-- stores it: new weights need a migration that replaces the function and rewrites the column.
CREATE FUNCTION app.risk_standing(p_raised bigint[], p_recurring bigint, p_floor_area_m2 numeric, p_final_review text)
RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(50, (p_raised[1]::float8 * 0.01 + p_raised[2]::float8 * 0.05 + p_raised[3]::float8 * 0.3
                      + p_raised[4]::float8 * 1.5 + p_raised[5]::float8 * 2.0 + p_raised[6]::float8 * 0.1)
                     / greatest(p_floor_area_m2::float8 / 10000, 1))
         + least(20, 20 * p_recurring::float8 / (p_raised[3] + p_raised[4] + p_raised[5] + 10))
         + CASE WHEN p_final_review = 'exclusions_added' THEN 15 ELSE 0 END
$$;

ALTER TABLE stats_project_league
    ADD COLUMN final_review text,
    ADD COLUMN risk_standing float8 NOT NULL
        GENERATED ALWAYS AS (app.risk_standing(raised, recurring, floor_area_m2, final_review)) STORED;
CREATE INDEX stats_project_league_insurer_standing_idx
    ON stats_project_league (insurer_org_id, risk_standing DESC, project_id);
DROP INDEX stats_project_league_insurer_idx;

-- The review of the project's latest reviewed final report, as the book showed it.
CREATE FUNCTION app.latest_final_review(p_project uuid) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT status FROM risk_reports
    WHERE project_id = p_project AND kind = 'final' AND status <> 'issued'
    ORDER BY created_at DESC LIMIT 1
$$;
REVOKE ALL ON FUNCTION app.latest_final_review(uuid) FROM PUBLIC;

CREATE FUNCTION app.league_final_review() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE stats_project_league SET final_review = app.latest_final_review(NEW.project_id)
    WHERE project_id = NEW.project_id;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION app.league_final_review() FROM PUBLIC;
CREATE TRIGGER risk_reports_final_review AFTER INSERT OR UPDATE OF status ON risk_reports
    FOR EACH ROW WHEN (NEW.kind = 'final') EXECUTE FUNCTION app.league_final_review();

-- Each agency's record over the projects an insurer leads.
CREATE TABLE stats_insurer_agencies (
    insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    agency_org_id  uuid NOT NULL REFERENCES organisations (id),
    projects       bigint NOT NULL DEFAULT 0,
    floor_area_m2  numeric(16, 2) NOT NULL DEFAULT 0,
    units          bigint NOT NULL DEFAULT 0,
    defects        bigint NOT NULL DEFAULT 0,
    severe         bigint NOT NULL DEFAULT 0,
    orders         bigint NOT NULL DEFAULT 0,
    orders_closed  bigint NOT NULL DEFAULT 0,
    orders_on_time bigint NOT NULL DEFAULT 0,
    claims         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (insurer_org_id, agency_org_id)
);

CREATE FUNCTION app.insurer_agency_add(p_sign int, r stats_project_league) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF r.insurer_org_id IS NULL OR r.agency_org_id IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO stats_insurer_agencies AS s VALUES (
        r.insurer_org_id, r.agency_org_id, p_sign, p_sign * r.floor_area_m2, p_sign * r.units, p_sign * r.defects,
        p_sign * r.severe, p_sign * r.orders, p_sign * r.orders_closed, p_sign * r.orders_on_time, p_sign * r.claims)
    ON CONFLICT (insurer_org_id, agency_org_id) DO UPDATE SET
        projects = s.projects + excluded.projects, floor_area_m2 = s.floor_area_m2 + excluded.floor_area_m2,
        units = s.units + excluded.units, defects = s.defects + excluded.defects, severe = s.severe + excluded.severe,
        orders = s.orders + excluded.orders, orders_closed = s.orders_closed + excluded.orders_closed,
        orders_on_time = s.orders_on_time + excluded.orders_on_time, claims = s.claims + excluded.claims;
END $$;
REVOKE ALL ON FUNCTION app.insurer_agency_add(int, stats_project_league) FROM PUBLIC;

CREATE OR REPLACE FUNCTION app.league_roll_up() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM app.league_add('developer', OLD.developer_org_id, -1, OLD);
        PERFORM app.league_add('contractor', OLD.contractor_org_id, -1, OLD);
        PERFORM app.league_add('insurer', OLD.insurer_org_id, -1, OLD);
        PERFORM app.league_add('agency', OLD.agency_org_id, -1, OLD);
        PERFORM app.insurer_agency_add(-1, OLD);
    END IF;
    PERFORM app.league_add('developer', NEW.developer_org_id, 1, NEW);
    PERFORM app.league_add('contractor', NEW.contractor_org_id, 1, NEW);
    PERFORM app.league_add('insurer', NEW.insurer_org_id, 1, NEW);
    PERFORM app.league_add('agency', NEW.agency_org_id, 1, NEW);
    PERFORM app.insurer_agency_add(1, NEW);
    RETURN NULL;
END $$;

ALTER TABLE stats_insurer_agencies ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_insurer_agencies FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_insurer_agencies_own ON stats_insurer_agencies FOR SELECT TO zhianbao_app
    USING (insurer_org_id = (SELECT app.current_org_id()));
GRANT SELECT ON stats_insurer_agencies TO zhianbao_app;

-- This migration's counters recounted from the rows they keep.
CREATE FUNCTION app.recount_book_by_standing() RETURNS void LANGUAGE sql AS $$
    UPDATE stats_project_league l SET final_review = app.latest_final_review(l.project_id)
    WHERE l.final_review IS DISTINCT FROM app.latest_final_review(l.project_id);
    TRUNCATE stats_insurer_agencies;
    INSERT INTO stats_insurer_agencies
        SELECT insurer_org_id, agency_org_id, count(*), sum(floor_area_m2), sum(units), sum(defects), sum(severe),
               sum(orders), sum(orders_closed), sum(orders_on_time), sum(claims)
        FROM stats_project_league WHERE insurer_org_id IS NOT NULL AND agency_org_id IS NOT NULL GROUP BY 1, 2;
$$;
REVOKE ALL ON FUNCTION app.recount_book_by_standing() FROM PUBLIC;

ALTER FUNCTION app.rebuild_stats() RENAME TO rebuild_counters_0026;
CREATE FUNCTION app.rebuild_stats() RETURNS void LANGUAGE sql AS $$
    SELECT app.rebuild_counters_0026();
    SELECT app.recount_book_by_standing();
$$;
REVOKE ALL ON FUNCTION app.rebuild_stats() FROM PUBLIC;
REVOKE ALL ON FUNCTION app.rebuild_counters_0026() FROM PUBLIC;

SELECT app.recount_book_by_standing();
