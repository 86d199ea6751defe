//! What every page template receives: language, the signed-in principal, role-aware navigation,
//! asset URLs and display formats (Asia/Shanghai time, CNY).

use askama::Template;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;

use crate::domain::money;
use crate::domain::tenancy::{Dashboard, OrgKind, Principal};
use crate::http::error::AppError;
use crate::i18n::Lang;

pub struct NavItem {
    pub href: &'static str,
    pub label_key: &'static str,
    pub active: bool,
}

pub struct PageContext {
    pub lang: Lang,
    pub user: Option<Principal>,
    pub nav: Vec<NavItem>,
}

impl PageContext {
    pub fn anonymous(lang: Lang) -> Self {
        Self {
            lang,
            user: None,
            nav: Vec::new(),
        }
    }

    /// `section` is the href of the navigation entry to highlight.
    pub fn signed_in(lang: Lang, principal: &Principal, section: &str) -> Self {
        let mut entries: Vec<(&'static str, &'static str)> = vec![("/", "nav.home")];
        match principal.dashboard() {
            Dashboard::Regulator => entries.extend([
                ("/analytics", "nav.analytics"),
                ("/parcels", "nav.parcels"),
                ("/projects", "nav.projects"),
                ("/policies", "nav.policies"),
                ("/orders", "nav.orders"),
                ("/reports", "nav.reports"),
                ("/safety", "nav.safety"),
                ("/claims", "nav.claims"),
                ("/rule-packs", "nav.rule_packs"),
            ]),
            Dashboard::Insurer => entries.extend([
                ("/claims", "nav.claims"),
                ("/book", "nav.book"),
                ("/policies", "nav.policies"),
                ("/projects", "nav.projects"),
                ("/inspections", "nav.inspections"),
                ("/orders", "nav.orders"),
                ("/reports", "nav.reports"),
                ("/safety", "nav.safety"),
                ("/rule-packs", "nav.rule_packs"),
            ]),
            Dashboard::Developer => entries.extend([
                ("/projects", "nav.projects"),
                ("/orders", "nav.orders"),
                ("/claims", "nav.claims"),
                ("/reports", "nav.reports"),
                ("/safety", "nav.safety"),
                ("/policies", "nav.policies"),
                ("/parcels", "nav.parcels"),
            ]),
            Dashboard::RiskAgency => entries.extend([
                ("/projects", "nav.projects"),
                ("/inspections", "nav.inspections"),
                ("/orders", "nav.orders"),
                ("/reports", "nav.reports"),
                ("/safety", "nav.safety"),
                ("/checklists", "nav.checklists"),
                ("/policies", "nav.policies"),
            ]),
            Dashboard::PropertyManager => entries.extend([
                ("/common-areas", "nav.common_areas"),
                ("/claims", "nav.claims"),
                ("/projects", "nav.projects"),
            ]),
            Dashboard::Partner => entries.push(("/projects", "nav.projects")),
            Dashboard::Owner => entries.push(("/claims", "nav.claims")),
        }
        if principal.org.is_some() {
            entries.push(("/notifications", "nav.notifications"));
            entries.push(("/organisations", "nav.organisations"));
        }
        if principal.is_admin() {
            entries.push(("/settings/tokens", "nav.tokens"));
            entries.push(("/audit", "nav.audit"));
        }
        entries.push(("/account", "nav.account"));
        let nav = entries
            .into_iter()
            .map(|(href, label_key)| NavItem {
                href,
                label_key,
                active: href == section,
            })
            .collect();
        Self {
            lang,
            user: Some(principal.clone()),
            nav,
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn other_lang_code(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh-CN",
        }
    }

    pub fn asset(&self, name: &str) -> String {
        crate::http::assets::url(name)
    }

    pub fn org_name(&self) -> &str {
        self.user
            .as_ref()
            .and_then(|u| u.org.as_ref())
            .map_or("", |o| self.lang.pick(&o.name_zh, &o.name_en))
    }

    pub fn district_name(&self) -> &str {
        self.user
            .as_ref()
            .and_then(|u| u.org.as_ref())
            .map_or("", |o| {
                self.lang.pick(&o.district_name_zh, &o.district_name_en)
            })
    }

    /// The label of the signed-in user's organisation kind, or "owner".
    pub fn role_label(&self) -> &'static str {
        match self.user.as_ref().map(Principal::dashboard) {
            Some(Dashboard::Owner) => self.t("kind.owner"),
            Some(_) => self.kind_label(
                self.user
                    .as_ref()
                    .and_then(Principal::org_kind)
                    .map_or("", |k| k.as_str()),
            ),
            None => "",
        }
    }

