//! One error type for every handler. A handler returns `AppError`; the response carries only a
//! status and an `ErrorInfo` extension, and `middleware::render_errors` turns that into a
//! localised HTML page or an RFC 9457 problem document with the request's correlation id.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    /// Locale key of the message.
    pub message: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("cross-site request refused")]
    CrossSite,
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// Validation failures of an import, by line number.
    #[error("import failed")]
    LineErrors(Vec<(usize, Vec<FieldError>)>),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: i64 },
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// What the renderer needs to know about an error response.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// Machine-readable code, also the locale key suffix (`error.<code>`).
    pub code: &'static str,
    /// Field errors with the import line they belong to (0 when not an import).
    pub fields: Vec<(usize, FieldError)>,
    pub retry_after_secs: Option<i64>,
}

impl AppError {
    pub fn field(field: &'static str, message: &'static str) -> Self {
        AppError::Validation(vec![FieldError { field, message }])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::CrossSite => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Validation(_) | AppError::LineErrors(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::CrossSite => "cross_site",
            AppError::NotFound => "not_found",
            AppError::Conflict(code) => code,
            AppError::Validation(_) | AppError::LineErrors(_) => "validation",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            // The database is down or saturated: tell the client to come back, never hang.
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                AppError::Unavailable
            }
            sqlx::Error::Database(db) => match db.code().as_deref() {
                // admin_shutdown, cannot_connect_now, query_canceled (statement_timeout)
                Some("57P01" | "57P03" | "57014") => AppError::Unavailable,
                // insufficient_privilege, including a row-level security WITH CHECK refusal: the
                // caller reached for a row that is not theirs. Logged as a security event.
                Some("42501") => {
                    tracing::warn!(refusal = %db.message(), "database refused the statement");
                    AppError::NotFound
                }
                _ => AppError::Internal(err.into()),
            },
            _ => AppError::Internal(err.into()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Internal(err) = &self {
            tracing::error!(error = ?err, "internal error");
        }
        let info = ErrorInfo {
            code: self.code(),
            retry_after_secs: match &self {
                AppError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
                AppError::Unavailable => Some(1),
                _ => None,
            },
            fields: match self {
                AppError::Validation(fields) => fields.into_iter().map(|f| (0, f)).collect(),
                AppError::LineErrors(lines) => lines
                    .into_iter()
                    .flat_map(|(line, fields)| fields.into_iter().map(move |f| (line, f)))
                    .collect(),
                _ => Vec::new(),
            },
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(info);
        response
    }
}
