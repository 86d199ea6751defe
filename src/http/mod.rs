//! HTTP: the router (every route is declared in `build_router`, which the authorization matrix
//! test reads), the middleware stack, and handlers by resource.

pub mod account;
pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod error;
pub mod extract;
pub mod health;
pub mod home;
pub mod middleware;
pub mod organisations;
pub mod tokens;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, Request, StatusCode};
use axum::routing::{get, post};
use sqlx::PgPool;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Settings;
use crate::security::PasswordHashing;

/// Largest request body accepted (forms and JSON; photo uploads will get their own limit).
pub const BODY_LIMIT: usize = 256 * 1024;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
                   frame-ancestors 'none'; form-action 'self'";

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub hashing: PasswordHashing,
}

impl AppState {
    pub fn new(pool: PgPool, settings: Settings) -> Self {
        Self {
            pool,
            settings: Arc::new(settings),
            hashing: PasswordHashing::default(),
        }
    }

    /// `__Host-` binds the cookie to this exact origin, but browsers accept it only over HTTPS.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.settings.cookie_secure {
            "__Host-zb_sid"
        } else {
            "zb_sid"
        }
    }
}

pub fn build_router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/static/{*path}", get(assets::serve))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/lang", post(auth::switch_language))
        .route("/", get(home::dashboard))
        .route("/account", get(account::show))
        .route("/account/password", post(account::change_password))
        .route(
            "/account/sessions/end-others",
            post(account::end_other_sessions),
        )
        .route("/organisations", get(organisations::directory))
        .route("/settings/tokens", get(tokens::index).post(tokens::create))
        .route("/settings/tokens/{id}/revoke", post(tokens::revoke))
        .route("/audit", get(audit::index))
        .route("/api/openapi.json", get(api::openapi_json))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/organisations", get(api::organisations))
        .route(
            "/api/v1/tokens",
            get(api::list_tokens).post(api::create_token),
        )
        .route("/api/v1/tokens/{id}/revoke", post(api::revoke_token))
        .route("/api/v1/audit-events", get(api::audit_events))
        .fallback(|| async { error::AppError::NotFound });

    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    // Router::layer wraps what came before, so the list runs from the innermost layer to the
    // outermost: the request id is set first and the CSRF check runs last, next to the handlers.
    routes
        .layer(axum::middleware::from_fn(middleware::csrf))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn(middleware::render_errors))
        .layer(header(CACHE_CONTROL, "no-store"))
        .layer(header(REFERRER_POLICY, "no-referrer"))
        .layer(header(X_FRAME_OPTIONS, "DENY"))
        .layer(header(X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(CONTENT_SECURITY_POLICY, CSP))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let request_id = extract::request_id_of(request.headers());
            tracing::info_span!("request", %request_id, method = %request.method(), path = %request.uri().path())
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
