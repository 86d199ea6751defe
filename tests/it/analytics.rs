//! The bureau's analytics: counters kept in the same transaction as the rows they count agree
//! with a recount from the raw rows; each bureau sees its own districts; drill-downs and Excel.

use serde_json::{Value, json};

use crate::claims::post;
use crate::harness::TestApp;

/// Each counter table with the condition of a row that counts something.
const COUNTERS: [(&str, &str); 24] = [
    ("stats_projects", "projects <> 0"),
    ("stats_findings", "total <> 0 OR open <> 0"),
    ("stats_finding_days", "raised <> 0 OR closed <> 0"),
    ("stats_closures", "closures <> 0"),
    ("stats_claims", "claims <> 0"),
    ("stats_claim_decisions", "decisions <> 0"),
    ("stats_project_findings", "raised <> 0"),
    ("stats_project_recurrence", "recurring <> 0"),
    (
        "stats_policy_claims",
        "claims <> 0 OR paid_fen <> 0 OR reserved_fen <> 0",
    ),
    ("stats_project_league", "true"),
    ("stats_party_league", "projects <> 0"),
    ("stats_parcel_coverage", "true"),
    ("stats_coverage", "parcels <> 0"),
    ("stats_safety", "events <> 0"),
    ("stats_project_open", "open <> 0"),
    ("stats_project_deadlines", "open <> 0 OR responded <> 0"),
    ("stats_party_projects", "true"),
    ("stats_party_open", "open <> 0"),
    ("stats_party_deadlines", "open <> 0 OR responded <> 0"),
    (
        "stats_insurer_book",
        "policies <> 0 OR claims <> 0 OR paid_fen <> 0 OR reserved_fen <> 0",
    ),
    ("stats_insurer_policies", "policies <> 0"),
    ("stats_claims_late", "open_claims <> 0"),
    ("stats_insurer_agencies", "projects <> 0"),
    (
        "stats_insurer_book_months",
        "policies <> 0 OR claims <> 0 OR paid_fen <> 0 OR reserved_fen <> 0",
    ),
];

/// Every counter row (rows at zero dropped: a decrement may leave one that a recount omits).
async fn counters(app: &TestApp) -> Vec<String> {
    let mut rows = Vec::new();
    for (table, counts) in COUNTERS {
        let these: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT row_to_json(t)::text FROM {table} t WHERE {counts} ORDER BY 1"
        ))
        .fetch_all(&app.owner)
        .await
        .unwrap();
        rows.extend(these.into_iter().map(|r| format!("{table} {r}")));
    }
    rows
}

