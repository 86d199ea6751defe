-- Foundation: districts, organisations, users, sessions, API tokens, login throttling, audit trail.
--
-- Tables are owned by the migrating role. The application queries as `zhianbao_app`
-- (NOSUPERUSER, NOBYPASSRLS, owns nothing); it is created, cluster-wide, by the application
-- before migrations run (see src/db/roles.rs), because CREATE ROLE is not per-database.

CREATE SCHEMA app;
REVOKE ALL ON SCHEMA app FROM PUBLIC;
GRANT USAGE ON SCHEMA app TO zhianbao_app;
GRANT USAGE ON SCHEMA public TO zhianbao_app;

-- Tenant context. Set per transaction with set_config(..., true) by src/db/tenant.rs, so an
-- unset context is NULL and matches no row, and COMMIT/ROLLBACK clears it.
CREATE FUNCTION app.current_user_id() RETURNS uuid LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;
CREATE FUNCTION app.current_org_id() RETURNS uuid LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.org_id', true), '')::uuid $$;
CREATE FUNCTION app.current_org_kind() RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.org_kind', true), '') $$;
CREATE FUNCTION app.current_user_role() RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.user_role', true), '') $$;
CREATE FUNCTION app.current_district_id() RETURNS uuid LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.district_id', true), '')::uuid $$;

-- Jurisdictions. Reference data shared by every tenant, so no row-level security.
CREATE TABLE districts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code        text NOT NULL CONSTRAINT districts_code_key UNIQUE,
    admin_code  text NOT NULL CONSTRAINT districts_admin_code_key UNIQUE,
    parent_id   uuid REFERENCES districts (id),
    name_zh     text NOT NULL,
    name_en     text NOT NULL
);
GRANT SELECT ON districts TO zhianbao_app;

INSERT INTO districts (code, admin_code, name_zh, name_en) VALUES ('qingdao', '370200', '青岛市', 'Qingdao');
INSERT INTO districts (code, admin_code, parent_id, name_zh, name_en)
SELECT v.code, v.admin_code, q.id, v.name_zh, v.name_en
FROM districts q,
     (VALUES ('shinan',   '370202', '市南区', 'Shinan'),
             ('shibei',   '370203', '市北区', 'Shibei'),
             ('huangdao', '370211', '黄岛区', 'Huangdao'),
             ('laoshan',  '370212', '崂山区', 'Laoshan'),
             ('licang',   '370213', '李沧区', 'Licang'),
             ('chengyang','370214', '城阳区', 'Chengyang')) AS v (code, admin_code, name_zh, name_en)
WHERE q.code = 'qingdao';

-- True when the district lies in the current regulator's jurisdiction: its own district, or a
-- child district when the regulator is a city bureau.
CREATE FUNCTION app.in_jurisdiction(target uuid) RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT app.current_org_kind() = 'regulator'
             AND EXISTS (SELECT 1 FROM districts d
                         WHERE d.id = target
                           AND (d.id = app.current_district_id() OR d.parent_id = app.current_district_id())) $$;

