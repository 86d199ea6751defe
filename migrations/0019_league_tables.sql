-- League tables: per project, what insurers, risk-management agencies, developers and contractors
-- are ranked by, kept in the same transaction as the rows (like 0016–0017), with the project's
-- parties on the row so a league is one scan of the bureau's districts, never a join per party.

CREATE TABLE stats_project_league (
    project_id        uuid PRIMARY KEY REFERENCES projects (id),
    district_id       uuid NOT NULL REFERENCES districts (id),
    developer_org_id  uuid NOT NULL REFERENCES organisations (id),
    contractor_org_id uuid REFERENCES organisations (id),
    insurer_org_id    uuid REFERENCES organisations (id),
    agency_org_id     uuid REFERENCES organisations (id),
    floor_area_m2     numeric(14, 2) NOT NULL DEFAULT 0,
    units             bigint NOT NULL DEFAULT 0,
    -- Findings that call for rectification (B–E, R) and the severe ones (D/E), by original level.
    defects           bigint NOT NULL DEFAULT 0,
    severe            bigint NOT NULL DEFAULT 0,
    orders            bigint NOT NULL DEFAULT 0,
    orders_closed     bigint NOT NULL DEFAULT 0,
    -- Closed on or before the deadline (Asia/Shanghai calendar day).
    orders_on_time    bigint NOT NULL DEFAULT 0,
    claims            bigint NOT NULL DEFAULT 0
);
CREATE INDEX stats_project_league_district_idx ON stats_project_league (district_id);
CREATE INDEX stats_project_league_insurer_idx ON stats_project_league (insurer_org_id);

CREATE FUNCTION app.order_on_time(p_status text, p_closed_at timestamptz, p_deadline date) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
    SELECT (p_status = 'closed' AND p_closed_at IS NOT NULL AND app.shanghai_day(p_closed_at) <= p_deadline)::int
$$;

CREATE FUNCTION app.league_project() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO stats_project_league (project_id, district_id, developer_org_id, contractor_org_id)
    VALUES (NEW.id, NEW.district_id, NEW.developer_org_id, NEW.contractor_org_id)
    ON CONFLICT (project_id) DO UPDATE SET contractor_org_id = excluded.contractor_org_id;
    RETURN NEW;
END $$;
CREATE TRIGGER projects_in_league AFTER INSERT OR UPDATE OF contractor_org_id ON projects
    FOR EACH ROW EXECUTE FUNCTION app.league_project();

-- The project's current lead insurer and agency (the latest one not retired).
CREATE FUNCTION app.league_party() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    IF NEW.role = 'lead_insurer' THEN
        UPDATE stats_project_league SET insurer_org_id = (
            SELECT org_id FROM project_parties WHERE project_id = NEW.project_id AND role = 'lead_insurer' AND retired_at IS NULL
            ORDER BY added_at DESC LIMIT 1)
        WHERE project_id = NEW.project_id;
    ELSIF NEW.role = 'risk_agency' THEN
        UPDATE stats_project_league SET agency_org_id = (
            SELECT org_id FROM project_parties WHERE project_id = NEW.project_id AND role = 'risk_agency' AND retired_at IS NULL
            ORDER BY added_at DESC LIMIT 1)
        WHERE project_id = NEW.project_id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER project_parties_in_league AFTER INSERT OR UPDATE OF retired_at ON project_parties
    FOR EACH ROW EXECUTE FUNCTION app.league_party();

CREATE FUNCTION app.league_building() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE stats_project_league SET floor_area_m2 = floor_area_m2 - OLD.floor_area_m2, units = units - OLD.units
        WHERE project_id = OLD.project_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE stats_project_league SET floor_area_m2 = floor_area_m2 + NEW.floor_area_m2, units = units + NEW.units
        WHERE project_id = NEW.project_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER buildings_in_league AFTER INSERT OR UPDATE OF floor_area_m2, units OR DELETE ON buildings
    FOR EACH ROW EXECUTE FUNCTION app.league_building();

