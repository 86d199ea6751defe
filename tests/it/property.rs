//! Property managers: the developer records one per project; the manager reports common-area
//! defects for the owners, sees only its own claims and takes the owner's steps on them.

use reqwest::Client;
use serde_json::{Value, json};
use sqlx::Connection;

use crate::claims::post;
use crate::harness::TestApp;
use crate::risk::{PNG, multipart};

async fn report_common_area(
    app: &TestApp,
    client: &Client,
    project: &str,
    building: &str,
) -> (u16, Value) {
    let (content_type, body) = multipart(
        &[
            ("building_id", building),
            ("component", "roof_or_wall_seepage"),
            ("location", "屋面机房层"),
            ("description", "屋面女儿墙根部渗水，顶层走廊墙面发霉。"),
        ],
        &[("roof.png", PNG)],
    );
    let response = client
        .post(app.url(&format!("/api/v1/projects/{project}/common-area-claims")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn appoint(app: &TestApp, client: &Client, project: &str, manager: &str) -> u16 {
    let path = format!("/api/v1/projects/{project}/property-managers");
    post(
        app,
        client,
        &path,
        json!({ "manager": manager, "since": "2026-06-01" }),
    )
    .await
    .0
}

async fn get(app: &TestApp, client: &Client, path: &str) -> (u16, Value) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn id_of(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar(sql).fetch_one(&app.owner).await.unwrap()
}

#[tokio::test]
async fn a_property_manager_reports_a_common_area_defect_and_takes_the_owners_part() {
    let app = TestApp::spawn().await;
    let manager = app.login("lvcheng-wy").await;
    let (status, managed) = get(&app, &manager, "/api/v1/common-areas").await;
    assert_eq!(status, 200);
    let managed = managed["items"].as_array().unwrap().clone();
    assert_eq!(
        managed.len(),
        1,
        "the demo records it for 融创东方悦府 only"
    );
    assert_eq!(managed[0]["mandate"]["project_name"], "融创东方悦府");
    assert_eq!(managed[0]["insured"], true);
    let project = managed[0]["mandate"]["project_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let building = managed[0]["buildings"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let elsewhere = id_of(
        &app,
        "SELECT id::text FROM projects WHERE name = '天一仁和沙子口'",
    )
    .await;
    let foreign_building = id_of(
        &app,
        &format!("SELECT id::text FROM buildings WHERE project_id = '{elsewhere}' LIMIT 1"),
    )
    .await;

    // Bad input changes nothing.
    let before = app.count("SELECT count(*) FROM claims").await;
    let (status, problem) = report_common_area(&app, &manager, &project, &foreign_building).await;
    assert_eq!(status, 422, "a building of another project");
    assert_eq!(problem["errors"][0]["field"], "building_id");
    let (status, _) = report_common_area(&app, &manager, &elsewhere, &foreign_building).await;
    assert_eq!(status, 404, "a project it does not serve is invisible");
    let owner = app.login("owner-demo").await;
    let (status, _) = report_common_area(&app, &owner, &project, &building).await;
    assert_eq!(status, 403, "owners report on their own unit");
    assert_eq!(app.count("SELECT count(*) FROM claims").await, before);

    let (status, claim) = report_common_area(&app, &manager, &project, &building).await;
    assert_eq!(status, 201, "{claim}");
    assert_eq!(claim["claim"]["unit_id"], Value::Null);
    assert_eq!(claim["claim"]["owner_name"], "绿城物业客服中心");
    assert_eq!(claim["claim"]["cover_verdict"]["verdict"], "covered");
    let id = claim["claim"]["id"].as_str().unwrap().to_owned();

    // It sees its own claims, never the owners'; the owner does not see the manager's.
    let (_, mine) = get(&app, &manager, "/api/v1/claims").await;
    let mine = mine["items"].as_array().unwrap();
    assert_eq!(mine.len(), 2, "the demo's garage seepage and this one");
    assert!(mine.iter().all(|c| c["claim"]["unit_id"].is_null()));
    assert_eq!(
        get(&app, &owner, &format!("/api/v1/claims/{id}")).await.0,
        404
    );
    let owners_claim = id_of(
        &app,
        "SELECT id::text FROM claims WHERE unit_id IS NOT NULL LIMIT 1",
    )
    .await;
    assert_eq!(
        get(&app, &manager, &format!("/api/v1/claims/{owners_claim}"))
            .await
            .0,
        404
    );

    // The insurer asks; the manager answers, as the owner would on a unit claim.
    let insurer = app.login("pingan-qd").await;
    let (status, _) = post(
        &app,
        &insurer,
        &format!("/api/v1/claims/{id}/assign"),
        json!({ "surveyor": "平安查勘员 李明" }),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &app,
        &insurer,
        &format!("/api/v1/claims/{id}/survey"),
        json!({ "text": "屋面防水层老化开裂。" }),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &app,
        &insurer,
        &format!("/api/v1/claims/{id}/decide"),
        json!({ "decision": "more_info", "text": "请提供渗水部位近照。" }),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &app,
        &manager,
        &format!("/api/v1/claims/{id}/repaired"),
        json!({}),
    )
    .await;
    assert_eq!(status, 403, "only the insurer handles the claim");
    let (status, detail) = post(
        &app,
        &manager,
        &format!("/api/v1/claims/{id}/info"),
        json!({ "text": "已补充女儿墙根部照片 3 张。" }),
    )
    .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["claim"]["status"], "surveyed");

    // The database itself keeps the manager to its mandate and its claims.
    let mut conn = sqlx::PgConnection::connect_with(&app.pool.connect_options())
        .await
        .unwrap();
    crate::rls::as_user(&app, &mut conn, "lvcheng-wy").await;
    let visible: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM findings), (SELECT count(*) FROM units)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(visible, (1, 0, 0), "its one project; no findings, no homes");

    // The developer records managers: not twice, not an unknown one; another developer adds its own.
    let sunac = app.login("sunac-dev").await;
    assert_eq!(appoint(&app, &sunac, &project, "lvcheng-wy").await, 409);
    assert_eq!(
        appoint(&app, &sunac, &project, "pingan-qd").await,
        422,
        "not a property manager"
    );
    assert_eq!(
        appoint(&app, &sunac, &elsewhere, "lvcheng-wy").await,
        404,
        "not sunac's project"
    );
    assert_eq!(
        appoint(
            &app,
            &app.login("tianyi-dev").await,
            &elsewhere,
            "lvcheng-wy"
        )
        .await,
        201
    );
    let (_, managed) = get(&app, &manager, "/api/v1/common-areas").await;
    assert_eq!(managed["items"].as_array().unwrap().len(), 2);
}