CREATE TABLE organisations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code        text NOT NULL CONSTRAINT organisations_code_key UNIQUE
                CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    kind        text NOT NULL CHECK (kind IN ('regulator', 'insurer', 'risk_agency', 'developer',
                                              'contractor', 'supervisor', 'property_manager', 'repair_contractor')),
    name_zh     text NOT NULL CHECK (char_length(name_zh) BETWEEN 2 AND 100),
    name_en     text NOT NULL DEFAULT '' CHECK (char_length(name_en) <= 200),
    district_id uuid NOT NULL REFERENCES districts (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organisations_district_idx ON organisations (district_id, kind);

CREATE TABLE users (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id              uuid REFERENCES organisations (id),
    username            text NOT NULL CONSTRAINT users_username_key UNIQUE
                        CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    display_name        text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
    role                text NOT NULL CHECK (role IN ('admin', 'staff', 'owner')),
    password_hash       text NOT NULL,
    is_active           boolean NOT NULL DEFAULT true,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    -- Owners (业主) are individuals; everyone else belongs to an organisation.
    CONSTRAINT users_owner_has_no_org CHECK ((role = 'owner') = (org_id IS NULL))
);
CREATE INDEX users_org_idx ON users (org_id);

CREATE TABLE sessions (
    id_hash             bytea PRIMARY KEY,          -- SHA-256 of the cookie value; the value is never stored
    user_id             uuid NOT NULL REFERENCES users (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_seen_at        timestamptz NOT NULL DEFAULT now(),
    absolute_expires_at timestamptz NOT NULL,
    user_agent          text NOT NULL DEFAULT '' CHECK (char_length(user_agent) <= 300),
    ip                  text NOT NULL DEFAULT '' CHECK (char_length(ip) <= 64)
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations (id),
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    token_hash   bytea NOT NULL CONSTRAINT api_tokens_hash_key UNIQUE,
    token_prefix text NOT NULL,
    created_by   uuid NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_org_idx ON api_tokens (org_id);

-- Failed-login counters per account and per client address. Pre-authentication and not tenant
-- data; kept in PostgreSQL so they survive restarts and are shared by every replica.
CREATE TABLE login_throttle (
    key              text PRIMARY KEY CHECK (char_length(key) <= 200),
    failures         integer NOT NULL DEFAULT 0,
    window_start     timestamptz NOT NULL DEFAULT now(),
    locked_until     timestamptz
);
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO zhianbao_app;

-- Audit trail: append-only, one hash chain per organisation (per user for owners).
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chain_key    uuid NOT NULL,
    seq          bigint NOT NULL,
    org_id       uuid REFERENCES organisations (id),
    user_id      uuid REFERENCES users (id),
    action       text NOT NULL CHECK (char_length(action) <= 100),
    entity_type  text NOT NULL CHECK (char_length(entity_type) <= 100),
    entity_id    uuid,
    before       jsonb,
    after        jsonb,
    request_id   text NOT NULL DEFAULT '' CHECK (char_length(request_id) <= 100),
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    prev_hash    bytea NOT NULL,
    hash         bytea NOT NULL,
    CONSTRAINT audit_log_chain_seq_key UNIQUE (chain_key, seq)
);
CREATE INDEX audit_log_org_time_idx ON audit_log (org_id, occurred_at DESC);

CREATE TABLE audit_chain_heads (
    chain_key uuid PRIMARY KEY,
    seq       bigint NOT NULL,
    hash      bytea NOT NULL
);

CREATE FUNCTION app.audit_hash(prev bytea, seq bigint, chain_key uuid, org_id uuid, user_id uuid,
                               action text, entity_type text, entity_id uuid, before jsonb, after jsonb,
                               request_id text, occurred_at timestamptz)
RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(prev || convert_to(concat_ws(E'\x1f', seq::text, chain_key::text,
        coalesce(org_id::text, ''), coalesce(user_id::text, ''), action, entity_type,
        coalesce(entity_id::text, ''), coalesce(before::text, ''), coalesce(after::text, ''), request_id,
        (extract(epoch FROM occurred_at) * 1000000)::bigint::text), 'UTF8'))
$$;

-- Chains the new row to the previous one. SECURITY DEFINER because the chain head is not
-- readable by the application role; the head row lock serialises appends per chain.
CREATE FUNCTION app.audit_chain_append() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    head audit_chain_heads%ROWTYPE;
BEGIN
    NEW.chain_key := coalesce(NEW.org_id, NEW.user_id);
    IF NEW.chain_key IS NULL THEN
        RAISE EXCEPTION 'audit row needs an organisation or a user';
    END IF;
    NEW.occurred_at := now();
    INSERT INTO audit_chain_heads (chain_key, seq, hash) VALUES (NEW.chain_key, 0, '\x'::bytea)
        ON CONFLICT (chain_key) DO NOTHING;
    SELECT * INTO head FROM audit_chain_heads WHERE chain_key = NEW.chain_key FOR UPDATE;
    NEW.seq := head.seq + 1;
    NEW.prev_hash := head.hash;
    NEW.hash := app.audit_hash(NEW.prev_hash, NEW.seq, NEW.chain_key, NEW.org_id, NEW.user_id, NEW.action,
                               NEW.entity_type, NEW.entity_id, NEW.before, NEW.after, NEW.request_id,
                               NEW.occurred_at);
    UPDATE audit_chain_heads SET seq = NEW.seq, hash = NEW.hash WHERE chain_key = NEW.chain_key;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION app.audit_chain_append();

CREATE FUNCTION app.audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION app.audit_log_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION app.audit_log_immutable();

-- Row-level security ------------------------------------------------------------------------

ALTER TABLE organisations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organisations FORCE ROW LEVEL SECURITY;
-- The directory of organisations (names, kinds, districts) is visible to any signed-in user:
-- developers pick insurers, insurers pick agencies. Only an organisation's admin edits it.
CREATE POLICY organisations_directory ON organisations FOR SELECT TO zhianbao_app
    USING (app.current_user_id() IS NOT NULL);
CREATE POLICY organisations_admin_update ON organisations FOR UPDATE TO zhianbao_app
    USING (id = (SELECT app.current_org_id()) AND (SELECT app.current_user_role()) = 'admin')
    WITH CHECK (id = (SELECT app.current_org_id()) AND (SELECT app.current_user_role()) = 'admin');
GRANT SELECT, UPDATE (name_zh, name_en) ON organisations TO zhianbao_app;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_same_org_or_self ON users FOR SELECT TO zhianbao_app
    USING (org_id = (SELECT app.current_org_id()) OR id = (SELECT app.current_user_id()));
CREATE POLICY users_update_self ON users FOR UPDATE TO zhianbao_app
    USING (id = (SELECT app.current_user_id()))
    WITH CHECK (id = (SELECT app.current_user_id()));
GRANT SELECT, UPDATE (display_name, password_hash, password_changed_at) ON users TO zhianbao_app;

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_own ON sessions FOR ALL TO zhianbao_app
    USING (user_id = (SELECT app.current_user_id()))
    WITH CHECK (user_id = (SELECT app.current_user_id()));
GRANT SELECT, INSERT, DELETE ON sessions TO zhianbao_app;

ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY api_tokens_org_admin ON api_tokens FOR ALL TO zhianbao_app
    USING (org_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_role()) = 'admin')
    WITH CHECK (org_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_role()) = 'admin');
