//! Owners' claims: handover and invitation, the coverage passport, reporting with a cover check
//! and the fast channel, the insurer's handling, the owner's signature, and payment exactly once.

use reqwest::Client;
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::risk::{PNG, multipart};

pub async fn post(app: &TestApp, client: &Client, path: &str, body: Value) -> (u16, Value) {
    let response = client.post(app.url(path)).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn report(
    app: &TestApp,
    owner: &Client,
    unit: &str,
    component: &str,
    photos: &[(&str, &[u8])],
) -> (u16, Value) {
    let (content_type, body) = multipart(
        &[
            ("component", component),
            ("location", "主卧顶棚"),
            ("description", "下雨后顶棚渗水，滴到床上。"),
        ],
        photos,
    );
    let response = owner
        .post(app.url(&format!("/api/v1/units/{unit}/claims")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_owner_reports_a_leak_and_the_insurer_repairs_and_pays_exactly_once() {
    let app = TestApp::spawn().await;
    let developer = app.login("sunac-dev").await;
    let insurer = app.login("pingan-qd").await;
    app.create_user(None, "owner-liu", "owner").await;
    let owner = app.login("owner-liu").await;
    let unit: String =
        sqlx::query_scalar("SELECT u.id::text FROM units u WHERE u.number = '1-1202'")
            .fetch_one(&app.owner)
            .await
            .unwrap();

    // The developer hands the unit over; the code is shown once; the owner binds the unit with it.
    let (status, handover) = post(
        &app,
        &developer,
        &format!("/api/v1/units/{unit}/handover"),
        json!({ "handed_over_on": "2026-10-01" }),
    )
    .await;
    assert_eq!(status, 200, "{handover}");
    let code = handover["invite_code"].as_str().unwrap().to_owned();
    let (status, _) = post(
        &app,
        &owner,
        "/api/v1/units/claim",
        json!({ "code": "WRONG-CODE" }),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = post(
        &app,
        &owner,
        &format!("/api/v1/units/{unit}/claims"),
        json!({}),
    )
    .await;
    assert!(status == 404 || status == 415, "not yet the owner's unit");
    let (status, bound) = post(
        &app,
        &owner,
        "/api/v1/units/claim",
        json!({ "code": code.to_lowercase() }),
    )
    .await;
    assert_eq!(status, 200, "{bound}");
    let (status, _) = post(
        &app,
        &app.login("owner-demo").await,
        "/api/v1/units/claim",
        json!({ "code": code }),
    )
    .await;
    assert_eq!(status, 422, "a code binds once");

    // The passport: insurers and every section's period.
    let passport: Value = app.json(&owner, &format!("/api/v1/units/{unit}")).await;
    assert_eq!(passport["periods"].as_array().unwrap().len(), 6);
    assert_eq!(passport["insurers"][0]["insurer_code"], "pingan-qd");

    // Bad input changes nothing.
    let before = app.count("SELECT count(*) FROM claims").await;
    let (status, _) = report(&app, &owner, &unit, "haunted_house", &[]).await;
    assert_eq!(status, 422);
    let (status, _) = report(
        &app,
        &owner,
        &unit,
        "leak_into_living_space",
        &[("x.jpg", b"<svg/>")],
    )
    .await;
    assert_eq!(status, 415);
    assert_eq!(app.count("SELECT count(*) FROM claims").await, before);

    let (status, claim) = report(
        &app,
        &owner,
        &unit,
        "leak_into_living_space",
        &[("leak.png", PNG)],
    )
    .await;
    assert_eq!(status, 201, "{claim}");
    assert_eq!(claim["claim"]["fast_channel"], true);
    assert_eq!(claim["claim"]["cover_verdict"]["verdict"], "covered");
    assert!(
        claim["claim"]["deadlines"]["contact_by"].is_string(),
        "fast channel: contact within hours"
    );
    let id = claim["claim"]["id"].as_str().unwrap().to_owned();
    let act = |verb: &str, body: Value| {
        let url = app.url(&format!("/api/v1/claims/{id}/{verb}"));
        let insurer = insurer.clone();
        async move {
            insurer
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Nobody else handles it; nothing happens out of order.
    let (status, _) = post(
        &app,
        &app.login("picc-qd").await,
        &format!("/api/v1/claims/{id}/assign"),
        json!({ "surveyor": "x" }),
    )
    .await;
    assert_eq!(status, 403, "the co-insurer reads but does not handle");
    assert_eq!(
        act(
            "decide",
            json!({ "decision": "approve", "amount_yuan": "5000" })
        )
        .await,
        409
    );
    assert_eq!(
        act("assign", json!({ "surveyor": "平安查勘员 李明" })).await,
        200
    );
    assert_eq!(
        act(
            "survey",
            json!({ "text": "顶板防水层破损，雨水渗入主卧。" })
        )
        .await,
        200
    );
    assert_eq!(
        act(
            "decide",
            json!({ "decision": "reject", "reason": "aliens" })
        )
        .await,
        422
    );
    assert_eq!(
        act(
            "decide",
            json!({ "decision": "approve", "amount_yuan": "6,800" })
        )
        .await,
        200
    );
    // The repair is ordered on a quote within the approved amount.
    assert_eq!(act("repair", json!({})).await, 422, "no quote chosen");
    let quote = |contractor: &'static str, amount: &'static str| {
        let url = app.url(&format!("/api/v1/claims/{id}/quotes"));
        let insurer = insurer.clone();
        async move {
            let response = insurer
                .post(url)
                .json(&json!({ "contractor": contractor, "amount_yuan": amount, "scope": "顶板防水层重做，主卧顶棚修复。" }))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, _) = post(
        &app,
        &owner,
        &format!("/api/v1/claims/{id}/quotes"),
        json!({ "contractor": "x", "amount_yuan": "1", "scope": "自己找的" }),
    )
    .await;
    assert_eq!(status, 403, "only the lead insurer records quotes");
    assert_eq!(quote("宏达装饰", "7,200").await.0, 201);
    let (status, detail) = quote("青岛安居房屋维修有限公司", "6,500").await;
    assert_eq!(status, 201);
    let quotes = detail["quotes"].as_array().unwrap();
    assert_eq!(quotes[0]["amount_fen"], 650_000, "cheapest first");
    let (cheap, dear) = (
        quotes[0]["id"].as_str().unwrap().to_owned(),
        quotes[1]["id"].as_str().unwrap().to_owned(),
    );
    assert_eq!(
        act("repair", json!({ "quote_id": dear })).await,
        422,
        "above the approved ¥6,800"
    );
    assert_eq!(act("repair", json!({ "quote_id": cheap })).await, 200);
    assert_eq!(
        quote("迟到的报价", "100").await.0,
        409,
        "no quotes once the repair is ordered"
    );
    let ordered: (Option<String>, Option<uuid::Uuid>) =
        sqlx::query_as("SELECT repair_contractor, repair_quote_id FROM claims WHERE id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.owner)
            .await
            .unwrap();
    assert_eq!(ordered.0.as_deref(), Some("青岛安居房屋维修有限公司"));
    assert_eq!(ordered.1.map(|q| q.to_string()), Some(cheap));
    assert_eq!(
        act("repaired", json!({ "text": "已重做防水层" })).await,
        200
    );
    // No payment before the owner signs the repair confirmation.
    let pay = |key: &'static str, amount: &'static str| {
        let url = app.url(&format!("/api/v1/claims/{id}/payments"));
        let insurer = insurer.clone();
        async move {
            let response = insurer
                .post(url)
                .header("idempotency-key", key)
                .json(&json!({ "payee": "青岛安居房屋维修有限公司", "amount_yuan": amount }))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    assert_eq!(pay("pay-0001-early", "6800").await.0, 409);
    let (status, _) = post(
        &app,
        &owner,
        &format!("/api/v1/claims/{id}/sign"),
        json!({ "text": "维修完成，确认。" }),
    )
    .await;
    assert_eq!(status, 200);

    // The same payment request twice at once: one payment, the same answer.
    let ((a, first), (b, second)) =
        tokio::join!(pay("pay-0001-claim", "6800"), pay("pay-0001-claim", "6800"));
    let mut statuses = [a, b];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 201], "{first} {second}");
    assert_eq!(first["payment_id"], second["payment_id"]);
    let (status, again) = pay("pay-0001-claim", "6800").await;
    assert_eq!((status, again["replayed"].as_bool()), (200, Some(true)));
    let (status, problem) = pay("pay-0001-claim", "100").await;
    assert_eq!(
        (status, problem["errors"][0]["code"].as_str()),
        (422, Some("claims.key_reused"))
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM claim_payments WHERE claim_id = '{id}'"
        ))
        .await,
        1
    );
    let detail: Value = app.json(&owner, &format!("/api/v1/claims/{id}")).await;
    assert_eq!(detail["claim"]["status"], "paid");
    assert_eq!(detail["claim"]["paid_fen"], 680_000);

    // The database itself refuses paying more than approved.
    let overpaid = sqlx::query(
        "INSERT INTO claim_payments (claim_id, lead_insurer_org_id, idempotency_key, request_hash, payee, amount_fen, paid_by) \
         SELECT id, lead_insurer_org_id, 'sneaky-extra-payment', '\\x00', 'x', 1, owner_user_id FROM claims WHERE id = $1::uuid",
    )
    .bind(&id)
    .execute(&app.owner)
    .await;
    assert!(
        overpaid.is_err(),
        "Σ payments ≤ approved is enforced by the database"
    );
}

#[tokio::test]
async fn claims_are_visible_to_their_owner_the_insurers_the_developer_and_the_bureau_only() {
    let app = TestApp::spawn().await;
    let count = |user: &'static str| {
        let app = &app;
        async move {
            let list: Value = app.json(&app.login(user).await, "/api/v1/claims").await;
            list["items"].as_array().unwrap().len()
        }
    };
    // 王梅's seven claims and 绿城物业's common-area claim in the same project.
    let demo = 8;
    assert_eq!(count("owner-demo").await, 7, "the owner sees her own");
    assert_eq!(
        count("lvcheng-wy").await,
        1,
        "the property manager sees its own"
    );
    assert_eq!(count("pingan-qd").await, demo, "lead insurer");
    assert_eq!(count("picc-qd").await, demo, "co-insurer reads");
    assert_eq!(
        count("sunac-dev").await,
        demo,
        "the developer, who may be recovered against"
    );
    assert_eq!(count("laoshan-zjj").await, demo);
    assert_eq!(count("shinan-zjj").await, 0);
    assert_eq!(count("tianyi-dev").await, 0);
    app.create_user(None, "owner-other", "owner").await;
    assert_eq!(
        count("owner-other").await,
        0,
        "another owner sees none of 王梅's claims"
    );
    let list: Value = app
        .json(&app.login("pingan-qd").await, "/api/v1/claims")
        .await;
    let first = &list["items"][0];
    assert_eq!(
        first["fast_channel"], true,
        "the queue puts the breached fast-channel leak first"
    );
    assert!(
        first["breaches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b == "contact")
    );
}

#[tokio::test]
async fn an_owner_disputes_a_rejection_and_the_insurer_reopens_it_with_fresh_clocks() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner-demo").await;
    let lead = app.login("pingan-qd").await;
    let co_insurer = app.login("picc-qd").await;
    let id: String = sqlx::query_scalar("SELECT id::text FROM claims WHERE status = 'rejected'")
        .fetch_one(&app.owner)
        .await
        .unwrap();
    let path = |verb: &str| format!("/api/v1/claims/{id}/{verb}");
    let reason = json!({ "text": "渗水来自外墙，不是我家装修造成的，请重新查勘。" });

    assert_eq!(
        post(&app, &lead, &path("dispute"), reason.clone()).await.0,
        403,
        "only the owner disputes"
    );
    let (status, problem) = post(&app, &owner, &path("dispute"), json!({ "text": "" })).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("text"))
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM claims WHERE id = '{id}' AND status = 'rejected'"
        ))
        .await,
        1,
        "a refused dispute changes nothing"
    );
    let (status, disputed) = post(&app, &owner, &path("dispute"), reason.clone()).await;
    assert_eq!(status, 200, "{disputed}");
    assert_eq!(disputed["claim"]["status"], "disputed");
    assert_eq!(
        post(&app, &owner, &path("dispute"), reason.clone()).await.0,
        409,
        "once"
    );
    assert_eq!(
        post(
            &app,
            &co_insurer,
            &path("reopen"),
            json!({ "text": "复核" })
        )
        .await
        .0,
        403,
        "a co-insurer reads only"
    );

    let (status, reopened) = post(
        &app,
        &lead,
        &path("reopen"),
        json!({ "text": "复核后同意重新查勘。" }),
    )
    .await;
    assert_eq!(status, 200, "{reopened}");
    let claim = &reopened["claim"];
    assert_eq!(claim["status"], "surveying");
    assert_eq!(claim["reject_reason"], Value::Null);
    assert_eq!(claim["decided_at"], Value::Null);
    assert_eq!(
        claim["breaches"],
        json!([]),
        "the clocks run again from the reopening"
    );
    let survey_by: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(claim["deadlines"]["survey_by"].clone()).unwrap();
    assert!(survey_by > chrono::Utc::now());
    let kinds: Vec<&str> = reopened["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.ends_with(&["disputed", "surveying"]),
        "the dispute and the reopening are in the timeline: {kinds:?}"
    );

    // The demo's disputed claim: the insurer keeps its rejection, and its decision time stands.
    let (disputed, decided_before): (String, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("SELECT id::text, decided_at FROM claims WHERE status = 'disputed'")
            .fetch_one(&app.owner)
            .await
            .unwrap();
    let (status, upheld) = post(
        &app,
        &lead,
        &format!("/api/v1/claims/{disputed}/uphold"),
        json!({ "text": "复核：地面防潮层检测合格，维持拒赔。" }),
    )
    .await;
    assert_eq!(status, 200, "{upheld}");
    assert_eq!(upheld["claim"]["status"], "rejected");
    assert_eq!(upheld["claim"]["reject_reason"], "abnormal_use");
    let decided_after: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(upheld["claim"]["decided_at"].clone()).unwrap();
    assert_eq!(decided_after, decided_before);
}

#[tokio::test]
async fn the_insurer_recovers_a_paid_claim_from_the_liable_contractor_never_more_than_claimed() {
    let app = TestApp::spawn().await;
    let lead = app.login("pingan-qd").await;
    let co_insurer = app.login("picc-qd").await;
    let owner = app.login("owner-demo").await;
    let developer = app.login("sunac-dev").await;
    let paid: String = sqlx::query_scalar("SELECT id::text FROM claims WHERE status = 'paid'")
        .fetch_one(&app.owner)
        .await
        .unwrap();
    let reported: String =
        sqlx::query_scalar("SELECT id::text FROM claims WHERE status = 'reported' LIMIT 1")
            .fetch_one(&app.owner)
            .await
            .unwrap();
    let case = |claim: &str| format!("/api/v1/claims/{claim}/subrogation");
    let body = |yuan: &str| json!({ "against_party": "青岛建工集团有限公司", "basis": "电缆截面不足", "claimed_yuan": yuan });

    assert_eq!(
        post(&app, &lead, &case(&paid), body("100")).await.0,
        409,
        "one case per claim (the demo's)"
    );
    assert_eq!(
        post(&app, &lead, &case(&reported), body("100")).await.0,
        409,
        "only after payment"
    );
    for sql in [
        "DELETE FROM subrogation_recoveries",
        "DELETE FROM subrogation_cases",
    ] {
        sqlx::query(sql).execute(&app.owner).await.unwrap();
    }
    let (status, problem) = post(&app, &lead, &case(&paid), body("1800.01")).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("claimed_yuan")),
        "the database refuses more than was paid"
    );
    assert_eq!(
        post(&app, &co_insurer, &case(&paid), body("1800")).await.0,
        403
    );
    let (status, opened) = post(&app, &lead, &case(&paid), body("1800")).await;
    assert_eq!(status, 200, "{opened}");
    assert_eq!(opened["status"], "open");
    let id = opened["id"].as_str().unwrap().to_owned();
    let recover = |yuan: &str, reference: &str| json!({ "amount_yuan": yuan, "received_on": "2026-11-20", "reference": reference });
    let recoveries = format!("/api/v1/subrogation/{id}/recoveries");

    let (status, partial) = post(&app, &lead, &recoveries, recover("800", "ZH-1")).await;
    assert_eq!(
        (status, partial["status"].as_str()),
        (200, Some("open")),
        "{partial}"
    );
    let (status, problem) = post(&app, &lead, &recoveries, recover("1000.01", "ZH-2")).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("amount_yuan"))
    );
    assert_eq!(
        post(&app, &co_insurer, &recoveries, recover("1", "ZH-X"))
            .await
            .0,
        403
    );
    let (status, full) = post(&app, &lead, &recoveries, recover("1000", "ZH-2")).await;
    assert_eq!(status, 200, "{full}");
    assert_eq!(
        (full["status"].as_str(), full["recovered_fen"].as_i64()),
        (Some("recovered"), Some(180_000))
    );
    let (status, problem) = post(
        &app,
        &lead,
        &format!("/api/v1/subrogation/{id}/abandon"),
        json!({ "note": "放弃" }),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("subrogation.closed")),
        "a recovered case is closed: {problem}"
    );

    let seen_by = |client: &Client| {
        let url = app.url(&format!("/api/v1/claims/{paid}"));
        let client = client.clone();
        async move {
            let detail: Value = client.get(url).send().await.unwrap().json().await.unwrap();
            detail["subrogation"].clone()
        }
    };
    assert_eq!(
        seen_by(&owner).await,
        Value::Null,
        "between the insurer and the liable party"
    );
    assert_eq!(
        seen_by(&developer).await["recovered_fen"],
        180_000,
        "the developer sees what is recovered on its project"
    );
}

