-- A developer's projects, newest first, off its own column: its home and its projects list read a
-- page of them and stop, where they gathered all its projects from its membership rows and sorted
-- them (the national data set's biggest developer has 160).
CREATE INDEX projects_developer_recent_idx ON projects (developer_org_id, created_at DESC, id DESC);
DROP INDEX projects_developer_idx;
