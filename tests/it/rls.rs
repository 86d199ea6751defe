//! Row-level security, proven as the application's own role (which is what the server uses).

use sqlx::postgres::PgRow;
use sqlx::{Connection, PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::harness::TestApp;

/// Tables without row-level security, and why: shared reference data, pre-authentication
/// counters, and tables only SECURITY DEFINER code touches (the audit chain heads, the policy
/// and order number counters), on which the app role has no grant at all.
const NOT_TENANT_DATA: &[&str] = &[
    "_sqlx_migrations",
    "districts",
    "login_throttle",
    "audit_chain_heads",
    "policy_number_counters",
    "order_number_counters",
];

async fn tenant_tables(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .filter(|t: &String| !NOT_TENANT_DATA.contains(&t.as_str()))
    .collect()
}

async fn org_id(app: &TestApp, code: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM organisations WHERE code = $1")
        .bind(code)
        .fetch_one(&app.owner)
        .await
        .unwrap()
}

async fn user_id(app: &TestApp, username: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.owner)
        .await
        .unwrap()
}

/// Opens a transaction as the app role with the context of `username`: an admin of their
/// organisation, or (an owner, without one) only themselves.
pub async fn as_user(app: &TestApp, conn: &mut PgConnection, username: &str) {
    let (user, role, org, kind, district): (Uuid, String, Option<Uuid>, Option<String>, Option<Uuid>) =
        sqlx::query_as(
            "SELECT u.id, CASE WHEN o.id IS NULL THEN u.role ELSE 'admin' END, o.id, o.kind, o.district_id \
             FROM users u LEFT JOIN organisations o ON o.id = u.org_id WHERE u.username = $1",
        )
        .bind(username)
        .fetch_one(&app.owner)
        .await
        .unwrap();
    let text = |id: Option<Uuid>| id.map(|id| id.to_string()).unwrap_or_default();
    sqlx::query("BEGIN").execute(&mut *conn).await.unwrap();
    sqlx::query(
        "SELECT set_config('app.user_id', $1, true), set_config('app.user_role', $2, true), \
                set_config('app.org_id', $3, true), set_config('app.org_kind', $4, true), \
                set_config('app.district_id', $5, true)",
    )
    .bind(user.to_string())
    .bind(role)
    .bind(text(org))
    .bind(kind.unwrap_or_default())
    .bind(text(district))
    .execute(&mut *conn)
    .await
    .unwrap();
}

/// A new connection in `username`'s context (see [`as_user`]).
pub async fn in_context(app: &TestApp, username: &str) -> PgConnection {
    let mut conn = PgConnection::connect_with(&app.pool.connect_options())
        .await
        .unwrap();
    as_user(app, &mut conn, username).await;
    conn
}

/// A project row `t`'s read rule by its definition, for the organisation `me`: the projects it
/// develops, its districts (a bureau), the projects it is a live party to.
const PROJECT_ROW_RULE: &str = "t.developer_org_id = me.id \
    OR (me.kind = 'regulator' AND t.district_id IN \
        (SELECT id FROM districts WHERE id = me.district_id OR parent_id = me.district_id)) \
    OR EXISTS (SELECT 1 FROM project_parties pp \
               WHERE pp.org_id = me.id AND pp.project_id = t.project_id AND pp.retired_at IS NULL)";

