//! Browser protection, error pages, operations endpoints, the API base and localisation.

use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, ORIGIN};
use zhianbao::config::Settings;
use zhianbao::{AppState, db};

use crate::harness::{TestApp, serve};

async fn token_count(app: &TestApp) -> i64 {
    app.count("SELECT count(*) FROM api_tokens").await
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let client = app.login("picc-qd").await;
    let cookie_only = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let session = {
        let response = cookie_only
            .post(app.url("/login"))
            .header(ORIGIN, &app.base)
            .form(&[
                ("username", "picc-qd"),
                ("password", crate::harness::PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    };
    let attempts = [
        vec![("sec-fetch-site", "cross-site".to_owned())],
        vec![("sec-fetch-site", "same-site".to_owned())],
        vec![("origin", "https://evil.example".to_owned())],
        vec![],
    ];
    for headers in attempts {
        let mut request = cookie_only
            .post(app.url("/settings/tokens"))
            .header("cookie", &session)
            .form(&[("name", "planted by another site")]);
        for (name, value) in &headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 403, "{headers:?}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("已拒绝来自其他网站的请求")
        );
    }
    assert_eq!(token_count(&app).await, 0);
    // The same request from the page itself goes through.
    let same_origin = client
        .post(app.url("/settings/tokens"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("name", "core system")])
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), 200);
    assert_eq!(token_count(&app).await, 1);
    // No state changes through GET.
    let get = client.get(app.url("/logout")).send().await.unwrap();
    assert_eq!(get.status(), 405);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let client = app.login("laoshan-zjj").await;
    let oversized = "x".repeat(300 * 1024);
    let responses = vec![
        client.get(app.url("/")).send().await.unwrap(),
        client.get(app.url("/login")).send().await.unwrap(),
        client.get(app.url("/no/such/page")).send().await.unwrap(),
        client.put(app.url("/")).send().await.unwrap(),
        client
            .post(app.url("/settings/tokens"))
            .form(&[("name", oversized.as_str())])
            .send()
            .await
            .unwrap(),
        client.get(app.url("/healthz")).send().await.unwrap(),
        client.get(app.url("/api/v1/me")).send().await.unwrap(),
    ];
    for response in responses {
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert!(headers.contains_key("x-request-id"));
    }
}

