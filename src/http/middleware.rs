//! Cross-cutting request handling: CSRF origin checks and the rendering of error responses.

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, HOST, LOCATION, ORIGIN, RETRY_AFTER};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::{AppError, ErrorInfo};
use super::extract::{lang_of, request_id_of};
use crate::i18n::Lang;
use crate::views::PageContext;

/// Refuses state-changing requests that a browser sent from another site (ASVS 4.2.2, the Go
/// `CrossOriginProtection` design): `Sec-Fetch-Site` must be same-origin or none; without it the
/// `Origin` must match the `Host`; with neither, the request is refused. Bearer-token API calls
/// carry no ambient credentials and are exempt.
pub async fn csrf(request: Request, next: Next) -> Response {
    if is_safe(request.method())
        || request
            .headers()
            .contains_key(axum::http::header::AUTHORIZATION)
    {
        return next.run(request).await;
    }
    let headers = request.headers();
    let allowed = match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin" || site == "none",
        None => match (
            headers.get(ORIGIN).and_then(|v| v.to_str().ok()),
            headers.get(HOST),
        ) {
            (Some(origin), Some(host)) => origin_matches_host(origin, host),
            _ => false,
        },
    };
    if allowed {
        next.run(request).await
    } else {
        tracing::warn!(path = %request.uri().path(), "cross-site request refused");
        AppError::CrossSite.into_response()
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn origin_matches_host(origin: &str, host: &HeaderValue) -> bool {
    let Ok(host) = host.to_str() else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        == Some(host)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: PageContext,
    status: u16,
    code: &'a str,
    /// What was wrong with the request's parameters (locale keys), e.g. a list's page cursor.
    messages: Vec<&'static str>,
    request_id: String,
}

/// Gives every error response a body: the localised HTML page (with correlation id) for pages,
/// a problem document for the API, a redirect to the login form for anonymous page visits.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let lang = lang_of(request.headers());
    let request_id = request_id_of(request.headers());
    let path = request.uri().path().to_owned();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let is_api = path.starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return response;
    }
    let info = response.extensions().get::<ErrorInfo>().cloned();
    if info.is_none() && has_body_type(&response) {
        return response;
    }
    let info = info.unwrap_or_else(|| ErrorInfo {
        code: code_for(status),
        fields: Vec::new(),
        retry_after_secs: None,
    });
    if status == StatusCode::UNAUTHORIZED && !is_api {
        let next = percent_encoding::utf8_percent_encode(
            &path_and_query,
            percent_encoding::NON_ALPHANUMERIC,
        );
        return (
            StatusCode::SEE_OTHER,
            [(LOCATION, format!("/login?next={next}"))],
        )
            .into_response();
    }
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), request_id = %request_id, "request failed");
    }
    let mut rendered = if is_api {
        problem(status, &info, lang, &request_id)
    } else {
        html_error(status, &info, lang, request_id)
    };
    if let Some(secs) = info.retry_after_secs {
        rendered
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs.max(1)));
    }
    rendered
}

fn has_body_type(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.contains("json"))
}

fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "timeout",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "validation",
        429 => "too_many_requests",
        503 => "unavailable",
        _ if status.is_server_error() => "internal",
        _ => "bad_request",
    }
}

fn problem(status: StatusCode, info: &ErrorInfo, lang: Lang, request_id: &str) -> Response {
    let errors: Vec<_> = info
        .fields
        .iter()
        .map(|(line, f)| {
            let mut error = serde_json::json!({ "field": f.field, "code": f.message, "message": lang.t(f.message) });
            if *line > 0 {
                error["line"] = (*line).into();
            }
            error
        })
        .collect();
    let body = serde_json::json!({
        "type": "about:blank",
        "status": status.as_u16(),
        "code": info.code,
        "title": PageContext::anonymous(lang).error_title(info.code),
        "request_id": request_id,
        "errors": errors,
    });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

fn html_error(status: StatusCode, info: &ErrorInfo, lang: Lang, request_id: String) -> Response {
    let page = ErrorPage {
        ctx: PageContext::anonymous(lang),
        status: status.as_u16(),
        code: info.code,
        messages: info.fields.iter().map(|(_, f)| f.message).collect(),
        request_id,
    };
    match page.render() {
        Ok(html) => {
            let mut response = (status, html).into_response();
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        }
        Err(_) => (status, Body::empty()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_must_be_exactly_this_host() {
        let host = HeaderValue::from_static("127.0.0.1:8080");
        assert!(origin_matches_host("http://127.0.0.1:8080", &host));
        assert!(origin_matches_host("https://127.0.0.1:8080", &host));
        assert!(!origin_matches_host("http://evil.example", &host));
        assert!(!origin_matches_host(
            "http://127.0.0.1:8080.evil.example",
            &host
        ));
        assert!(!origin_matches_host("null", &host));
    }
}