/// Gives each demo organisation some rows of its own: a session, an API token, audit entries.
async fn populate(app: &TestApp) {
    for username in ["picc-qd", "pingan-qd", "laoshan-zjj"] {
        let client = app.login(username).await;
        let response = client
            .post(app.url("/settings/tokens"))
            .form(&[("name", format!("{username} core system"))])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    // A permit-gate answer and an endorsement, so those tables hold rows too.
    let bureau = app.login("laoshan-zjj").await;
    let project: Uuid = sqlx::query_scalar("SELECT id FROM projects WHERE name = '融创东方悦府'")
        .fetch_one(&app.owner)
        .await
        .unwrap();
    let policy: Uuid = sqlx::query_scalar("SELECT id FROM policies WHERE project_id = $1")
        .bind(project)
        .fetch_one(&app.owner)
        .await
        .unwrap();
    let gate = bureau
        .post(app.url(&format!("/api/v1/projects/{project}/permit-gate")))
        .send()
        .await
        .unwrap();
    assert_eq!(gate.status(), 200);
    let insurer = app.login("pingan-qd").await;
    let endorsement = insurer
        .post(app.url(&format!("/api/v1/policies/{policy}/endorsements")))
        .json(&serde_json::json!({ "kind": "exclusion", "section_code": "WATERPROOFING", "text": "地下车库顶板防水除外" }))
        .send()
        .await
        .unwrap();
    assert_eq!(endorsement.status(), 200);
    // An inspection opened now carries the agency's checklist.
    let agency = app.login("hexin-tis").await;
    let opened = agency
        .post(app.url(&format!("/api/v1/projects/{project}/inspections")))
        .json(&serde_json::json!({ "stage_code": "routine", "inspected_on": "2026-11-01", "inspectors": "李工" }))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 201);
}

