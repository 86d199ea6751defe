-- Each party's row of a project carries the project's last inspection day, so the insurer's risk
-- table reads its hundred candidate projects from its own rows instead of looking up every
-- project's newest inspection under the inspections' read rule.

ALTER TABLE stats_party_projects ADD COLUMN last_inspection date;

-- A row created for a new party (or by a recount) starts from the project's inspections.
CREATE FUNCTION app.party_last_inspection_from_rows() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    NEW.last_inspection := (SELECT max(inspected_on) FROM inspections WHERE project_id = NEW.project_id);
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION app.party_last_inspection_from_rows() FROM PUBLIC;
CREATE TRIGGER stats_party_projects_last_inspection BEFORE INSERT ON stats_party_projects
    FOR EACH ROW EXECUTE FUNCTION app.party_last_inspection_from_rows();

-- An inspection's day is fixed when it is opened (nothing updates or deletes it). The project's
-- league row is locked first, as every writer of the party rows does (0022).
CREATE FUNCTION app.party_last_inspection() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM 1 FROM stats_project_league WHERE project_id = NEW.project_id FOR UPDATE;
    UPDATE stats_party_projects SET last_inspection = NEW.inspected_on
    WHERE project_id = NEW.project_id AND (last_inspection IS NULL OR last_inspection < NEW.inspected_on);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION app.party_last_inspection() FROM PUBLIC;
CREATE TRIGGER inspections_party_last_inspection AFTER INSERT ON inspections
    FOR EACH ROW EXECUTE FUNCTION app.party_last_inspection();

UPDATE stats_party_projects m
SET last_inspection = (SELECT max(inspected_on) FROM inspections i WHERE i.project_id = m.project_id);
