//! Test harness: a fresh PostgreSQL database per test (migrated and seeded with the demo world),
//! the real server on a random loopback port, and cookie-keeping HTTP clients.

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ORIGIN};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgPool};
use zhianbao::config::Settings;
use zhianbao::{AppState, build_router, db, demo};

pub const PASSWORD: &str = demo::DEMO_PASSWORD;

pub fn server_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The body rows of the page's table with this id (each row's HTML after its `<tr`, so a row with
/// attributes, such as an overdue one, counts too).
pub fn table_rows<'a>(html: &'a str, id: &str) -> Vec<&'a str> {
    let table = html
        .split(&format!("id=\"{id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no table {id}"));
    let table = table.split("</table>").next().unwrap_or_default();
    table.split("<tr").skip(2).collect()
}

pub struct TestApp {
    pub base: String,
    /// The application's own pool (role zhianbao_app, subject to row-level security).
    pub pool: PgPool,
    /// The owner pool, for arranging fixtures and inspecting results behind the app's back.
    pub owner: PgPool,
    pub database_url: String,
    db_name: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let db_name = format!("zb_test_{}", uuid::Uuid::new_v4().simple());
        let server: PgConnectOptions = server_url().parse().expect("DATABASE_URL");
        let mut admin = server
            .clone()
            .database("postgres")
            .connect()
            .await
            .expect("connect to PostgreSQL");
        db::roles::ensure_app_role(&mut admin, None)
            .await
            .expect("application role");
        sqlx::raw_sql(&format!("CREATE DATABASE {db_name}"))
            .execute(&mut admin)
            .await
            .expect("create database");
        admin.close().await.ok();
        let database_url = server.clone().database(&db_name).to_url_lossy().to_string();

        let mut settings = Settings::from_env(database_url.clone());
        settings.max_connections = 5;
        // Tests read figures right after changing rows; the one about sharing turns it back on.
        settings.analytics_cache = std::time::Duration::ZERO;
        adjust(&mut settings);
        db::prepare_schema(&settings).await.expect("migrations");
        let owner = db::owner_pool(&database_url).await.expect("owner pool");
        demo::seed(&owner).await.expect("demo data");
        let pool = db::app_pool(&settings).await.expect("app pool");
        let base = serve(AppState::new(pool.clone(), settings)).await;
        TestApp {
            base,
            pool,
            owner,
            database_url,
            db_name,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, sends a same-origin `Origin`, does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        let mut headers = HeaderMap::new();
        headers.insert(ORIGIN, HeaderValue::from_str(&self.base).unwrap());
        headers.insert(
            "accept-language",
            HeaderValue::from_static("zh-CN,zh;q=0.9"),
        );
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap()
    }

    pub async fn login(&self, username: &str) -> reqwest::Client {
        self.login_with(username, PASSWORD).await
    }

    pub async fn login_with(&self, username: &str, password: &str) -> reqwest::Client {
        let client = self.client();
        let response = client
            .post(self.url("/login"))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "login as {username} should succeed");
        client
    }

    /// Creates a staff user in an organisation (as the operator would, with the CLI).
    pub async fn create_user(&self, org: Option<&str>, username: &str, role: &str) {
        let hash = zhianbao::security::hash_blocking(PASSWORD);
        zhianbao::storage::organisations::upsert_user(
            &mut self.owner.acquire().await.unwrap(),
            org,
            username,
            username,
            role,
            &hash,
        )
        .await
        .unwrap();
    }

    /// A page's body as `client` sees it.
    pub async fn text(&self, client: &reqwest::Client, path: &str) -> String {
        self.get(client, path).await.text().await.unwrap()
    }

    /// An API response's JSON body as `client` sees it.
    pub async fn json(&self, client: &reqwest::Client, path: &str) -> serde_json::Value {
        self.get(client, path).await.json().await.unwrap()
    }

    async fn get(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.owner)
            .await
            .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The test's runtime is going away; drop the database from a runtime of our own.
        let name = self.db_name.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let server: PgConnectOptions = server_url().parse().unwrap();
                if let Ok(mut admin) = server.database("postgres").connect().await {
                    let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                }
            });
        })
        .join();
    }
}

/// Serves the router on a random loopback port and returns its base URL.
pub async fn serve(state: AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            build_router(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

pub async fn wait(duration: Duration) {
    tokio::time::sleep(duration).await;
}