#[tokio::test]
async fn the_app_role_is_unprivileged_and_every_tenant_table_forces_rls() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.acquire().await.unwrap();
    let (user, superuser, bypass): (String, bool, bool) =
        sqlx::query_as("SELECT current_user::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(user, "zhianbao_app");
    assert!(!superuser && !bypass);
    let owned: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(owned, 0, "the app role must own nothing");

    let tables = tenant_tables(&app.owner).await;
    assert!(tables.contains(&"users".to_owned()) && tables.contains(&"audit_log".to_owned()));
    for table in &tables {
        let (enabled, forced): (bool, bool) = sqlx::query_as(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = $1",
        )
        .bind(table)
        .fetch_one(&app.owner)
        .await
        .unwrap();
        assert!(
            enabled && forced,
            "{table} must ENABLE and FORCE row level security"
        );
    }
    // Policies that admit writes must constrain them with WITH CHECK; reads need USING.
    let loose: Vec<String> = sqlx::query_scalar(
        "SELECT tablename || '.' || policyname FROM pg_policies WHERE schemaname = 'public' AND \
         ((cmd IN ('ALL', 'UPDATE') AND (qual IS NULL OR with_check IS NULL)) \
          OR (cmd = 'INSERT' AND with_check IS NULL) OR (cmd IN ('SELECT', 'DELETE') AND qual IS NULL))",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    assert!(
        loose.is_empty(),
        "policies without USING/WITH CHECK: {loose:?}"
    );
    // SECURITY DEFINER functions are an explicit allowlist of pre-authentication entry points.
    let definers: Vec<String> = sqlx::query_scalar(
        "SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE p.prosecdef AND n.nspname IN ('app', 'public') ORDER BY 1",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    assert_eq!(
        definers,
        [
            "audit_chain_append",
            "book_claims",
            "book_month",
            "book_policy",
            "claim_unit",
            "co_party_project_ids",
            "count_claim",
            "count_claim_payment",
            "count_finding",
            "count_insurer_policy",
            "count_late_claim",
            "count_open_finding",
            "count_open_order",
            "count_policy_claim",
            "count_project",
            "count_project_finding",
            "count_safety",
            "coverage_of_parcel",
            "coverage_of_policy",
            "coverage_of_project",
            "end_session",
            "is_assigned_agency",
            "is_lead_insurer",
            "is_project_developer",
            "is_project_party",
            "league_building",
            "league_claim",
            "league_final_review",
            "league_finding",
            "league_order",
            "league_party",
            "league_project",
            "league_roll_up",
            "login_lookup",
            "manages_property",
            "next_order_number",
            "next_policy_number",
            "owns_unit_in",
            "party_last_inspection",
            "party_last_inspection_from_rows",
            "party_membership",
            "party_project_ids",
            "party_roll_up",
            "reap_sessions",
            "risk_inputs",
            "session_principal",
            "token_principal"
        ]
    );
}

#[tokio::test]
async fn without_a_context_the_app_role_sees_no_row_of_any_tenant_table() {
    let app = TestApp::spawn().await;
    populate(&app).await;
    for table in tenant_tables(&app.owner).await {
        let all: i64 = app.count(&format!("SELECT count(*) FROM {table}")).await;
        assert!(
            all > 0,
            "{table} should have rows for this test to mean anything"
        );
        let seen: i64 = sqlx::query(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&app.pool)
            .await
            .unwrap()
            .get(0);
        assert_eq!(
            seen, 0,
            "{table} leaked {seen} rows without a tenant context"
        );
    }
}

#[tokio::test]
async fn one_organisation_sees_none_of_anothers_rows_even_without_a_where_clause() {
    let app = TestApp::spawn().await;
    populate(&app).await;
    let picc = org_id(&app, "picc-qd").await;
    let mut conn = PgConnection::connect_with(&app.pool.connect_options())
        .await
        .unwrap();
    as_user(&app, &mut conn, "picc-qd").await;
    let foreign_tokens: i64 =
        sqlx::query_scalar("SELECT count(*) FROM api_tokens WHERE org_id <> $1")
            .bind(picc)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    let own_tokens: i64 = sqlx::query_scalar("SELECT count(*) FROM api_tokens")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let foreign_users: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE org_id IS DISTINCT FROM $1")
            .bind(picc)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    let foreign_audit: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE org_id IS DISTINCT FROM $1")
            .bind(picc)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    let foreign_sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username <> 'picc-qd'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        (
            foreign_tokens,
            foreign_users,
            foreign_audit,
            foreign_sessions
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(own_tokens, 1);
    assert!(app.count("SELECT count(*) FROM api_tokens").await >= 3);
    // An organisation's roll-ups (0022): its own rows, and every one of them.
    for (table, org_column) in [
        ("stats_party_projects", "org_id"),
        ("stats_party_open", "org_id"),
        ("stats_party_deadlines", "org_id"),
        ("stats_insurer_book", "insurer_org_id"),
        ("stats_insurer_policies", "insurer_org_id"),
    ] {
        let seen: (i64, i64) = sqlx::query_as(&format!(
            "SELECT count(*) FILTER (WHERE {org_column} <> $1), count(*) FROM {table}"
        ))
        .bind(picc)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        let own = app
            .count(&format!(
                "SELECT count(*) FROM {table} WHERE {org_column} = '{picc}'"
            ))
            .await;
        assert!(own > 0, "{table} has rows of picc-qd");
        assert_eq!(seen, (0, own), "{table}");
    }
}

#[tokio::test]
async fn writing_a_row_for_another_organisation_is_refused_by_the_database() {
    let app = TestApp::spawn().await;
    let pingan = org_id(&app, "pingan-qd").await;
    let pingan_admin = user_id(&app, "pingan-qd").await;
    let picc_admin = user_id(&app, "picc-qd").await;
    let mut conn = PgConnection::connect_with(&app.pool.connect_options())
        .await
        .unwrap();

    as_user(&app, &mut conn, "picc-qd").await;
    let token = sqlx::query(
        "INSERT INTO api_tokens (org_id, name, token_hash, token_prefix, created_by) VALUES ($1, 'x', '\\x01', 'zb_', $2)",
    )
    .bind(pingan)
    .bind(pingan_admin)
    .execute(&mut conn)
    .await;
    assert_eq!(
        token
            .unwrap_err()
            .as_database_error()
            .unwrap()
            .code()
            .as_deref(),
        Some("42501")
    );
    sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();

    as_user(&app, &mut conn, "picc-qd").await;
    let audit = sqlx::query(
        "INSERT INTO audit_log (chain_key, seq, org_id, user_id, action, entity_type, prev_hash, hash) \
         VALUES ($1, 0, $1, $2, 'forged', 'x', '', '')",
    )
    .bind(pingan)
    .bind(picc_admin)
    .execute(&mut conn)
    .await;
    assert!(
        audit.is_err(),
        "an audit row in another organisation's name must be refused"
    );
    sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();

    as_user(&app, &mut conn, "picc-qd").await;
    let updated = sqlx::query("UPDATE users SET display_name = 'hijacked' WHERE id = $1")
        .bind(pingan_admin)
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
    sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE display_name = 'hijacked'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_tenant_context_never_reaches_the_next_user_of_a_pooled_connection() {
    let app = TestApp::spawn_with(|s| s.max_connections = 1).await;
    let principal = zhianbao::storage::sessions::principal(&app.pool, &[0u8; 32], 60)
        .await
        .unwrap();
    assert!(principal.is_none());
    let client = app.login("picc-qd").await;
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), 200);
    // The same single connection now serves a query with no context: it must see nothing.
    let mut conn = app.pool.acquire().await.unwrap();
    let row = sqlx::raw_sql(
        "SELECT coalesce(current_setting('app.user_id', true), ''), statement_timestamp() <> transaction_timestamp()",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    let (context, in_tx): (String, bool) = (row.get(0), row.get(1));
    assert_eq!(context, "");
    assert!(!in_tx);
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(users, 0);
    drop(conn);

    // A request cancelled in the middle of BEGIN must not leave a transaction behind either.
    for _ in 0..20 {
        let _ = tokio::time::timeout(std::time::Duration::from_micros(50), app.pool.begin()).await;
    }
    let mut conn = app.pool.acquire().await.unwrap();
    let open: bool = sqlx::raw_sql("SELECT statement_timestamp() <> transaction_timestamp()")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get(0);
    assert!(!open, "a pooled connection came back inside a transaction");
}

/// The orders a user sees, in id order, against the orders' read rule (`seen_and_defined`).
async fn orders_seen_and_defined(app: &TestApp, username: &str) -> (Vec<Uuid>, Vec<Uuid>) {
    let ((seen,), (defined,)) = seen_and_defined(
        app,
        username,
        "coalesce(array_agg(t.id ORDER BY t.id), '{}')",
        "rectification_orders",
        "false",
    )
    .await;
    (seen, defined)
}

/// The orders' read rule probes memberships row by row (0036): it must still admit exactly the
/// orders of the reader's developments, districts and live parties, for every organisation, and
/// an agency retired from a project stops seeing that project's orders.
#[tokio::test]
async fn every_organisation_sees_exactly_the_orders_its_roles_give_it() {
    let app = TestApp::spawn().await;
    let users: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT ON (org_id) username FROM users WHERE org_id IS NOT NULL ORDER BY org_id, username",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    assert!(users.len() >= 5);
    let mut seeing = 0;
    for username in &users {
        let (seen, defined) = orders_seen_and_defined(&app, username).await;
        assert_eq!(seen, defined, "{username}");
        seeing += usize::from(!seen.is_empty());
    }
    assert!(seeing >= 3, "orders are seen by several organisations");

    let (agency, project): (String, Uuid) = sqlx::query_as(
        "SELECT u.username, pp.project_id FROM project_parties pp JOIN users u ON u.org_id = pp.org_id \
         WHERE pp.role = 'risk_agency' AND pp.retired_at IS NULL \
           AND EXISTS (SELECT 1 FROM rectification_orders o WHERE o.project_id = pp.project_id) \
         ORDER BY u.username LIMIT 1",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    let (before, _) = orders_seen_and_defined(&app, &agency).await;
    sqlx::query(
        "UPDATE project_parties SET retired_at = now() \
         WHERE project_id = $1 AND role = 'risk_agency' AND org_id = (SELECT org_id FROM users WHERE username = $2)",
    )
    .bind(project)
    .bind(&agency)
    .execute(&app.owner)
    .await
    .unwrap();
    let (after, defined) = orders_seen_and_defined(&app, &agency).await;
    assert_eq!(after, defined);
    let on_project: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM rectification_orders WHERE project_id = $1")
            .bind(project)
            .fetch_all(&app.owner)
            .await
            .unwrap();
    assert!(
        on_project
            .iter()
            .all(|id| before.contains(id) && !after.contains(id))
    );
    assert_eq!(after.len(), before.len() - on_project.len());
}

/// A request's transaction opens with BEGIN and the context in one message: the five settings
/// must be exactly the principal's, inside it, and gone once it ends, before the connection
/// goes back to the pool.
#[tokio::test]
async fn a_request_transaction_carries_exactly_its_principals_context() {
    use zhianbao::domain::tenancy::{OrgKind, OrgRef, Principal, UserRole};
    let app = TestApp::spawn().await;
    let (user, role, org, kind, district): (Uuid, String, Uuid, String, Uuid) = sqlx::query_as(
        "SELECT u.id, u.role, o.id, o.kind, o.district_id \
         FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.username = 'picc-qd'",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    let principal = Principal {
        user_id: user,
        username: "picc-qd".into(),
        display_name: String::new(),
        role: UserRole::parse(&role).unwrap(),
        org: Some(OrgRef {
            id: org,
            code: String::new(),
            kind: OrgKind::parse(&kind).unwrap(),
            name_zh: String::new(),
            name_en: String::new(),
            district_id: district,
            district_name_zh: String::new(),
            district_name_en: String::new(),
        }),
        api_token_id: None,
    };
    let read = "SELECT concat_ws('|', \
                coalesce(current_setting('app.user_id', true), ''), \
                coalesce(current_setting('app.user_role', true), ''), \
                coalesce(current_setting('app.org_id', true), ''), \
                coalesce(current_setting('app.org_kind', true), ''), \
                coalesce(current_setting('app.district_id', true), ''))";
    let mut tx = zhianbao::db::tenant::begin(&app.pool, &principal)
        .await
        .unwrap();
    let inside: String = sqlx::query_scalar(read).fetch_one(&mut *tx).await.unwrap();
    assert_eq!(inside, format!("{user}|{role}|{org}|{kind}|{district}"));
    let visible: i64 = sqlx::query_scalar("SELECT count(*) FROM policies")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert!(visible > 0);
    tx.commit().await.unwrap();

    let mut conn = app.pool.acquire().await.unwrap();
    let after: String = sqlx::query_scalar(read)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(after, "||||", "the context ends with its transaction");
    let unscoped: i64 = sqlx::query_scalar("SELECT count(*) FROM policies")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(unscoped, 0, "no context sees nothing");
}

/// One user of each organisation (the first by name) and a unit owner, who has none.
async fn a_user_of_every_organisation_and_an_owner(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar(
        "(SELECT DISTINCT ON (org_id) username FROM users WHERE org_id IS NOT NULL ORDER BY org_id, username) \
         UNION ALL (SELECT 'owner-demo')",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap()
}

/// `summary` (an aggregate) over the rows of `table` a user sees as the app role in their own
/// context, and over the rows the read rule's definition gives them, computed as the owner: `own`
/// (the table's own first test), its developer's, its districts' (a bureau), the projects it is a
/// live party to.
async fn seen_and_defined<T>(
    app: &TestApp,
    username: &str,
    summary: &str,
    table: &str,
    own: &str,
) -> (T, T)
where
    T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    let mut conn = in_context(app, username).await;
    let seen = sqlx::query_as(&format!("SELECT {summary} FROM {table} t"))
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let defined = sqlx::query_as(&format!(
        "SELECT {summary} FROM {table} t JOIN users me_user ON me_user.username = $1 \
         LEFT JOIN organisations me ON me.id = me_user.org_id \
         WHERE {own} OR {PROJECT_ROW_RULE}"
    ))
    .bind(username)
    .fetch_one(&app.owner)
    .await
    .unwrap();
    (seen, defined)
}

/// The read rules 0039 wrote out (a probe of the memberships instead of a function call per row)
/// admit exactly the rows their definition gives, for a user of every organisation and an owner,
/// table by table.
#[tokio::test]
async fn the_project_rows_rules_admit_exactly_what_their_definition_gives() {
    let app = TestApp::spawn().await;
    let users = a_user_of_every_organisation_and_an_owner(&app).await;
    assert!(users.len() >= 6);
    for (table, own) in [
        ("units", "t.owner_user_id = me_user.id"),
        ("property_mandates", "t.manager_org_id = me.id"),
        ("risk_reports", "false"),
        ("order_events", "false"),
        ("evidence_photos", "false"),
        ("order_escalations", "false"),
        ("safety_services", "false"),
        ("safety_incidents", "false"),
        ("incident_victims", "false"),
        ("victim_settlements", "false"),
        ("inspection_checks", "false"),
        ("incident_cost_settlements", "false"),
    ] {
        let mut seeing = 0;
        for username in &users {
            let (seen, defined): ((i64, String), _) = seen_and_defined(
                &app,
                username,
                "count(*), coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '')",
                table,
                own,
            )
            .await;
            assert_eq!(seen, defined, "{table}, {username}");
            seeing += usize::from(seen.0 > 0);
        }
        if table == "units" {
            assert!(seeing >= 4, "units are seen by several readers");
        }
    }
}

/// The sets the read rules take from the context (0040: PL/pgSQL instead of SQL) are exactly their
/// definitions, computed as the owner, for a user of every organisation and an owner: a bureau's
/// districts (its own and, for a city bureau, those under it), the projects an organisation is a
/// live party to, and those it is a live party to in another role than lead insurer.
#[tokio::test]
async fn the_context_sets_are_exactly_their_definitions() {
    let app = TestApp::spawn().await;
    let users = a_user_of_every_organisation_and_an_owner(&app).await;
    let sorted = "SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest";
    let (mut districts, mut parties) = (0, 0);
    for username in &users {
        let mut conn = in_context(&app, username).await;
        let seen: (Vec<Uuid>, Vec<Uuid>, Vec<Uuid>) = sqlx::query_as(&format!(
            "SELECT ({sorted}(app.jurisdiction_ids()) x), ({sorted}(app.party_project_ids()) x), \
                    ({sorted}(app.co_party_project_ids()) x)"
        ))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        let defined: (Vec<Uuid>, Vec<Uuid>, Vec<Uuid>) = sqlx::query_as(
            "SELECT (SELECT coalesce(array_agg(d.id ORDER BY d.id), '{}') FROM districts d \
                     WHERE me.kind = 'regulator' AND (d.id = me.district_id OR d.parent_id = me.district_id)), \
                    (SELECT coalesce(array_agg(pp.project_id ORDER BY pp.project_id), '{}') FROM project_parties pp \
                     WHERE pp.org_id = me.id AND pp.retired_at IS NULL), \
                    (SELECT coalesce(array_agg(DISTINCT pp.project_id ORDER BY pp.project_id), '{}') FROM project_parties pp \
                     WHERE pp.org_id = me.id AND pp.retired_at IS NULL AND pp.role <> 'lead_insurer') \
             FROM users u LEFT JOIN organisations me ON me.id = u.org_id WHERE u.username = $1",
        )
        .bind(username)
        .fetch_one(&app.owner)
        .await
        .unwrap();
        assert_eq!(seen, defined, "{username}");
        districts += usize::from(!seen.0.is_empty());
        parties += usize::from(!seen.2.is_empty());
    }
    assert!(
        districts >= 2,
        "the district and the city bureau have districts"
    );
    assert!(parties >= 2, "agencies and co-insurers are parties");
}
