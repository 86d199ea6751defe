-- A party's home and an insurer's book read one organisation's own rows, never one row per
-- project it is a party to: an insurer leading 4,000 projects read 4,000 projects' counters (and
-- its whole policy list) on every visit to its home. Kept in the same transaction as the rows.

-- Who is a party to a project (lead or co-insurer, agency, developer), with the project's open
-- C–E and D/E findings and the sixteen earliest deadlines of its open, unanswered orders (the risk
-- score's overdue part is full long before sixteen orders, so a book scores every project without
-- counting its orders; the first is the longest overdue): membership for the roll-ups below, and
-- the indexes a home ranks its projects by.
CREATE TABLE stats_party_projects (
    org_id          uuid NOT NULL REFERENCES organisations (id),
    project_id      uuid NOT NULL REFERENCES projects (id),
    open_cde        bigint NOT NULL DEFAULT 0,
    open_de         bigint NOT NULL DEFAULT 0,
    early_deadlines date[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (org_id, project_id)
);
CREATE INDEX stats_party_projects_project_idx ON stats_party_projects (project_id);
CREATE INDEX stats_party_projects_attention_idx ON stats_party_projects (org_id, open_de DESC, open_cde DESC);
CREATE INDEX stats_party_projects_deadline_idx ON stats_party_projects (org_id, (early_deadlines[1]))
    WHERE early_deadlines <> '{}';

-- One element per open, unanswered order, earliest first, at most sixteen.
CREATE FUNCTION app.early_deadlines(p_project uuid) RETURNS date[] LANGUAGE sql STABLE
    AS $$ SELECT ARRAY(SELECT d.deadline FROM stats_project_deadlines d CROSS JOIN generate_series(1, least(d.open - d.responded, 16))
                       WHERE d.project_id = p_project AND d.open > d.responded ORDER BY d.deadline LIMIT 16) $$;
REVOKE ALL ON FUNCTION app.early_deadlines(uuid) FROM PUBLIC;

-- The parties' open findings by current level, and open orders by deadline.
CREATE TABLE stats_party_open (
    org_id uuid NOT NULL REFERENCES organisations (id),
    level  text NOT NULL,
    open   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, level)
);
CREATE TABLE stats_party_deadlines (
    org_id    uuid NOT NULL REFERENCES organisations (id),
    deadline  date NOT NULL,
    open      bigint NOT NULL DEFAULT 0,
    responded bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, deadline)
);

-- Adds (p_sign = 1) or removes (-1) a project's open findings and orders to or from one party.
-- The project's league row is locked first, as every writer of its findings and orders does
-- (0019), so a party joining never misses a count committed meanwhile.
CREATE FUNCTION app.party_count_project(p_org uuid, p_project uuid, p_sign int) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM 1 FROM stats_project_league WHERE project_id = p_project FOR UPDATE;
    IF p_sign > 0 THEN
        INSERT INTO stats_party_projects (org_id, project_id, open_cde, open_de, early_deadlines)
        SELECT p_org, p_project, coalesce(sum(open) FILTER (WHERE level IN ('C', 'D', 'E')), 0),
               coalesce(sum(open) FILTER (WHERE level IN ('D', 'E')), 0), app.early_deadlines(p_project)
        FROM stats_project_open WHERE project_id = p_project;
    ELSE
        DELETE FROM stats_party_projects WHERE org_id = p_org AND project_id = p_project;
    END IF;
    INSERT INTO stats_party_open AS s (org_id, level, open)
    SELECT p_org, level, p_sign * open FROM stats_project_open WHERE project_id = p_project
    ON CONFLICT (org_id, level) DO UPDATE SET open = s.open + excluded.open;
    INSERT INTO stats_party_deadlines AS s (org_id, deadline, open, responded)
    SELECT p_org, deadline, p_sign * open, p_sign * responded FROM stats_project_deadlines WHERE project_id = p_project
    ON CONFLICT (org_id, deadline) DO UPDATE SET open = s.open + excluded.open, responded = s.responded + excluded.responded;
END $$;
REVOKE ALL ON FUNCTION app.party_count_project(uuid, uuid, int) FROM PUBLIC;

-- An organisation is a party while it holds any live role on the project or develops it.
CREATE FUNCTION app.party_membership() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    v_project uuid;
    v_org uuid;
    v_party boolean;
    v_counted boolean;
