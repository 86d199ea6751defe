//! Long lists a page at a time: walking every page shows each visible row exactly once, in the
//! list's order, whatever the page size; a cursor that is not ours is refused in Chinese.

use reqwest::Client;
use serde_json::Value;

use crate::harness::{PASSWORD, TestApp, table_rows};

/// Every page of an API list from the first, following `next`.
async fn walk(client: &Client, app: &TestApp, path: &str, limit: usize) -> Vec<Value> {
    let mut rows = Vec::new();
    let join = if path.contains('?') { '&' } else { '?' };
    let mut url = app.url(&format!("{path}{join}limit={limit}"));
    loop {
        let page: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(
            items.len() <= limit,
            "{path}: a page holds at most its limit"
        );
        rows.extend(items.iter().cloned());
        match page["next"].as_str() {
            Some(next) => {
                assert_eq!(items.len(), limit, "{path}: only the last page is short");
                url = app.url(&format!("{path}{join}limit={limit}&after={next}"));
            }
            None => return rows,
        }
    }
}

fn ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The organisation of a generated kind with the most orders, and one of its users.
async fn busiest(app: &TestApp, kind: &str, column: &str) -> (String, String) {
    sqlx::query_as(&format!(
        "SELECT u.username, o.id::text FROM organisations o JOIN users u ON u.org_id = o.id \
         WHERE o.kind = $1 AND o.code LIKE 'gen-%' \
         ORDER BY (SELECT count(*) FROM rectification_orders r WHERE r.{column} = o.id) DESC, u.username LIMIT 1"
    ))
    .bind(kind)
    .fetch_one(&app.owner)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_page_of_a_list_shows_each_visible_row_once_in_order() {
    let app = TestApp::spawn().await;
    let hash = zhianbao::security::hash_blocking(PASSWORD);
    zhianbao::generate::generate(
        &app.owner,
        zhianbao::generate::Scale::parse("sample").unwrap(),
        3,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        &hash,
    )
    .await
    .unwrap();

    for (kind, column) in [
        ("developer", "developer_org_id"),
        ("risk_agency", "agency_org_id"),
    ] {
        let (user, org) = busiest(&app, kind, column).await;
        let client = app.login(&user).await;

        // Orders: open before closed, then by deadline and number; all of the party's, once.
        let orders = walk(&client, &app, "/api/v1/orders", 3).await;
        let own = app
            .count(&format!(
                "SELECT count(*) FROM rectification_orders WHERE {column} = '{org}'"
            ))
            .await;
        assert!(own > 6, "{user} has orders over several pages");
        assert_eq!(orders.len() as i64, own, "{user}: every order once");
        let mut unique = ids(&orders);
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), orders.len(), "{user}: no order twice");
        let keys: Vec<(bool, String, String)> = orders
            .iter()
            .map(|o| {
                (
                    o["status"] == "closed",
                    o["deadline"].as_str().unwrap().to_owned(),
                    o["number"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert!(keys.is_sorted(), "{user}: orders in the list's order");
        assert_eq!(
            ids(&walk(&client, &app, "/api/v1/orders", 500).await),
            ids(&orders),
            "{user}: the same list whatever the page size"
        );

        // Inspections: newest first; all of the party's, once.
        let inspections = walk(&client, &app, "/api/v1/inspections", 2).await;
        let own = app
            .count(&format!(
                "SELECT count(*) FROM inspections WHERE {column} = '{org}'"
            ))
            .await;
        assert!(own > 2, "{user} has inspections over several pages");
        assert_eq!(
            inspections.len() as i64,
            own,
            "{user}: every inspection once"
        );
        let dates: Vec<&str> = inspections
            .iter()
            .map(|i| i["inspected_on"].as_str().unwrap())
            .collect();
        assert!(dates.is_sorted_by(|a, b| a >= b), "{user}: newest first");
        assert_eq!(
            ids(&walk(&client, &app, "/api/v1/inspections", 500).await),
            ids(&inspections)
        );
    }

    // Projects, filtered in the query: pages of two cover the filtered list exactly.
    let bureau = app.login("laoshan-zjj").await;
    let all = walk(&bureau, &app, "/api/v1/projects", 2).await;
    assert_eq!(
        ids(&walk(&bureau, &app, "/api/v1/projects", 500).await),
        ids(&all)
    );
    let insured = walk(&bureau, &app, "/api/v1/projects?policy=insured", 1).await;
    let uninsured = walk(&bureau, &app, "/api/v1/projects?policy=uninsured", 1).await;
    assert!(
        insured.len() > 1,
        "insured projects over two pages: {} of {}",
        insured.len(),
        all.len()
    );
    assert!(insured.iter().all(|p| matches!(
        p["policy_status"].as_str(),
        Some("issued" | "in_force" | "expired")
    )));
    assert_eq!(insured.len() + uninsured.len(), all.len());
    let stage = all[0]["stage"].as_str().unwrap();
    let staged = walk(&bureau, &app, &format!("/api/v1/projects?stage={stage}"), 2).await;
    assert_eq!(
        staged.len(),
        all.iter().filter(|p| p["stage"] == stage).count()
    );

    // The page itself links on to the next page, which starts where this one ended.
    let page = app.text(&bureau, "/projects?policy=insured&limit=1").await;
    assert!(
        page.contains("data-testid=\"pager\""),
        "a pager under a long list"
    );
    assert!(page.contains("本页 1 条"));
    let next = page
        .split("rel=\"next\" ")
        .next()
        .and_then(|head| head.rsplit("href=\"").next())
        .map(|href| href.trim_end().trim_end_matches('"').replace("&#38;", "&"))
        .unwrap();
    assert!(
        next.starts_with("/projects?stage=&policy=insured&limit=1&after="),
        "the next page keeps the filter and the page size: {next}"
    );
    let second = app.text(&bureau, &next).await;
    let name = |p: &Value| p["name"].as_str().unwrap().to_owned();
    assert!(second.contains(&name(&insured[1])));
    assert!(!second.contains(&format!(">{}<", name(&insured[0]))));

    // A contractor's and a property manager's projects come off their own column and mandates:
    // exactly those the read rule lets them see; orders and inspections they see none of.
    for (user, own) in [
        (
            "qdjg-build",
            "SELECT count(*) FROM projects p JOIN organisations o ON o.id = p.contractor_org_id \
             WHERE o.code = 'qdjg-build'",
        ),
        (
            "lvcheng-wy",
            "SELECT count(*) FROM property_mandates m JOIN organisations o ON o.id = m.manager_org_id \
             WHERE o.code = 'lvcheng-wy'",
        ),
    ] {
        let client = app.login(user).await;
        let projects = walk(&client, &app, "/api/v1/projects", 1).await;
        assert!(!projects.is_empty(), "{user} sees its projects");
        assert_eq!(projects.len() as i64, app.count(own).await, "{user}");
        for list in ["/api/v1/orders", "/api/v1/inspections"] {
            assert!(
                walk(&client, &app, list, 10).await.is_empty(),
                "{user} {list}"
            );
        }
    }

    // A developer's projects come off its own column: all it develops, newest first, a page at a
    // time.
    let developer = app.login("sunac-dev").await;
    let developed: Vec<String> = sqlx::query_scalar(
        "SELECT p.id::text FROM projects p JOIN organisations o ON o.id = p.developer_org_id \
         WHERE o.code = 'sunac-dev' ORDER BY p.created_at DESC, p.id DESC",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    assert!(developed.len() > 1);
    assert_eq!(
        ids(&walk(&developer, &app, "/api/v1/projects", 1).await),
        developed
    );

    // A cursor, a limit or a filter that is not ours is refused, with the reason in Chinese, not
    // ignored.
    for bad in [
        "/api/v1/orders?after=zz",
        "/api/v1/inspections?limit=0",
        "/api/v1/projects?stage=bogus",
        "/api/v1/projects?policy=maybe",
    ] {
        let response = bureau.get(app.url(bad)).send().await.unwrap();
        assert_eq!(response.status(), 422, "{bad}");
    }
    for (bad, message) in [
        ("/orders?after=7b7d", "翻页位置无效"),
        ("/projects?limit=501", "每页条数须在 1 到 500 之间"),
        ("/projects?policy=maybe", "保单筛选条件无效"),
    ] {
        let response = bureau.get(app.url(bad)).send().await.unwrap();
        assert_eq!(response.status(), 422, "{bad}");
        assert!(response.text().await.unwrap().contains(message), "{bad}");
    }
}

/// Each project a home's table lists, with the status its policy badge shows ("none" without one).
fn home_projects(html: &str) -> Vec<(String, String)> {
    table_rows(html, "project-table")
        .into_iter()
        .filter_map(|row| {
            let id = row.split("href=\"/projects/").nth(1)?.split('"').next()?;
            let status = row.split("zb-status-").nth(1)?.split('"').next()?;
            Some((id.to_owned(), status.to_owned()))
        })
        .collect()
}

#[tokio::test]
async fn homes_show_each_projects_current_policy_as_the_projects_list_does() {
    let app = TestApp::spawn().await;
    // One project whose only policy has ended: its latest policy is shown, not "none".
    let ended: String = sqlx::query_scalar(
        "UPDATE policies SET status = 'expired' WHERE id = (SELECT po.id FROM policies po \
           JOIN organisations o ON o.id = po.developer_org_id \
           WHERE o.code = 'sunac-dev' AND po.status = 'in_force' ORDER BY po.created_at LIMIT 1) \
         RETURNING project_id::text",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    for username in ["sunac-dev", "tianyi-dev", "hexin-tis"] {
        let client = app.login(username).await;
        let shown = home_projects(&app.text(&client, "/").await);
        assert!(!shown.is_empty(), "{username}");
        let listed = walk(&client, &app, "/api/v1/projects", 500).await;
        for (id, status) in &shown {
            let project = listed
                .iter()
                .find(|p| p["id"] == id.as_str())
                .unwrap_or_else(|| panic!("{username}: {id} is not in its projects list"));
            let expected = project["policy_status"].as_str().unwrap_or("none");
            assert_eq!(status, expected, "{username}: {id}");
        }
        if username == "sunac-dev" {
            assert!(
                shown.contains(&(ended.clone(), "expired".to_owned())),
                "{shown:?}"
            );
        }
    }
}

/// The claims queue's API reads a page at a time too, in the queue's order, each claim once; its
/// cursor is a position in the queue, and one that is not ours is refused.
#[tokio::test]
async fn the_claims_queue_pages_through_each_claim_once_in_the_queues_order() {
    let app = TestApp::spawn().await;
    for username in ["pingan-qd", "owner-demo", "laoshan-zjj"] {
        let client = app.login(username).await;
        let whole = walk(&client, &app, "/api/v1/claims", 500).await;
        assert!(whole.len() >= 7, "{username} sees the demo's claims");
        for limit in [1, 3] {
            assert_eq!(
                ids(&walk(&client, &app, "/api/v1/claims", limit).await),
                ids(&whole),
                "{username}, {limit} a page"
            );
        }
        // The page reads its claims as table lines, the API reads them whole: the same claims,
        // in the same order.
        let html = app.text(&client, "/claims").await;
        let table = html.split("id=\"claim-table\"").nth(1).unwrap_or_default();
        let shown: Vec<&str> = table
            .split("href=\"/claims/")
            .skip(1)
            .filter_map(|link| link.split('"').next())
            .collect();
        let first: Vec<&str> = whole
            .iter()
            .take(50)
            .filter_map(|claim| claim["id"].as_str())
            .collect();
        assert_eq!(
            shown, first,
            "{username}: the page and the API list the same claims"
        );
    }
    let insurer = app.login("pingan-qd").await;
    for bad in [
        "/api/v1/claims?after=zz",
        "/api/v1/claims?limit=0",
        "/api/v1/claims?limit=501",
    ] {
        let response = insurer.get(app.url(bad)).send().await.unwrap();
        assert_eq!(response.status(), 422, "{bad}");
    }
}
