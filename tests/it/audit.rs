//! The audit trail: written with each change, append-only for the app, chained and verifiable.

use std::process::Command;

use zhianbao::storage::audit::verify_chains;

use crate::harness::TestApp;

fn verify_cli(app: &TestApp) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zhianbao"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test]
async fn each_change_writes_one_audit_row_in_its_own_transaction() {
    let app = TestApp::spawn().await;
    let client = app.login("picc-qd").await;
    let count = || app.count("SELECT count(*) FROM audit_log");
    let before = count().await;
    client
        .post(app.url("/settings/tokens"))
        .form(&[("name", "核心系统")])
        .send()
        .await
        .unwrap();
    assert_eq!(count().await, before + 1);
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM api_tokens")
        .fetch_one(&app.owner)
        .await
        .unwrap();
    client
        .post(app.url(&format!("/api/v1/tokens/{id}/revoke")))
        .send()
        .await
        .unwrap();
    assert_eq!(count().await, before + 2);
    // A refused transition writes nothing.
    let again = client
        .post(app.url(&format!("/api/v1/tokens/{id}/revoke")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    assert_eq!(count().await, before + 2);
    let (who, action, request_id): (String, String, String) = sqlx::query_as(
        "SELECT u.username, a.action, a.request_id FROM audit_log a JOIN users u ON u.id = a.user_id ORDER BY a.id DESC LIMIT 1",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    assert_eq!(
        (who.as_str(), action.as_str()),
        ("picc-qd", "api_token.revoked")
    );
    assert_eq!(
        request_id.len(),
        36,
        "the request id ties the row to the logs"
    );
}

#[tokio::test]
async fn the_application_cannot_rewrite_history() {
    let app = TestApp::spawn().await;
    app.login("picc-qd").await;
    for sql in [
        "UPDATE audit_log SET action = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let result = sqlx::query(sql).execute(&app.pool).await;
        let code = result
            .unwrap_err()
            .as_database_error()
            .unwrap()
            .code()
            .unwrap()
            .into_owned();
        assert_eq!(code, "42501", "{sql}");
    }
    // Even the owner's UPDATE is stopped by the trigger.
    assert!(
        sqlx::query("UPDATE audit_log SET action = 'x'")
            .execute(&app.owner)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn concurrent_writers_keep_the_chains_intact_and_tampering_is_detected() {
    let app = TestApp::spawn().await;
    let picc = app.login("picc-qd").await;
    let pingan = app.login("pingan-qd").await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let client = if i % 2 == 0 {
            picc.clone()
        } else {
            pingan.clone()
        };
        let url = app.url("/settings/tokens");
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&[("name", format!("system {i}"))])
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let (total, breaks) = verify_chains(&mut app.owner.acquire().await.unwrap())
        .await
        .unwrap();
    assert!(
        total >= 26 && breaks.is_empty(),
        "{total} rows, breaks: {breaks:?}"
    );
    let (code, out) = verify_cli(&app);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact"));

    // A superuser quietly edits one row, bypassing the trigger.
    sqlx::raw_sql(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update; \
         UPDATE audit_log SET after = '{\"name\":\"edited\"}' WHERE id = (SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 5); \
         ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;",
    )
    .execute(&app.owner)
    .await
    .unwrap();
    let (_, breaks) = verify_chains(&mut app.owner.acquire().await.unwrap())
        .await
        .unwrap();
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(breaks[0].problem, "row content does not match its hash");
    let (code, out) = verify_cli(&app);
    assert_eq!(code, 2);
    assert!(out.contains("BROKEN"));
}