BEGIN
    IF TG_TABLE_NAME = 'projects' THEN
        v_project := NEW.id;
        v_org := NEW.developer_org_id;
    ELSE
        v_project := NEW.project_id;
        v_org := NEW.org_id;
    END IF;
    v_party := EXISTS (SELECT 1 FROM project_parties WHERE project_id = v_project AND org_id = v_org AND retired_at IS NULL)
               OR EXISTS (SELECT 1 FROM projects WHERE id = v_project AND developer_org_id = v_org);
    v_counted := EXISTS (SELECT 1 FROM stats_party_projects WHERE org_id = v_org AND project_id = v_project);
    IF v_party AND NOT v_counted THEN
        PERFORM app.party_count_project(v_org, v_project, 1);
    ELSIF v_counted AND NOT v_party THEN
        PERFORM app.party_count_project(v_org, v_project, -1);
    END IF;
    RETURN NULL;
END $$;
-- After 0019's league trigger on projects (trigger names fire in order), which creates the row
-- the lock above takes.
CREATE TRIGGER projects_party_membership AFTER INSERT ON projects
    FOR EACH ROW EXECUTE FUNCTION app.party_membership();
CREATE TRIGGER project_parties_membership AFTER INSERT OR UPDATE OF retired_at ON project_parties
    FOR EACH ROW EXECUTE FUNCTION app.party_membership();

-- A project's open findings and orders, rolled up to its parties as they change.
CREATE FUNCTION app.party_roll_up() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    v_open bigint := NEW.open - CASE WHEN TG_OP = 'UPDATE' THEN OLD.open ELSE 0 END;
    v_responded bigint;
BEGIN
    PERFORM 1 FROM stats_project_league WHERE project_id = NEW.project_id FOR UPDATE;
    IF TG_TABLE_NAME = 'stats_project_open' THEN
        IF v_open = 0 THEN
            RETURN NULL;
        END IF;
        INSERT INTO stats_party_open AS s (org_id, level, open)
        SELECT org_id, NEW.level, v_open FROM stats_party_projects WHERE project_id = NEW.project_id
        ON CONFLICT (org_id, level) DO UPDATE SET open = s.open + excluded.open;
        IF NEW.level IN ('C', 'D', 'E') THEN
            UPDATE stats_party_projects
            SET open_cde = open_cde + v_open, open_de = open_de + CASE WHEN NEW.level IN ('D', 'E') THEN v_open ELSE 0 END
            WHERE project_id = NEW.project_id;
        END IF;
    ELSE
        v_responded := NEW.responded - CASE WHEN TG_OP = 'UPDATE' THEN OLD.responded ELSE 0 END;
        IF v_open = 0 AND v_responded = 0 THEN
            RETURN NULL;
        END IF;
        INSERT INTO stats_party_deadlines AS s (org_id, deadline, open, responded)
        SELECT org_id, NEW.deadline, v_open, v_responded FROM stats_party_projects WHERE project_id = NEW.project_id
        ON CONFLICT (org_id, deadline) DO UPDATE SET open = s.open + excluded.open, responded = s.responded + excluded.responded;
        UPDATE stats_party_projects SET early_deadlines = app.early_deadlines(NEW.project_id)
        WHERE project_id = NEW.project_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stats_project_open_rolled_up AFTER INSERT OR UPDATE ON stats_project_open
    FOR EACH ROW EXECUTE FUNCTION app.party_roll_up();
CREATE TRIGGER stats_project_deadlines_rolled_up AFTER INSERT OR UPDATE ON stats_project_deadlines
    FOR EACH ROW EXECUTE FUNCTION app.party_roll_up();

-- The lead insurer's book by day of issue (the day decides how much premium is earned): policies
-- issued, in force or expired, their premium, and their claims' counts, payments and reserves.
CREATE TABLE stats_insurer_book (
    insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    issued_on      date NOT NULL,
    policies       bigint NOT NULL DEFAULT 0,
    written_fen    bigint NOT NULL DEFAULT 0,
    claims         bigint NOT NULL DEFAULT 0,
    paid_fen       bigint NOT NULL DEFAULT 0,
    reserved_fen   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (insurer_org_id, issued_on)
);

CREATE FUNCTION app.in_book(p_status text, p_issued_at timestamptz) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT p_status IN ('issued', 'in_force', 'expired') AND p_issued_at IS NOT NULL $$;

