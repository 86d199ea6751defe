//! The authorization matrix: every route × every kind of actor → the expected status. The route
//! list is read from the router's source, so a new route without rows here fails the test.

use std::collections::HashMap;

use reqwest::Method;

use crate::harness::TestApp;

/// (method, path) of every route declared in `build_router`.
pub fn declared_routes() -> Vec<(String, String)> {
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/mod.rs")).unwrap();
    // Join each `.route(...)` call onto one line, however rustfmt wrapped it.
    let flat: String = source.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    let mut routes = Vec::new();
    for call in flat.split(".route(").skip(1) {
        let call = call.trim_start();
        if !call.starts_with('"') {
            continue;
        }
        let path = call[1..].split('"').next().unwrap().to_owned();
        let line = call
            .split(".route(")
            .next()
            .unwrap()
            .split(".fallback(")
            .next()
            .unwrap();
        for method in ["get", "post", "put", "patch", "delete"] {
            if line.contains(&format!("{method}(")) {
                routes.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    assert!(routes.len() > 10, "could not read the routes");
    routes
}

/// The actors, in column order.
const ACTORS: [&str; 9] = [
    "anonymous",
    "laoshan-zjj", // regulator admin, Laoshan
    "shinan-zjj",  // regulator admin, another district
    "picc-qd",     // insurer admin: owner of the fixture token
    "picc-staff",  // staff of the same insurer
    "pingan-qd",   // admin of another insurer
    "hexin-tis",   // risk-management agency admin
    "sunac-dev",   // developer admin
    "owner-demo",  // home owner
];

struct Row {
    method: &'static str,
    path: &'static str,
    /// Expected status per actor, in `ACTORS` order.
    expect: [u16; 9],
    /// Form or JSON body to send.
    body: Body,
    /// Needs a session of its own (the request ends or replaces the session).
    fresh_session: bool,
}

enum Body {
    None,
    /// A failed sign-in under a name of the actor's own (so no account hits its lockout).
    WrongLogin,
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
}

const ALL_200: [u16; 9] = [200; 9];
//                          anon lao  shi  picc staf pinA hex  sun  own
const SIGNED_IN: [u16; 9] = [303, 200, 200, 200, 200, 200, 200, 200, 200];
const ORGS_ONLY: [u16; 9] = [303, 200, 200, 200, 200, 200, 200, 200, 404];
const ADMINS: [u16; 9] = [303, 200, 200, 200, 403, 200, 200, 200, 403];
const API_SIGNED_IN: [u16; 9] = [401, 200, 200, 200, 200, 200, 200, 200, 200];
const API_ORGS_ONLY: [u16; 9] = [401, 200, 200, 200, 200, 200, 200, 200, 404];
const API_ADMINS: [u16; 9] = [401, 200, 200, 200, 403, 200, 200, 200, 403];

fn rows() -> Vec<Row> {
    let row = |method, path, expect| Row {
        method,
        path,
        expect,
        body: Body::None,
        fresh_session: false,
    };
    vec![
        row("GET", "/healthz", ALL_200),
        row("GET", "/readyz", ALL_200),
        row("GET", "/static/{*path}", ALL_200),
        row("GET", "/login", ALL_200),
        Row {
            body: Body::WrongLogin,
            ..row("POST", "/login", [401; 9])
        },
        Row {
            fresh_session: true,
            ..row("POST", "/logout", [303; 9])
        },
        Row {
            body: Body::Form(&[("lang", "en"), ("next", "/")]),
            ..row("POST", "/lang", [303; 9])
        },
        row("GET", "/", SIGNED_IN),
        row("GET", "/account", SIGNED_IN),
        Row {
            body: Body::Form(&[
                ("current_password", "not the current one"),
                ("new_password", "a new long passphrase"),
                ("confirm_password", "a new long passphrase"),
            ]),
            ..row(
                "POST",
                "/account/password",
                [303, 422, 422, 422, 422, 422, 422, 422, 422],
            )
        },
        row("POST", "/account/sessions/end-others", SIGNED_IN),
        row("GET", "/organisations", ORGS_ONLY),
        row("GET", "/settings/tokens", ADMINS),
        Row {
            body: Body::Form(&[("name", "matrix")]),
            ..row("POST", "/settings/tokens", ADMINS)
        },
        // The token belongs to picc-qd: its admin revokes it, everyone else's view has no such token.
        row(
            "POST",
            "/settings/tokens/{id}/revoke",
            [303, 404, 404, 303, 403, 404, 404, 404, 403],
        ),
        row("GET", "/audit", ADMINS),
        row("GET", "/api/openapi.json", ALL_200),
        row("GET", "/api/v1/me", API_SIGNED_IN),
        row("GET", "/api/v1/organisations", API_ORGS_ONLY),
        row("GET", "/api/v1/tokens", API_ADMINS),
        Row {
            body: Body::Json(r#"{"name":"matrix"}"#),
            ..row(
                "POST",
                "/api/v1/tokens",
                [401, 201, 201, 201, 403, 201, 201, 201, 403],
            )
        },
        row(
            "POST",
            "/api/v1/tokens/{id}/revoke",
            [401, 404, 404, 200, 403, 404, 404, 404, 403],
        ),
        row("GET", "/api/v1/audit-events", API_ADMINS),
    ]
}

/// A live API token of picc-qd, made fresh for each request that needs one.
async fn picc_token(app: &TestApp) -> String {
    let id: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO api_tokens (org_id, name, token_hash, token_prefix, created_by) \
         SELECT o.id, 'fixture', sha256(gen_random_uuid()::text::bytea), 'zb_fixture', u.id \
         FROM organisations o JOIN users u ON u.org_id = o.id WHERE o.code = 'picc-qd' AND u.username = 'picc-qd' \
         RETURNING id",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    id.to_string()
}

#[tokio::test]
async fn every_route_answers_every_actor_as_the_matrix_says() {
    let app = TestApp::spawn().await;
    app.create_user(Some("picc-qd"), "picc-staff", "staff")
        .await;
    let rows = rows();

    let declared = declared_routes();
    for (method, path) in &declared {
        assert!(
            rows.iter().any(|r| r.method == method && r.path == path),
            "route {method} {path} has no row in the authorization matrix"
        );
    }
    for row in &rows {
        assert!(
            declared
                .iter()
                .any(|(m, p)| m == row.method && p == row.path),
            "matrix row {} {} names no route",
            row.method,
            row.path
        );
    }

    let mut sessions: HashMap<&str, reqwest::Client> = HashMap::new();
    for actor in ACTORS {
        let client = if actor == "anonymous" {
            app.client()
        } else {
            app.login(actor).await
        };
        sessions.insert(actor, client);
    }
    let mut failures = Vec::new();
    for row in &rows {
        for (actor, expected) in ACTORS.iter().zip(row.expect) {
            let client = if row.fresh_session && *actor != "anonymous" {
                app.login(actor).await
            } else {
                sessions[actor].clone()
            };
            let path = if row.path.contains("{id}") {
                row.path.replace("{id}", &picc_token(&app).await)
            } else {
                row.path.replace("{*path}", "app.css")
            };
            let mut request = client.request(
                Method::from_bytes(row.method.as_bytes()).unwrap(),
                app.url(&path),
            );
            request = match &row.body {
                Body::None => request,
                Body::WrongLogin => request.form(&[
                    ("username", format!("{actor}-typo")),
                    ("password", "wrong".into()),
                ]),
                Body::Form(fields) => request.form(fields),
                Body::Json(json) => request
                    .header("content-type", "application/json")
                    .body(*json),
            };
            let status = request.send().await.unwrap().status().as_u16();
            if status != expected {
                failures.push(format!(
                    "{} {} as {actor}: expected {expected}, got {status}",
                    row.method, row.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix violations:\n{}",
        failures.join("\n")
    );
}
