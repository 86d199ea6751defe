//! Parcels, projects and the policy lifecycle through the JSON API, as each party would use it.

use reqwest::Client;
use serde_json::{Value, json};

use crate::harness::TestApp;

async fn post(app: &TestApp, client: &Client, path: &str, body: Value) -> (u16, Value) {
    let response = client.post(app.url(path)).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, client: &Client, path: &str) -> (u16, Value) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The bureau registers a parcel for sunac-dev; returns its id.
async fn parcel_for_sunac(app: &TestApp, bureau: &Client, code: &str) -> String {
    let (status, parcel) = post(app, bureau, "/api/v1/parcels", json!({
        "code": code, "name": "测试地块", "location": "崂山区测试路", "area_m2": "12000.50",
        "contract_no": format!("HT-{code}"), "transfer_date": "2026-09-01", "developer": "sunac-dev"
    }))
    .await;
    assert_eq!(status, 201, "{parcel}");
    parcel["id"].as_str().unwrap().to_owned()
}

/// sunac-dev registers a project with two buildings on the parcel; returns the project id.
async fn project_with_buildings(app: &TestApp, developer: &Client, parcel: &str) -> String {
    let (status, project) = post(app, developer, "/api/v1/projects", json!({
        "parcel_id": parcel, "name": "融创测试项目", "housing_type": "commercial", "contractor": "qdjg-build"
    }))
    .await;
    assert_eq!(status, 201, "{project}");
    let id = project["project"]["id"].as_str().unwrap().to_owned();
    for (name, types, cost) in [
        ("1号楼", "commercial", "80000000"),
        ("2号楼", "commercial,resettlement", "40000000.01"),
    ] {
        let (status, body) = post(app, developer, &format!("/api/v1/projects/{id}/buildings"), json!({
            "name": name, "housing_types": types, "floor_area_m2": "15000", "units": "120", "construction_cost_yuan": cost
        }))
        .await;
        assert_eq!(status, 201, "{body}");
    }
    id
}

async fn coverage(app: &TestApp, bureau: &Client) -> Value {
    let (status, report) = get(app, bureau, "/api/v1/coverage").await;
    assert_eq!(status, 200);
    report
}

