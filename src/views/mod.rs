//! What every page template receives: language, the signed-in principal, role-aware navigation,
//! asset URLs and display formats (Asia/Shanghai time, CNY).

use askama::Template;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;

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
        if principal.org.is_some() {
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

    pub fn error_title(&self, code: &str) -> &'static str {
        let title = self.t(&format!("error.{code}"));
        if title.is_empty() {
            self.t("error.generic")
        } else {
            title
        }
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

/// Renders a page with the right content type; a template error is an internal error.
pub fn render(page: &impl Template) -> Result<Response, AppError> {
    let html = page
        .render()
        .map_err(|err| AppError::Internal(err.into()))?;
    Ok(([(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}
