-- Oversight at scale: counters kept up to date in the same transaction as the rows they count,
-- so the bureau's analytics read a few hundred counter rows instead of aggregating millions of
-- findings. Each table is keyed by district (row-level security: a bureau sees its own and its
-- child districts). Only the trigger functions below write them; app.rebuild_stats() (0017)
-- recomputes them all from the raw rows (after a bulk load, and in tests to prove they agree).

CREATE TABLE stats_projects (
    district_id  uuid NOT NULL REFERENCES districts (id),
    stage        text NOT NULL,
    housing_type text NOT NULL,
    projects     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (district_id, stage, housing_type)
);

-- Findings by the stage of the inspection that raised them and their current level.
CREATE TABLE stats_findings (
    district_id uuid NOT NULL REFERENCES districts (id),
    stage_code  text NOT NULL,
    level       text NOT NULL,
    total       bigint NOT NULL DEFAULT 0,
    open        bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (district_id, stage_code, level)
);

-- Cohorts by the week a finding was raised (Monday, Asia/Shanghai): how many, and how many are
-- closed since. Severe = raised at level D or E. Windows are counted in whole weeks.
CREATE TABLE stats_finding_days (
    district_id uuid NOT NULL REFERENCES districts (id),
    raised_week date NOT NULL,
    severe      boolean NOT NULL,
    raised      bigint NOT NULL DEFAULT 0,
    closed      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (district_id, raised_week, severe)
);

-- Closures by week and by days taken (exact up to 14, then 21, 30, 45, 60, 90; 91 means longer),
-- so the median over a quarter reads a few hundred rows per district.
CREATE TABLE stats_closures (
    district_id uuid NOT NULL REFERENCES districts (id),
    closed_week date NOT NULL,
    severe      boolean NOT NULL,
    days        smallint NOT NULL,
    closures    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (district_id, closed_week, severe, days)
);

CREATE TABLE stats_claims (
    district_id    uuid NOT NULL REFERENCES districts (id),
    insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    status         text NOT NULL,
    claims         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (district_id, insurer_org_id, status)
);

-- Decisions by the whole days they took from report (or reopening): exact below 7, then 7–13,
-- 14–29 and 30 or more (app.decision_bucket), enough for the 7- and 30-day clocks.
CREATE TABLE stats_claim_decisions (
    district_id    uuid NOT NULL REFERENCES districts (id),
    insurer_org_id uuid NOT NULL REFERENCES organisations (id),
    complex        boolean NOT NULL,
    days           smallint NOT NULL,
    decisions      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (district_id, insurer_org_id, complex, days)
);

-- The most overdue severe orders, walked in deadline order until twenty are found.
CREATE INDEX rectification_orders_severe_open_idx ON rectification_orders (deadline)
    WHERE status <> 'closed' AND level IN ('D', 'E');

-- The districts a bureau oversees, once per statement: policies compare with
-- `district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[])`, an init plan, instead of a lookup per row.
CREATE FUNCTION app.jurisdiction_ids() RETURNS uuid[] LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN app.current_org_kind() = 'regulator' THEN
        (SELECT coalesce(array_agg(id), '{}') FROM districts
         WHERE id = app.current_district_id() OR parent_id = app.current_district_id())
    ELSE '{}'::uuid[] END
$$;

CREATE FUNCTION app.shanghai_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE
    AS $$ SELECT (t AT TIME ZONE 'Asia/Shanghai')::date $$;

