-- The escalation ladder of overdue rectification orders, each rung dated, and in-app
-- notifications to the organisations concerned.

CREATE TABLE order_escalations (
    order_id       uuid NOT NULL REFERENCES rectification_orders (id),
    step           text NOT NULL CHECK (step IN ('reminder', 'insurer', 'regulator', 'exclusion')),
    project_id     uuid NOT NULL REFERENCES projects (id),
    district_id    uuid NOT NULL REFERENCES districts (id),
    developer_org_id uuid NOT NULL REFERENCES organisations (id),
    escalated_on   date NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, step)
);

CREATE TABLE notifications (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations (id),
    kind        text NOT NULL CHECK (char_length(kind) <= 60),
    entity_type text NOT NULL CHECK (char_length(entity_type) <= 60),
    entity_id   uuid NOT NULL,
    project_id  uuid REFERENCES projects (id),
    summary     text NOT NULL CHECK (char_length(summary) <= 500),
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz
);
CREATE INDEX notifications_org_idx ON notifications (org_id, read_at, created_at DESC);

-- Both are written by the escalation job (the operator's connection, outside row-level
-- security); the application only reads them and marks notifications read.
ALTER TABLE order_escalations ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_escalations FORCE ROW LEVEL SECURITY;
CREATE POLICY order_escalations_visible ON order_escalations FOR SELECT TO zhianbao_app
    USING (app.can_see_project_row(project_id, district_id, developer_org_id));
GRANT SELECT ON order_escalations TO zhianbao_app;

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY notifications_own ON notifications FOR SELECT TO zhianbao_app
    USING (org_id = app.current_org_id());
CREATE POLICY notifications_mark_read ON notifications FOR UPDATE TO zhianbao_app
    USING (org_id = app.current_org_id()) WITH CHECK (org_id = app.current_org_id());
GRANT SELECT, UPDATE (read_at) ON notifications TO zhianbao_app;