#[tokio::test]
async fn counters_agree_with_a_recount_after_every_kind_of_change() {
    let app = TestApp::spawn().await;
    // Findings closed and reclassified, a project advanced, a finding raised.
    for sql in [
        "UPDATE findings SET status = 'closed', closed_at = now() WHERE id = (SELECT id FROM findings WHERE status = 'open' ORDER BY created_at LIMIT 1)",
        "UPDATE findings SET current_level = 'C' WHERE id = (SELECT id FROM findings WHERE status = 'open' AND current_level = 'B' LIMIT 1)",
        "UPDATE projects SET stage = 'completed' WHERE stage = 'permitted' AND id = (SELECT id FROM projects WHERE stage = 'permitted' LIMIT 1)",
        "INSERT INTO findings (inspection_id, project_id, district_id, developer_org_id, agency_org_id, original_level, current_level, \
                               location, trade, section_code, description, created_by) \
         SELECT i.id, i.project_id, i.district_id, i.developer_org_id, i.agency_org_id, 'D', 'D', '3号楼', '结构', 'STRUCTURE', '计数测试', i.created_by \
         FROM inspections i LIMIT 1",
        // Orders closed (one overdue, one in time), a building grown, an agency retired, a
        // contractor dropped: the league's counters.
        "UPDATE rectification_orders SET status = 'closed', closed_at = now() WHERE id = (SELECT id FROM rectification_orders WHERE status <> 'closed' ORDER BY deadline LIMIT 1)",
        "UPDATE rectification_orders SET status = 'closed', closed_at = now() WHERE id = (SELECT id FROM rectification_orders WHERE status <> 'closed' ORDER BY deadline DESC LIMIT 1)",
        "UPDATE buildings SET units = units + 5, floor_area_m2 = floor_area_m2 + 100 WHERE id = (SELECT id FROM buildings ORDER BY name LIMIT 1)",
        "UPDATE project_parties SET retired_at = now() WHERE role = 'risk_agency' AND project_id = (SELECT project_id FROM project_parties WHERE role = 'risk_agency' ORDER BY added_at LIMIT 1)",
        "UPDATE projects SET contractor_org_id = NULL WHERE id = (SELECT id FROM projects WHERE contractor_org_id IS NOT NULL ORDER BY name LIMIT 1)",
        // A co-insurer joins a project with open findings (it takes them into its home's
        // counts); an order answered; a policy expired, another issued; a co-insurer's share withdrawn.
        "INSERT INTO project_parties (project_id, org_id, role) \
         SELECT f.project_id, o.id, 'co_insurer' FROM findings f, organisations o \
         WHERE f.status = 'open' AND o.kind = 'insurer' \
           AND NOT EXISTS (SELECT 1 FROM project_parties x WHERE x.project_id = f.project_id AND x.org_id = o.id) \
         ORDER BY o.code, f.created_at LIMIT 1",
        "UPDATE rectification_orders SET status = 'responded' WHERE id = (SELECT id FROM rectification_orders WHERE status = 'issued' ORDER BY deadline LIMIT 1)",
        "UPDATE policies SET status = 'expired' WHERE id = (SELECT id FROM policies WHERE status = 'in_force' ORDER BY created_at LIMIT 1)",
        "UPDATE policies SET status = 'issued', issued_at = now(), policy_number = 'COUNTER-TEST-1' \
         WHERE id = (SELECT id FROM policies WHERE status = 'paid' ORDER BY created_at LIMIT 1)",
        "DELETE FROM policy_shares WHERE NOT is_lead AND policy_id = (SELECT policy_id FROM policy_shares WHERE NOT is_lead LIMIT 1)",
        // Coverage: a parcel freed of the condition, a permit recorded, a policy cancelled.
        "UPDATE parcels SET requires_insurance = false WHERE id = (SELECT id FROM parcels WHERE requires_insurance ORDER BY code LIMIT 1)",
        "UPDATE projects SET stage = 'permitted', permit_date = (now() AT TIME ZONE 'Asia/Shanghai')::date WHERE id = (SELECT id FROM projects WHERE stage = 'registered' ORDER BY name LIMIT 1)",
        "UPDATE policies SET status = 'cancelled' WHERE id = (SELECT id FROM policies WHERE status = 'quoted' LIMIT 1)",
        // Safety: a drill and an incident.
        "INSERT INTO safety_services (project_id, district_id, developer_org_id, provider_org_id, kind, performed_on, hazards_found, participants, summary, created_by) \
         SELECT p.id, p.district_id, p.developer_org_id, u.org_id, 'drill', DATE '2026-11-20', 2, 40, '消防演练', u.id \
         FROM projects p, users u WHERE u.username = 'hexin-tis' ORDER BY p.name LIMIT 1",
        "INSERT INTO safety_incidents (number, project_id, district_id, developer_org_id, occurred_at, place, accident_type, description, reported_by) \
         SELECT 'SG-COUNTER-1', p.id, p.district_id, p.developer_org_id, now(), '3号楼', 'fall', '计数测试', u.id \
         FROM projects p, users u WHERE u.username = 'sunac-dev' ORDER BY p.name LIMIT 1",
        // A final report's review changed: the insurer's book scores it.
        "UPDATE risk_reports SET status = 'confirmed' WHERE id = (SELECT id FROM risk_reports WHERE kind = 'final' AND status = 'exclusions_added' LIMIT 1)",
        // Part of an approved claim paid: paid up, reserve down.
        "INSERT INTO claim_payments (claim_id, lead_insurer_org_id, idempotency_key, request_hash, payee, amount_fen, paid_by) \
         SELECT c.id, c.lead_insurer_org_id, 'counter-test', '\\x00', '维修单位', 100000, u.id \
         FROM claims c JOIN users u ON u.org_id = c.lead_insurer_org_id WHERE c.status = 'approved' LIMIT 1",
    ] {
        let changed = sqlx::query(sql).execute(&app.owner).await.unwrap();
        assert!(changed.rows_affected() > 0, "changed nothing: {sql}");
    }
    // A claim worked through the API: assigned, surveyed, decided; a rejection disputed and reopened.
    let insurer = app.login("pingan-qd").await;
    let reported: String = sqlx::query_scalar(
        "SELECT id::text FROM claims WHERE status = 'reported' AND unit_id IS NOT NULL LIMIT 1",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    for (verb, body) in [
        ("assign", json!({ "surveyor": "李明" })),
        ("survey", json!({ "text": "查勘属实。", "complex": "true" })),
        (
            "decide",
            json!({ "decision": "approve", "amount_yuan": "1200" }),
        ),
    ] {
        let (status, body) = post(
            &app,
            &insurer,
            &format!("/api/v1/claims/{reported}/{verb}"),
            body,
        )
        .await;
        assert_eq!(status, 200, "{verb}: {body}");
    }
    let disputed: String =
        sqlx::query_scalar("SELECT id::text FROM claims WHERE status = 'disputed' LIMIT 1")
            .fetch_one(&app.owner)
            .await
            .unwrap();
    let (status, _) = post(
        &app,
        &insurer,
        &format!("/api/v1/claims/{disputed}/reopen"),
        json!({ "text": "重新查勘。" }),
    )
    .await;
    assert_eq!(status, 200);

    let kept = counters(&app).await;
    sqlx::query("SELECT app.rebuild_stats()")
        .execute(&app.owner)
        .await
        .unwrap();
    let recounted = counters(&app).await;
    assert!(!kept.is_empty());
    assert_eq!(
        kept, recounted,
        "maintained counters = a recount from the raw rows"
    );
}

/// Each sheet of a workbook: its name and its rows as text.
fn read_xlsx(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|row| row.iter().map(ToString::to_string).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

async fn analytics(app: &TestApp, user: &str, query: &str) -> (u16, Value) {
    let response = app
        .login(user)
        .await
        .get(app.url(&format!("/api/v1/analytics{query}")))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn each_bureau_sees_the_figures_of_its_own_districts_and_the_rows_behind_them() {
    let app = TestApp::spawn().await;
    let (status, laoshan) = analytics(&app, "laoshan-zjj", "").await;
    assert_eq!(status, 200);
    let open_severe = app
        .count(
            "SELECT count(*) FROM findings f JOIN districts d ON d.id = f.district_id \
                WHERE d.code = 'laoshan' AND f.status = 'open' AND f.current_level IN ('D', 'E')",
        )
        .await;
    assert!(open_severe > 0);
    assert_eq!(laoshan["open_severe"], open_severe);
    assert_eq!(laoshan["projects"], app.count("SELECT count(*) FROM projects p JOIN districts d ON d.id = p.district_id WHERE d.code = 'laoshan'").await);
    assert!(!laoshan["insurers"].as_array().unwrap().is_empty());
    // The most overdue D/E orders are the earliest-due open ones of its districts, earliest first.
    let overdue: Vec<(String, String)> = sqlx::query_as(
        "SELECT o.number, o.deadline::text FROM rectification_orders o JOIN districts d ON d.id = o.district_id \
         WHERE d.code = 'laoshan' AND o.status <> 'closed' AND o.level IN ('D', 'E') \
           AND o.deadline < (now() AT TIME ZONE 'Asia/Shanghai')::date ORDER BY o.deadline, o.number",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    let shown: Vec<(String, String)> = laoshan["most_overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let field = |name: &str| o[name].as_str().unwrap().to_owned();
            (field("number"), field("deadline"))
        })
        .collect();
    assert!(!shown.is_empty());
    let deadlines =
        |rows: &[(String, String)]| rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>();
    assert_eq!(
        deadlines(&shown),
        deadlines(&overdue[..overdue.len().min(20)])
    );
    assert!(shown.iter().all(|s| overdue.contains(s)), "{shown:?}");

    let shinan_projects = app.count("SELECT count(*) FROM projects p JOIN districts d ON d.id = p.district_id WHERE d.code = 'shinan'").await;
    let (_, shinan) = analytics(&app, "shinan-zjj", "").await;
    assert_eq!(
        shinan["projects"], shinan_projects,
        "市南 sees its own, nothing of 崂山"
    );
    assert_eq!(
        shinan["open_severe"],
        app.count(
            "SELECT count(*) FROM findings f JOIN districts d ON d.id = f.district_id \
                   WHERE d.code = 'shinan' AND f.status = 'open' AND f.current_level IN ('D', 'E')"
        )
        .await
    );
    let (_, city) = analytics(&app, "qingdao-zjj", "").await;
    let everywhere = app
        .count(
            "SELECT count(*) FROM findings WHERE status = 'open' AND current_level IN ('D', 'E')",
        )
        .await;
    assert_eq!(
        city["open_severe"], everywhere,
        "the city bureau sees all its districts"
    );
    // Narrowed to a district that is not the bureau's, the page falls back to its own.
    let laoshan_id: String =
        sqlx::query_scalar("SELECT id::text FROM districts WHERE code = 'laoshan'")
            .fetch_one(&app.owner)
            .await
            .unwrap();
    let (_, narrowed) = analytics(&app, "shinan-zjj", &format!("?district={laoshan_id}")).await;
    assert_eq!(narrowed["projects"], shinan_projects);
    for user in ["picc-qd", "sunac-dev", "owner-demo"] {
        assert_eq!(analytics(&app, user, "").await.0, 403, "{user}");
    }

    // The rows behind the D bar, as a page and as an Excel workbook.
    let bureau = app.login("laoshan-zjj").await;
    let page = bureau
        .get(app.url("/analytics/findings?level=D&open=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("严重技术风险"), "the level's Chinese name");
    let xlsx = bureau
        .get(app.url("/analytics/findings?level=D&open=1&format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert_eq!(
        xlsx.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = xlsx.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "a zip container");
    // Every list downloads too, filtered as shown: Chinese headers, a row per item the bureau
    // may see (counted from the raw rows of its district).
    let laoshan = "(SELECT id FROM districts WHERE name_zh = '崂山区')";
    for (list, header, sql) in [
        (
            "/projects?stage=permitted&format=xlsx",
            "项目名称",
            format!(
                "SELECT count(*) FROM projects WHERE stage = 'permitted' AND district_id = {laoshan}"
            ),
        ),
        (
            "/orders?format=xlsx",
            "通知单号",
            format!("SELECT count(*) FROM rectification_orders WHERE district_id = {laoshan}"),
        ),
        (
            "/claims?format=xlsx",
            "案件号",
            format!("SELECT count(*) FROM claims WHERE district_id = {laoshan}"),
        ),
        (
            "/parcels?format=xlsx",
            "宗地编号",
            format!("SELECT count(*) FROM parcels WHERE district_id = {laoshan}"),
        ),
        (
            "/policies?format=xlsx",
            "保单号",
            format!("SELECT count(*) FROM policies WHERE district_id = {laoshan}"),
        ),
        (
            "/policies?status=in_force&format=xlsx",
            "保单号",
            format!(
                "SELECT count(*) FROM policies WHERE status = 'in_force' AND district_id = {laoshan}"
            ),
        ),
        (
            "/inspections?format=xlsx",
            "检查节点",
            format!("SELECT count(*) FROM inspections WHERE district_id = {laoshan}"),
        ),
        (
            "/reports?format=xlsx",
            "报告编号",
            format!("SELECT count(*) FROM risk_reports WHERE district_id = {laoshan}"),
        ),
        (
            "/safety?format=xlsx",
            "事故编号",
            format!("SELECT count(*) FROM safety_incidents WHERE district_id = {laoshan}"),
        ),
    ] {
        let response = bureau.get(app.url(list)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{list}");
        let sheets = read_xlsx(&response.bytes().await.unwrap());
        let (_, rows) = &sheets[0];
        assert!(rows[0].iter().any(|h| h == header), "{list}: {:?}", rows[0]);
        let expected = app.count(&sql).await;
        assert!(expected > 0, "{list}: the demo has rows");
        assert_eq!(rows.len() as i64 - 1, expected, "{list}");
    }
    // The safety workbook holds the prevention services on a second sheet.
    let safety = bureau
        .get(app.url("/safety?format=xlsx"))
        .send()
        .await
        .unwrap();
    let sheets = read_xlsx(&safety.bytes().await.unwrap());
    assert_eq!(sheets[1].0, "安全预防服务");
    assert_eq!(
        sheets[1].1.len() as i64 - 1,
        app.count(&format!(
            "SELECT count(*) FROM safety_services WHERE district_id = {laoshan}"
        ))
        .await
    );
    let unknown = bureau
        .get(app.url("/analytics/findings?level=Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let shinan_rows = app
        .text(
            &app.login("shinan-zjj").await,
            "/analytics/findings?level=D",
        )
        .await;
    assert!(
        !shinan_rows.contains("天一仁和沙子口") && !shinan_rows.contains("融创东方悦府"),
        "市南 gets no 崂山 rows"
    );
}

#[tokio::test]
async fn the_lead_insurer_reads_its_book_loss_ratios_and_project_risk_scores() {
    let app = TestApp::spawn().await;
    let book = |user: &'static str| {
        let app = &app;
        async move {
            let response = app
                .login(user)
                .await
                .get(app.url("/api/v1/book"))
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
    let (status, pingan) = book("pingan-qd").await;
    assert_eq!(status, 200);
    // Paid and reserved come from counters; they equal the raw rows of its own claims.
    let paid = app
        .count("SELECT coalesce(sum(p.amount_fen), 0)::bigint FROM claim_payments p JOIN claims c ON c.id = p.claim_id \
                JOIN organisations o ON o.id = c.lead_insurer_org_id WHERE o.code = 'pingan-qd'")
        .await;
    assert!(paid > 0);
    assert_eq!(pingan["total"]["paid_fen"], paid);
    let reserved = app
        .count("SELECT coalesce(sum(c.approved_amount_fen - coalesce((SELECT sum(amount_fen) FROM claim_payments p WHERE p.claim_id = c.id), 0)), 0)::bigint \
                FROM claims c JOIN organisations o ON o.id = c.lead_insurer_org_id \
                WHERE o.code = 'pingan-qd' AND c.status IN ('approved', 'repair_ordered', 'repaired', 'owner_confirmed')")
        .await;
    assert_eq!(pingan["total"]["reserved_fen"], reserved);
    // Earned premium, read by month of issue, is what each policy has earned on its own (but for
    // the fen each month's share rounds away).
    let policies: Vec<(i64, chrono::NaiveDate)> = sqlx::query_as(
        "SELECT p.total_premium_fen, (p.issued_at AT TIME ZONE 'Asia/Shanghai')::date FROM policies p \
         JOIN organisations o ON o.id = p.lead_insurer_org_id \
         WHERE o.code = 'pingan-qd' AND app.in_book(p.status, p.issued_at)",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    assert!(!policies.is_empty());
    let today = zhianbao::http::projects::today();
    let earned: i64 = policies
        .iter()
        .map(|(written, issued)| {
            let days = i128::from((today - *issued).num_days());
            zhianbao::domain::underwriting::earned_fen(*written, i128::from(*written) * days)
        })
        .sum();
    let shown = pingan["total"]["earned_fen"].as_i64().unwrap();
    assert!(
        (shown - earned).abs() <= policies.len() as i64 && earned > 0,
        "earned {shown}, by policy {earned}"
    );
    let projects = pingan["projects"].as_array().unwrap();
    assert!(
        projects.iter().any(|p| p["project_name"] == "融创东方悦府"),
        "{projects:?}"
    );
    // 融创东方悦府's final report added an exclusion: that part of the score shows.
    let dongfang = projects
        .iter()
        .find(|p| p["project_name"] == "融创东方悦府")
        .unwrap();
    let final_part = dongfang["risk"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "final_report")
        .unwrap();
    assert_eq!(final_part["points"], 15.0);
    // PICC leads 天一仁和 only; it never sees 平安's projects or money.
    let (_, picc) = book("picc-qd").await;
    assert!(
        picc["projects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["project_name"] != "融创东方悦府")
    );
    assert_eq!(picc["total"]["paid_fen"], 0);
    for user in ["laoshan-zjj", "sunac-dev", "hexin-tis", "owner-demo"] {
        assert_eq!(book(user).await.0, 403, "{user}");
    }
}

#[tokio::test]
async fn league_tables_rank_each_party_by_its_own_raw_rows_within_the_bureaus_districts() {
    let app = TestApp::spawn().await;
    // What each developer's row must say, counted from the raw rows of Laoshan's projects.
    let expected: Vec<(String, i64, f64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT o.name_zh, count(DISTINCT p.id), \
                (SELECT coalesce(sum(b.floor_area_m2), 0)::float8 FROM buildings b JOIN projects q ON q.id = b.project_id \
                 WHERE q.developer_org_id = o.id AND q.district_id = d.id), \
                (SELECT count(*) FROM findings f JOIN projects q ON q.id = f.project_id \
                 WHERE q.developer_org_id = o.id AND q.district_id = d.id AND f.original_level IN ('B', 'C', 'D', 'E', 'R')), \
                (SELECT count(*) FROM rectification_orders r JOIN projects q ON q.id = r.project_id \
                 WHERE q.developer_org_id = o.id AND q.district_id = d.id AND r.status = 'closed'), \
                (SELECT count(*) FROM rectification_orders r JOIN projects q ON q.id = r.project_id \
                 WHERE q.developer_org_id = o.id AND q.district_id = d.id AND r.status = 'closed' \
                   AND (r.closed_at AT TIME ZONE 'Asia/Shanghai')::date <= r.deadline), \
                (SELECT count(*) FROM claims c JOIN projects q ON q.id = c.project_id \
                 WHERE q.developer_org_id = o.id AND q.district_id = d.id) \
         FROM projects p JOIN organisations o ON o.id = p.developer_org_id JOIN districts d ON d.id = p.district_id \
         WHERE d.name_zh = '崂山区' GROUP BY o.id, o.name_zh, d.id ORDER BY 1",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    assert!(expected.len() >= 2);
    let (status, a) = analytics(&app, "laoshan-zjj", "?league=developer").await;
    assert_eq!(status, 200);
    assert_eq!(a["league_party"], "developer");
    let mut got: Vec<(String, i64, f64, i64, i64, i64, i64)> = a["league"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name_zh"].as_str().unwrap().to_owned(),
                r["projects"].as_i64().unwrap(),
                r["floor_area_m2"].as_f64().unwrap(),
                r["defects"].as_i64().unwrap(),
                r["orders_closed"].as_i64().unwrap(),
                r["orders_on_time"].as_i64().unwrap(),
                r["claims"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, expected);
    // Worst defect density first.
    let density = |r: &Value| r["defects"].as_f64().unwrap() / r["floor_area_m2"].as_f64().unwrap();
    let rows = a["league"].as_array().unwrap();
    assert!(rows.windows(2).all(|w| density(&w[0]) >= density(&w[1])));
    // Every kind of party has a league; an unknown one falls back to the agencies.
    for (party, name) in [
        ("agency", "北京和信安诚风险管理技术有限公司"),
        ("insurer", "平安财险青岛分公司"),
        ("nonsense", "北京和信安诚风险管理技术有限公司"),
    ] {
        let (_, a) = analytics(&app, "laoshan-zjj", &format!("?league={party}")).await;
        let names: Vec<&str> = a["league"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name_zh"].as_str().unwrap())
            .collect();
        assert!(names.contains(&name), "{party}: {names:?}");
    }
    // Coverage so far, this month, is the raw share of Laoshan's parcels that must insure whose
    // project holds an issued policy; 36 months are drawn.
    let (requiring, insured): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE pa.requires_insurance), \
                count(*) FILTER (WHERE pa.requires_insurance AND EXISTS (SELECT 1 FROM projects pr JOIN policies po ON po.project_id = pr.id \
                  WHERE pr.parcel_id = pa.id AND po.status IN ('issued', 'in_force', 'expired'))) \
         FROM parcels pa JOIN districts d ON d.id = pa.district_id WHERE d.name_zh = '崂山区'",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    let rates = a["coverage_rate"].as_array().unwrap();
    assert_eq!(rates.len(), 36);
    assert_eq!(a["coverage_months"].as_array().unwrap().len(), 36);
    let now = rates.last().unwrap().as_f64().unwrap();
    assert!(
        (now - insured as f64 * 100.0 / requiring as f64).abs() < 1e-9,
        "{now} vs {insured}/{requiring}"
    );
    // Another district's bureau counts only its own district's projects.
    let (_, other) = analytics(&app, "shinan-zjj", "?league=developer").await;
    let ranked: i64 = other["league"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["projects"].as_i64().unwrap())
        .sum();
    let shinan = app
        .count("SELECT count(*) FROM projects p JOIN districts d ON d.id = p.district_id WHERE d.name_zh = '市南区'")
        .await;
    assert_eq!(ranked, shinan);
}

#[tokio::test]
async fn a_bureaus_figures_are_shared_for_a_moment_and_never_with_another_bureau() {
    let app =
        TestApp::spawn_with(|s| s.analytics_cache = std::time::Duration::from_millis(1500)).await;
    let open_severe = |v: &Value| v["open_severe"].as_i64().unwrap();
    let (_, before) = analytics(&app, "laoshan-zjj", "").await;
    sqlx::query(
        "INSERT INTO findings (inspection_id, project_id, district_id, developer_org_id, agency_org_id, original_level, current_level, \
                               location, trade, section_code, description, created_by) \
         SELECT i.id, i.project_id, i.district_id, i.developer_org_id, i.agency_org_id, 'D', 'D', '3号楼', '结构', 'STRUCTURE', '缓存测试', i.created_by \
         FROM inspections i JOIN districts d ON d.id = i.district_id WHERE d.name_zh = '崂山区' LIMIT 1",
    )
    .execute(&app.owner)
    .await
    .unwrap();
    // Within the moment, Laoshan's readers share the figures computed before the finding…
    let (_, shared) = analytics(&app, "laoshan-zjj", "").await;
    assert_eq!(open_severe(&shared), open_severe(&before));
    // …another bureau computes its own, from its own districts only…
    let (_, shinan) = analytics(&app, "shinan-zjj", "").await;
    let shinan_open = app
        .count(
            "SELECT count(*) FROM findings f JOIN districts d ON d.id = f.district_id \
             WHERE d.name_zh = '市南区' AND f.status = 'open' AND f.current_level IN ('D', 'E')",
        )
        .await;
    assert_eq!(open_severe(&shinan), shinan_open);
    // …and after it, the new finding counts.
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let (_, after) = analytics(&app, "laoshan-zjj", "").await;
    assert_eq!(open_severe(&after), open_severe(&before) + 1);
}

/// The bureau's figures are one large statement whose plan does not depend on its values: a
/// connection plans it once, not on every request (planning it cost more than running it).
#[tokio::test]
async fn the_figures_statement_is_planned_once_per_connection() {
    use zhianbao::storage::analytics::{Scope, counts, districts};
    let app = TestApp::spawn().await;
    let mut conn = crate::rls::in_context(&app, "laoshan-zjj").await;
    let districts = districts(&mut conn).await.unwrap();
    let scope = Scope {
        districts: districts.iter().map(|d| d.id).collect(),
        since: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    for party in [None, Some(zhianbao::domain::analytics::Party::Agency)]
        .into_iter()
        .cycle()
        .take(8)
    {
        counts(&mut conn, &scope, today, party).await.unwrap();
    }
    let (generic, custom): (i64, i64) = sqlx::query_as(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements \
         WHERE statement LIKE '%AS \"projects.stage\"%' AND statement NOT LIKE '%pg_prepared_statements%'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!((generic, custom), (8, 0));
}
