//! Runtime settings, read once from the environment (and CLI flags) at start.

use std::time::Duration;

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/zhianbao";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Clone)]
pub struct Settings {
    /// Connection used to create the database and run migrations (owns the tables).
    pub database_url: String,
    /// Password for the application's own role, `zhianbao_app` (ignored under trust auth).
    pub app_db_password: String,
    /// `Secure` on the session cookie; on for any deployment behind HTTPS.
    pub cookie_secure: bool,
    /// Idle and absolute session lifetimes (ASVS 3.3.2: 30 min, 12 h).
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Pool size and how long a request may wait for a connection before answering 503.
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// How long a bureau's analytics figures are shared between its readers (zero: not at all).
    pub analytics_cache: Duration,
}

impl std::fmt::Debug for Settings {
    // Never print credentials that may sit in the database URL.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("cookie_secure", &self.cookie_secure)
            .field("session_idle", &self.session_idle)
            .field("session_absolute", &self.session_absolute)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

impl Settings {
    pub fn from_env(database_url: String) -> Self {
        let secs = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .map_or(Duration::from_secs(default), Duration::from_secs)
        };
        Self {
            database_url,
            app_db_password: std::env::var("ZHIANBAO_APP_DB_PASSWORD")
                .unwrap_or_else(|_| "zhianbao-app-local".to_owned()),
            cookie_secure: std::env::var("ZHIANBAO_COOKIE_SECURE")
                .is_ok_and(|v| v == "true" || v == "1"),
            session_idle: secs("ZHIANBAO_SESSION_IDLE_SECS", 30 * 60),
            session_absolute: secs("ZHIANBAO_SESSION_ABSOLUTE_SECS", 12 * 3600),
            max_connections: std::env::var("ZHIANBAO_DB_MAX_CONNECTIONS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(16),
            acquire_timeout: Duration::from_secs(2),
            analytics_cache: Duration::from_millis(
                std::env::var("ZHIANBAO_ANALYTICS_CACHE_MS")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1000),
            ),
        }
    }
}
