//! Headless Chromium drives the real pages: sign in, land on the dashboard, switch language.
//! Needs chromedriver (WEBDRIVER_URL); CI provides it and fails if it is missing. With
//! SCREENSHOT_DIR set, every visited page is also saved at desktop and phone widths.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::harness::{PASSWORD, TestApp};

async fn browser() -> Option<Client> {
    let Ok(url) = std::env::var("WEBDRIVER_URL") else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the browser tests: set WEBDRIVER_URL"
        );
        eprintln!("WEBDRIVER_URL not set: skipping the browser test");
        return None;
    };
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--lang=zh-CN", "--window-size=1366,900"],
            "prefs": { "intl.accept_languages": "zh-CN,zh" } }),
    );
    Some(
        ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .expect("chromedriver session"),
    )
}

async fn screenshot(browser: &Client, name: &str) {
    screenshot_at(browser, name, None).await;
}

/// Saves the page at desktop and phone widths; with `focus`, scrolled to that element at each.
async fn screenshot_at(browser: &Client, name: &str, focus: Option<&str>) {
    let Ok(dir) = std::env::var("SCREENSHOT_DIR") else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    for (suffix, width, height) in [("desktop", 1366, 900), ("phone", 390, 844)] {
        browser.set_window_size(width, height).await.unwrap();
        if let Some(css) = focus {
            let element = browser.find(Locator::Css(css)).await.unwrap();
            browser
                .execute(
                    "arguments[0].scrollIntoView({ behavior: 'instant' });",
                    vec![serde_json::to_value(element).unwrap()],
                )
                .await
                .unwrap();
        }
        let png = browser.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/{name}-{suffix}.png"), png).unwrap();
    }
    browser.set_window_size(1366, 900).await.unwrap();
}

