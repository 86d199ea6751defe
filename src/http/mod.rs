//! HTTP: the router (every route is declared in `build_router`, which the authorization matrix
//! test reads), the middleware stack, and handlers by resource.

pub mod account;
pub mod analytics;
pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod book;
pub mod checklists;
pub mod claim_payments;
pub mod claim_queue;
pub mod claims;
pub mod error;
pub mod export;
pub mod extract;
pub mod forms;
pub mod health;
pub mod home;
pub mod inspections;
pub mod middleware;
pub mod notifications;
pub mod orders;
pub mod organisations;
pub mod pager;
pub mod parcels;
pub mod pdf;
pub mod policies;
pub mod projects;
pub mod property;
pub mod reports;
pub mod rules;
pub mod safety;
pub mod safety_claims;
pub mod subrogation;
pub mod tokens;
pub mod units;
pub mod uploads;

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

/// Largest form or JSON body; photo uploads have their own, larger limit (`upload_limit`).
pub const BODY_LIMIT: usize = 256 * 1024;

fn upload_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(uploads::UPLOAD_BODY_LIMIT)
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
                   frame-ancestors 'none'; form-action 'self'";

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub hashing: PasswordHashing,
    pub figures: Option<analytics::FiguresCache>,
}

impl AppState {
    pub fn new(pool: PgPool, settings: Settings) -> Self {
        Self {
            pool,
            figures: analytics::figures_cache(settings.analytics_cache),
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
        .route("/parcels", get(parcels::index).post(parcels::create))
        .route("/parcels/import", post(parcels::import_form))
        .route("/projects", get(projects::index).post(projects::create))
        .route("/projects/new", get(projects::new_form))
        .route("/projects/{id}", get(projects::show))
        .route("/projects/{id}/buildings", post(projects::building_form))
        .route("/projects/{id}/apply", post(projects::apply_form))
        .route("/projects/{id}/events", post(projects::event_form))
        .route("/projects/{id}/permit-gate", post(projects::gate_form))
        .route("/policies", get(policies::index))
        .route("/policies/{id}", get(policies::show))
        .route("/policies/{id}/quote", post(policies::quote_form))
        .route("/policies/{id}/accept", post(policies::accept_form))
        .route("/policies/{id}/payment", post(policies::payment_form))
        .route("/policies/{id}/issue", post(policies::issue_form))
        .route("/policies/{id}/activate", post(policies::activate_form))
        .route("/policies/{id}/agency", post(policies::agency_form))
        .route("/policies/{id}/endorsements", post(policies::endorse_form))
        .route("/policies/{id}/cancel", post(policies::cancel_form))
        .route("/rule-packs", get(rules::index).post(rules::create))
        .route("/projects/{id}/inspections", post(inspections::open_form))
        .route("/inspections", get(inspections::index))
        .route("/inspections/{id}", get(inspections::show))
        .route(
            "/inspections/{id}/findings",
            post(inspections::finding_form).layer(upload_limit()),
        )
        .route("/inspections/{id}/submit", post(inspections::submit_form))
        .route("/inspections/{id}/checks", post(checklists::answer_form))
        .route(
            "/checklists",
            get(checklists::index).post(checklists::add_form),
        )
        .route(
            "/visits/{id}/reschedule",
            post(inspections::reschedule_form),
        )
        .route("/checklists/{id}/retire", post(checklists::retire))
        .route("/photos/{id}", get(inspections::photo))
        .route("/orders", get(orders::index))
        .route("/orders/{id}", get(orders::show))
        .route(
            "/orders/{id}/respond",
            post(orders::respond_form).layer(upload_limit()),
        )
        .route("/orders/{id}/recheck", post(orders::recheck_form))
        .route("/projects/{id}/reports", post(reports::issue_form))
        .route("/reports", get(reports::index))
        .route("/reports/{id}", get(reports::show))
        .route("/reports/{id}/pdf", get(pdf::report))
        .route("/reports/{id}/review", post(reports::review_form))
        .route("/projects/{id}/safety-services", post(safety::service_form))
        .route("/projects/{id}/incidents", post(safety::incident_form))
        .route("/safety", get(safety::index))
        .route("/incidents/{id}", get(safety_claims::show))
        .route("/incidents/{id}/close", post(safety::close_form))
        .route("/victims/{id}/settlement", post(safety_claims::settle_form))
        .route("/victims/{id}/payment", post(safety_claims::pay_form))
        .route("/incidents/{id}/costs", post(safety_claims::cost_form))
        .route(
            "/incident-costs/{id}/payment",
            post(safety_claims::cost_payment_form),
        )
        .route("/units/claim", post(units::bind_form))
        .route("/units/{id}", get(units::unit_show))
        .route("/units/{id}/handover", post(units::handover_form))
        .route(
            "/units/{id}/claims",
            post(claims::report_form).layer(upload_limit()),
        )
        .route("/projects/{id}/units", post(units::add_unit_form))
        .route(
            "/projects/{id}/property-managers",
            post(property::appoint_form),
        )
        .route(
            "/projects/{id}/common-area-claims",
            post(property::report_form).layer(upload_limit()),
        )
        .route("/common-areas", get(property::index))
        .route("/analytics", get(analytics::index))
        .route("/analytics/monthly.pdf", get(pdf::monthly))
        .route("/book", get(book::index))
        .route("/analytics/findings", get(analytics::findings))
        .route("/claims", get(claims::index))
        .route("/claims/{id}", get(claims::show))
        .route("/claims/{id}/pdf", get(pdf::claim_file))
        .route("/claims/{id}/payments", post(claim_payments::pay_form))
        .route("/claims/{id}/quotes", post(claims::quote_form))
        .route("/claims/{id}/subrogation", post(subrogation::open_form))
        .route("/claims/{id}/{action}", post(claims::action_form))
        .route(
            "/subrogation/{id}/recoveries",
            post(subrogation::recovery_form),
        )
        .route("/subrogation/{id}/abandon", post(subrogation::abandon_form))
        .route("/notifications", get(notifications::index))
        .route("/notifications/read", post(notifications::mark_read))
        .route("/api/openapi.json", get(api::openapi_json))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/organisations", get(api::organisations))
        .route(
            "/api/v1/tokens",
            get(api::list_tokens).post(api::create_token),
        )
        .route("/api/v1/tokens/{id}/revoke", post(api::revoke_token))
        .route("/api/v1/audit-events", get(api::audit_events))
        .route("/api/v1/coverage", get(api::coverage))
        .route(
            "/api/v1/parcels",
            get(parcels::api_list).post(parcels::api_create),
        )
        .route("/api/v1/parcels/import", post(parcels::api_import))
        .route(
            "/api/v1/projects",
            get(projects::api_list).post(projects::api_create),
        )
        .route("/api/v1/projects/{id}", get(projects::api_show))
        .route(
            "/api/v1/projects/{id}/buildings",
            post(projects::api_add_building),
        )
        .route("/api/v1/projects/{id}/apply", post(projects::api_apply))
        .route("/api/v1/projects/{id}/events", post(projects::api_event))
        .route(
            "/api/v1/projects/{id}/permit-gate",
            post(projects::api_gate),
        )
        .route("/api/v1/policies", get(policies::api_list))
        .route("/api/v1/policies/{id}", get(policies::api_show))
        .route("/api/v1/policies/{id}/quote", post(policies::api_quote))
        .route("/api/v1/policies/{id}/accept", post(policies::api_accept))
        .route("/api/v1/policies/{id}/payment", post(policies::api_payment))
        .route("/api/v1/policies/{id}/issue", post(policies::api_issue))
        .route(
            "/api/v1/policies/{id}/activate",
            post(policies::api_activate),
        )
        .route("/api/v1/policies/{id}/agency", post(policies::api_agency))
        .route(
            "/api/v1/policies/{id}/endorsements",
            post(policies::api_endorse),
        )
        .route("/api/v1/policies/{id}/cancel", post(policies::api_cancel))
        .route(
            "/api/v1/rule-packs",
            get(rules::api_list).post(rules::api_create),
        )
        .route(
            "/api/v1/projects/{id}/inspections",
            post(inspections::api_open),
        )
        .route("/api/v1/inspections", get(inspections::api_list))
        .route("/api/v1/inspections/{id}", get(inspections::api_show))
        .route(
            "/api/v1/inspections/{id}/findings",
            post(inspections::api_add_finding).layer(upload_limit()),
        )
        .route(
            "/api/v1/inspections/{id}/submit",
            post(inspections::api_submit),
        )
        .route(
            "/api/v1/inspections/{id}/checks",
            post(checklists::api_answer),
        )
        .route(
            "/api/v1/checklists",
            get(checklists::api_list).post(checklists::api_add),
        )
        .route(
            "/api/v1/visits/{id}/reschedule",
            post(inspections::api_reschedule),
        )
        .route("/api/v1/photos/{id}", get(inspections::api_photo))
        .route("/api/v1/orders", get(orders::api_list))
        .route("/api/v1/orders/{id}", get(orders::api_show))
        .route(
            "/api/v1/orders/{id}/respond",
            post(orders::api_respond).layer(upload_limit()),
        )
        .route("/api/v1/orders/{id}/recheck", post(orders::api_recheck))
        .route("/api/v1/notifications", get(notifications::api_list))
        .route("/api/v1/units", get(units::api_units))
        .route("/api/v1/units/claim", post(units::api_bind))
        .route("/api/v1/units/{id}", get(units::api_unit))
        .route("/api/v1/units/{id}/handover", post(units::api_handover))
        .route(
            "/api/v1/units/{id}/claims",
            post(claims::api_report).layer(upload_limit()),
        )
        .route("/api/v1/projects/{id}/units", post(units::api_add_unit))
        .route(
            "/api/v1/projects/{id}/property-managers",
            post(property::api_appoint),
        )
        .route(
            "/api/v1/projects/{id}/common-area-claims",
            post(property::api_report).layer(upload_limit()),
        )
        .route("/api/v1/common-areas", get(property::api_index))
        .route("/api/v1/analytics", get(analytics::api_index))
        .route("/api/v1/book", get(book::api_index))
        .route("/api/v1/claims", get(claims::api_list))
        .route("/api/v1/claims/{id}", get(claims::api_show))
        .route(
            "/api/v1/claims/{id}/payments",
            post(claim_payments::api_pay),
        )
        .route("/api/v1/claims/{id}/quotes", post(claims::api_quote))
        .route(
            "/api/v1/claims/{id}/subrogation",
            post(subrogation::api_open),
        )
        .route("/api/v1/claims/{id}/{action}", post(claims::api_action))
        .route(
            "/api/v1/subrogation/{id}/recoveries",
            post(subrogation::api_recover),
        )
        .route(
            "/api/v1/subrogation/{id}/abandon",
            post(subrogation::api_abandon),
        )
        .route("/api/v1/safety", get(safety::api_overview))
        .route(
            "/api/v1/projects/{id}/safety-services",
            post(safety::api_log_service),
        )
        .route(
            "/api/v1/projects/{id}/incidents",
            post(safety::api_report_incident),
        )
        .route("/api/v1/incidents/{id}", get(safety_claims::api_show))
        .route("/api/v1/incidents/{id}/close", post(safety::api_close))
        .route(
            "/api/v1/victims/{id}/settlement",
            post(safety_claims::api_settle),
        )
        .route("/api/v1/victims/{id}/payment", post(safety_claims::api_pay))
        .route(
            "/api/v1/incidents/{id}/costs",
            post(safety_claims::api_cost),
        )
        .route(
            "/api/v1/incident-costs/{id}/payment",
            post(safety_claims::api_cost_payment),
        )
        .route("/api/v1/projects/{id}/reports", post(reports::api_issue))
        .route("/api/v1/reports", get(reports::api_list))
        .route("/api/v1/reports/{id}", get(reports::api_show))
        .route("/api/v1/reports/{id}/review", post(reports::api_review))
        .fallback(|| async { error::AppError::NotFound });

    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    // Router::layer wraps what came before, so the list runs from the innermost layer to the
    // outermost: the request id is set first and the CSRF check runs last, next to the handlers.
    routes
        .layer(axum::middleware::from_fn(middleware::csrf))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(uploads::UPLOAD_BODY_LIMIT))
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
