//! Request extractors: the signed-in principal, language, request id, client address, and form
//! and JSON bodies that reject in our own error format.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use serde::de::DeserializeOwned;
use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres, Transaction};

use super::AppState;
use super::error::AppError;
use crate::db;
use crate::domain::tenancy::Principal;
use crate::i18n::Lang;
use crate::security::sha256;
use crate::storage::sessions;

pub const LANG_COOKIE: &str = "zb_lang";

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::from_code)
        .or_else(|| {
            headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(lang_of(&parts.headers))
    }
}

/// The correlation id set by the request-id layer (shown on error pages, stored in the audit trail).
pub struct RequestId(pub String);

pub fn request_id_of(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().filter(char::is_ascii_graphic).take(64).collect())
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestId(request_id_of(&parts.headers)))
    }
}

/// The peer address of the TCP connection. Forwarded-for headers are not trusted: a client could
/// forge them to escape the per-address login limit.
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(
                || "unknown".to_owned(),
                |ConnectInfo(addr)| addr.ip().to_string(),
            );
        Ok(ClientAddr(addr))
    }
}

/// The signed-in principal, from the session cookie (pages) or a bearer token (`/api` only).
#[derive(Clone)]
pub struct CurrentUser {
    pub principal: Principal,
    /// SHA-256 of the browser session's cookie; None for API tokens.
    pub session_hash: Option<Vec<u8>>,
    /// The connection the principal was read on, kept for the request's first transaction so a
    /// page takes one connection from the pool, not two. Only GET and HEAD keep it: a request with
    /// a body may stream an upload for seconds, and must not hold a connection idle meanwhile.
    connection: Arc<Mutex<Option<PoolConnection<Postgres>>>>,
}

impl std::ops::Deref for CurrentUser {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

/// What a request signs in with: an API token (bearer) or a browser session (the cookie's hash).
enum Credential<'a> {
    Token(&'a str),
    Session(Vec<u8>),
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(found) = parts.extensions.get::<CurrentUser>() {
            return Ok(found.clone());
        }
        // The credential is read before a connection is taken: a request without one costs the
        // pool nothing.
        let credential = match parts.headers.get(AUTHORIZATION) {
            Some(auth) => Credential::Token(
                auth.to_str()
                    .ok()
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .filter(|_| parts.uri.path().starts_with("/api/"))
                    .ok_or(AppError::Unauthenticated)?,
            ),
            None => Credential::Session(sha256(
                cookie(&parts.headers, state.session_cookie_name())
                    .ok_or(AppError::Unauthenticated)?,
            )),
        };
        let mut conn = state.pool.acquire().await?;
        let (principal, session_hash) = match credential {
            Credential::Token(token) => (
                sessions::token_principal(&mut *conn, &sha256(token.trim())).await?,
                None,
            ),
            Credential::Session(hash) => {
                let idle = i32::try_from(state.settings.session_idle.as_secs()).unwrap_or(i32::MAX);
                (
                    sessions::principal(&mut *conn, &hash, idle).await?,
                    Some(hash),
                )
            }
        };
        let principal = principal.ok_or(AppError::Unauthenticated)?;
        let keep = matches!(parts.method, Method::GET | Method::HEAD).then_some(conn);
        let found = CurrentUser {
            principal,
            session_hash,
            connection: Arc::new(Mutex::new(keep)),
        };
        parts.extensions.insert(found.clone());
        Ok(found)
    }
}

impl CurrentUser {
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// A transaction in this principal's tenant context: on the connection the principal was
    /// read on if this request kept it and no transaction has used it yet, else on a new one.
    pub async fn begin(
        &self,
        pool: &PgPool,
    ) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        let kept = self
            .connection
            .lock()
            .map_or(None, |mut connection| connection.take());
        match kept {
            Some(conn) => db::tenant::begin_on(conn, &self.principal).await,
            None => db::tenant::begin(pool, &self.principal).await,
        }
    }
}

/// An `application/x-www-form-urlencoded` body: wrong type → 415, fields that do not parse
/// (including unknown fields, which DTOs deny) → 422.
pub struct AppForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AppForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(AppError::UnsupportedMediaType);
        }
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|axum::Form(value)| AppForm(value))
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::field("form", "error.malformed_form")
                }
            })
    }
}

/// A JSON body: wrong type → 415, malformed or unknown fields → 422.
pub struct AppJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AppJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(AppJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::UnsupportedMediaType),
            Err(rejection) if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::PayloadTooLarge)
            }
            Err(_) => Err(AppError::field("body", "error.malformed_json")),
        }
    }
}