CREATE FUNCTION app.league_finding() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE stats_project_league
    SET defects = defects + (NEW.original_level IN ('B', 'C', 'D', 'E', 'R'))::int,
        severe = severe + (NEW.original_level IN ('D', 'E'))::int
    WHERE project_id = NEW.project_id;
    RETURN NULL;
END $$;
CREATE TRIGGER findings_in_league AFTER INSERT ON findings
    FOR EACH ROW EXECUTE FUNCTION app.league_finding();

CREATE FUNCTION app.league_order() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    closed int := (NEW.status = 'closed')::int;
    on_time int := app.order_on_time(NEW.status, NEW.closed_at, NEW.deadline);
BEGIN
    IF TG_OP = 'UPDATE' THEN
        closed := closed - (OLD.status = 'closed')::int;
        on_time := on_time - app.order_on_time(OLD.status, OLD.closed_at, OLD.deadline);
    END IF;
    UPDATE stats_project_league
    SET orders = orders + (TG_OP = 'INSERT')::int, orders_closed = orders_closed + closed, orders_on_time = orders_on_time + on_time
    WHERE project_id = NEW.project_id;
    RETURN NULL;
END $$;
CREATE TRIGGER orders_in_league AFTER INSERT OR UPDATE OF status, closed_at, deadline ON rectification_orders
    FOR EACH ROW EXECUTE FUNCTION app.league_order();

CREATE FUNCTION app.league_claim() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE stats_project_league SET claims = claims + 1 WHERE project_id = NEW.project_id;
    RETURN NULL;
END $$;
CREATE TRIGGER claims_in_league AFTER INSERT ON claims
    FOR EACH ROW EXECUTE FUNCTION app.league_claim();

-- The same sums per district and party: what a bureau's league reads (a row per developer,
-- contractor, insurer and agency active in each district, whatever the number of projects). Every
-- change of a project's row moves its old values out of its old parties' rows and its new values
-- into its new parties' rows, so a new agency or contractor takes the project's history with it.
CREATE TABLE stats_party_league (
    district_id    uuid NOT NULL REFERENCES districts (id),
    party          text NOT NULL CHECK (party IN ('agency', 'developer', 'contractor', 'insurer')),
    org_id         uuid NOT NULL REFERENCES organisations (id),
    projects       bigint NOT NULL DEFAULT 0,
    floor_area_m2  numeric(16, 2) NOT NULL DEFAULT 0,
    units          bigint NOT NULL DEFAULT 0,
    defects        bigint NOT NULL DEFAULT 0,
    severe         bigint NOT NULL DEFAULT 0,
    orders         bigint NOT NULL DEFAULT 0,
    orders_closed  bigint NOT NULL DEFAULT 0,
    orders_on_time bigint NOT NULL DEFAULT 0,
    claims         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (district_id, party, org_id)
);

CREATE FUNCTION app.league_add(p_party text, p_org uuid, p_sign int, r stats_project_league) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF p_org IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO stats_party_league AS s VALUES (
        r.district_id, p_party, p_org, p_sign, p_sign * r.floor_area_m2, p_sign * r.units, p_sign * r.defects,
        p_sign * r.severe, p_sign * r.orders, p_sign * r.orders_closed, p_sign * r.orders_on_time, p_sign * r.claims)
    ON CONFLICT (district_id, party, org_id) DO UPDATE SET
        projects = s.projects + excluded.projects, floor_area_m2 = s.floor_area_m2 + excluded.floor_area_m2,
        units = s.units + excluded.units, defects = s.defects + excluded.defects, severe = s.severe + excluded.severe,
        orders = s.orders + excluded.orders, orders_closed = s.orders_closed + excluded.orders_closed,
        orders_on_time = s.orders_on_time + excluded.orders_on_time, claims = s.claims + excluded.claims;
END $$;
REVOKE ALL ON FUNCTION app.league_add(text, uuid, int, stats_project_league) FROM PUBLIC;