#[tokio::test]
async fn the_lead_insurer_settles_and_pays_each_victim_of_a_site_accident_once() {
    let app = TestApp::spawn().await;
    let lead = app.login("picc-qd").await;
    let agency = app.login("hexin-tis").await;
    let other_insurer = app.login("pingan-qd").await;
    let victim = |name: &'static str| {
        let app = &app;
        async move {
            let id: String =
                sqlx::query_scalar("SELECT id::text FROM incident_victims WHERE name = $1")
                    .bind(name)
                    .fetch_one(&app.owner)
                    .await
                    .unwrap();
            id
        }
    };
    let (passer_by, worker) = (victim("李某").await, victim("张某").await);
    let settle = |id: &str| format!("/api/v1/victims/{id}/settlement");
    let pay = |id: &str| format!("/api/v1/victims/{id}/payment");

    assert_eq!(
        post(
            &app,
            &other_insurer,
            &settle(&passer_by),
            json!({ "medical_yuan": "1" })
        )
        .await
        .0,
        404
    );
    assert_eq!(
        post(
            &app,
            &agency,
            &settle(&passer_by),
            json!({ "medical_yuan": "1" })
        )
        .await
        .0,
        403
    );
    let (status, problem) = post(
        &app,
        &lead,
        &settle(&passer_by),
        json!({ "compensation_yuan": "100", "medical_yuan": "3200" }),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["message"].as_str()),
        (
            422,
            Some("伤亡赔偿仅适用于死亡或伤残；其他伤情只赔付医疗费。")
        )
    );
    let (status, incident) = post(
        &app,
        &lead,
        &settle(&passer_by),
        json!({ "medical_yuan": "3200" }),
    )
    .await;
    assert_eq!(status, 200, "{incident}");
    let settled = incident["victims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "李某")
        .unwrap()
        .clone();
    assert_eq!(
        (
            settled["settlement_status"].as_str(),
            settled["settled_medical_fen"].as_i64()
        ),
        (Some("agreed"), Some(320_000))
    );
    assert_eq!(
        post(
            &app,
            &lead,
            &settle(&passer_by),
            json!({ "medical_yuan": "1" })
        )
        .await
        .0,
        409,
        "settled once"
    );

    // A death: compensation up to the rule pack's per-person limit (CNY 400,000), not a fen more.
    let incident_id: String = sqlx::query_scalar(
        "INSERT INTO incident_victims (incident_id, project_id, district_id, developer_org_id, name, party, injury_class) \
         SELECT incident_id, project_id, district_id, developer_org_id, '王某', 'worker', 'death' FROM incident_victims \
         WHERE name = '张某' RETURNING incident_id::text",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    let fatal = victim("王某").await;
    let (status, problem) = post(
        &app,
        &lead,
        &settle(&fatal),
        json!({ "compensation_yuan": "400000.01" }),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("compensation_yuan"))
    );
    assert_eq!(
        post(
            &app,
            &lead,
            &settle(&fatal),
            json!({ "compensation_yuan": "400000", "medical_yuan": "12000" })
        )
        .await
        .0,
        200
    );

    // Payment: an agreed settlement is paid once.
    let (status, paid) = post(
        &app,
        &lead,
        &pay(&worker),
        json!({ "reference": "PICC-2026-1129-01" }),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    let (status, problem) = post(
        &app,
        &lead,
        &pay(&worker),
        json!({ "reference": "PICC-2026-1129-02" }),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("safety.already_paid"))
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM victim_settlements WHERE incident_id = '{incident_id}' AND status = 'paid' AND payment_reference = 'PICC-2026-1129-01'"
        ))
        .await,
        1
    );
}

