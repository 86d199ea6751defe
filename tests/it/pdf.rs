//! Documents as PDF: the text comes back out of the file (poppler's pdftotext), so the Chinese is
//! really set in an embedded font; fonts are subsets; the claim queue pages.

use std::process::Command;

use serde_json::Value;

use crate::harness::TestApp;

/// The PDF at `path` for `client`: its extracted text and pdffonts' table.
async fn fetch_pdf(app: &TestApp, client: &reqwest::Client, path: &str) -> (String, String, usize) {
    let response = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(
        response.headers()["content-type"],
        "application/pdf",
        "{path}"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\""),
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "{path}");
    // Kept for a look (pdftoppm renders them) when screenshots are asked for.
    if let Ok(dir) = std::env::var("SCREENSHOT_DIR") {
        let name: String = path
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        std::fs::write(format!("{dir}/pdf{name}.pdf"), &bytes).unwrap();
    }
    let file = std::env::temp_dir().join(format!("zhianbao-{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&file, &bytes).unwrap();
    let run = |tool: &str, args: &[&str]| {
        let out = Command::new(tool)
            .args(args)
            .arg(&file)
            .args(if tool == "pdftotext" {
                &["-"][..]
            } else {
                &[][..]
            })
            .output()
            .unwrap_or_else(|e| {
                panic!("{tool} (Debian's poppler-utils, installed by scripts/test.sh): {e}")
            });
        assert!(out.status.success(), "{tool} failed on {path}");
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run("pdftotext", &["-layout"]);
    let fonts = run("pdffonts", &[]);
    std::fs::remove_file(&file).unwrap();
    (text, fonts, bytes.len())
}

/// Every font in the file is embedded, as a subset, with a Unicode map (so text can be copied).
fn assert_subset_fonts(fonts: &str) {
    let faces: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!faces.is_empty(), "{fonts}");
    for face in faces {
        assert!(face.contains('+'), "not a subset: {face}");
        assert!(
            face.split_whitespace().rev().take(5).collect::<Vec<_>>()[2..5] == ["yes"; 3],
            "not embedded/subset/unicode: {face}"
        );
    }
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect()
}

#[tokio::test]
async fn the_final_report_downloads_as_pdf_with_its_chinese_text() {
    let app = TestApp::spawn().await;
    let (id, number): (String, String) = sqlx::query_as(
        "SELECT r.id::text, r.number FROM risk_reports r JOIN projects p ON p.id = r.project_id \
         WHERE p.name = '融创东方悦府' AND r.kind = 'final'",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    let agency = app.login("hexin-tis").await;
    let (text, fonts, size) = fetch_pdf(&app, &agency, &format!("/reports/{id}/pdf")).await;
    let flat = squeeze(&text);
    for expected in [
        number.as_str(),
        "融创东方悦府",
        "最终风险评估报告",
        "评估结论",
        "风险管理机构",
    ] {
        assert!(flat.contains(expected), "{expected} missing from:\n{text}");
    }
    assert_subset_fonts(&fonts);
    // The CJK font is ~20 MB; subsets keep the report small.
    assert!(size < 400_000, "{size} bytes");
    // The page's authorization holds: another district's bureau does not see the report.
    let other = app.login("shinan-zjj").await;
    let response = other
        .get(app.url(&format!("/reports/{id}/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn a_claim_file_downloads_for_the_owner_and_the_insurer_alike() {
    let app = TestApp::spawn().await;
    let (id, number): (String, String) = sqlx::query_as(
        "SELECT c.id::text, c.number FROM claims c JOIN users u ON u.id = c.owner_user_id \
         WHERE u.username = 'owner-demo' ORDER BY c.reported_at LIMIT 1",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    let events = app
        .count(&format!(
            "SELECT count(*) FROM claim_events WHERE claim_id = '{id}'"
        ))
        .await;
    assert!(events > 0);
    for who in ["owner-demo", "pingan-qd"] {
        let client = app.login(who).await;
        let (text, fonts, _) = fetch_pdf(&app, &client, &format!("/claims/{id}/pdf")).await;
        let flat = squeeze(&text);
        for expected in [number.as_str(), "理赔卷宗", "办理进度", "服务时限", "王梅"]
        {
            assert!(
                flat.contains(expected),
                "{who}: {expected} missing from:\n{text}"
            );
        }
        assert_subset_fonts(&fonts);
    }
    let stranger = app.login("tianyi-dev").await;
    let response = stranger
        .get(app.url(&format!("/claims/{id}/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn the_monthly_report_carries_the_bureaus_own_figures() {
    let app = TestApp::spawn().await;
    let bureau = app.login("laoshan-zjj").await;
    let figures: Value = app.json(&bureau, "/api/v1/analytics?days=30").await;
    let (text, fonts, _) = fetch_pdf(&app, &bureau, "/analytics/monthly.pdf").await;
    let flat = squeeze(&text);
    assert!(flat.contains("监管月报"), "{text}");
    assert!(flat.contains("崂山区住房和城乡建设局"), "{text}");
    let overdue = figures["most_overdue"].as_array().unwrap();
    assert!(!overdue.is_empty());
    for order in overdue {
        let number = order["number"].as_str().unwrap();
        assert!(flat.contains(number), "{number} missing from:\n{text}");
    }
    for insurer in figures["insurers"].as_array().unwrap() {
        let name = insurer["insurer_name_zh"].as_str().unwrap();
        assert!(flat.contains(name), "{name} missing from:\n{text}");
    }
    assert_subset_fonts(&fonts);
    // In English, the labels are English (the names stay as registered).
    let english = bureau
        .get(app.url("/analytics/monthly.pdf"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(english.status(), 200);
    // Not for insurers.
    let insurer = app.login("picc-qd").await;
    let response = insurer
        .get(app.url("/analytics/monthly.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

/// `n` more claims for 平安 (copies of a demo claim reported 1…n hours ago, every seventh on the
/// fast channel, with the Laoshan pack's clocks), numbered LP-PAGE-0001…
pub async fn copy_claims(app: &TestApp, n: i32) {
    sqlx::query(
        "INSERT INTO claims (number, unit_id, project_id, district_id, developer_org_id, policy_id, lead_insurer_org_id, \
                             building_id, owner_user_id, owner_name, component, section_code, location, description, fast_channel, \
                             cover_verdict, manager_org_id, reported_at, contact_due_at, survey_due_at, decision_due_at) \
         SELECT 'LP-PAGE-' || lpad(g::text, 4, '0'), unit_id, project_id, district_id, developer_org_id, policy_id, lead_insurer_org_id, \
                building_id, owner_user_id, owner_name, component, section_code, location, description, g % 7 = 0, \
                cover_verdict, manager_org_id, now() - make_interval(hours => g), \
                CASE WHEN g % 7 = 0 THEN now() - make_interval(hours => g - 2) END, \
                now() - make_interval(hours => g - CASE WHEN g % 7 = 0 THEN 24 ELSE 48 END), now() - make_interval(hours => g - 168) \
         FROM claims, generate_series(1, $1) g \
         WHERE id = (SELECT id FROM claims WHERE owner_user_id IS NOT NULL AND status = 'reported' ORDER BY reported_at LIMIT 1)",
    )
    .bind(n)
    .execute(&app.owner)
    .await
    .unwrap();
}

#[tokio::test]
async fn the_claim_queue_comes_in_pages_of_fifty_in_attention_order() {
    let app = TestApp::spawn().await;
    copy_claims(&app, 120).await;
    let insurer = app.login("pingan-qd").await;
    let visible: i64 = app
        .count(
            "SELECT count(*) FROM claims c JOIN organisations o ON o.id = c.lead_insurer_org_id WHERE o.code = 'pingan-qd'",
        )
        .await;
    assert!(visible > 120);
    let mut seen = Vec::new();
    let pages = (visible as usize).div_ceil(50);
    for page in 1..=pages {
        let html = app.text(&insurer, &format!("/claims?page={page}")).await;
        assert!(html.contains(&format!("data-testid=\"queue-total\">{visible}<")));
        let numbers = crate::claims::listed_numbers(&html);
        let expected = if page < pages {
            50
        } else {
            visible as usize - 50 * (pages - 1)
        };
        assert_eq!(numbers.len(), expected, "page {page}");
        seen.extend(numbers);
    }
    let distinct: std::collections::HashSet<&String> = seen.iter().collect();
    assert_eq!(distinct.len(), visible as usize, "every claim exactly once");
    // Fast-channel claims never contacted within two hours (the copies reported 7, 14, … hours
    // ago) have broken clocks: all of them are on the first page.
    for g in (7..=120).step_by(7) {
        let number = format!("LP-PAGE-{g:04}");
        let at = seen.iter().position(|n| *n == number).unwrap();
        assert!(at < 50, "{number} at {at}");
    }
    // A page past the end shows the last page.
    let last = app.text(&insurer, "/claims?page=999").await;
    assert!(last.contains(&format!("第 {pages} 页，共 {pages} 页")));
}