CREATE FUNCTION app.book_add(p policies, p_sign int) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF NOT app.in_book(p.status, p.issued_at) THEN
        RETURN;
    END IF;
    INSERT INTO stats_insurer_book AS s
    SELECT p.lead_insurer_org_id, app.shanghai_day(p.issued_at), p_sign, p_sign * coalesce(p.total_premium_fen, 0),
           p_sign * coalesce(c.claims, 0), p_sign * coalesce(c.paid_fen, 0), p_sign * coalesce(c.reserved_fen, 0)
    FROM (SELECT 1) one LEFT JOIN stats_policy_claims c ON c.policy_id = p.id
    ON CONFLICT (insurer_org_id, issued_on) DO UPDATE SET
        policies = s.policies + excluded.policies, written_fen = s.written_fen + excluded.written_fen,
        claims = s.claims + excluded.claims, paid_fen = s.paid_fen + excluded.paid_fen,
        reserved_fen = s.reserved_fen + excluded.reserved_fen;
END $$;
REVOKE ALL ON FUNCTION app.book_add(policies, int) FROM PUBLIC;

CREATE FUNCTION app.book_policy() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM app.book_add(OLD, -1);
    END IF;
    PERFORM app.book_add(NEW, 1);
    RETURN NULL;
END $$;
CREATE TRIGGER policies_in_book AFTER INSERT OR UPDATE OF status, issued_at, total_premium_fen, lead_insurer_org_id ON policies
    FOR EACH ROW EXECUTE FUNCTION app.book_policy();

CREATE FUNCTION app.book_claims() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE stats_insurer_book s SET
        claims = s.claims + NEW.claims - CASE WHEN TG_OP = 'UPDATE' THEN OLD.claims ELSE 0 END,
        paid_fen = s.paid_fen + NEW.paid_fen - CASE WHEN TG_OP = 'UPDATE' THEN OLD.paid_fen ELSE 0 END,
        reserved_fen = s.reserved_fen + NEW.reserved_fen - CASE WHEN TG_OP = 'UPDATE' THEN OLD.reserved_fen ELSE 0 END
    FROM policies p
    WHERE p.id = NEW.policy_id AND app.in_book(p.status, p.issued_at)
      AND s.insurer_org_id = p.lead_insurer_org_id AND s.issued_on = app.shanghai_day(p.issued_at);
    RETURN NULL;
END $$;
CREATE TRIGGER stats_policy_claims_in_book AFTER INSERT OR UPDATE ON stats_policy_claims
    FOR EACH ROW EXECUTE FUNCTION app.book_claims();

-- The risk score's inputs on the project's league row, where its lead insurer is: findings
-- raised by level (A, B, C, D, E, R, O) and recurring defects, so an insurer's book reads one row
-- per project it leads. The league's roll-up (0019) fires for its own columns only.
ALTER TABLE stats_project_league
    ADD COLUMN raised    bigint[] NOT NULL DEFAULT '{0, 0, 0, 0, 0, 0, 0}',
    ADD COLUMN recurring bigint NOT NULL DEFAULT 0;
DROP TRIGGER stats_project_league_rolled_up ON stats_project_league;
CREATE TRIGGER stats_project_league_rolled_up
    AFTER INSERT OR UPDATE OF district_id, developer_org_id, contractor_org_id, insurer_org_id, agency_org_id, floor_area_m2,
                              units, defects, severe, orders, orders_closed, orders_on_time, claims
    ON stats_project_league FOR EACH ROW EXECUTE FUNCTION app.league_roll_up();

CREATE FUNCTION app.risk_inputs() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    v_slot int;
BEGIN
    IF TG_TABLE_NAME = 'stats_project_findings' THEN
        v_slot := array_position(ARRAY['A', 'B', 'C', 'D', 'E', 'R', 'O'], NEW.level);
        IF v_slot IS NOT NULL THEN
            UPDATE stats_project_league
            SET raised[v_slot] = raised[v_slot] + NEW.raised - CASE WHEN TG_OP = 'UPDATE' THEN OLD.raised ELSE 0 END
            WHERE project_id = NEW.project_id;
        END IF;
    ELSE
        UPDATE stats_project_league
        SET recurring = recurring + NEW.recurring - CASE WHEN TG_OP = 'UPDATE' THEN OLD.recurring ELSE 0 END
        WHERE project_id = NEW.project_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stats_project_findings_risk_inputs AFTER INSERT OR UPDATE ON stats_project_findings
    FOR EACH ROW EXECUTE FUNCTION app.risk_inputs();
