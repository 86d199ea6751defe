-- A contractor's, a supervisor's or a property manager's projects (its home and its projects list),
-- found by its own column or mandates instead of by testing every project in the country against
-- the read rule: 150 ms nationally for a contractor's home, now a few index probes.
CREATE INDEX projects_contractor_idx ON projects (contractor_org_id) WHERE contractor_org_id IS NOT NULL;
CREATE INDEX projects_supervisor_idx ON projects (supervisor_org_id) WHERE supervisor_org_id IS NOT NULL;