/// Closing an incident and agreeing one more cost on it, at the same moment: the incident row is
/// locked by both, so either the cost comes first (and closing is refused: a cost is unpaid) or
/// the close does (and the cost is refused: the incident is closed) — never a closed incident
/// with an unpaid cost.
#[tokio::test]
async fn closing_an_incident_and_settling_on_it_at_once_never_leaves_a_closed_incident_owing() {
    let app = TestApp::spawn().await;
    let lead = app.login("picc-qd").await;
    for round in 0..8 {
        let incident: String = sqlx::query_scalar(
            "INSERT INTO safety_incidents (number, project_id, district_id, developer_org_id, occurred_at, place, \
                                           accident_type, description, reported_by) \
             SELECT 'AQ-RACE-' || $1, p.id, p.district_id, p.developer_org_id, now(), '测试', 'other', '并发测试', u.id \
             FROM projects p JOIN users u ON u.org_id = p.developer_org_id WHERE p.name = '天一仁和沙子口' LIMIT 1 \
             RETURNING id::text",
        )
        .bind(round.to_string())
        .fetch_one(&app.owner)
        .await
        .unwrap();
        let (close_path, cost_path) = (
            format!("/api/v1/incidents/{incident}/close"),
            format!("/api/v1/incidents/{incident}/costs"),
        );
        let close = post(&app, &lead, &close_path, json!({}));
        let cost = post(
            &app,
            &lead,
            &cost_path,
            json!({ "kind": "legal", "payee": "律师事务所", "amount_yuan": "100" }),
        );
        let ((closed, _), (costed, _)) = tokio::join!(close, cost);
        assert!(
            (closed == 200) != (costed == 200),
            "exactly one wins: close {closed}, cost {costed}"
        );
        let owing: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM safety_incidents i JOIN incident_cost_settlements c ON c.incident_id = i.id \
             WHERE i.id = $1::uuid AND i.status = 'closed' AND c.status <> 'paid'",
        )
        .bind(&incident)
        .fetch_one(&app.owner)
        .await
        .unwrap();
        assert_eq!(owing, 0);
    }
}

