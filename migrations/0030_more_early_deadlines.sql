-- Each party's project row keeps the deadlines of up to 64 open, unanswered orders (was 16), so
-- the insurer's risk table counts a project's overdue orders from the row alone for all but the
-- few projects with more open orders; the others still sum the project's deadline counters. The
-- risk score reads the first 16 only (OVERDUE_DEADLINES_SCORED).
CREATE OR REPLACE FUNCTION app.early_deadlines(p_project uuid) RETURNS date[] LANGUAGE sql STABLE
    AS $$ SELECT ARRAY(SELECT d.deadline FROM stats_project_deadlines d CROSS JOIN generate_series(1, least(d.open - d.responded, 64))
                       WHERE d.project_id = p_project AND d.open > d.responded ORDER BY d.deadline LIMIT 64) $$;

-- Only a row that kept as many as it could may have more to keep.
UPDATE stats_party_projects SET early_deadlines = app.early_deadlines(project_id) WHERE cardinality(early_deadlines) = 16;
