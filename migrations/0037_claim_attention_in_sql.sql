-- The claims queue is ranked by the database (storage::claims::queue_page), from the clocks its
-- arms read off their covering indexes (0035): this is the stored `clock_breaks_at` (0026) as a
-- function of those columns, so the ranking never fetches a claim's row to read it. A test keeps
-- the two equal on every claim.
CREATE FUNCTION app.claim_clock_breaks_at(contact_due timestamptz, survey_due timestamptz,
                                          decision_due timestamptz, contacted timestamptz,
                                          surveyed timestamptz, decided timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(least(
        app.clock_broken_at(contact_due, coalesce(contacted, surveyed)),
        app.clock_broken_at(survey_due, surveyed),
        app.clock_broken_at(decision_due, decided)), 'infinity')
$$;