async fn sign_in(browser: &Client, app: &TestApp, username: &str) {
    browser.goto(&app.url("/login")).await.unwrap();
    browser
        .find(Locator::Css("#username"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    browser
        .find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    browser
        .find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait()
        .for_element(Locator::Css("[data-testid=org-name], .page-title"))
        .await
        .unwrap();
}

async fn sign_out(browser: &Client) {
    click(browser, "form[action='/logout'] button").await;
    browser
        .wait()
        .for_element(Locator::Css("#username"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_regulator_signs_in_and_sees_its_own_dashboard_in_chinese() {
    let Some(browser) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;

    browser.goto(&app.url("/")).await.unwrap();
    let login_url = browser.current_url().await.unwrap();
    assert_eq!(
        login_url.path(),
        "/login",
        "anonymous visitors are sent to the login form"
    );
    screenshot(&browser, "login").await;

    sign_in(&browser, &app, "laoshan-zjj").await;
    let title = browser
        .find(Locator::Css("[data-testid=org-name]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(title, "崂山区住房和城乡建设局");
    let htmx = browser
        .execute("return typeof window.htmx", vec![])
        .await
        .unwrap();
    assert_eq!(htmx, "object", "htmx loads from /static/vendor");
    let text = browser
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("辖区登记单位") && text.contains("登录"),
        "dashboard shows the jurisdiction and the login just made"
    );
    screenshot(&browser, "regulator-home").await;

    // Sort and filter the activity table client-side.
    click(&browser, "#audit-table th").await;
    let sorted = browser
        .find(Locator::Css("#audit-table th[aria-sort]"))
        .await;
    assert!(sorted.is_ok(), "clicking a header sorts the table");

    browser.goto(&app.url("/organisations")).await.unwrap();
    browser
        .find(Locator::Css("[data-filter-for=org-table]"))
        .await
        .unwrap()
        .send_keys("平安")
        .await
        .unwrap();
    let visible = browser
        .execute("return Array.from(document.querySelectorAll('#org-table tbody tr')).filter(r => !r.hidden).length", vec![])
        .await
        .unwrap();
    assert_eq!(visible, 1, "the filter leaves only 平安财险");
    screenshot(&browser, "organisations").await;

    browser.goto(&app.url("/account")).await.unwrap();
    screenshot(&browser, "account").await;
    browser.goto(&app.url("/audit")).await.unwrap();
    screenshot(&browser, "audit").await;
    browser.goto(&app.url("/settings/tokens")).await.unwrap();
    browser
        .find(Locator::Css("#token-name"))
        .await
        .unwrap()
        .send_keys("住建监管平台对接")
        .await
        .unwrap();
    browser
        .find(Locator::Css("form[action='/settings/tokens'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let secret = browser
        .wait()
        .for_element(Locator::Css("[data-testid=new-token]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(secret.starts_with("zb_"));
    screenshot(&browser, "tokens").await;

    // English as the second language, chosen by the user.
    browser.goto(&app.url("/")).await.unwrap();
    browser
        .find(Locator::Css("form[action='/lang'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The English page, not the Chinese one still shown while the form is being submitted.
    browser
        .wait()
        .for_element(Locator::Css("html[lang=en] [data-testid=org-name]"))
        .await
        .unwrap();
    let english = browser
        .find(Locator::Css("html[lang=en] [data-testid=org-name]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        english,
        "Laoshan District Housing and Urban-Rural Development Bureau"
    );
    browser
        .find(Locator::Css("form[action='/lang'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait()
        .for_element(Locator::Css("html[lang=zh-CN] [data-testid=org-name]"))
        .await
        .unwrap();
    sign_out(&browser).await;

    for (username, name) in [
        ("picc-qd", "insurer"),
        ("hexin-tis", "agency"),
        ("sunac-dev", "developer"),
        ("owner-demo", "owner"),
    ] {
        sign_in(&browser, &app, username).await;
        screenshot(&browser, &format!("{name}-home")).await;
        if name == "insurer" {
            insurer_home_shows_its_hazards(&browser, &app, username).await;
        }
        if name == "agency" || name == "developer" {
            // Its projects, counted from the raw rows: those it holds a live role on or develops.
            let projects = app
                .count(&format!(
                    "SELECT count(*) FROM projects p JOIN organisations o ON o.code = '{username}' \
                     WHERE p.developer_org_id = o.id OR EXISTS (SELECT 1 FROM project_parties x \
                           WHERE x.project_id = p.id AND x.org_id = o.id AND x.retired_at IS NULL)"
                ))
                .await;
            assert!(projects > 0);
            assert_eq!(
                text_of(&browser, "[data-testid=project-count]").await,
                projects.to_string(),
                "{username}"
            );
        }
        sign_out(&browser).await;
    }
    browser.goto(&app.url("/no-such-page")).await.unwrap();
    screenshot(&browser, "not-found").await;
    browser.close().await.unwrap();
}

/// The insurer's home counts open D/E findings on the projects it is a party to (from its own
/// roll-ups) and lists the project with the most of them first.
async fn insurer_home_shows_its_hazards(browser: &Client, app: &TestApp, code: &str) {
    let per_project = format!(
        "SELECT count(*) AS n FROM findings f WHERE f.status = 'open' AND f.current_level IN ('D', 'E') \
         AND f.project_id IN (SELECT x.project_id FROM project_parties x JOIN organisations o ON o.id = x.org_id \
                              WHERE o.code = '{code}' AND x.retired_at IS NULL) GROUP BY f.project_id"
    );
    let open_de = app
        .count(&format!(
            "SELECT coalesce(sum(n), 0)::bigint FROM ({per_project}) t"
        ))
        .await;
    assert!(open_de > 0, "the demo gives {code} open D/E findings");
    assert_eq!(
        text_of(browser, "[data-testid=risk-stats] .zb-stat-value").await,
        open_de.to_string()
    );
    let most = app
        .count(&format!("SELECT max(n) FROM ({per_project}) t"))
        .await;
    assert_eq!(
        text_of(browser, "#risk-table tbody tr td:nth-child(3)").await,
        most.to_string(),
        "the project with the most open D/E findings comes first"
    );
    screenshot_at(browser, "insurer-home-risk", Some("#risk-table")).await;
    // The policies awaiting it are counted from its counters and agree with its raw policies.
    let awaiting = app
        .count(&format!(
            "SELECT count(*) FROM policies p JOIN organisations o ON o.id = p.lead_insurer_org_id \
             WHERE o.code = '{code}' AND p.status IN ('applied', 'accepted', 'paid', 'quoted')"
        ))
        .await;
    assert_eq!(
        text_of(browser, "[data-testid=queue-count]").await,
        awaiting.to_string()
    );
}

async fn text_of(browser: &Client, css: &str) -> String {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Scrolls an element to the middle of the screen and clicks it, as a person would.
async fn click(browser: &Client, css: &str) {
    let element = browser.find(Locator::Css(css)).await.unwrap();
    browser
        .execute(
            "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();",
            vec![serde_json::to_value(element).unwrap()],
        )
        .await
        .unwrap();
}

/// Submits a form by clicking its button and waits for the redirect that marks success.
async fn submit(browser: &Client, css: &str, done: &str) {
    click(browser, css).await;
    for _ in 0..100 {
        if browser
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains(&format!("done={done}"))
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let page = browser.source().await.unwrap_or_default();
    panic!(
        "submitting {css} did not lead to done={done}; page: {}",
        &page[..page.len().min(3000)]
    );
}

async fn fill(browser: &Client, css: &str, value: &str) {
    let field = browser.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

/// The land-transfer coverage rate shown first on the bureau's dashboard.
async fn coverage_rate(browser: &Client, app: &TestApp) -> String {
    browser.goto(&app.url("/")).await.unwrap();
    text_of(browser, ".zb-stat-value").await
}

#[tokio::test]
async fn a_policy_is_bought_in_the_browser_and_the_bureau_sees_it() {
    let Some(browser) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let project: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM projects WHERE name = '天一麦窑海岸'")
            .fetch_one(&app.owner)
            .await
            .unwrap();
    let project_url = app.url(&format!("/projects/{project}"));

    sign_in(&browser, &app, "laoshan-zjj").await;
    let rate_before = coverage_rate(&browser, &app).await;
    browser.goto(&project_url).await.unwrap();
    assert_eq!(
        text_of(&browser, "[data-testid=gate-answer]").await,
        "暂不能核发施工许可"
    );
    sign_out(&browser).await;

    sign_in(&browser, &app, "tianyi-dev").await;
    browser.goto(&project_url).await.unwrap();
    assert!(
        text_of(&browser, "[data-testid=next-step]")
            .await
            .contains("选择主承保保险公司")
    );
    browser
        .find(Locator::Css("#lead_insurer"))
        .await
        .unwrap()
        .select_by_value("picc-qd")
        .await
        .unwrap();
    submit(&browser, "[data-testid=apply-form] button", "applied").await;
    assert!(
        text_of(&browser, "[data-testid=notice]")
            .await
            .contains("投保申请已提交")
    );
    screenshot(&browser, "project-detail").await;
    let policy_url = browser
        .find(Locator::Css("a[href^='/policies/']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    sign_out(&browser).await;

    sign_in(&browser, &app, "picc-qd").await;
    browser.goto(&app.url(&policy_url)).await.unwrap();
    fill(&browser, "#lead_share_percent", "80").await;
    fill(&browser, "#co_insurers", "pingan-qd:20").await;
    submit(&browser, "[data-testid=quote-form] button", "quote").await;
    assert_eq!(
        text_of(&browser, "[data-testid=policy-status]").await,
        "已报价"
    );
    let premium = text_of(&browser, ".zb-stat-value").await;
    assert_eq!(premium, "¥748,000.00", "1.5 % + 2 ‰ of ¥44,000,000");
    sign_out(&browser).await;

    sign_in(&browser, &app, "tianyi-dev").await;
    browser.goto(&app.url(&policy_url)).await.unwrap();
    submit(&browser, "form[action$='/accept'] button", "accept").await;
    assert_eq!(
        text_of(&browser, "[data-testid=policy-status]").await,
        "已确认报价"
    );
    sign_out(&browser).await;

    sign_in(&browser, &app, "picc-qd").await;
    browser.goto(&app.url(&policy_url)).await.unwrap();
    fill(&browser, "#amount_yuan", "748000").await;
    fill(&browser, "#reference", "ICBC-20261129-001").await;
    submit(&browser, "[data-testid=payment-form] button", "payment").await;
    assert_eq!(
        text_of(&browser, "[data-testid=policy-status]").await,
        "已缴费"
    );
    submit(&browser, "form[action$='/issue'] button", "issue").await;
    assert_eq!(
        text_of(&browser, "[data-testid=policy-status]").await,
        "已出单"
    );
    assert!(
        text_of(&browser, "[data-testid=policy-number]")
            .await
            .starts_with("ZAB-LS-")
    );
    screenshot(&browser, "policy-detail").await;
    browser.goto(&app.url("/")).await.unwrap();
    screenshot(&browser, "insurer-home-queue").await;
    sign_out(&browser).await;

    sign_in(&browser, &app, "laoshan-zjj").await;
    browser.goto(&project_url).await.unwrap();
    assert_eq!(
        text_of(&browser, "[data-testid=gate-answer]").await,
        "可以核发施工许可"
    );
    let rate_after = coverage_rate(&browser, &app).await;
    assert_ne!(
        rate_before, rate_after,
        "the coverage rate moves when a policy is issued"
    );
    screenshot(&browser, "regulator-coverage").await;
    for (path, name) in [
        ("/parcels", "parcels"),
        ("/projects", "projects"),
        ("/policies", "policies"),
        ("/rule-packs", "rule-packs"),
    ] {
        browser.goto(&app.url(path)).await.unwrap();
        screenshot(&browser, name).await;
    }
    browser.close().await.unwrap();
}

#[tokio::test]
async fn the_agency_records_a_d_finding_the_developer_fixes_it_and_the_agency_closes_it() {
    let Some(browser) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let photo = concat!(env!("CARGO_MANIFEST_DIR"), "/src/demo_assets/crack.png");
    let project: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM projects WHERE name = '天一仁和沙子口'")
            .fetch_one(&app.owner)
            .await
            .unwrap();

    sign_in(&browser, &app, "hexin-tis").await;
    screenshot(&browser, "agency-home-risk").await;
    browser
        .goto(&app.url(&format!("/projects/{project}")))
        .await
        .unwrap();
    browser
        .find(Locator::Css("#stage_code"))
        .await
        .unwrap()
        .select_by_value("main_structure")
        .await
        .unwrap();
    fill(&browser, "#inspectors", "李工、王工").await;
    submit(&browser, "[data-testid=inspection-form] button", "open").await;
    browser
        .find(Locator::Css("#level"))
        .await
        .unwrap()
        .select_by_value("D")
        .await
        .unwrap();
    fill(&browser, "#location", "3号楼 8层 ④-⑥/Ⓑ 剪力墙").await;
    fill(&browser, "#trade", "混凝土").await;
    fill(&browser, "#description", "剪力墙水平施工缝处渗水并有裂缝。").await;
    fill(&browser, "#advice", "凿毛处理后注浆封堵，委托检测。").await;
    browser
        .find(Locator::Css("#photos"))
        .await
        .unwrap()
        .send_keys(photo)
        .await
        .unwrap();
    submit(&browser, "[data-testid=finding-form] button", "finding").await;
    // The photo loads after the page does: give a busy machine a few seconds.
    let mut loaded = serde_json::Value::Bool(false);
    for _ in 0..100 {
        loaded = browser
            .execute("const img = document.querySelector('[data-testid=findings] .zb-photos img'); return img.complete && img.naturalWidth > 0;", vec![])
            .await
            .unwrap();
        if loaded == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        loaded, true,
        "the photo is served back through its access-checked handler"
    );
    // Answer the checklist: everything passes.
    browser
        .execute("document.querySelectorAll('[data-testid=checks-form] input[value=pass]').forEach(r => r.checked = true);", vec![])
        .await
        .unwrap();
    submit(&browser, "[data-testid=checks-form] button", "checks").await;
    browser
        .execute("window.confirm = () => true;", vec![])
        .await
        .unwrap();
    submit(&browser, "[data-testid=submit-form] button", "submit").await;
    assert_eq!(
        text_of(&browser, "[data-testid=inspection-status]").await,
        "已提交"
    );
    screenshot(&browser, "inspection-detail").await;
    let order_url = browser
        .find(Locator::Css("[data-testid=findings] a[href^='/orders/']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    sign_out(&browser).await;

    sign_in(&browser, &app, "tianyi-dev").await;
    let home = text_of(&browser, "body").await;
    assert!(
        home.contains("3号楼 8层"),
        "the new order is on the developer's dashboard"
    );
    screenshot(&browser, "developer-home-orders").await;
    browser.goto(&app.url(&order_url)).await.unwrap();
    assert_eq!(
        text_of(&browser, "[data-testid=order-status]").await,
        "待整改"
    );
    fill(&browser, "#text", "已凿毛并注浆封堵，检测报告见附件照片。").await;
    browser
        .find(Locator::Css("#photos"))
        .await
        .unwrap()
        .send_keys(photo)
        .await
        .unwrap();
    submit(&browser, "[data-testid=respond-form] button", "respond").await;
    assert_eq!(
        text_of(&browser, "[data-testid=order-status]").await,
        "待复查"
    );
    sign_out(&browser).await;

    sign_in(&browser, &app, "hexin-tis").await;
    browser.goto(&app.url(&order_url)).await.unwrap();
    fill(&browser, "#note", "现场复查：渗水已止，同意关闭。").await;
    submit(&browser, "[data-testid=recheck-form] button", "recheck").await;
    assert_eq!(
        text_of(&browser, "[data-testid=order-status]").await,
        "已关闭"
    );
    assert!(
        text_of(&browser, "[data-testid=order-history]")
            .await
            .contains("复查合格")
    );
    screenshot(&browser, "order-detail").await;
    browser.goto(&app.url("/orders")).await.unwrap();
    screenshot(&browser, "orders").await;
    sign_out(&browser).await;
    sign_in(&browser, &app, "laoshan-zjj").await;
    screenshot(&browser, "regulator-home-risk").await;
    let report: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM risk_reports WHERE kind = 'final' LIMIT 1")
            .fetch_one(&app.owner)
            .await
            .unwrap();
    browser
        .goto(&app.url(&format!("/reports/{report}")))
        .await
        .unwrap();
    assert!(
        text_of(&browser, "[data-testid=review]")
            .await
            .contains("已增加除外责任")
    );
    screenshot(&browser, "final-report").await;
    browser.close().await.unwrap();
}

#[tokio::test]
async fn an_owner_reports_a_leak_the_insurer_repairs_it_the_owner_signs_and_it_is_paid_once() {
    let Some(browser) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let photo = concat!(env!("CARGO_MANIFEST_DIR"), "/src/demo_assets/crack.png");

    sign_in(&browser, &app, "owner-demo").await;
    screenshot(&browser, "owner-home").await;
    click(&browser, "[data-testid=my-homes] a[href^='/units/']").await;
    browser
        .wait()
        .for_element(Locator::Css("[data-testid=passport]"))
        .await
        .unwrap();
    screenshot(&browser, "owner-unit").await;
    browser
        .find(Locator::Css("#component"))
        .await
        .unwrap()
        .select_by_value("leak_into_living_space")
        .await
        .unwrap();
    fill(&browser, "#location", "次卧窗台下").await;
    fill(
        &browser,
        "#description",
        "连续降雨后窗台下墙面渗水，地板已泡起。",
    )
    .await;
    browser
        .find(Locator::Css("#photos"))
        .await
        .unwrap()
        .send_keys(photo)
        .await
        .unwrap();
    submit(&browser, "[data-testid=report-form] button", "report").await;
    assert_eq!(
        text_of(&browser, "[data-testid=claim-status]").await,
        "已报案"
    );
    assert!(
        text_of(&browser, "body").await.contains("快速通道"),
        "a leak into the home takes the fast channel"
    );
    screenshot(&browser, "owner-claim").await;
    let claim_url = browser.current_url().await.unwrap();
    sign_out(&browser).await;

    sign_in(&browser, &app, "pingan-qd").await;
    browser.goto(&app.url("/claims")).await.unwrap();
    assert!(
        text_of(&browser, "body").await.contains("次卧窗台下"),
        "the new claim is in the insurer's queue"
    );
    screenshot(&browser, "insurer-claims").await;
    browser.goto(claim_url.as_str()).await.unwrap();
    fill(
        &browser,
        "[data-testid=assign-form] input[name=surveyor]",
        "平安查勘 张工",
    )
    .await;
    submit(&browser, "[data-testid=assign-form] button", "assign").await;
    assert_eq!(
        text_of(&browser, "[data-testid=claim-status]").await,
        "查勘中"
    );
    assert!(
        text_of(&browser, "[data-testid=claim-timeline]")
            .await
            .contains("平安查勘 张工")
    );
    screenshot(&browser, "insurer-claim").await;
    fill(
        &browser,
        "[data-testid=survey-form] textarea",
        "现场查勘：次卧外窗框与墙体间打胶开裂，雨水沿缝渗入。",
    )
    .await;
    submit(&browser, "[data-testid=survey-form] button", "survey").await;
    fill(
        &browser,
        "[data-testid=decide-form] input[name=amount_yuan]",
        "3200.50",
    )
    .await;
    submit(&browser, "[data-testid=decide-form] button", "decide").await;
    assert_eq!(
        text_of(&browser, "[data-testid=claim-status]").await,
        "已核定"
    );
    // Repair in kind: a quote first, then the repair ordered on it.
    fill(
        &browser,
        "[data-testid=quote-form] input[name=contractor]",
        "青岛安居维修公司",
    )
    .await;
    fill(
        &browser,
        "[data-testid=quote-form] input[name=amount_yuan]",
        "3,180",
    )
    .await;
    fill(
        &browser,
        "[data-testid=quote-form] input[name=scope]",
        "次卧外窗框重新打胶，内墙腻子及乳胶漆修复。",
    )
    .await;
    submit(&browser, "[data-testid=quote-form] button", "quote").await;
    assert!(
        text_of(&browser, "[data-testid=quotes]")
            .await
            .contains("¥3,180.00")
    );
    submit(&browser, "[data-testid=repair-form] button", "repair").await;
    assert!(
        text_of(&browser, "[data-testid=quotes]")
            .await
            .contains("已派修")
    );
    submit(&browser, "[data-testid=repaired-form] button", "repaired").await;
    sign_out(&browser).await;

    sign_in(&browser, &app, "owner-demo").await;
    browser.goto(claim_url.as_str()).await.unwrap();
    assert_eq!(
        text_of(&browser, "[data-testid=claim-status]").await,
        "待业主确认"
    );
    submit(&browser, "[data-testid=sign-form] button", "sign").await;
    sign_out(&browser).await;

    sign_in(&browser, &app, "pingan-qd").await;
    browser.goto(claim_url.as_str()).await.unwrap();
    fill(
        &browser,
        "[data-testid=pay-form] input[name=amount_yuan]",
        "3200.50",
    )
    .await;
    // A double click or a flaky network sends the same payment twice, at the same moment.
    let statuses = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const form = document.querySelector('[data-testid=pay-form]');
             const send = () => fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)), redirect: 'manual' });
             Promise.all([send(), send()]).then(rs => done(rs.map(r => r.type)));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        statuses,
        serde_json::json!(["opaqueredirect", "opaqueredirect"])
    );
    browser.refresh().await.unwrap();
    assert_eq!(
        text_of(&browser, "[data-testid=claim-status]").await,
        "已赔付结案"
    );
    assert_eq!(text_of(&browser, "[data-testid=paid]").await, "¥3,200.50");
    let payments = app
        .count(&format!(
            "SELECT count(*) FROM claim_payments WHERE claim_id = '{}'",
            claim_url.path().trim_start_matches("/claims/")
        ))
        .await;
    assert_eq!(payments, 1, "the repeated request paid nothing more");
    let shares = text_of(&browser, "[data-testid=claim-shares]").await;
    assert!(
        shares.contains("¥1,920.30") && shares.contains("¥1,280.20"),
        "the payment splits 60/40 between the co-insurers: {shares}"
    );
    screenshot(&browser, "claim-paid").await;
    let pingan_claims = "FROM claims c JOIN organisations o ON o.id = c.lead_insurer_org_id WHERE o.code = 'pingan-qd'";
    let open = app
        .count(&format!(
            "SELECT count(*) {pingan_claims} AND c.status NOT IN ('paid', 'rejected')"
        ))
        .await;
    browser.goto(&app.url("/")).await.unwrap();
    assert_eq!(
        text_of(&browser, "[data-testid=claims-stats] .zb-stat-value").await,
        open.to_string(),
        "the insurer's home counts its open claims first"
    );
    screenshot(&browser, "insurer-home-claims").await;
    let disputed: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM claims WHERE status = 'disputed'")
            .fetch_one(&app.owner)
            .await
            .unwrap();
    browser
        .goto(&app.url(&format!("/claims/{disputed}")))
        .await
        .unwrap();
    assert_eq!(
        text_of(&browser, "[data-testid=claim-status]").await,
        "异议处理中"
    );
    assert!(
        text_of(&browser, "[data-testid=reject-reason]")
            .await
            .contains("非正常使用")
    );
    browser
        .find(Locator::Css("[data-testid=reopen-form]"))
        .await
        .expect("the lead insurer may survey a disputed claim again");
    screenshot(&browser, "claim-disputed").await;
    let pursued: uuid::Uuid = sqlx::query_scalar("SELECT claim_id FROM subrogation_cases LIMIT 1")
        .fetch_one(&app.owner)
        .await
        .unwrap();
    browser
        .goto(&app.url(&format!("/claims/{pursued}")))
        .await
        .unwrap();
    fill(
        &browser,
        "[data-testid=recovery-form] input[name=amount_yuan]",
        "1000",
    )
    .await;
    fill(
        &browser,
        "[data-testid=recovery-form] input[name=reference]",
        "ZH-2026-1128",
    )
    .await;
    submit(&browser, "[data-testid=recovery-form] button", "recovery").await;
    assert_eq!(
        text_of(&browser, "[data-testid=subrogation-status]").await,
        "已全额追回"
    );
    screenshot_at(
        &browser,
        "claim-subrogation",
        Some("[data-testid=subrogation]"),
    )
    .await;
    sign_out(&browser).await;

    sign_in(&browser, &app, "laoshan-zjj").await;
    let all = app.count(&format!("SELECT count(*) {pingan_claims}")).await;
    let record = text_of(&browser, "[data-testid=claims-record] tbody tr").await;
    assert!(
        record.starts_with(&format!("平安财险青岛分公司 {all} {open}")),
        "the bureau sees each insurer's claims record: {record}"
    );
    screenshot_at(
        &browser,
        "regulator-home-claims",
        Some("[data-testid=claims-record]"),
    )
    .await;
    sign_out(&browser).await;

    sign_in(&browser, &app, "sunac-dev").await;
    let open_on_its_projects = text_of(&browser, "[data-testid=developer-claims]").await;
    assert!(
        open_on_its_projects.contains("主卧顶棚") && !open_on_its_projects.contains("次卧窗台下"),
        "the developer sees open claims on its projects, not settled ones: {open_on_its_projects}"
    );
    screenshot_at(
        &browser,
        "developer-home-claims",
        Some("[data-testid=developer-claims]"),
    )
    .await;
    sign_out(&browser).await;

    // The site accident on 天一仁和沙子口: PICC, its lead insurer, pays the agreed settlement.
    sign_in(&browser, &app, "picc-qd").await;
    browser.goto(&app.url("/safety")).await.unwrap();
    click(&browser, "#incident-table a[href^='/incidents/']").await;
    browser
        .wait()
        .for_element(Locator::Css("[data-testid=victims]"))
        .await
        .unwrap();
    fill(
        &browser,
        "[data-testid=pay-form] input[name=reference]",
        "PICC-2026-1129-01",
    )
    .await;
    submit(&browser, "[data-testid=pay-form] button", "pay").await;
    assert_eq!(
        text_of(
            &browser,
            "[data-testid=victim-张某] [data-testid=settlement-status]"
        )
        .await,
        "已支付"
    );
    // Closing waits for every victim: 李某 is not settled yet.
    click(&browser, "[data-testid=close-form] button").await;
    browser
        .wait()
        .for_element(Locator::Css("[data-testid=conflict]"))
        .await
        .unwrap();
    assert!(
        text_of(&browser, "[data-testid=conflict]")
            .await
            .contains("伤亡人员")
    );
    fill(
        &browser,
        "[data-testid=victim-李某] input[name=medical_yuan]",
        "3200",
    )
    .await;
    submit(
        &browser,
        "[data-testid=victim-李某] [data-testid=settle-form] button",
        "settle",
    )
    .await;
    fill(
        &browser,
        "[data-testid=victim-李某] input[name=reference]",
        "PICC-2026-1129-02",
    )
    .await;
    submit(
        &browser,
        "[data-testid=victim-李某] [data-testid=pay-form] button",
        "pay",
    )
    .await;
    // The rescue costs left over from the demo (¥2,800 of ¥12,600 recorded) as their own line.
    fill(
        &browser,
        "[data-testid=cost-form] input[name=payee]",
        "沙子口街道应急救援队",
    )
    .await;
    fill(
        &browser,
        "[data-testid=cost-form] input[name=amount_yuan]",
        "2800",
    )
    .await;
    submit(&browser, "[data-testid=cost-form] button", "cost").await;
    fill(
        &browser,
        "[data-testid=cost-pay-form] input[name=reference]",
        "PICC-2026-1129-03",
    )
    .await;
    submit(&browser, "[data-testid=cost-pay-form] button", "pay").await;
    screenshot_at(&browser, "incident-costs", Some("[data-testid=costs]")).await;
    click(&browser, "[data-testid=close-form] button").await;
    for _ in 0..100 {
        if browser.current_url().await.unwrap().path() == "/safety" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        text_of(&browser, "#incident-table")
            .await
            .contains("已结案")
    );
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_property_manager_reports_a_common_area_leak_and_answers_the_insurer() {
    let Some(browser) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    // 天一仁和 records 绿城物业 as the property manager of its project.
    let project: String =
        sqlx::query_scalar("SELECT id::text FROM projects WHERE name = '天一仁和沙子口'")
            .fetch_one(&app.owner)
            .await
            .unwrap();
    sign_in(&browser, &app, "tianyi-dev").await;
    browser
        .goto(&app.url(&format!("/projects/{project}")))
        .await
        .unwrap();
    submit(&browser, "[data-testid=mandate-form] button", "mandate").await;
    assert!(
        text_of(&browser, "[data-testid=property-managers]")
            .await
            .contains("绿城物业")
    );
    screenshot_at(
        &browser,
        "project-property-managers",
        Some("[data-testid=property-managers]"),
    )
    .await;
    sign_out(&browser).await;
    sign_in(&browser, &app, "lvcheng-wy").await;
    assert!(
        text_of(&browser, "[data-testid=common-area-claims]")
            .await
            .contains("地下车库")
    );
    screenshot(&browser, "property-home").await;
    click(&browser, "a[href='/common-areas']").await;
    browser
        .wait()
        .for_element(Locator::Css("[data-testid=common-area-form]"))
        .await
        .unwrap();
    assert_eq!(
        browser
            .find_all(Locator::Css("[data-testid=managed-project]"))
            .await
            .unwrap()
            .len(),
        2,
        "融创东方悦府 and now 天一仁和沙子口"
    );
    fill(
        &browser,
        "[data-testid=common-area-form] input[name=location]",
        "1号楼电梯厅",
    )
    .await;
    fill(
        &browser,
        "[data-testid=common-area-form] textarea[name=description]",
        "1号楼一层电梯厅吊顶渗水，地面积水，已放置警示牌。",
    )
    .await;
    screenshot(&browser, "common-areas").await;
    submit(&browser, "[data-testid=common-area-form] button", "report").await;
    assert!(text_of(&browser, "h1").await.contains("LP-"));
    // The demo's garage seepage waits for the manager's answer.
    let waiting: String = sqlx::query_scalar(
        "SELECT id::text FROM claims WHERE manager_org_id IS NOT NULL AND status = 'more_info'",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    browser
        .goto(&app.url(&format!("/claims/{waiting}")))
        .await
        .unwrap();
    fill(
        &browser,
        "[data-testid=info-form] textarea",
        "已补充渗水点位平面图及近一周雨后照片。",
    )
    .await;
    submit(&browser, "[data-testid=info-form] button", "info").await;
    assert_eq!(
        text_of(&browser, "[data-testid=claim-status]").await,
        "已查勘"
    );
    screenshot(&browser, "common-area-claim").await;
    browser.close().await.unwrap();
}

#[tokio::test]
async fn the_bureau_reads_its_analytics_charts_and_drills_down_to_the_findings() {
    let Some(browser) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    sign_in(&browser, &app, "qingdao-zjj").await;
    click(&browser, "a[href='/analytics']").await;
    for chart in [
        "level-chart",
        "stage-chart",
        "claims-chart",
        "coverage-chart",
        "incident-chart",
    ] {
        browser
            .wait()
            .for_element(Locator::Css(&format!(
                "[data-testid={chart}][data-rendered=true] svg"
            )))
            .await
            .unwrap();
    }
    assert!(
        text_of(&browser, "[data-testid=insurer-league]")
            .await
            .contains("平安财险")
    );
    screenshot(&browser, "analytics").await;
    screenshot_at(
        &browser,
        "analytics-coverage-safety",
        Some("[data-testid=coverage-chart]"),
    )
    .await;
    // League tables: agencies first, then developers, each with its rates.
    assert!(
        text_of(&browser, "[data-testid=league]")
            .await
            .contains("和信安诚")
    );
    click(
        &browser,
        "[data-testid=league-tabs] a[href*='league=developer']",
    )
    .await;
    browser
        .wait()
        .for_element(Locator::Css(
            "[data-testid=league-tabs] a.active[href*='league=developer']",
        ))
        .await
        .unwrap();
    let league = text_of(&browser, "[data-testid=league]").await;
    assert!(league.contains("青岛融创东方置业有限公司"), "{league}");
    assert!(league.contains("青岛天一仁和置业有限公司"), "{league}");
    screenshot_at(&browser, "analytics-league", Some("#league")).await;
    click(&browser, "a[href^='/analytics/findings?level=D']").await;
    browser
        .wait()
        .for_element(Locator::Css("#drill-table"))
        .await
        .unwrap();
    assert!(
        text_of(&browser, "#drill-table")
            .await
            .contains("天一仁和沙子口")
    );
    screenshot(&browser, "analytics-findings").await;
    sign_out(&browser).await;

    // The lead insurer's book: loss ratio by policy year and the riskiest projects.
    sign_in(&browser, &app, "pingan-qd").await;
    click(&browser, "a[href='/book']").await;
    browser
        .wait()
        .for_element(Locator::Css("[data-testid=project-risk]"))
        .await
        .unwrap();
    assert!(
        text_of(&browser, "[data-testid=project-risk]")
            .await
            .contains("融创东方悦府")
    );
    screenshot(&browser, "insurer-book").await;
    assert!(
        text_of(&browser, "#agencies [data-testid=league]")
            .await
            .contains("和信安诚")
    );
    screenshot_at(&browser, "insurer-book-agencies", Some("#agencies")).await;
    browser.close().await.unwrap();
}

#[tokio::test]
async fn the_insurer_pages_through_a_long_claims_queue_and_downloads_a_claim_file() {
    let Some(browser) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    crate::pdf::copy_claims(&app, 80).await;
    sign_in(&browser, &app, "pingan-qd").await;
    click(&browser, "a[href='/claims']").await;
    browser
        .wait()
        .for_element(Locator::Css("[data-testid=pager]"))
        .await
        .unwrap();
    assert!(
        text_of(&browser, "[data-testid=pager]")
            .await
            .contains("第 1 页，共 2 页")
    );
    screenshot_at(&browser, "claims-queue-pager", Some("[data-testid=pager]")).await;
    click(&browser, "[data-testid=next-page]").await;
    browser
        .wait()
        .for_element(Locator::Css("a.page-link[rel=prev][href='?page=1']"))
        .await
        .unwrap();
    assert!(
        text_of(&browser, "[data-testid=pager]")
            .await
            .contains("第 2 页，共 2 页")
    );
    click(&browser, "#claim-table a[href^='/claims/']").await;
    let href = browser
        .find(Locator::Css("[data-testid=claim-pdf]"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(
        href.starts_with("/claims/") && href.ends_with("/pdf"),
        "{href}"
    );
    screenshot(&browser, "claim-detail-pdf-link").await;
    browser.close().await.unwrap();
}

#[tokio::test]
async fn the_bureau_pages_through_its_projects_and_lists_keeping_its_filter() {
    let Some(browser) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    sign_in(&browser, &app, "laoshan-zjj").await;
    let names = |browser: &Client| {
        let browser = browser.clone();
        async move {
            let mut names = Vec::new();
            for link in browser
                .find_all(Locator::Css("#project-table tbody a[href^='/projects/']"))
                .await
                .unwrap()
            {
                names.push(link.text().await.unwrap());
            }
            names
        }
    };
    browser
        .goto(&app.url("/projects?policy=insured&limit=1"))
        .await
        .unwrap();
    let first = names(&browser).await;
    assert_eq!(first.len(), 1);
    assert!(
        text_of(&browser, "[data-testid=pager]")
            .await
            .contains("本页 1 条")
    );
    let chosen = browser
        .find(Locator::Css("select[name=policy] option[value=insured]"))
        .await
        .unwrap()
        .prop("selected")
        .await
        .unwrap();
    assert_eq!(chosen.as_deref(), Some("true"), "the filter stays chosen");
    screenshot_at(&browser, "projects-list-pager", Some("[data-testid=pager]")).await;
    click(&browser, "[data-testid=next-page]").await;
    browser
        .wait()
        .for_element(Locator::Css("[data-testid=first-page]"))
        .await
        .unwrap();
    let second = names(&browser).await;
    assert_eq!(second.len(), 1, "the next page keeps the page size");
    assert_ne!(second, first, "the next page starts after the first");
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("policy=insured"),
        "and keeps the filter"
    );
    click(&browser, "[data-testid=first-page]").await;
    for _ in 0..100 {
        if !browser
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("after=")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(names(&browser).await, first, "back to the first page");

    browser.goto(&app.url("/orders")).await.unwrap();
    screenshot(&browser, "orders-list").await;
    browser.goto(&app.url("/inspections")).await.unwrap();
    screenshot(&browser, "inspections-list").await;
    browser.goto(&app.url("/orders?after=zz")).await.unwrap();
    assert!(
        text_of(&browser, "[data-testid=error-message]")
            .await
            .contains("翻页位置无效")
    );
    screenshot(&browser, "list-bad-cursor").await;
    browser.close().await.unwrap();
}
