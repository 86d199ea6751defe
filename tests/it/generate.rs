//! The data generator: consistent rows (foreign keys hold although they are loaded with triggers
//! off), counters recounted, the same seed giving the same data, and a second load refused.

use crate::harness::TestApp;

async fn generate(app: &TestApp, seed: u64) -> anyhow::Result<zhianbao::generate::Summary> {
    let scale = zhianbao::generate::Scale::parse("sample").unwrap();
    let until = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    zhianbao::generate::generate(&app.owner, scale, seed, until, "x").await
}

async fn fingerprint(app: &TestApp) -> String {
    sqlx::query_scalar(
        "SELECT md5(string_agg(f.id::text || f.current_level || f.status || f.created_at::text, ',' ORDER BY f.id)) \
         || md5(string_agg(c.number || c.status, ',' ORDER BY c.number)) \
         FROM findings f, (SELECT number, status FROM claims WHERE number LIKE 'GEN-%') c \
         WHERE f.description = '生成的检查问题'",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_generator_loads_consistent_repeatable_data_once() {
    let app = TestApp::spawn().await;
    let summary = generate(&app, 7).await.unwrap();
    assert_eq!(summary.projects, 12);
    assert_eq!(summary.findings, 12 * 4 * 5);
    assert_eq!(
        app.count("SELECT count(*) FROM findings WHERE description = '生成的检查问题'")
            .await,
        240
    );
    for orphans in [
        "SELECT count(*) FROM findings f LEFT JOIN inspections i ON i.id = f.inspection_id WHERE i.id IS NULL",
        "SELECT count(*) FROM rectification_orders o LEFT JOIN findings f ON f.id = o.finding_id WHERE f.id IS NULL",
        "SELECT count(*) FROM inspections i LEFT JOIN projects p ON p.id = i.project_id WHERE p.id IS NULL",
        "SELECT count(*) FROM projects p LEFT JOIN parcels pa ON pa.id = p.parcel_id WHERE pa.id IS NULL",
        "SELECT count(*) FROM policies po LEFT JOIN projects p ON p.id = po.project_id WHERE p.id IS NULL",
        "SELECT count(*) FROM claims c LEFT JOIN units u ON u.id = c.unit_id WHERE c.unit_id IS NOT NULL AND u.id IS NULL",
        "SELECT count(*) FROM units u LEFT JOIN users o ON o.id = u.owner_user_id WHERE u.owner_user_id IS NOT NULL AND o.id IS NULL",
        "SELECT count(*) FROM users u LEFT JOIN organisations o ON o.id = u.org_id WHERE u.org_id IS NOT NULL AND o.id IS NULL",
    ] {
        assert_eq!(app.count(orphans).await, 0, "{orphans}");
    }
    // Orders exactly for the levels that need rectification.
    assert_eq!(
        app.count("SELECT count(*) FROM findings WHERE description = '生成的检查问题' AND current_level IN ('B','C','D','E','R')").await,
        app.count("SELECT count(*) FROM rectification_orders WHERE number LIKE 'GEN-%'").await
    );
    // The counters include the generated rows.
    assert_eq!(
        app.count("SELECT coalesce(sum(total), 0)::bigint FROM stats_findings")
            .await,
        app.count("SELECT count(*) FROM findings").await
    );
    // Overdue orders come with the escalation rungs they reached by the last day: the server's
    // sweep on that day finds none of theirs left to record.
    let generated_rungs = "SELECT count(*) FROM order_escalations WHERE order_id IN \
                           (SELECT id FROM rectification_orders WHERE number LIKE 'GEN-%')";
    let rungs = app.count(generated_rungs).await;
    assert!(rungs > 0, "the sample has overdue orders");
    let until = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let mut conn = app.owner.acquire().await.unwrap();
    zhianbao::storage::escalations::sweep(&mut conn, until)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(app.count(generated_rungs).await, rungs);
    assert!(generate(&app, 7).await.is_err(), "a second load is refused");

    let first = fingerprint(&app).await;
    let other = TestApp::spawn().await;
    generate(&other, 7).await.unwrap();
    assert_eq!(fingerprint(&other).await, first, "same seed, same data");
    let third = TestApp::spawn().await;
    generate(&third, 8).await.unwrap();
    assert_ne!(fingerprint(&third).await, first, "another seed, other data");
}

/// One insurer's projects scored from every row, as the book would without its index: (project,
/// score), the riskiest first.
async fn scored_in_full(
    app: &TestApp,
    insurer: uuid::Uuid,
    day: chrono::NaiveDate,
) -> Vec<(uuid::Uuid, f64)> {
    use zhianbao::domain::underwriting::{RiskInputs, risk_score, standing_points};
    type Row = (
        uuid::Uuid,
        Vec<i64>,
        i64,
        f64,
        Option<String>,
        Vec<chrono::NaiveDate>,
        f64,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT l.project_id, l.raised, l.recurring, l.floor_area_m2::float8, \
                (SELECT status FROM risk_reports r WHERE r.project_id = l.project_id AND r.kind = 'final' \
                   AND r.status <> 'issued' ORDER BY r.created_at DESC LIMIT 1), \
                ARRAY(SELECT deadline FROM rectification_orders o WHERE o.project_id = l.project_id AND o.status = 'issued'), \
                l.risk_standing \
         FROM stats_project_league l WHERE l.insurer_org_id = $1",
    )
    .bind(insurer)
    .fetch_all(&app.owner)
    .await
    .unwrap();
    let mut scored: Vec<(uuid::Uuid, f64)> = rows
        .into_iter()
        .map(
            |(project, raised, recurring, area, review, deadlines, kept)| {
                let inputs = RiskInputs {
                    findings: raised.try_into().unwrap(),
                    floor_area_m2: area,
                    recurring,
                    overdue_orders: deadlines.iter().filter(|d| **d < day).count() as i64,
                    final_with_exclusions: review.map(|r| r == "exclusions_added"),
                };
                assert!(
                    (standing_points(&inputs) - kept).abs() < 1e-9,
                    "the database's standing part of {project}: {kept}, the domain's: {}",
                    standing_points(&inputs)
                );
                (project, risk_score(&inputs).score)
            },
        )
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored
}

#[tokio::test]
async fn the_books_riskiest_projects_are_those_a_full_scoring_ranks_first() {
    let app = TestApp::spawn().await;
    generate(&app, 11).await.unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let insurers: Vec<(uuid::Uuid, String)> = sqlx::query_as(
        "SELECT DISTINCT ON (o.id) o.id, u.username FROM organisations o JOIN users u ON u.org_id = o.id \
         WHERE o.kind = 'insurer' ORDER BY o.id, u.username",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    let mut compared = 0;
    for (insurer, username) in insurers {
        let everyone = scored_in_full(&app, insurer, day).await;
        // Every length of list, so the book both reads ahead and looks below what it read.
        for n in 1..=everyone.len() as u32 + 1 {
            let mut conn = app.pool.acquire().await.unwrap();
            crate::rls::as_user(&app, &mut conn, &username).await;
            let named = zhianbao::http::book::riskiest(&mut conn, day, n)
                .await
                .unwrap();
            sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
            let named: Vec<(uuid::Uuid, f64)> =
                named.iter().map(|p| (p.project_id, p.risk.score)).collect();
            let expected = &everyone[..everyone.len().min(n as usize)];
            assert_eq!(named, expected, "{username}, top {n}");
            compared += 1;
        }
    }
    assert!(
        compared > 10,
        "the sample gives the insurers projects to rank"
    );
}
