-- The insurer's book by month of issue. A national insurer issues on nearly every day, so its
-- book read ≈ 1,000 day rows a page (a city insurer ≈ 200); it now reads at most twelve a year.
-- Each month keeps, beside its sums, its written premium weighted by the day of issue
-- (Σ written × days since 2000-01-01), from which the premium earned by any later date follows
-- without the days (domain::underwriting::earned_fen). Kept from the day rows by a trigger, so
-- every path that changes a day row (policies, claims, recounts) changes its month too.
CREATE TABLE stats_insurer_book_months (
    insurer_org_id  uuid NOT NULL REFERENCES organisations (id),
    month           date NOT NULL,
    policies        bigint NOT NULL DEFAULT 0,
    written_fen     bigint NOT NULL DEFAULT 0,
    written_day_fen numeric NOT NULL DEFAULT 0,
    claims          bigint NOT NULL DEFAULT 0,
    paid_fen        bigint NOT NULL DEFAULT 0,
    reserved_fen    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (insurer_org_id, month)
);

CREATE FUNCTION app.book_month() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO stats_insurer_book_months AS s VALUES (
        NEW.insurer_org_id, date_trunc('month', NEW.issued_on)::date,
        NEW.policies - coalesce(OLD.policies, 0),
        NEW.written_fen - coalesce(OLD.written_fen, 0),
        (NEW.written_fen - coalesce(OLD.written_fen, 0))::numeric * (NEW.issued_on - DATE '2000-01-01'),
        NEW.claims - coalesce(OLD.claims, 0),
        NEW.paid_fen - coalesce(OLD.paid_fen, 0),
        NEW.reserved_fen - coalesce(OLD.reserved_fen, 0))
    ON CONFLICT (insurer_org_id, month) DO UPDATE SET
        policies = s.policies + excluded.policies, written_fen = s.written_fen + excluded.written_fen,
        written_day_fen = s.written_day_fen + excluded.written_day_fen, claims = s.claims + excluded.claims,
        paid_fen = s.paid_fen + excluded.paid_fen, reserved_fen = s.reserved_fen + excluded.reserved_fen;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION app.book_month() FROM PUBLIC;
CREATE TRIGGER stats_insurer_book_by_month AFTER INSERT OR UPDATE ON stats_insurer_book
    FOR EACH ROW EXECUTE FUNCTION app.book_month();

ALTER TABLE stats_insurer_book_months ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_insurer_book_months FORCE ROW LEVEL SECURITY;
CREATE POLICY stats_insurer_book_months_own ON stats_insurer_book_months FOR SELECT TO zhianbao_app
    USING (insurer_org_id = (SELECT app.current_org_id()));
GRANT SELECT ON stats_insurer_book_months TO zhianbao_app;

CREATE FUNCTION app.recount_book_months() RETURNS void LANGUAGE sql AS $$
    TRUNCATE stats_insurer_book_months;
    INSERT INTO stats_insurer_book_months
        SELECT insurer_org_id, date_trunc('month', issued_on)::date, sum(policies), sum(written_fen),
               sum(written_fen::numeric * (issued_on - DATE '2000-01-01')), sum(claims), sum(paid_fen), sum(reserved_fen)
        FROM stats_insurer_book GROUP BY 1, 2;
$$;
REVOKE ALL ON FUNCTION app.recount_book_months() FROM PUBLIC;

ALTER FUNCTION app.rebuild_stats() RENAME TO rebuild_counters_0031;
CREATE FUNCTION app.rebuild_stats() RETURNS void LANGUAGE sql AS $$
    SELECT app.rebuild_counters_0031();
    SELECT app.recount_book_months();
$$;
REVOKE ALL ON FUNCTION app.rebuild_stats() FROM PUBLIC;
REVOKE ALL ON FUNCTION app.rebuild_counters_0031() FROM PUBLIC;

SELECT app.recount_book_months();