CREATE FUNCTION app.league_roll_up() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM app.league_add('developer', OLD.developer_org_id, -1, OLD);
        PERFORM app.league_add('contractor', OLD.contractor_org_id, -1, OLD);
        PERFORM app.league_add('insurer', OLD.insurer_org_id, -1, OLD);
        PERFORM app.league_add('agency', OLD.agency_org_id, -1, OLD);
    END IF;
    PERFORM app.league_add('developer', NEW.developer_org_id, 1, NEW);
    PERFORM app.league_add('contractor', NEW.contractor_org_id, 1, NEW);
    PERFORM app.league_add('insurer', NEW.insurer_org_id, 1, NEW);
    PERFORM app.league_add('agency', NEW.agency_org_id, 1, NEW);
    RETURN NULL;
END $$;
CREATE TRIGGER stats_project_league_rolled_up AFTER INSERT OR UPDATE ON stats_project_league
    FOR EACH ROW EXECUTE FUNCTION app.league_roll_up();

ALTER TABLE stats_party_league ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_party_league FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_party_league_visible ON stats_party_league FOR SELECT TO zhianbao_app
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]));
GRANT SELECT ON stats_party_league TO zhianbao_app;

ALTER TABLE stats_project_league ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_project_league FORCE ROW LEVEL SECURITY;
-- A bureau reads its districts' projects; an insurer or agency the projects it is a party to.
CREATE POLICY stats_project_league_visible ON stats_project_league FOR SELECT TO zhianbao_app
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]) OR project_id = ANY ((SELECT app.party_project_ids())::uuid[]));
GRANT SELECT ON stats_project_league TO zhianbao_app;

-- What a party's home counts, per project (the findings and orders policies of 0003 would test
-- every row a big insurer or agency may see): open findings by current level, and open orders by
-- deadline (overdue is a matter of today's date, so orders are counted per deadline day).
CREATE TABLE stats_project_open (
    project_id       uuid NOT NULL REFERENCES projects (id),
    district_id      uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    level            text NOT NULL,
    open             bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, level)
);
CREATE INDEX stats_project_open_developer_idx ON stats_project_open (developer_org_id);

CREATE TABLE stats_project_deadlines (
    project_id       uuid NOT NULL REFERENCES projects (id),
    district_id      uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    deadline         date NOT NULL,
    open             bigint NOT NULL DEFAULT 0,
    responded        bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, deadline)
);
CREATE INDEX stats_project_deadlines_developer_idx ON stats_project_deadlines (developer_org_id, deadline);
-- A party's earliest open orders, walked in deadline order.
CREATE INDEX rectification_orders_open_deadline_idx ON rectification_orders (deadline) WHERE status <> 'closed';

CREATE FUNCTION app.count_open_finding() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'open' THEN
        UPDATE stats_project_open SET open = open - 1 WHERE project_id = OLD.project_id AND level = OLD.current_level;
    END IF;
    IF NEW.status = 'open' THEN
        INSERT INTO stats_project_open AS s (project_id, district_id, developer_org_id, level, open)
        VALUES (NEW.project_id, NEW.district_id, NEW.developer_org_id, NEW.current_level, 1)
        ON CONFLICT (project_id, level) DO UPDATE SET open = s.open + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER findings_counted_open AFTER INSERT OR UPDATE OF status, current_level ON findings
    FOR EACH ROW EXECUTE FUNCTION app.count_open_finding();

CREATE FUNCTION app.count_open_order() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status <> 'closed' THEN
        UPDATE stats_project_deadlines
        SET open = open - 1, responded = responded - (OLD.status = 'responded')::int
        WHERE project_id = OLD.project_id AND deadline = OLD.deadline;
    END IF;
    IF NEW.status <> 'closed' THEN
        INSERT INTO stats_project_deadlines AS s (project_id, district_id, developer_org_id, deadline, open, responded)
        VALUES (NEW.project_id, NEW.district_id, NEW.developer_org_id, NEW.deadline, 1, (NEW.status = 'responded')::int)
        ON CONFLICT (project_id, deadline) DO UPDATE SET open = s.open + 1, responded = s.responded + excluded.responded;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER orders_counted_open AFTER INSERT OR UPDATE OF status, deadline ON rectification_orders
    FOR EACH ROW EXECUTE FUNCTION app.count_open_order();

ALTER TABLE stats_project_open ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_project_open FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_project_open_visible ON stats_project_open FOR SELECT TO zhianbao_app
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]) OR project_id = ANY ((SELECT app.party_project_ids())::uuid[])
           OR developer_org_id = (SELECT app.current_org_id()));