GRANT SELECT, INSERT, UPDATE (revoked_at) ON api_tokens TO zhianbao_app;

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON audit_log FOR SELECT TO zhianbao_app
    USING (org_id = (SELECT app.current_org_id())
           OR (org_id IS NULL AND user_id = (SELECT app.current_user_id())));
CREATE POLICY audit_log_append ON audit_log FOR INSERT TO zhianbao_app
    WITH CHECK (org_id IS NOT DISTINCT FROM (SELECT app.current_org_id())
                AND user_id IS NOT DISTINCT FROM (SELECT app.current_user_id())
                AND app.current_user_id() IS NOT NULL);
GRANT SELECT, INSERT ON audit_log TO zhianbao_app;

-- Pre-authentication lookups: the only SECURITY DEFINER entry points besides the audit chain.

-- Password hash and state for a login attempt.
CREATE FUNCTION app.login_lookup(p_username text)
RETURNS TABLE (user_id uuid, password_hash text, is_active boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT u.id, u.password_hash, u.is_active FROM users u WHERE u.username = lower(p_username)
$$;

-- Everything the server needs to act for a signed-in user, found by the SHA-256 of the session
-- cookie; slides the idle timeout (at most once a minute, to keep reads cheap).
CREATE FUNCTION app.session_principal(p_id_hash bytea, p_idle_seconds integer)
RETURNS TABLE (user_id uuid, username text, display_name text, role text, org_id uuid, org_code text,
               org_kind text, org_name_zh text, org_name_en text, district_id uuid,
               district_name_zh text, district_name_en text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE sessions s SET last_seen_at = now()
    WHERE s.id_hash = p_id_hash AND s.last_seen_at < now() - interval '60 seconds'
      AND s.last_seen_at > now() - make_interval(secs => p_idle_seconds)
      AND s.absolute_expires_at > now();
    RETURN QUERY
    SELECT u.id, u.username, u.display_name, u.role, o.id, o.code, o.kind, o.name_zh, o.name_en,
           d.id, d.name_zh, d.name_en
    FROM sessions s
    JOIN users u ON u.id = s.user_id AND u.is_active
    LEFT JOIN organisations o ON o.id = u.org_id
    LEFT JOIN districts d ON d.id = o.district_id
    WHERE s.id_hash = p_id_hash
      AND s.last_seen_at > now() - make_interval(secs => p_idle_seconds)
      AND s.absolute_expires_at > now()
      AND s.created_at >= u.password_changed_at;
END $$;

-- The organisation and acting user behind an API bearer token.
CREATE FUNCTION app.token_principal(p_token_hash bytea)
RETURNS TABLE (token_id uuid, user_id uuid, username text, display_name text, org_id uuid, org_code text,
               org_kind text, org_name_zh text, org_name_en text, district_id uuid,
               district_name_zh text, district_name_en text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE api_tokens t SET last_used_at = now()
    WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL
      AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '60 seconds');
    RETURN QUERY
    SELECT t.id, u.id, u.username, u.display_name, o.id, o.code, o.kind, o.name_zh, o.name_en,
           d.id, d.name_zh, d.name_en
    FROM api_tokens t
    JOIN organisations o ON o.id = t.org_id
    JOIN districts d ON d.id = o.district_id
    JOIN users u ON u.id = t.created_by AND u.is_active
    WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL;
END $$;

-- Removes expired sessions; run periodically by the server.
CREATE FUNCTION app.reap_sessions(p_idle_seconds integer) RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH gone AS (
        DELETE FROM sessions
        WHERE last_seen_at <= now() - make_interval(secs => p_idle_seconds) OR absolute_expires_at <= now()
        RETURNING 1)
    SELECT count(*) FROM gone
$$;

REVOKE ALL ON FUNCTION app.login_lookup(text), app.session_principal(bytea, integer),
    app.token_principal(bytea), app.reap_sessions(integer), app.audit_chain_append() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.login_lookup(text), app.session_principal(bytea, integer),
    app.token_principal(bytea), app.reap_sessions(integer) TO zhianbao_app;

-- Ends one session, found by the SHA-256 of its cookie (logout, or a new login over an old cookie).
-- Knowing the hash means holding the cookie, so no tenant context is needed.
CREATE FUNCTION app.end_session(p_id_hash bytea) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DELETE FROM sessions WHERE id_hash = p_id_hash
$$;
REVOKE ALL ON FUNCTION app.end_session(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.end_session(bytea) TO zhianbao_app;
