-- Owners read the project and policy of their home. 0008 looked the owner's units up through the
-- units table's own row-level policy once per project or policy row, which every organisation
-- (owning no unit) paid for on each list: the project list fell from ~1,000 to 12 pages a second.
-- A definer function answers from the owner index instead, and only for users without an
-- organisation, which owners are.
CREATE FUNCTION app.owns_unit_in(p_project uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT app.current_org_id() IS NULL AND EXISTS (
        SELECT 1 FROM units u WHERE u.owner_user_id = app.current_user_id() AND u.project_id = p_project)
$$;
REVOKE ALL ON FUNCTION app.owns_unit_in(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.owns_unit_in(uuid) TO zhianbao_app;

DROP POLICY projects_owner_reads ON projects;
CREATE POLICY projects_owner_reads ON projects FOR SELECT TO zhianbao_app
    USING (app.owns_unit_in(id));
DROP POLICY policies_owner_reads ON policies;
CREATE POLICY policies_owner_reads ON policies FOR SELECT TO zhianbao_app
    USING (app.owns_unit_in(project_id));