#[tokio::test]
async fn error_pages_are_generic_localised_and_carry_the_request_id() {
    let app = TestApp::spawn().await;
    let client = app.login("laoshan-zjj").await;
    let missing = client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let id = missing.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = missing.text().await.unwrap();
    assert!(body.contains("页面不存在或您无权查看") && body.contains(&id));

    let put = client.put(app.url("/")).send().await.unwrap();
    assert_eq!(put.status(), 405);
    let too_big = client
        .post(app.url("/settings/tokens"))
        .form(&[("name", "x".repeat(300 * 1024))])
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), 413);
    assert!(too_big.text().await.unwrap().contains("提交的内容过大"));
    let wrong_type = client
        .post(app.url("/settings/tokens"))
        .header(CONTENT_TYPE, "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    let unknown_field = client
        .post(app.url("/settings/tokens"))
        .form(&[
            ("name", "x"),
            ("org_id", "00000000-0000-0000-0000-000000000000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_field.status(), 422, "forms never carry tenant ids");
    assert_eq!(token_count(&app).await, 0);

    let api = client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404);
    assert_eq!(api.headers()[CONTENT_TYPE], "application/problem+json");
    let problem: serde_json::Value = api.json().await.unwrap();
    assert_eq!(problem["code"], "not_found");
}

#[tokio::test]
async fn english_is_the_second_language_by_header_or_by_choice() {
    let app = TestApp::spawn().await;
    let english = app
        .client()
        .get(app.url("/login"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("Sign in to Zhianbao") && english.contains("lang=\"en\""));
    let client = app.login("picc-qd").await;
    assert!(
        app.text(&client, "/")
            .await
            .contains("人保财险青岛市分公司")
    );
    let switched = client
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), 303);
    let home = app.text(&client, "/").await;
    assert!(home.contains("PICC P&#38;C Qingdao Branch") && home.contains("Recent activity"));
    let hostile = client
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("next", "//evil.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(hostile.headers()["location"], "/");
}

#[tokio::test]
async fn user_text_is_escaped_everywhere_it_is_shown() {
    let app = TestApp::spawn().await;
    let client = app.login("picc-qd").await;
    let payload = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
    let page = client
        .post(app.url("/settings/tokens"))
        .form(&[("name", payload)])
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(!html.contains("<img src=x"));
}

#[tokio::test]
async fn static_assets_are_local_and_cache_busted() {
    let app = TestApp::spawn().await;
    let html = app
        .client()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html
        .find("/static/vendor/htmx.min.js?v=")
        .expect("versioned htmx URL");
    let url: String = html[start..].chars().take_while(|c| *c != '"').collect();
    let asset = app.client().get(app.url(&url)).send().await.unwrap();
    assert_eq!(asset.status(), 200);
    assert!(
        asset.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(asset.text().await.unwrap().contains("htmx"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no CDN or remote URL in pages"
    );
    let missing = app
        .client()
        .get(app.url("/static/../Cargo.toml"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn readiness_reports_the_database_and_an_outage_fails_fast_and_closed() {
    let app = TestApp::spawn().await;
    assert_eq!(
        reqwest::get(app.url("/readyz")).await.unwrap().status(),
        200
    );
    // The same router over a database that is not there.
    let mut settings = Settings::from_env("postgres://postgres@127.0.0.1:1/none".to_owned());
    settings.acquire_timeout = Duration::from_millis(500);
    let down = serve(AppState::new(
        db::app_pool(&settings).await.unwrap(),
        settings,
    ))
    .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let ready = client.get(format!("{down}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        client
            .get(format!("{down}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let page = client
        .get(format!("{down}/"))
        .header("cookie", "zb_sid=abc")
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        503,
        "a protected page fails closed, never anonymous"
    );
    assert!(page.headers().contains_key("retry-after"));
    // Without a credential nothing is asked of the database: the visitor is sent to sign in.
    let anonymous = client.get(format!("{down}/")).send().await.unwrap();
    assert_ne!(anonymous.status(), 503);
    assert!(anonymous.status().is_redirection() || anonymous.status() == 401);
}

/// Connections back in the pool a moment ago are handed out without a ping; one idle for longer
/// is pinged first, so a connection the database cut meanwhile is replaced, not handed to a page.
#[tokio::test]
async fn a_connection_cut_while_idle_is_replaced_before_a_page_uses_it() {
    let app = TestApp::spawn().await;
    let client = app.login("picc-qd").await;
    let first = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let cut: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name = 'zhianbao') t",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    assert!(cut > 0);
    tokio::time::sleep(Duration::from_secs(6)).await;
    for _ in 0..cut + 1 {
        let page = client.get(app.url("/")).send().await.unwrap();
        assert_eq!(page.status(), 200);
    }
}

#[tokio::test]
async fn api_tokens_authenticate_systems_and_die_when_revoked() {
    let app = TestApp::spawn().await;
    let admin = app.login("picc-qd").await;
    let created = admin
        .post(app.url("/api/v1/tokens"))
        .json(&serde_json::json!({ "name": "核心业务系统" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    let secret = body["secret"].as_str().unwrap().to_owned();
    let id = body["id"].as_str().unwrap().to_owned();
    let system = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let me: serde_json::Value = system
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["org"]["code"], "picc-qd");
    assert_eq!(me["role"], "staff", "tokens act as staff");
    // Tokens are for the API only, and cannot administer tokens.
    let page = system
        .get(app.url("/"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_ne!(page.status(), 200);
    let escalate = system
        .post(app.url("/api/v1/tokens"))
        .bearer_auth(&secret)
        .json(&serde_json::json!({ "name": "more" }))
        .send()
        .await
        .unwrap();
    assert_eq!(escalate.status(), 403);
    let bad_json = admin
        .post(app.url("/api/v1/tokens"))
        .json(&serde_json::json!({ "name": "x", "org_id": "y" }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_json.status(), 422);

    let revoked = admin
        .post(app.url(&format!("/api/v1/tokens/{id}/revoke")))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let again = admin
        .post(app.url(&format!("/api/v1/tokens/{id}/revoke")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let after = system
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
    assert_eq!(after.headers()[CONTENT_TYPE], "application/problem+json");
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    for (_, path) in crate::matrix::declared_routes() {
        if path.starts_with("/api/v1/") {
            assert!(
                documented.contains(&path),
                "{path} is missing from /api/openapi.json"
            );
        }
    }
}