CREATE FUNCTION app.shanghai_week(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE
    AS $$ SELECT date_trunc('week', t AT TIME ZONE 'Asia/Shanghai')::date $$;

CREATE FUNCTION app.decision_bucket(decided timestamptz, started timestamptz) RETURNS smallint LANGUAGE sql IMMUTABLE
    AS $$ SELECT (CASE WHEN d < 7 THEN greatest(d, 0) WHEN d < 14 THEN 13 WHEN d < 30 THEN 29 ELSE 31 END)::smallint
          FROM (SELECT floor(extract(epoch FROM decided - started) / 86400)::int AS d) x $$;

CREATE FUNCTION app.closure_bucket(days integer) RETURNS smallint LANGUAGE sql IMMUTABLE
    AS $$ SELECT (CASE WHEN days <= 14 THEN greatest(days, 0) WHEN days <= 21 THEN 21 WHEN days <= 30 THEN 30
                      WHEN days <= 45 THEN 45 WHEN days <= 60 THEN 60 WHEN days <= 90 THEN 90 ELSE 91 END)::smallint $$;

-- The triggers write as the owner (the app role has no grant on the counters).
CREATE FUNCTION app.count_project() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (OLD.stage, OLD.housing_type, OLD.district_id) IS NOT DISTINCT FROM (NEW.stage, NEW.housing_type, NEW.district_id) THEN
            RETURN NEW;
        END IF;
        UPDATE stats_projects SET projects = projects - 1
        WHERE district_id = OLD.district_id AND stage = OLD.stage AND housing_type = OLD.housing_type;
    END IF;
    INSERT INTO stats_projects (district_id, stage, housing_type, projects) VALUES (NEW.district_id, NEW.stage, NEW.housing_type, 1)
    ON CONFLICT (district_id, stage, housing_type) DO UPDATE SET projects = stats_projects.projects + 1;
    RETURN NEW;
END $$;
CREATE TRIGGER projects_counted AFTER INSERT OR UPDATE OF stage, housing_type, district_id ON projects
    FOR EACH ROW EXECUTE FUNCTION app.count_project();

CREATE FUNCTION app.count_finding() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    v_stage text;
    v_raised date;
    v_week date;
BEGIN
    SELECT i.stage_code INTO v_stage FROM inspections i WHERE i.id = NEW.inspection_id;
    v_raised := app.shanghai_day(NEW.created_at);
    v_week := app.shanghai_week(NEW.created_at);
    IF TG_OP = 'INSERT' THEN
        INSERT INTO stats_finding_days (district_id, raised_week, severe, raised, closed)
        VALUES (NEW.district_id, v_week, NEW.original_level IN ('D', 'E'), 1, (NEW.status = 'closed')::int)
        ON CONFLICT (district_id, raised_week, severe) DO UPDATE
            SET raised = stats_finding_days.raised + 1, closed = stats_finding_days.closed + excluded.closed;
    ELSE
        IF (OLD.current_level, OLD.status) IS NOT DISTINCT FROM (NEW.current_level, NEW.status) THEN
            RETURN NEW;
        END IF;
        UPDATE stats_findings SET total = total - 1, open = open - (OLD.status = 'open')::int
        WHERE district_id = OLD.district_id AND stage_code = v_stage AND level = OLD.current_level;
        IF OLD.status IS DISTINCT FROM NEW.status THEN
            UPDATE stats_finding_days SET closed = closed + (CASE WHEN NEW.status = 'closed' THEN 1 ELSE -1 END)
            WHERE district_id = NEW.district_id AND raised_week = v_week AND severe = (NEW.original_level IN ('D', 'E'));
        END IF;
        IF OLD.status = 'closed' AND NEW.status = 'open' THEN
            UPDATE stats_closures SET closures = closures - 1
            WHERE district_id = OLD.district_id AND closed_week = app.shanghai_week(coalesce(OLD.closed_at, OLD.created_at))
              AND severe = (OLD.original_level IN ('D', 'E'))
              AND days = app.closure_bucket(app.shanghai_day(coalesce(OLD.closed_at, OLD.created_at)) - v_raised);
        END IF;
    END IF;
    INSERT INTO stats_findings (district_id, stage_code, level, total, open)
    VALUES (NEW.district_id, v_stage, NEW.current_level, 1, (NEW.status = 'open')::int)
    ON CONFLICT (district_id, stage_code, level) DO UPDATE
        SET total = stats_findings.total + 1, open = stats_findings.open + excluded.open;
    IF NEW.status = 'closed' AND (TG_OP = 'INSERT' OR OLD.status = 'open') THEN
        INSERT INTO stats_closures (district_id, closed_week, severe, days, closures)
        VALUES (NEW.district_id, app.shanghai_week(coalesce(NEW.closed_at, NEW.created_at)), NEW.original_level IN ('D', 'E'),
                app.closure_bucket(app.shanghai_day(coalesce(NEW.closed_at, NEW.created_at)) - v_raised), 1)
        ON CONFLICT (district_id, closed_week, severe, days) DO UPDATE SET closures = stats_closures.closures + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER findings_counted AFTER INSERT OR UPDATE OF current_level, status ON findings
    FOR EACH ROW EXECUTE FUNCTION app.count_finding();

CREATE FUNCTION app.count_claim() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.status IS DISTINCT FROM NEW.status THEN
            UPDATE stats_claims SET claims = claims - 1
            WHERE district_id = OLD.district_id AND insurer_org_id = OLD.lead_insurer_org_id AND status = OLD.status;
        END IF;
        IF OLD.decided_at IS NOT NULL AND (OLD.decided_at, OLD.complex) IS DISTINCT FROM (NEW.decided_at, NEW.complex) THEN
            UPDATE stats_claim_decisions SET decisions = decisions - 1
            WHERE district_id = OLD.district_id AND insurer_org_id = OLD.lead_insurer_org_id AND complex = OLD.complex
              AND days = app.decision_bucket(OLD.decided_at, coalesce(OLD.reopened_at, OLD.reported_at));
        END IF;
    END IF;
    IF TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status THEN
        INSERT INTO stats_claims (district_id, insurer_org_id, status, claims) VALUES (NEW.district_id, NEW.lead_insurer_org_id, NEW.status, 1)
        ON CONFLICT (district_id, insurer_org_id, status) DO UPDATE SET claims = stats_claims.claims + 1;
    END IF;
    IF NEW.decided_at IS NOT NULL AND (TG_OP = 'INSERT' OR (OLD.decided_at, OLD.complex) IS DISTINCT FROM (NEW.decided_at, NEW.complex)) THEN
        INSERT INTO stats_claim_decisions (district_id, insurer_org_id, complex, days, decisions)
        VALUES (NEW.district_id, NEW.lead_insurer_org_id, NEW.complex,
                app.decision_bucket(NEW.decided_at, coalesce(NEW.reopened_at, NEW.reported_at)), 1)
        ON CONFLICT (district_id, insurer_org_id, complex, days) DO UPDATE SET decisions = stats_claim_decisions.decisions + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER claims_counted AFTER INSERT OR UPDATE OF status, decided_at, complex ON claims
    FOR EACH ROW EXECUTE FUNCTION app.count_claim();


DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['stats_projects', 'stats_findings', 'stats_finding_days', 'stats_closures', 'stats_claims',
                             'stats_claim_decisions'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO zhianbao_app '
                       'USING (district_id = ANY ((SELECT app.jurisdiction_ids())::uuid[]))', t || '_regulator_reads', t);
        EXECUTE format('GRANT SELECT ON %I TO zhianbao_app', t);
    END LOOP;
END $$;


-- The rows behind a bar of the bureau's analytics: open findings of a level, newest first (the
-- few open ones are found without walking the closed majority).
CREATE INDEX findings_open_level_idx ON findings (current_level, created_at DESC) WHERE status = 'open';
