-- A bureau's closure figures read one district's closures of the last weeks: hundreds of counter
-- rows, inserted week by week beside every other district's, so spread over as many heap pages
-- (220 pages for 418 rows in a national database). Kept in the index as well, they are read from
-- a few index pages. Each closure's update now writes this index too: a few a second at most.
CREATE INDEX stats_closures_by_week_idx ON stats_closures (district_id, closed_week) INCLUDE (severe, days, closures);
