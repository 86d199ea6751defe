//! Sign-in, sessions, throttling and password changes.

use std::time::Duration;

use reqwest::header::{LOCATION, SET_COOKIE};

use crate::harness::{PASSWORD, TestApp, wait};

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("zb_sid="))
        .map(str::to_owned)
}

async fn post_login(
    app: &TestApp,
    client: &reqwest::Client,
    username: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(app.url("/login"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn login_sets_a_hardened_cookie_and_lands_on_the_organisations_dashboard() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let response = post_login(&app, &client, "sunac-dev", PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()[LOCATION], "/");
    let cookie = session_cookie(&response).expect("session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Domain"));
    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    assert_eq!(home.headers()["cache-control"], "no-store");
    let html = home.text().await.unwrap();
    assert!(
        html.contains("青岛融创东方置业有限公司"),
        "developer's own name on its dashboard"
    );
    assert!(html.contains("建设单位"));
    assert!(!html.contains("天一仁和"), "nothing of another developer");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let wrong = post_login(&app, &client, "picc-qd", "not the password").await;
    let unknown = post_login(&app, &client, "nobody-here", "not the password").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let wrong = wrong.text().await.unwrap().replace("picc-qd", "USER");
    let unknown = unknown.text().await.unwrap().replace("nobody-here", "USER");
    assert_eq!(wrong, unknown);
    assert!(wrong.contains("用户名或密码错误"));
    // The password plus one character is a different password.
    let longer = post_login(&app, &client, "picc-qd", &format!("{PASSWORD}x")).await;
    assert_eq!(longer.status(), 401);
}

#[tokio::test]
async fn a_new_session_id_at_every_login_and_the_old_one_dies() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let first = session_cookie(&post_login(&app, &client, "picc-qd", PASSWORD).await).unwrap();
    // Logging in again (even as someone else) in the same browser replaces the session.
    let second = session_cookie(&post_login(&app, &client, "pingan-qd", PASSWORD).await).unwrap();
    assert_ne!(first, second);
    let first_value = first.split(';').next().unwrap().to_owned();
    let replay = app
        .client()
        .get(app.url("/"))
        .header("cookie", first_value)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 303, "the old session must be gone");
    assert_eq!(app.count("SELECT count(*) FROM sessions").await, 1);
}

#[tokio::test]
async fn logout_deletes_the_session_and_a_replayed_cookie_is_refused() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let cookie = session_cookie(&post_login(&app, &client, "laoshan-zjj", PASSWORD).await).unwrap();
    let value = cookie.split(';').next().unwrap().to_owned();
    let out = client.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(app.count("SELECT count(*) FROM sessions").await, 0);
    let replay = app
        .client()
        .get(app.url("/"))
        .header("cookie", value)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 303);
    assert!(
        replay.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = TestApp::spawn_with(|s| s.session_idle = Duration::from_secs(2)).await;
    let client = app.login("picc-qd").await;
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), 200);
    wait(Duration::from_millis(2300)).await;
    assert_eq!(
        client.get(app.url("/")).send().await.unwrap().status(),
        303,
        "idle session must die"
    );
}

#[tokio::test]
async fn a_busy_session_still_ends_at_its_absolute_limit() {
    let app = TestApp::spawn_with(|s| s.session_absolute = Duration::from_secs(3)).await;
    let client = app.login("picc-qd").await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            client
                .get(app.url("/"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
        wait(Duration::from_millis(800)).await;
    }
    assert_eq!(statuses[0], 200);
    assert_eq!(
        statuses[4], 303,
        "requests every 0.8 s cannot extend past 3 s: {statuses:?}"
    );
}

#[tokio::test]
async fn repeated_failures_lock_one_account_temporarily_without_locking_out_others() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for attempt in 0..5 {
        let response = post_login(&app, &client, "picc-qd", "wrong password!").await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    let locked = post_login(&app, &client, "picc-qd", PASSWORD).await;
    assert_eq!(
        locked.status(),
        429,
        "even the right password waits out the lockout"
    );
    assert!(locked.headers().contains_key("retry-after"));
    assert!(locked.text().await.unwrap().contains("登录失败次数过多"));
    // Another account from the same address still signs in.
    let other = post_login(&app, &app.client(), "pingan-qd", PASSWORD).await;
    assert_eq!(other.status(), 303);
    // The counter lives in PostgreSQL, so a restarted server still knows.
    assert_eq!(
        app.count("SELECT failures::bigint FROM login_throttle WHERE key = 'account:picc-qd'")
            .await,
        5
    );
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_signs_out_other_sessions() {
    let app = TestApp::spawn().await;
    let laptop = app.login("tianyi-dev").await;
    let phone = app.login("tianyi-dev").await;
    let change = |current: &str, new: &str| {
        let form = [
            ("current_password", current.to_owned()),
            ("new_password", new.to_owned()),
            ("confirm_password", new.to_owned()),
        ];
        laptop.post(app.url("/account/password")).form(&form).send()
    };
    let short = change(PASSWORD, "elevenchars").await.unwrap();
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains("至少需要 12 个字符"));
    let common = change(PASSWORD, "Password123456").await.unwrap();
    assert_eq!(common.status(), 422);
    let wrong_current = change("not my password", "崂山区天一仁和新密码2026")
        .await
        .unwrap();
    assert_eq!(wrong_current.status(), 422);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'account.password_changed'")
            .await,
        0
    );

    let ok = change(PASSWORD, "崂山区天一仁和新密码2026").await.unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(
        laptop.get(app.url("/")).send().await.unwrap().status(),
        200,
        "this browser continues"
    );
    assert_eq!(
        phone.get(app.url("/")).send().await.unwrap().status(),
        303,
        "other sessions end"
    );
    let old = post_login(&app, &app.client(), "tianyi-dev", PASSWORD).await;
    assert_eq!(old.status(), 401);
    app.login_with("tianyi-dev", "崂山区天一仁和新密码2026")
        .await;
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'account.password_changed'")
            .await,
        1
    );
}

#[tokio::test]
async fn weak_stored_hashes_are_upgraded_at_login() {
    let app = TestApp::spawn().await;
    let weak = argon2::PasswordHasher::hash_password(
        &argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(4096, 1, 1, None).unwrap(),
        ),
        PASSWORD.as_bytes(),
    )
    .unwrap()
    .to_string();
    sqlx::query("UPDATE users SET password_hash = $1 WHERE username = 'hexin-tis'")
        .bind(&weak)
        .execute(&app.owner)
        .await
        .unwrap();
    app.login("hexin-tis").await;
    let stored: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'hexin-tis'")
            .fetch_one(&app.owner)
            .await
            .unwrap();
    assert!(stored.contains("m=19456,t=2,p=1"), "{stored}");
}
