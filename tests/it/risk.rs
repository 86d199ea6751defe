//! Risk management: inspections, graded findings with photo evidence, rectification orders.

use reqwest::Client;
use serde_json::{Value, json};

use crate::harness::{TestApp, table_rows};

/// A 1×1 PNG, complete (signature … IEND).
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE, 0, 0, 0, 0x0C, 0x49, 0x44, 0x41, 0x54,
    0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0, 0, 0x03, 0x01, 0x01, 0, 0x18, 0xDD, 0x8D, 0xB0, 0, 0, 0,
    0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// A multipart/form-data body: text fields, then files named `photos`.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "zhianbao-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{file_name}\"\r\nContent-Type: image/jpeg\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn send_multipart(
    app: &TestApp,
    client: &Client,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> (u16, Value) {
    let (content_type, body) = multipart(fields, files);
    let response = client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post(app: &TestApp, client: &Client, path: &str, body: Value) -> (u16, Value) {
    let response = client.post(app.url(path)).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn project_id(app: &TestApp, name: &str) -> String {
    sqlx::query_scalar("SELECT id::text FROM projects WHERE name = $1")
        .bind(name)
        .fetch_one(&app.owner)
        .await
        .unwrap()
}

const D_FINDING: &[(&str, &str)] = &[
    ("level", "D"),
    ("location", "1号楼 6层 ②-④/Ⓑ 框架梁"),
    ("trade", "混凝土"),
    ("section_code", "STRUCTURE"),
    ("description", "框架梁底部露筋，长约 40cm。"),
    ("advice", "凿除松散混凝土，高一级细石混凝土修补。"),
];

#[tokio::test]
async fn a_d_finding_with_a_photo_becomes_an_order_that_the_developer_answers_and_the_agency_closes()
 {
    let app = TestApp::spawn().await;
    let agency = app.login("hexin-tis").await;
    let developer = app.login("tianyi-dev").await;
    let project = project_id(&app, "天一仁和沙子口").await;
    let today = zhianbao::http::projects::today();

    let (status, opened) = post(&app, &agency, &format!("/api/v1/projects/{project}/inspections"), json!({
        "stage_code": "main_structure", "inspected_on": today.to_string(), "inspectors": "测试检查员" })).await;
    assert_eq!(status, 201, "{opened}");
    let inspection = opened["inspection"]["id"].as_str().unwrap().to_owned();
    let findings_path = format!("/api/v1/inspections/{inspection}/findings");
    let before = app.count("SELECT count(*) FROM findings").await;

    // The wrong kind of file, a truncated photo, an oversized one, a bad level: refused, nothing kept.
    let (status, _) = send_multipart(
        &app,
        &agency,
        &findings_path,
        D_FINDING,
        &[("photo.jpg", b"<html><script>alert(1)</script></html>")],
    )
    .await;
    assert_eq!(status, 415);
    let (status, _) = send_multipart(
        &app,
        &agency,
        &findings_path,
        D_FINDING,
        &[("crack.png", &PNG[..40])],
    )
    .await;
    assert_eq!(status, 415);
    let mut huge = PNG[..33].to_vec();
    huge.resize(11 * 1024 * 1024, 0);
    huge.extend_from_slice(&PNG[PNG.len() - 12..]);
    let (status, _) = send_multipart(
        &app,
        &agency,
        &findings_path,
        D_FINDING,
        &[("huge.png", &huge)],
    )
    .await;
    assert_eq!(status, 413);
    let mut bad_level = D_FINDING.to_vec();
    bad_level[0] = ("level", "F");
    let (status, problem) = send_multipart(
        &app,
        &agency,
        &findings_path,
        &bad_level,
        &[("crack.png", PNG)],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["code"], "inspections.bad_level");
    assert_eq!(app.count("SELECT count(*) FROM findings").await, before);
    assert_eq!(
        app.count("SELECT count(*) FROM evidence_photos WHERE original_name = 'crack.png'")
            .await,
        0
    );
    // Only the assigned agency records findings.
    let (status, _) = send_multipart(&app, &developer, &findings_path, D_FINDING, &[]).await;
    assert_eq!(status, 403);

    let (status, recorded) = send_multipart(
        &app,
        &agency,
        &findings_path,
        D_FINDING,
        &[("../../etc/crack.png", PNG)],
    )
    .await;
    assert_eq!(status, 201, "{recorded}");
    let finding = &recorded["findings"][0];
    assert_eq!(finding["original_level"], "D");
    let photo = finding["photos"][0].as_str().unwrap().to_owned();
    let stored: (String, Vec<u8>) =
        sqlx::query_as("SELECT content_type, sha256 FROM evidence_photos WHERE id = $1::uuid")
            .bind(&photo)
            .fetch_one(&app.owner)
            .await
            .unwrap();
    assert_eq!(stored.0, "image/png");
    assert_eq!(
        stored.1,
        zhianbao::security::sha256_bytes(PNG),
        "SHA-256 taken at upload"
    );

    // The checklist copied from the agency's template must be answered first.
    let submit_path = format!("/api/v1/inspections/{inspection}/submit");
    let checks_path = format!("/api/v1/inspections/{inspection}/checks");
    let (status, problem) = post(&app, &agency, &submit_path, json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("checklist.unanswered"))
    );
    assert_eq!(problem["title"], "检查表尚有未判定的检查项。");
    let checks: Vec<String> = recorded["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(checks.len(), 3, "the main-structure template of 和信安诚");
    let finding_id = finding["id"].as_str().unwrap();
    let lonely_failure = json!({ "answers": [{ "check_id": checks[0], "result": "fail" }] });
    let (status, problem) = post(&app, &agency, &checks_path, lonely_failure).await;
    assert_eq!(
        (status, problem["errors"][0]["code"].as_str()),
        (422, Some("checklist.fail_needs_finding"))
    );
    let answers: Vec<Value> = checks
        .iter()
        .enumerate()
        .map(|(i, id)| match i {
            0 => json!({ "check_id": id, "result": "pass" }),
            1 => json!({ "check_id": id, "result": "fail", "finding_id": finding_id }),
            _ => json!({ "check_id": id, "result": "na" }),
        })
        .collect();
    let (status, _) = post(&app, &agency, &checks_path, json!({ "answers": answers })).await;
    assert_eq!(status, 200);
    let (status, submitted) = post(&app, &agency, &submit_path, json!({})).await;
    assert_eq!(status, 200, "{submitted}");
    let (status, _) = send_multipart(&app, &agency, &findings_path, D_FINDING, &[]).await;
    assert_eq!(status, 409, "a submitted inspection takes no more findings");
    let order_id: String = sqlx::query_scalar("SELECT o.id::text FROM rectification_orders o JOIN findings f ON f.id = o.finding_id WHERE f.inspection_id = $1::uuid")
        .bind(&inspection)
        .fetch_one(&app.owner)
        .await
        .unwrap();
    let order_path = format!("/api/v1/orders/{order_id}");
    let order: Value = app.json(&developer, &order_path).await;
    assert_eq!(order["order"]["level"], "D");
    assert_eq!(
        order["order"]["deadline"],
        (today + chrono::Duration::days(3)).to_string(),
        "D: 3 calendar days"
    );
    assert_eq!(order["order"]["status"], "issued");

    // The agency cannot close what the developer has not answered.
    let (status, _) = post(
        &app,
        &agency,
        &format!("{order_path}/recheck"),
        json!({ "outcome": "close", "note": "已整改" }),
    )
    .await;
    assert_eq!(status, 409);
    let (status, responded) = send_multipart(
        &app,
        &developer,
        &format!("{order_path}/respond"),
        &[("text", "已凿除松散混凝土并用 C40 细石混凝土修补。")],
        &[("after.png", PNG)],
    )
    .await;
    assert_eq!(status, 200, "{responded}");
    assert_eq!(responded["order"]["status"], "responded");
    assert_eq!(
        responded["events"][0]["photos"].as_array().unwrap().len(),
        1
    );

    // Two rechecks at once: exactly one wins.
    let recheck = || {
        agency
            .post(app.url(&format!("{order_path}/recheck")))
            .json(&json!({ "outcome": "close", "note": "复查合格", "level": "A" }))
            .send()
    };
    let (a, b) = tokio::join!(recheck(), recheck());
    let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    let (level, status): (String, String) =
        sqlx::query_as("SELECT current_level, status FROM findings WHERE id = $1::uuid")
            .bind(finding["id"].as_str().unwrap())
            .fetch_one(&app.owner)
            .await
            .unwrap();
    assert_eq!(
        (level.as_str(), status.as_str()),
        ("A", "closed"),
        "closing lowers the current level, keeps the original"
    );
    let audited = app.count("SELECT count(*) FROM audit_log WHERE action IN ('inspection.opened', 'finding.recorded', 'checklist.answered', 'inspection.submitted', 'order.responded', 'order.rechecked')").await;
    assert_eq!(audited, 6);
}

#[tokio::test]
async fn photos_are_served_only_to_those_who_may_see_them_and_never_change() {
    let app = TestApp::spawn().await;
    let photo: String = sqlx::query_scalar("SELECT ph.id::text FROM evidence_photos ph JOIN projects p ON p.id = ph.project_id WHERE p.name = '天一仁和沙子口' LIMIT 1")
        .fetch_one(&app.owner)
        .await
        .unwrap();
    let path = format!("/photos/{photo}");
    for (user, expected) in [
        ("tianyi-dev", 200),
        ("hexin-tis", 200),
        ("picc-qd", 200),
        ("laoshan-zjj", 200),
        ("sunac-dev", 404),
        ("pingan-qd", 404),
        ("shinan-zjj", 404),
        ("owner-demo", 404),
    ] {
        let response = app
            .login(user)
            .await
            .get(app.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "{user}");
        if expected == 200 {
            let headers = response.headers();
            assert_eq!(headers["content-type"], "image/png");
            assert_eq!(headers["x-content-type-options"], "nosniff");
            assert_eq!(headers["content-security-policy"], "sandbox");
            assert_eq!(headers["cache-control"], "no-store");
            assert!(
                headers["content-disposition"]
                    .to_str()
                    .unwrap()
                    .contains(&format!("{photo}.png"))
            );
        }
    }
    assert_eq!(
        app.client()
            .get(app.url(&path))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    for sql in [
        "UPDATE evidence_photos SET bytes = '\\x00'",
        "DELETE FROM evidence_photos",
    ] {
        let denied = sqlx::query(sql).execute(&app.pool).await.unwrap_err();
        assert_eq!(
            denied.as_database_error().unwrap().code().as_deref(),
            Some("42501"),
            "{sql}"
        );
    }
}

#[tokio::test]
async fn orders_show_the_escalation_ladder_and_each_party_sees_its_own() {
    let app = TestApp::spawn().await;
    let developer = app.login("tianyi-dev").await;
    let orders: Value = app.json(&developer, "/api/v1/orders").await;
    let items = orders["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .all(|o| o["project_name"].as_str().unwrap().starts_with("天一")),
        "a developer sees only its own orders"
    );
    let overdue_d = items
        .iter()
        .find(|o| o["level"] == "D" && o["status"] == "issued")
        .unwrap();
    assert_eq!(overdue_d["days_overdue"], 7);
    assert_eq!(overdue_d["escalation"], "notice_to_regulator");
    // The Shinan bureau sees Shinan's D order, not Laoshan's.
    let shinan: Value = app
        .json(&app.login("shinan-zjj").await, "/api/v1/orders")
        .await;
    let names: Vec<&str> = shinan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["project_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["融创八大关院子"]);
    // Another developer cannot answer tianyi's order; the regulator's home counts open D/E.
    let order = overdue_d["id"].as_str().unwrap();
    let (content_type, body) = multipart(&[("text", "冒名回复")], &[]);
    let foreign = app
        .login("sunac-dev")
        .await
        .post(app.url(&format!("/api/v1/orders/{order}/respond")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 404);
    let home = app.text(&app.login("laoshan-zjj").await, "/").await;
    assert!(
        home.contains("data-testid=\"open-de\">1<"),
        "one open D finding in Laoshan (沙子口; 东方悦府 closed its D)"
    );
}

#[tokio::test]
async fn overdue_orders_climb_the_ladder_once_per_rung_and_notify_those_concerned() {
    let app = TestApp::spawn().await;
    let order: String = sqlx::query_scalar(
        "SELECT o.id::text FROM rectification_orders o JOIN projects p ON p.id = o.project_id \
         WHERE p.name = '天一仁和沙子口' AND o.level = 'D' AND o.status = 'issued'",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    let steps = || async {
        sqlx::query_scalar::<_, String>("SELECT step FROM order_escalations WHERE order_id = $1::uuid ORDER BY created_at, step")
            .bind(&order)
            .fetch_all(&app.owner)
            .await
            .unwrap()
    };
    // Seven days late at seeding: reminder, insurer and bureau notices, all dated today.
    let mut seeded = steps().await;
    seeded.sort();
    assert_eq!(seeded, ["insurer", "regulator", "reminder"]);

    assert!(
        notified(&app, "laoshan-zjj")
            .await
            .contains(&"escalation.regulator".to_owned())
    );
    assert!(
        notified(&app, "picc-qd")
            .await
            .contains(&"escalation.insurer".to_owned()),
        "the lead insurer of 沙子口"
    );
    assert!(
        !notified(&app, "shinan-zjj")
            .await
            .contains(&"escalation.regulator".to_owned()),
        "八大关 is only 3 days late"
    );
    assert!(
        notified(&app, "tianyi-dev")
            .await
            .contains(&"escalation.reminder".to_owned())
    );

    // A week later the exclusion proposal follows, once, however often the job runs.
    let later = zhianbao::http::projects::today() + chrono::Duration::days(8);
    let mut conn = app.owner.acquire().await.unwrap();
    let added = zhianbao::storage::escalations::sweep(&mut conn, later)
        .await
        .unwrap();
    assert!(added >= 1);
    assert_eq!(
        zhianbao::storage::escalations::sweep(&mut conn, later)
            .await
            .unwrap(),
        0,
        "idempotent"
    );
    drop(conn);
    assert!(steps().await.contains(&"exclusion".to_owned()));
    let (total, breaks) =
        zhianbao::storage::audit::verify_chains(&mut app.owner.acquire().await.unwrap())
            .await
            .unwrap();
    assert!(
        total > 0 && breaks.is_empty(),
        "escalations are audited on the chain: {breaks:?}"
    );
    let detail: Value = app
        .json(
            &app.login("tianyi-dev").await,
            &format!("/api/v1/orders/{order}"),
        )
        .await;
    assert_eq!(detail["escalations"].as_array().unwrap().len(), 4);
}

async fn notified(app: &TestApp, user: &str) -> Vec<String> {
    let client = app.login(user).await;
    let list: Value = app.json(&client, "/api/v1/notifications").await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_final_report_freezes_open_items_and_the_lead_insurer_adds_an_exclusion() {
    let app = TestApp::spawn().await;
    let agency = app.login("hexin-tis").await;
    let insurer = app.login("picc-qd").await;
    let project = project_id(&app, "天一仁和沙子口").await;
    let (status, problem) = post(
        &app,
        &agency,
        &format!("/api/v1/projects/{project}/reports"),
        json!({ "kind": "stage", "conclusion": "阶段结论" }),
    )
    .await;
    assert_eq!(status, 422, "a stage report names its inspection");
    assert_eq!(problem["errors"][0]["code"], "reports.needs_inspection");
    let (status, report) = post(
        &app,
        &agency,
        &format!("/api/v1/projects/{project}/reports"),
        json!({ "kind": "final", "conclusion": "竣工前评估：D 级裂缝未闭合，建议除外。" }),
    )
    .await;
    assert_eq!(status, 201, "{report}");
    let levels: Vec<&str> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["level"].as_str().unwrap())
        .collect();
    assert!(
        levels.iter().all(|l| ["C", "D", "E", "R"].contains(l)),
        "final report keeps open C/D/E/R only: {levels:?}"
    );
    assert!(levels.contains(&"D") && levels.contains(&"R"));
    let id = report["id"].as_str().unwrap();
    // The agency cannot review its own report; only the lead insurer can.
    let (status, _) = post(
        &app,
        &agency,
        &format!("/api/v1/reports/{id}/review"),
        json!({ "decision": "confirm", "note": "同意" }),
    )
    .await;
    assert_eq!(status, 403);
    let endorsements_before = app.count("SELECT count(*) FROM endorsements").await;
    let (status, _) = post(
        &app,
        &insurer,
        &format!("/api/v1/reports/{id}/review"),
        json!({ "decision": "exclude", "note": "裂缝部位除外", "sections": "FOUNDATIONS" }),
    )
    .await;
    assert_eq!(status, 422, "unknown section");
    let (status, reviewed) = post(&app, &insurer, &format!("/api/v1/reports/{id}/review"),
        json!({ "decision": "exclude", "note": "3号楼剪力墙裂缝部位除外", "sections": "STRUCTURE" })).await;
    assert_eq!(status, 200, "{reviewed}");
    assert_eq!(reviewed["status"], "exclusions_added");
    assert_eq!(
        app.count("SELECT count(*) FROM endorsements").await,
        endorsements_before + 1
    );
    let (status, _) = post(
        &app,
        &insurer,
        &format!("/api/v1/reports/{id}/review"),
        json!({ "decision": "confirm", "note": "再次审核" }),
    )
    .await;
    assert_eq!(status, 409, "reviewed once");
    // New findings after issue do not change the frozen report.
    let html = app
        .text(&app.login("laoshan-zjj").await, &format!("/reports/{id}"))
        .await;
    assert!(html.contains("最终风险评估报告") && html.contains("data-print"));
}

#[tokio::test]
async fn safety_services_and_incidents_are_recorded_by_the_right_parties() {
    let app = TestApp::spawn().await;
    let agency = app.login("hexin-tis").await;
    let developer = app.login("tianyi-dev").await;
    let project = project_id(&app, "天一仁和沙子口").await;
    let today = zhianbao::http::projects::today().to_string();
    let (status, problem) = post(
        &app,
        &agency,
        &format!("/api/v1/projects/{project}/safety-services"),
        json!({ "kind": "hazard_inspection", "performed_on": today, "summary": "高大模板检查" }),
    )
    .await;
    assert_eq!(status, 422, "a hazard inspection names its category");
    assert_eq!(problem["errors"][0]["code"], "safety.bad_service");
    let (status, _) = post(&app, &agency, &format!("/api/v1/projects/{project}/safety-services"),
        json!({ "kind": "hazard_inspection", "hazard_category": "high_formwork", "performed_on": today, "hazards_found": "2", "summary": "高大模板支撑体系检查" })).await;
    assert_eq!(status, 201);
    let (status, _) = post(
        &app,
        &developer,
        &format!("/api/v1/projects/{project}/safety-services"),
        json!({ "kind": "training", "performed_on": today, "summary": "自行培训" }),
    )
    .await;
    assert_eq!(status, 403, "services are the agency's or the insurer's");

    let incident = |victims: Value| {
        json!({
        "occurred_at": "2026-11-20 09:30", "place": "3号楼 塔吊", "accident_type": "lifting",
        "description": "吊装钢筋时吊索断裂，钢筋坠落砸伤地面人员。", "rescue_cost_yuan": "8,000", "victims": victims })
    };
    let (status, problem) = post(
        &app,
        &developer,
        &format!("/api/v1/projects/{project}/incidents"),
        incident(json!([])),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["code"], "safety.needs_victims");
    let (status, problem) = post(
        &app,
        &developer,
        &format!("/api/v1/projects/{project}/incidents"),
        incident(json!([{ "name": "李某", "party": "worker", "injury_class": "bruised" }])),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let (status, reported) = post(&app, &developer, &format!("/api/v1/projects/{project}/incidents"), incident(json!([
        { "name": "李某", "party": "worker", "injury_class": "serious", "medical_cost_yuan": "52000" },
        { "name": "路人王某", "party": "third_party", "injury_class": "minor" }]))).await;
    assert_eq!(status, 201, "{reported}");
    assert_eq!(reported["rescue_cost_fen"], 800_000);
    assert_eq!(reported["victims"].as_array().unwrap().len(), 2);
    let (status, _) = post(
        &app,
        &app.login("sunac-dev").await,
        &format!("/api/v1/projects/{project}/incidents"),
        incident(json!([
        { "name": "x", "party": "worker", "injury_class": "minor" }])),
    )
    .await;
    assert_eq!(status, 404, "not sunac's project");
    let id = reported["id"].as_str().unwrap();
    let (status, _) = post(
        &app,
        &app.login("pingan-qd").await,
        &format!("/api/v1/incidents/{id}/close"),
        json!({}),
    )
    .await;
    assert_eq!(status, 404, "pingan is not on this project");
    let lead = app.login("picc-qd").await;
    let close_path = format!("/api/v1/incidents/{id}/close");
    let close = || post(&app, &lead, &close_path, json!({}));
    let (status, problem) = close().await;
    assert_eq!(status, 409, "victims not yet paid");
    assert_eq!(problem["code"], "safety.victims_unpaid");
    // Each victim settled and paid; rescue costs settled as their own line within what was recorded.
    for (victim, medical) in reported["victims"]
        .as_array()
        .unwrap()
        .iter()
        .zip(["52000", "300"])
    {
        let victim = victim["id"].as_str().unwrap();
        let (status, body) = post(
            &app,
            &lead,
            &format!("/api/v1/victims/{victim}/settlement"),
            json!({ "medical_yuan": medical }),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, _) = post(
            &app,
            &lead,
            &format!("/api/v1/victims/{victim}/payment"),
            json!({ "reference": format!("PAY-{medical}") }),
        )
        .await;
        assert_eq!(status, 200);
    }
    let costs_path = format!("/api/v1/incidents/{id}/costs");
    let cost = |kind: &'static str, amount: &'static str| {
        let body = json!({ "kind": kind, "payee": "崂山区急救中心", "amount_yuan": amount });
        post(&app, &lead, &costs_path, body)
    };
    let (status, problem) = cost("rescue", "8000.01").await;
    assert_eq!(status, 422, "more rescue than the ¥8,000 recorded");
    assert_eq!(problem["errors"][0]["code"], "safety.rescue_over_recorded");
    assert_eq!(cost("picnic", "10").await.0, 422);
    let (status, body) = cost("rescue", "8000").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["costs"][0]["status"], "agreed");
    assert_eq!(
        cost("rescue", "0.01").await.0,
        422,
        "the recorded rescue cost is used up"
    );
    let (status, problem) = close().await;
    assert_eq!(status, 409, "an agreed cost is unpaid");
    assert_eq!(problem["code"], "safety.costs_unpaid");
    let line = body["costs"][0]["id"].as_str().unwrap();
    let pay_path = format!("/api/v1/incident-costs/{line}/payment");
    let pay_line = || post(&app, &lead, &pay_path, json!({ "reference": "RESCUE-1" }));
    assert_eq!(pay_line().await.0, 200);
    assert_eq!(pay_line().await.0, 409, "paid once");
    let (status, _) = close().await;
    assert_eq!(status, 200);
    assert_eq!(
        cost("legal", "100").await.0,
        409,
        "a closed incident takes no new settlement"
    );
    let (status, _) = post(
        &app,
        &lead,
        &format!("/api/v1/incidents/{id}/close"),
        json!({}),
    )
    .await;
    assert_eq!(status, 409);
    let overview: Value = app
        .json(&app.login("laoshan-zjj").await, "/api/v1/safety")
        .await;
    assert_eq!(
        overview["incidents"].as_array().unwrap().len(),
        2,
        "the demo incident and this one, both in Laoshan"
    );
}

#[tokio::test]
async fn the_agency_reschedules_a_late_visit() {
    let app = TestApp::spawn().await;
    let late: String = sqlx::query_scalar(
        "SELECT v.id::text FROM inspection_visits v JOIN projects p ON p.id = v.project_id \
         WHERE p.name = '天一仁和沙子口' AND v.status = 'planned' AND v.planned_on < current_date LIMIT 1",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    let next_week = (zhianbao::http::projects::today() + chrono::Duration::days(7)).to_string();
    let (status, _) = post(
        &app,
        &app.login("tianyi-dev").await,
        &format!("/api/v1/visits/{late}/reschedule"),
        json!({ "planned_on": next_week }),
    )
    .await;
    assert_eq!(status, 403, "the developer does not set the agency's plan");
    let (status, moved) = post(
        &app,
        &app.login("hexin-tis").await,
        &format!("/api/v1/visits/{late}/reschedule"),
        json!({ "planned_on": next_week }),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    let day: chrono::NaiveDate =
        sqlx::query_scalar("SELECT planned_on FROM inspection_visits WHERE id = $1::uuid")
            .bind(&late)
            .fetch_one(&app.owner)
            .await
            .unwrap();
    assert_eq!(day.to_string(), next_week);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'visit.rescheduled'")
            .await,
        1
    );
}

/// The insurer's risk table: project id → its last inspection as shown.
fn risk_table_inspections(html: &str) -> Vec<(String, String)> {
    table_rows(html, "risk-table")
        .into_iter()
        .filter_map(|row| {
            let id = row.split("href=\"/projects/").nth(1)?.split('"').next()?;
            let last = row
                .rsplit("<td class=\"text-nowrap\">")
                .next()?
                .split('<')
                .next()?;
            Some((id.to_owned(), last.trim().to_owned()))
        })
        .collect()
}

#[tokio::test]
async fn the_insurers_risk_table_shows_each_projects_last_inspection_a_new_one_at_once() {
    let app = TestApp::spawn().await;
    let project = project_id(&app, "天一仁和沙子口").await;
    let insurer_user: String = sqlx::query_scalar(
        "SELECT u.username FROM policies po JOIN users u ON u.org_id = po.lead_insurer_org_id \
         WHERE po.project_id = $1::uuid ORDER BY u.username LIMIT 1",
    )
    .bind(&project)
    .fetch_one(&app.owner)
    .await
    .unwrap();
    let insurer = app.login(&insurer_user).await;
    let newest = |id: String| {
        let pool = app.owner.clone();
        async move {
            let day: Option<chrono::NaiveDate> = sqlx::query_scalar(
                "SELECT max(inspected_on) FROM inspections WHERE project_id = $1::uuid",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
            day.map_or_else(|| "—".to_owned(), |d| d.to_string())
        }
    };
    let shown = risk_table_inspections(&app.text(&insurer, "/").await);
    assert!(shown.iter().any(|(id, _)| *id == project), "{shown:?}");
    for (id, last) in &shown {
        assert_eq!(*last, newest(id.clone()).await, "{id}");
    }

    let today = zhianbao::http::projects::today();
    let agency = app.login("hexin-tis").await;
    let (status, opened) = post(&app, &agency, &format!("/api/v1/projects/{project}/inspections"), json!({
        "stage_code": "main_structure", "inspected_on": today.to_string(), "inspectors": "测试检查员" })).await;
    assert_eq!(status, 201, "{opened}");
    let shown = risk_table_inspections(&app.text(&insurer, "/").await);
    let last = shown
        .iter()
        .find(|(id, _)| *id == project)
        .map(|(_, last)| last);
    assert_eq!(last, Some(&today.to_string()), "{shown:?}");
}

/// A project's own page lists its orders without a project column (every row is that project's);
/// the orders list keeps it.
#[tokio::test]
async fn a_projects_page_lists_its_orders_without_repeating_the_project() {
    let app = TestApp::spawn().await;
    let developer = app.login("sunac-dev").await;
    let (project, number): (uuid::Uuid, String) = sqlx::query_as(
        "SELECT o.project_id, o.number FROM rectification_orders o \
         JOIN organisations d ON d.id = o.developer_org_id WHERE d.code = 'sunac-dev' LIMIT 1",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    let header = |html: &str| -> String {
        html.split("id=\"order-table\"")
            .nth(1)
            .and_then(|t| t.split("</thead>").next())
            .unwrap_or_default()
            .to_owned()
    };
    let page = app.text(&developer, &format!("/projects/{project}")).await;
    assert!(page.contains(&number), "the project's order is listed");
    assert!(!header(&page).contains("项目名称"));
    let list = app.text(&developer, "/orders").await;
    assert!(list.contains(&number));
    assert!(header(&list).contains("项目名称"));
    let first_row_cells = |html: &str| {
        table_rows(html, "order-table")
            .first()
            .map(|row| row.matches("<td").count())
    };
    assert_eq!(
        first_row_cells(&page).map(|cells| cells + 1),
        first_row_cells(&list),
        "one cell fewer per row"
    );
}