    pub fn kind_label(&self, kind: &str) -> &'static str {
        match OrgKind::parse(kind) {
            Some(kind) => self.t(&format!("kind.{}", kind.as_str())),
            None => "",
        }
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(Principal::is_admin)
    }

    pub fn is_developer(&self) -> bool {
        self.user.as_ref().and_then(Principal::org_kind) == Some(OrgKind::Developer)
    }

    pub fn is_insurer(&self) -> bool {
        self.user.as_ref().and_then(Principal::org_kind) == Some(OrgKind::Insurer)
    }

    pub fn is_agency(&self) -> bool {
        self.user.as_ref().and_then(Principal::org_kind) == Some(OrgKind::RiskAgency)
    }

    pub fn is_regulator(&self) -> bool {
        self.user.as_ref().and_then(Principal::org_kind) == Some(OrgKind::Regulator)
    }

    pub fn role_name(&self) -> &'static str {
        self.user
            .as_ref()
            .map_or("", |u| self.t(&format!("role.{}", u.role.as_str())))
    }

    /// The localised name of an audited action, or its code when it has none.
    pub fn action_label<'a>(&self, action: &'a str) -> &'a str {
        let label = self.t(&format!("action.{action}"));
        if label.is_empty() { action } else { label }
    }

    /// The message for an error code: `error.<code>`, else the code as a key of its own (domain
    /// codes such as `policy.already_applied`), else a generic message.
    pub fn error_title(&self, code: &str) -> &'static str {
        [
            self.t(&format!("error.{code}")),
            self.t(code),
            self.t("error.generic"),
        ]
        .into_iter()
        .find(|m| !m.is_empty())
        .unwrap_or("")
    }

    /// The localised label of a coded value (`stage.permitted`, `policy.status.quoted` …), or
    /// the code itself when there is none.
    pub fn label<'a>(&self, prefix: &str, code: &'a str) -> &'a str {
        let label = self.t(&format!("{prefix}.{code}"));
        if label.is_empty() { code } else { label }
    }

    pub fn yuan(&self, fen: &i64) -> String {
        money::format_yuan(*fen)
    }

    pub fn opt_yuan(&self, fen: &Option<i64>) -> String {
        fen.map_or_else(|| "—".to_owned(), money::format_yuan)
    }

    /// Large amounts for dashboards (万元 / 亿元).
    pub fn wan(&self, fen: &i64) -> String {
        money::format_wan(*fen, self.lang == Lang::Zh)
    }

    /// Basis points as a percentage: 150 → 1.50%.
    pub fn bp<T: Into<i64> + Copy>(&self, bp: &T) -> String {
        let bp: i64 = (*bp).into();
        format!("{}.{:02}%", bp / 100, bp % 100)
    }

    pub fn pct(&self, value: &Option<f64>) -> String {
        value.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}%"))
    }

    /// A rate with one decimal, or a dash when there is nothing to divide by.
    pub fn rate(&self, value: &Option<f64>) -> String {
        value.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))
    }

    /// Square metres in units of 10,000 m² (万㎡).
    pub fn wan_m2(&self, m2: &f64) -> String {
        format!("{:.1}", m2 / 10_000.0)
    }

    pub fn opt_date(&self, date: &Option<NaiveDate>) -> String {
        date.map_or_else(|| "—".to_owned(), |d| d.to_string())
    }

    pub fn time(&self, at: &DateTime<Utc>) -> String {
        at.with_timezone(&Shanghai)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    pub fn opt_time(&self, at: &Option<DateTime<Utc>>) -> String {
        at.as_ref()
            .map_or_else(|| "—".to_owned(), |at| self.time(at))
    }
}

/// Renders a page with the given status (the page again after a refused form: 409, 422).
pub fn render_status(
    page: &impl Template,
    status: axum::http::StatusCode,
) -> Result<Response, AppError> {
    let mut response = render(page)?;
    *response.status_mut() = status;
    Ok(response)
}

/// Renders a page with the right content type; a template error is an internal error.
pub fn render(page: &impl Template) -> Result<Response, AppError> {
    let html = page
        .render()
        .map_err(|err| AppError::Internal(err.into()))?;
    Ok(([(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}