CREATE TRIGGER stats_project_recurrence_risk_inputs AFTER INSERT OR UPDATE ON stats_project_recurrence
    FOR EACH ROW EXECUTE FUNCTION app.risk_inputs();

-- Each insurer's policies by role (lead or co-insurer) and state, and the premium it leads.
CREATE TABLE stats_insurer_policies (
    insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    lead           boolean NOT NULL,
    status         text NOT NULL,
    policies       bigint NOT NULL DEFAULT 0,
    premium_fen    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (insurer_org_id, lead, status)
);

CREATE FUNCTION app.insurer_policies_add(p_insurer uuid, p_lead boolean, p_status text, p_premium bigint, p_sign int)
RETURNS void LANGUAGE sql SET search_path = pg_catalog, public AS $$
    INSERT INTO stats_insurer_policies AS s VALUES (p_insurer, p_lead, p_status, p_sign, p_sign * coalesce(p_premium, 0))
    ON CONFLICT (insurer_org_id, lead, status) DO UPDATE
        SET policies = s.policies + excluded.policies, premium_fen = s.premium_fen + excluded.premium_fen;
$$;
REVOKE ALL ON FUNCTION app.insurer_policies_add(uuid, boolean, text, bigint, int) FROM PUBLIC;

CREATE FUNCTION app.count_insurer_policy() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    v_status text;
BEGIN
    IF TG_TABLE_NAME = 'policy_shares' THEN
        IF TG_OP = 'DELETE' AND NOT OLD.is_lead THEN
            SELECT status INTO v_status FROM policies WHERE id = OLD.policy_id;
            PERFORM app.insurer_policies_add(OLD.insurer_org_id, false, v_status, NULL, -1);
        ELSIF TG_OP = 'INSERT' AND NOT NEW.is_lead THEN
            SELECT status INTO v_status FROM policies WHERE id = NEW.policy_id;
            PERFORM app.insurer_policies_add(NEW.insurer_org_id, false, v_status, NULL, 1);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        PERFORM app.insurer_policies_add(OLD.lead_insurer_org_id, true, OLD.status, OLD.total_premium_fen, -1);
        PERFORM app.insurer_policies_add(s.insurer_org_id, false, OLD.status, NULL, -1)
        FROM policy_shares s WHERE s.policy_id = OLD.id AND NOT s.is_lead;
    END IF;
    PERFORM app.insurer_policies_add(NEW.lead_insurer_org_id, true, NEW.status, NEW.total_premium_fen, 1);
    PERFORM app.insurer_policies_add(s.insurer_org_id, false, NEW.status, NULL, 1)
    FROM policy_shares s WHERE s.policy_id = NEW.id AND NOT s.is_lead;
    RETURN NULL;
END $$;
CREATE TRIGGER policies_counted_per_insurer AFTER INSERT OR UPDATE OF status, total_premium_fen, lead_insurer_org_id ON policies
    FOR EACH ROW EXECUTE FUNCTION app.count_insurer_policy();
-- Shares are replaced when a policy is quoted again.
CREATE TRIGGER policy_shares_counted_per_insurer AFTER INSERT OR DELETE ON policy_shares
    FOR EACH ROW EXECUTE FUNCTION app.count_insurer_policy();

-- A lead insurer's own league rows pass on the first test, so reading its book never builds the
-- set of every project it is a party to (0021's hashed subplan).
ALTER POLICY stats_project_league_visible ON stats_project_league
    USING (insurer_org_id = (SELECT app.current_org_id())
           OR district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[])
           OR project_id IN (SELECT unnest(app.party_project_ids())));

-- Each organisation reads its own rows only.
ALTER TABLE stats_party_projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_party_projects FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_party_projects_own ON stats_party_projects FOR SELECT TO zhianbao_app
    USING (org_id = (SELECT app.current_org_id()));
GRANT SELECT ON stats_party_projects TO zhianbao_app;
ALTER TABLE stats_party_open ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_party_open FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_party_open_own ON stats_party_open FOR SELECT TO zhianbao_app
    USING (org_id = (SELECT app.current_org_id()));
GRANT SELECT ON stats_party_open TO zhianbao_app;
ALTER TABLE stats_party_deadlines ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_party_deadlines FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_party_deadlines_own ON stats_party_deadlines FOR SELECT TO zhianbao_app
    USING (org_id = (SELECT app.current_org_id()));