/// Claim numbers in the order a page's claim table lists them.
pub fn listed_numbers(html: &str) -> Vec<String> {
    html.split("<a href=\"/claims/")
        .skip(1)
        .filter_map(|rest| rest.split('>').nth(1)?.split('<').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_desks_count_and_rank_late_claims_as_the_queue_does() {
    let app = TestApp::spawn().await;
    crate::pdf::copy_claims(&app, 60).await;
    // A late claim answered on time no longer counts, an open one decided late still does.
    sqlx::query("UPDATE claims SET contacted_at = reported_at + interval '1 hour' WHERE number = 'LP-PAGE-0014'")
        .execute(&app.owner)
        .await
        .unwrap();
    let insurer = app.login("pingan-qd").await;
    let queue = app.json(&insurer, "/api/v1/claims").await;
    let pingan: String =
        sqlx::query_scalar("SELECT id::text FROM organisations WHERE code = 'pingan-qd'")
            .fetch_one(&app.owner)
            .await
            .unwrap();
    let is_open = |c: &Value| !matches!(c["status"].as_str(), Some("paid" | "rejected"));
    let lead_open: Vec<&Value> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["lead_insurer_org_id"] == pingan.as_str() && is_open(c))
        .collect();
    let late: Vec<&str> = lead_open
        .iter()
        .filter(|c| !c["breaches"].as_array().unwrap().is_empty())
        .map(|c| c["number"].as_str().unwrap())
        .collect();
    assert!(late.len() > 8 && late.len() < lead_open.len(), "{late:?}");
    assert!(!late.contains(&"LP-PAGE-0014"));

    // The claim's stored `clock_breaks_at` says what the domain's clocks say, claim by claim.
    let stored_late: Vec<String> = sqlx::query_scalar(
        "SELECT number FROM claims c JOIN organisations o ON o.id = c.lead_insurer_org_id \
         WHERE o.code = 'pingan-qd' AND c.status NOT IN ('paid', 'rejected') AND c.clock_breaks_at < now() ORDER BY number",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    let mut expected: Vec<String> = late.iter().map(|n| (*n).to_owned()).collect();
    expected.sort();
    assert_eq!(stored_late, expected);

    // The insurer's home: the late count from its counters, its head in the queue's order.
    let home = app.text(&insurer, "/").await;
    let stats = home.split("data-testid=\"claims-stats\"").nth(1).unwrap();
    let late_shown = stats
        .split("zb-stat-value\">")
        .nth(2)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert_eq!(late_shown, late.len().to_string());
    let head: Vec<String> = lead_open
        .iter()
        .take(8)
        .map(|c| c["number"].as_str().unwrap().to_owned())
        .collect();
    let desk = home.split("data-testid=\"risk-stats\"").nth(1).unwrap();
    assert_eq!(listed_numbers(desk)[..8], head[..]);

    // The developer's home: the open claims on its projects, in the same order.
    let developer = app.login("sunac-dev").await;
    let developer_queue = app.json(&developer, "/api/v1/claims").await;
    let developer_open: Vec<String> = developer_queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| is_open(c))
        .take(20)
        .map(|c| c["number"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(developer_open.len(), 20);
    let home = app.text(&developer, "/").await;
    let shown: Vec<String> = listed_numbers(&home)
        .into_iter()
        .filter(|n| n.starts_with("LP-"))
        .collect();
    assert_eq!(shown, developer_open);
}

/// The database ranks the queue (`storage::claims::attention_order`). Each reader's queue must be
/// in the order the domain's clocks give, computed here from every claim's own fields: open
/// first, a broken clock first, the fast channel first, then the first clock to break, then id.
/// The ranking's clock function must agree with the stored column on every claim.
#[tokio::test]
async fn the_queue_is_ranked_by_the_domains_clocks() {
    use chrono::{DateTime, Utc};
    use zhianbao::domain::claims::{ClaimDeadlines, clock_breaks_at};
    let app = TestApp::spawn().await;
    crate::pdf::copy_claims(&app, 60).await;
    let disagreeing = app
        .count(
            "SELECT count(*) FROM claims WHERE clock_breaks_at IS DISTINCT FROM app.claim_clock_breaks_at(\
             contact_due_at, survey_due_at, decision_due_at, contacted_at, surveyed_at, decided_at)",
        )
        .await;
    assert_eq!(disagreeing, 0);
    let at = |v: &Value| -> Option<DateTime<Utc>> { v.as_str().map(|s| s.parse().unwrap()) };
    for reader in ["pingan-qd", "laoshan-zjj", "sunac-dev"] {
        let client = app.login(reader).await;
        let queue = app.json(&client, "/api/v1/claims?limit=500").await;
        let keys: Vec<_> = queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let deadlines = ClaimDeadlines {
                    contact_by: at(&c["deadlines"]["contact_by"]),
                    survey_by: at(&c["deadlines"]["survey_by"]).unwrap(),
                    decision_by: at(&c["deadlines"]["decision_by"]).unwrap(),
                };
                let breaks = clock_breaks_at(
                    &deadlines,
                    at(&c["contacted_at"]),
                    at(&c["surveyed_at"]),
                    at(&c["decided_at"]),
                );
                (
                    matches!(c["status"].as_str(), Some("paid" | "rejected")),
                    c["breaches"].as_array().unwrap().is_empty(),
                    !c["fast_channel"].as_bool().unwrap(),
                    breaks.unwrap_or(DateTime::<Utc>::MAX_UTC),
                    c["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap(),
                )
            })
            .collect();
        assert!(keys.len() > 20, "{reader}: {}", keys.len());
        assert!(
            keys.iter().any(|k| !k.1) && keys.iter().any(|k| k.1),
            "{reader}"
        );
        let out_of_order = keys.windows(2).position(|pair| pair[0] > pair[1]);
        assert_eq!(out_of_order, None, "{reader}");
    }
}

/// Each list of units holds the units of its filter, within what the reader may see: a project's,
/// an owner's, or all of them.
#[tokio::test]
async fn each_list_of_units_holds_the_units_of_its_filter() {
    use zhianbao::storage::claims::{UnitsOf, units};
    let app = TestApp::spawn().await;
    // A unit in another project of the demo units' developer.
    let (project, developer): (uuid::Uuid, String) = sqlx::query_as(
        "SELECT u.project_id, d.username FROM units u JOIN users d ON d.org_id = u.developer_org_id LIMIT 1",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO units (project_id, district_id, developer_org_id, building_id, number, floor_area_m2) \
         SELECT p.id, p.district_id, p.developer_org_id, b.id, '9-0901', 90 \
         FROM projects p JOIN buildings b ON b.project_id = p.id \
         WHERE p.developer_org_id = (SELECT developer_org_id FROM projects WHERE id = $1) AND p.id <> $1 LIMIT 1",
    )
    .bind(project)
    .execute(&app.owner)
    .await
    .unwrap();

    let mut conn = crate::rls::in_context(&app, &developer).await;
    let all = units(&mut conn, UnitsOf::All).await.unwrap();
    let of_project = units(&mut conn, UnitsOf::Project(project)).await.unwrap();
    let numbers = |list: &[zhianbao::storage::claims::Unit]| -> Vec<String> {
        list.iter().map(|u| u.number.clone()).collect()
    };
    assert_eq!(numbers(&of_project), ["1-1201", "1-1202", "2-0801"]);
    let mut all = numbers(&all);
    all.sort();
    assert_eq!(
        all,
        ["1-1201", "1-1202", "2-0801", "9-0901"],
        "the other project's unit too"
    );

    let owner: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE username = 'owner-demo'")
            .fetch_one(&app.owner)
            .await
            .unwrap();
    let owned = units(&mut conn, UnitsOf::Owner(owner)).await.unwrap();
    assert_eq!(numbers(&owned), ["1-1201"]);
    let mut conn = crate::rls::in_context(&app, "owner-demo").await;
    assert_eq!(
        numbers(&units(&mut conn, UnitsOf::All).await.unwrap()),
        ["1-1201"]
    );
}