GRANT SELECT ON stats_project_open TO zhianbao_app;

ALTER TABLE stats_project_deadlines ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_project_deadlines FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_project_deadlines_visible ON stats_project_deadlines FOR SELECT TO zhianbao_app
    USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]) OR project_id = ANY ((SELECT app.party_project_ids())::uuid[])
           OR developer_org_id = (SELECT app.current_org_id()));
GRANT SELECT ON stats_project_deadlines TO zhianbao_app;

-- The recount of 0017 (now `app.rebuild_counters_0017`) extended with the league and a party's
-- open findings and orders.
ALTER FUNCTION app.rebuild_stats() RENAME TO rebuild_counters_0017;
CREATE FUNCTION app.rebuild_stats() RETURNS void LANGUAGE sql AS $$
    SELECT app.rebuild_counters_0017();
    TRUNCATE stats_project_league, stats_party_league, stats_project_open, stats_project_deadlines;
    INSERT INTO stats_project_league
        SELECT p.id, p.district_id, p.developer_org_id, p.contractor_org_id,
               (SELECT org_id FROM project_parties x WHERE x.project_id = p.id AND x.role = 'lead_insurer' AND x.retired_at IS NULL
                ORDER BY x.added_at DESC LIMIT 1),
               (SELECT org_id FROM project_parties x WHERE x.project_id = p.id AND x.role = 'risk_agency' AND x.retired_at IS NULL
                ORDER BY x.added_at DESC LIMIT 1),
               coalesce(b.area, 0), coalesce(b.units, 0), coalesce(f.defects, 0), coalesce(f.severe, 0),
               coalesce(o.orders, 0), coalesce(o.closed, 0), coalesce(o.on_time, 0), coalesce(c.claims, 0)
        FROM projects p
        LEFT JOIN (SELECT project_id, sum(floor_area_m2) AS area, sum(units) AS units FROM buildings GROUP BY 1) b ON b.project_id = p.id
        LEFT JOIN (SELECT project_id, count(*) FILTER (WHERE original_level IN ('B', 'C', 'D', 'E', 'R')) AS defects,
                          count(*) FILTER (WHERE original_level IN ('D', 'E')) AS severe
                   FROM findings GROUP BY 1) f ON f.project_id = p.id
        LEFT JOIN (SELECT project_id, count(*) AS orders, count(*) FILTER (WHERE status = 'closed') AS closed,
                          sum(app.order_on_time(status, closed_at, deadline)) AS on_time
                   FROM rectification_orders GROUP BY 1) o ON o.project_id = p.id
        LEFT JOIN (SELECT project_id, count(*) AS claims FROM claims GROUP BY 1) c ON c.project_id = p.id;
    INSERT INTO stats_project_open
        SELECT project_id, district_id, developer_org_id, current_level, count(*) FROM findings WHERE status = 'open' GROUP BY 1, 2, 3, 4;
    INSERT INTO stats_project_deadlines
        SELECT project_id, district_id, developer_org_id, deadline, count(*), count(*) FILTER (WHERE status = 'responded')
        FROM rectification_orders WHERE status <> 'closed' GROUP BY 1, 2, 3, 4;
    -- Rolled up again from the projects' rows, whether or not triggers fired above (a bulk load
    -- runs with them off).
    TRUNCATE stats_party_league;
    INSERT INTO stats_party_league
        SELECT l.district_id, x.party, x.org_id, count(*), sum(floor_area_m2), sum(units), sum(defects), sum(severe),
               sum(orders), sum(orders_closed), sum(orders_on_time), sum(claims)
        FROM stats_project_league l
        CROSS JOIN LATERAL (VALUES ('developer', l.developer_org_id), ('contractor', l.contractor_org_id),
                                   ('insurer', l.insurer_org_id), ('agency', l.agency_org_id)) x (party, org_id)
        WHERE x.org_id IS NOT NULL
        GROUP BY 1, 2, 3;
$$;

REVOKE ALL ON FUNCTION app.rebuild_stats() FROM PUBLIC;

SELECT app.rebuild_stats();