GRANT SELECT ON stats_party_deadlines TO zhianbao_app;
ALTER TABLE stats_insurer_book ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_insurer_book FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_insurer_book_own ON stats_insurer_book FOR SELECT TO zhianbao_app
    USING (insurer_org_id = (SELECT app.current_org_id()));
GRANT SELECT ON stats_insurer_book TO zhianbao_app;
ALTER TABLE stats_insurer_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_insurer_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_insurer_policies_own ON stats_insurer_policies FOR SELECT TO zhianbao_app
    USING (insurer_org_id = (SELECT app.current_org_id()));
GRANT SELECT ON stats_insurer_policies TO zhianbao_app;

-- This migration's counters recounted from the counters they roll up (themselves recounted from
-- the raw rows first by `app.rebuild_stats`).
CREATE FUNCTION app.recount_party_roll_ups() RETURNS void LANGUAGE sql AS $$
    UPDATE stats_project_league l SET
        raised = ARRAY(SELECT coalesce((SELECT raised FROM stats_project_findings s WHERE s.project_id = l.project_id AND s.level = v), 0)
                       FROM unnest(ARRAY['A', 'B', 'C', 'D', 'E', 'R', 'O']) WITH ORDINALITY AS x (v, n) ORDER BY n),
        recurring = coalesce((SELECT recurring FROM stats_project_recurrence r WHERE r.project_id = l.project_id), 0);
    TRUNCATE stats_party_projects, stats_party_open, stats_party_deadlines, stats_insurer_book, stats_insurer_policies;
    INSERT INTO stats_party_projects (org_id, project_id, open_cde, open_de, early_deadlines)
        SELECT m.org_id, m.project_id, coalesce(o.cde, 0), coalesce(o.de, 0), coalesce(d.early, '{}')
        FROM (SELECT org_id, project_id FROM project_parties WHERE retired_at IS NULL
              UNION SELECT developer_org_id, id FROM projects) m
        LEFT JOIN (SELECT project_id, sum(open) FILTER (WHERE level IN ('C', 'D', 'E')) AS cde,
                          sum(open) FILTER (WHERE level IN ('D', 'E')) AS de
                   FROM stats_project_open GROUP BY 1) o ON o.project_id = m.project_id
        LEFT JOIN (SELECT project_id, app.early_deadlines(project_id) AS early
                   FROM stats_project_deadlines WHERE open > responded GROUP BY 1) d ON d.project_id = m.project_id;
    INSERT INTO stats_party_open
        SELECT m.org_id, o.level, sum(o.open) FROM stats_party_projects m JOIN stats_project_open o USING (project_id) GROUP BY 1, 2;
    INSERT INTO stats_party_deadlines
        SELECT m.org_id, d.deadline, sum(d.open), sum(d.responded)
        FROM stats_party_projects m JOIN stats_project_deadlines d USING (project_id) GROUP BY 1, 2;
    INSERT INTO stats_insurer_book
        SELECT p.lead_insurer_org_id, app.shanghai_day(p.issued_at), count(*), sum(coalesce(p.total_premium_fen, 0)),
               sum(coalesce(c.claims, 0)), sum(coalesce(c.paid_fen, 0)), sum(coalesce(c.reserved_fen, 0))
        FROM policies p LEFT JOIN stats_policy_claims c ON c.policy_id = p.id
        WHERE app.in_book(p.status, p.issued_at) GROUP BY 1, 2;
    INSERT INTO stats_insurer_policies
        SELECT lead_insurer_org_id, true, status, count(*), sum(coalesce(total_premium_fen, 0)) FROM policies GROUP BY 1, 3;
    INSERT INTO stats_insurer_policies
        SELECT s.insurer_org_id, false, p.status, count(*), 0
        FROM policy_shares s JOIN policies p ON p.id = s.policy_id WHERE NOT s.is_lead GROUP BY 1, 3;
$$;
REVOKE ALL ON FUNCTION app.recount_party_roll_ups() FROM PUBLIC;

ALTER FUNCTION app.rebuild_stats() RENAME TO rebuild_counters_0020;
CREATE FUNCTION app.rebuild_stats() RETURNS void LANGUAGE sql AS $$
    SELECT app.rebuild_counters_0020();
    SELECT app.recount_party_roll_ups();
$$;
REVOKE ALL ON FUNCTION app.rebuild_stats() FROM PUBLIC;
REVOKE ALL ON FUNCTION app.rebuild_counters_0020() FROM PUBLIC;

SELECT app.recount_party_roll_ups();