#[tokio::test]
async fn a_developer_insures_at_land_transfer_and_the_permit_gate_follows_the_policy() {
    let app = TestApp::spawn().await;
    let bureau = app.login("laoshan-zjj").await;
    let developer = app.login("sunac-dev").await;
    let insurer = app.login("pingan-qd").await;
    let co_insurer = app.login("picc-qd").await;
    let agency = app.login("hexin-tis").await;

    let before = coverage(&app, &bureau).await;
    let parcel = parcel_for_sunac(&app, &bureau, "LS-T-001").await;
    let project = project_with_buildings(&app, &developer, &parcel).await;
    let after_parcel = coverage(&app, &bureau).await;
    assert_eq!(
        after_parcel["coverage"]["parcels_requiring"],
        before["coverage"]["parcels_requiring"].as_i64().unwrap() + 1
    );

    let gate = |c: &Client| {
        let c = c.clone();
        let url = app.url(&format!("/api/v1/projects/{project}/permit-gate"));
        async move {
            c.post(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let closed = gate(&bureau).await;
    assert_eq!(closed["allowed"], false);
    assert_eq!(closed["reason"], "gate.no_policy");

    let (status, applied) = post(
        &app,
        &developer,
        &format!("/api/v1/projects/{project}/apply"),
        json!({ "lead_insurer": "pingan-qd" }),
    )
    .await;
    assert_eq!(status, 201, "{applied}");
    let policy = applied["policy_id"].as_str().unwrap().to_owned();
    let (status, _) = post(
        &app,
        &developer,
        &format!("/api/v1/projects/{project}/apply"),
        json!({ "lead_insurer": "picc-qd" }),
    )
    .await;
    assert_eq!(status, 409, "one live application per project");

    // Shares that do not total 100 % are refused and change nothing.
    let (status, problem) = post(
        &app,
        &insurer,
        &format!("/api/v1/policies/{policy}/quote"),
        json!({ "lead_share_percent": "60", "co_insurers": "picc-qd:30" }),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["code"], "policy.shares_not_100");
    let (_, unchanged) = get(&app, &insurer, &format!("/api/v1/policies/{policy}")).await;
    assert_eq!(unchanged["policy"]["status"], "applied");
    // Only the lead insurer prices; the developer cannot quote its own policy.
    let (status, _) = post(
        &app,
        &developer,
        &format!("/api/v1/policies/{policy}/quote"),
        json!({ "lead_share_percent": "100" }),
    )
    .await;
    assert_eq!(status, 403);

    let (status, quoted) = post(
        &app,
        &insurer,
        &format!("/api/v1/policies/{policy}/quote"),
        json!({ "lead_share_percent": "60", "co_insurers": "picc-qd:40" }),
    )
    .await;
    assert_eq!(status, 200, "{quoted}");
    // 1号楼 ¥80,000,000 × 1.5 % = ¥1,200,000; 2号楼 mixed ¥40,000,000.01 × 1.5 % = ¥600,000.00 (rounded);
    // safety 2 ‰ of ¥120,000,000.01 = ¥240,000.00.
    assert_eq!(quoted["policy"]["idi_premium_fen"], 180_000_000);
    assert_eq!(quoted["policy"]["safety_premium_fen"], 24_000_000);
    assert_eq!(quoted["policy"]["total_premium_fen"], 204_000_000);
    assert_eq!(quoted["policy"]["tis_fee_fen"], 45_000_000);
    let shares: Vec<i64> = quoted["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["premium_fen"].as_i64().unwrap())
        .collect();
    assert_eq!(shares, [122_400_000, 81_600_000]);
    assert_eq!(
        quoted["buildings"][1]["rate_bp"], 150,
        "a mixed building takes the higher rate"
    );

    // The co-insurer sees its share but cannot act on the policy.
    let (status, seen) = get(&app, &co_insurer, &format!("/api/v1/policies/{policy}")).await;
    assert_eq!(status, 200);
    assert_eq!(seen["shares"][1]["insurer_code"], "picc-qd");
    let (status, _) = post(
        &app,
        &co_insurer,
        &format!("/api/v1/policies/{policy}/issue"),
        json!({}),
    )
    .await;
    assert_eq!(status, 403);

    assert_eq!(gate(&bureau).await["reason"], "gate.quote_not_accepted");
    let (status, _) = post(
        &app,
        &developer,
        &format!("/api/v1/policies/{policy}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    // No policy before the premium is paid (见费出单).
    let (status, _) = post(
        &app,
        &insurer,
        &format!("/api/v1/policies/{policy}/issue"),
        json!({}),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(gate(&bureau).await["reason"], "gate.premium_unpaid");
    let (status, problem) = post(
        &app,
        &insurer,
        &format!("/api/v1/policies/{policy}/payment"),
        json!({ "amount_yuan": "2039999.99", "reference": "BANK-1" }),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["code"], "policy.amount_mismatch");
    let (status, _) = post(
        &app,
        &insurer,
        &format!("/api/v1/policies/{policy}/payment"),
        json!({ "amount_yuan": "2,040,000.00", "reference": "BANK-1" }),
    )
    .await;
    assert_eq!(status, 200);
    let (status, issued) = post(
        &app,
        &insurer,
        &format!("/api/v1/policies/{policy}/issue"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let number = issued["policy"]["policy_number"].as_str().unwrap();
    assert!(number.starts_with("ZAB-LS-2026-"), "{number}");

    let open = gate(&bureau).await;
    assert_eq!(open["allowed"], true);
    let after = coverage(&app, &bureau).await;
    assert_eq!(
        after["coverage"]["parcels_insured"],
        before["coverage"]["parcels_insured"].as_i64().unwrap() + 1
    );
    let gate_answers = app.count("SELECT count(*) FROM permit_gate_checks").await;
    assert_eq!(gate_answers, 4, "every gate answer is recorded");

    // The agency sees the project only once assigned.
    let (status, _) = get(&app, &agency, &format!("/api/v1/projects/{project}")).await;
    assert_eq!(status, 404);
    let (status, _) = post(
        &app,
        &insurer,
        &format!("/api/v1/policies/{policy}/agency"),
        json!({ "agency": "hexin-tis" }),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = get(&app, &agency, &format!("/api/v1/projects/{project}")).await;
    assert_eq!(status, 200);

    // Permit, cover in force, completion: the cover periods appear per section.
    let today = zhianbao::http::projects::today().to_string();
    let (status, _) = post(
        &app,
        &bureau,
        &format!("/api/v1/projects/{project}/events"),
        json!({ "event": "permit", "date": today }),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &app,
        &insurer,
        &format!("/api/v1/policies/{policy}/activate"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, done) = post(
        &app,
        &developer,
        &format!("/api/v1/projects/{project}/events"),
        json!({ "event": "completion", "date": today }),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    let periods = done["cover_periods"].as_array().unwrap();
    assert_eq!(periods.len(), 6);
    assert_eq!(periods[0]["section_code"], "STRUCTURE");
    // Cancelling after the permit is outside the rule pack's limits.
    let (status, _) = post(
        &app,
        &insurer,
        &format!("/api/v1/policies/{policy}/cancel"),
        json!({ "reason": "测试" }),
    )
    .await;
    assert_eq!(status, 409);

    let transitions = app
        .count("SELECT count(*) FROM audit_log WHERE action = 'policy.status_changed'")
        .await;
    assert_eq!(
        transitions, 5,
        "quote, accept, pay, issue, activate: each audited once"
    );
}

#[tokio::test]
async fn concurrent_transitions_give_one_success_and_one_conflict() {
    let app = TestApp::spawn().await;
    let bureau = app.login("laoshan-zjj").await;
    let developer = app.login("sunac-dev").await;
    let insurer = app.login("pingan-qd").await;
    let parcel = parcel_for_sunac(&app, &bureau, "LS-T-002").await;
    let project = project_with_buildings(&app, &developer, &parcel).await;
    let (_, applied) = post(
        &app,
        &developer,
        &format!("/api/v1/projects/{project}/apply"),
        json!({ "lead_insurer": "pingan-qd" }),
    )
    .await;
    let policy = applied["policy_id"].as_str().unwrap().to_owned();
    post(
        &app,
        &insurer,
        &format!("/api/v1/policies/{policy}/quote"),
        json!({ "lead_share_percent": "100" }),
    )
    .await;
    let accept = || {
        developer
            .post(app.url(&format!("/api/v1/policies/{policy}/accept")))
            .json(&json!({}))
            .send()
    };
    let (a, b) = tokio::join!(accept(), accept());
    let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'policy.status_changed'")
            .await,
        2
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let bureau = app.login("laoshan-zjj").await;
    let developer = app.login("sunac-dev").await;
    let other_developer = app.login("tianyi-dev").await;
    let parcels_before = app.count("SELECT count(*) FROM parcels").await;
    let (status, problem) = post(&app, &bureau, "/api/v1/parcels", json!({
        "code": "", "name": "x".repeat(101), "area_m2": "-5", "contract_no": "HT", "transfer_date": "2026-02-30", "developer": "nobody"
    }))
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["code", "name", "area_m2", "transfer_date", "developer"]
    );
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("必填")
    );
    // A developer cannot register parcels; forms never carry a tenant.
    let (status, _) = post(&app, &developer, "/api/v1/parcels", json!({
        "code": "X", "name": "x", "area_m2": "1", "contract_no": "x", "transfer_date": "2026-01-01", "developer": "sunac-dev" })).await;
    assert_eq!(status, 403);
    let (status, _) = post(&app, &bureau, "/api/v1/parcels", json!({
        "code": "X", "name": "x", "area_m2": "1", "contract_no": "x", "transfer_date": "2026-01-01", "developer": "sunac-dev",
        "org_id": "00000000-0000-0000-0000-000000000000" })).await;
    assert_eq!(status, 422);
    // CSV import is all or nothing; errors name their line.
    let csv = "code,name,location,area_m2,contract_no,transfer_date,developer\n\
               LS-CSV-1,甲地块,崂山区,1000,HT1,2026-05-01,sunac-dev\n\
               LS-CSV-2,乙地块,崂山区,abc,HT2,2026-05-01,sunac-dev\n";
    let response = bureau
        .post(app.url("/api/v1/parcels/import"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["line"], 3);
    assert_eq!(
        app.count("SELECT count(*) FROM parcels").await,
        parcels_before
    );
    let good = csv.replace(",abc,", ",2000,");
    let response = bureau
        .post(app.url("/api/v1/parcels/import"))
        .header("content-type", "text/csv")
        .body(good)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        app.count("SELECT count(*) FROM parcels").await,
        parcels_before + 2
    );

    let parcel = parcel_for_sunac(&app, &bureau, "LS-T-003").await;
    // Another developer cannot build on sunac's parcel (it does not even see it).
    let (status, problem) = post(
        &app,
        &other_developer,
        "/api/v1/projects",
        json!({
        "parcel_id": parcel, "name": "偷建", "housing_type": "commercial" }),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["code"], "projects.unknown_parcel");
    let project = project_with_buildings(&app, &developer, &parcel).await;
    let buildings_before = app.count("SELECT count(*) FROM buildings").await;
    for bad in [
        json!({ "name": "3号楼", "housing_types": "villa", "floor_area_m2": "1", "units": "1", "construction_cost_yuan": "1" }),
        json!({ "name": "3号楼", "housing_types": "commercial", "floor_area_m2": "1", "units": "-1", "construction_cost_yuan": "1" }),
        json!({ "name": "3号楼", "housing_types": "commercial", "floor_area_m2": "1", "units": "1", "construction_cost_yuan": "-100" }),
        json!({ "name": "3号楼", "housing_types": "commercial", "floor_area_m2": "1", "units": "1", "construction_cost_yuan": "1e309" }),
        json!({ "name": "1号楼", "housing_types": "commercial", "floor_area_m2": "1", "units": "1", "construction_cost_yuan": "1" }),
    ] {
        let (status, problem) = post(
            &app,
            &developer,
            &format!("/api/v1/projects/{project}/buildings"),
            bad.clone(),
        )
        .await;
        assert_eq!(status, 422, "{bad} → {problem}");
    }
    assert_eq!(
        app.count("SELECT count(*) FROM buildings").await,
        buildings_before
    );
    let (status, _) = post(&app, &other_developer, &format!("/api/v1/projects/{project}/buildings"), json!({
        "name": "9号楼", "housing_types": "commercial", "floor_area_m2": "1", "units": "1", "construction_cost_yuan": "1" })).await;
    assert_eq!(status, 404, "another developer's project answers 404");
    // Stages in order, dates not in the future, not before the previous stage.
    let (status, _) = post(
        &app,
        &developer,
        &format!("/api/v1/projects/{project}/events"),
        json!({ "event": "completion", "date": "2026-01-01" }),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = post(
        &app,
        &bureau,
        &format!("/api/v1/projects/{project}/events"),
        json!({ "event": "permit", "date": "2099-01-01" }),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = post(
        &app,
        &developer,
        &format!("/api/v1/projects/{project}/events"),
        json!({ "event": "permit", "date": "2026-01-01" }),
    )
    .await;
    assert_eq!(status, 403, "only the bureau grants permits");
    let (status, _) = post(
        &app,
        &bureau,
        &format!("/api/v1/projects/{project}/events"),
        json!({ "event": "permit", "date": "2026-01-01" }),
    )
    .await;
    assert_eq!(status, 409, "the permit gate is closed without a policy");
    assert_eq!(
        app.count(
            "SELECT count(*) FROM projects WHERE stage <> 'registered' AND name = '融创测试项目'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn each_party_sees_only_what_it_may() {
    let app = TestApp::spawn().await;
    let names = |v: &Value| -> Vec<String> {
        let mut names: Vec<String> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    let (_, laoshan) = get(&app, &app.login("laoshan-zjj").await, "/api/v1/projects").await;
    let (_, shinan) = get(&app, &app.login("shinan-zjj").await, "/api/v1/projects").await;
    let (_, city) = get(&app, &app.login("qingdao-zjj").await, "/api/v1/projects").await;
    let (_, tianyi) = get(&app, &app.login("tianyi-dev").await, "/api/v1/projects").await;
    let (_, hexin) = get(&app, &app.login("hexin-tis").await, "/api/v1/projects").await;
    let (_, picc_policies) = get(&app, &app.login("picc-qd").await, "/api/v1/policies").await;
    assert!(names(&laoshan).contains(&"融创东方悦府".to_owned()));
    assert!(
        !names(&laoshan).contains(&"融创八大关院子".to_owned()),
        "Shinan's project is not Laoshan's"
    );
    assert_eq!(names(&shinan), ["融创八大关院子"]);
    assert_eq!(
        names(&city).len(),
        names(&laoshan).len() + names(&shinan).len(),
        "the city bureau sees all its districts"
    );
    assert!(
        names(&tianyi)
            .iter()
            .all(|n| n.starts_with("天一") || n.starts_with("王哥庄")),
        "{:?}",
        names(&tianyi)
    );
    assert_eq!(
        names(&hexin),
        [
            "天一仁和沙子口",
            "融创东方悦府",
            "融创八大关院子",
            "融创金岭府"
        ],
        "the agency sees its assigned projects only"
    );
    // PICC leads some policies and co-insures 东方悦府 and 金岭府 (read-only).
    let picc: Vec<&str> = picc_policies["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["project_name"].as_str().unwrap())
        .collect();
    assert!(picc.contains(&"融创东方悦府") && picc.contains(&"天一仁和沙子口"));
    assert!(
        !picc.contains(&"融创科苑壹号"),
        "a Ping An policy without PICC"
    );
}

#[tokio::test]
async fn an_unrelated_insurer_and_an_unassigned_agency_find_nothing() {
    let app = TestApp::spawn().await;
    let mut conn = app.owner.acquire().await.unwrap();
    zhianbao::storage::organisations::upsert(
        &mut conn,
        "cpic-qd",
        "insurer",
        "太保财险青岛分公司",
        "CPIC P&C Qingdao",
        "qingdao",
    )
    .await
    .unwrap();
    zhianbao::storage::organisations::upsert(
        &mut conn,
        "other-tis",
        "risk_agency",
        "青岛某工程风险管理有限公司",
        "",
        "laoshan",
    )
    .await
    .unwrap();
    drop(conn);
    app.create_user(Some("cpic-qd"), "cpic-admin", "admin")
        .await;
    app.create_user(Some("other-tis"), "other-tis-admin", "admin")
        .await;
    let project: String =
        sqlx::query_scalar("SELECT id::text FROM projects WHERE name = '融创东方悦府'")
            .fetch_one(&app.owner)
            .await
            .unwrap();
    let policy: String = sqlx::query_scalar("SELECT p.id::text FROM policies p JOIN projects pr ON pr.id = p.project_id WHERE pr.name = '融创东方悦府'")
        .fetch_one(&app.owner)
        .await
        .unwrap();
    for user in ["cpic-admin", "other-tis-admin"] {
        let client = app.login(user).await;
        for path in [
            format!("/api/v1/projects/{project}"),
            format!("/api/v1/policies/{policy}"),
            format!("/projects/{project}"),
            format!("/policies/{policy}"),
        ] {
            let status = client.get(app.url(&path)).send().await.unwrap().status();
            assert_eq!(status, 404, "{user} {path}");
        }
        let (status, quote) = post(
            &app,
            &client,
            &format!("/api/v1/policies/{policy}/quote"),
            json!({ "lead_share_percent": "100" }),
        )
        .await;
        assert_eq!(status, 404, "{user}: {quote}");
        for list in ["/api/v1/projects", "/api/v1/policies", "/api/v1/parcels"] {
            let (_, items) = get(&app, &client, list).await;
            assert_eq!(items["items"].as_array().unwrap().len(), 0, "{user} {list}");
        }
    }
}
