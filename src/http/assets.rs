//! Static files, compiled into the binary (so the server runs from any directory) and served with
//! a content hash in the URL: a changed file gets a new URL, so browsers may cache forever.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::{Path, RawQuery};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::error::AppError;

struct Asset {
    bytes: &'static [u8],
    content_type: &'static str,
    version: String,
}

macro_rules! assets {
    ($($name:literal => $mime:literal),* $(,)?) => {
        &[$(($name, $mime, include_bytes!(concat!("../../static/", $name)) as &[u8])),*]
    };
}

const FILES: &[(&str, &str, &[u8])] = assets! {
    "vendor/tabler.min.css" => "text/css; charset=utf-8",
    "vendor/htmx.min.js" => "text/javascript; charset=utf-8",
    "vendor/echarts.min.js" => "text/javascript; charset=utf-8",
    "app.css" => "text/css; charset=utf-8",
    "app.js" => "text/javascript; charset=utf-8",
    "charts.js" => "text/javascript; charset=utf-8",
    "print.css" => "text/css; charset=utf-8",
    "favicon.svg" => "image/svg+xml",
};

static ASSETS: LazyLock<HashMap<&'static str, Asset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, content_type, bytes)| {
            let version = hex::encode(&crate::security::sha256_bytes(bytes)[..6]);
            (
                *name,
                Asset {
                    bytes,
                    content_type,
                    version,
                },
            )
        })
        .collect()
});

/// The cache-busting URL of a static file, for templates.
pub fn url(name: &str) -> String {
    match ASSETS.get(name) {
        Some(asset) => format!("/static/{name}?v={}", asset.version),
        None => format!("/static/{name}"),
    }
}

pub async fn serve(
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let asset = ASSETS.get(path.as_str()).ok_or(AppError::NotFound)?;
    let versioned = query.is_some_and(|q| q == format!("v={}", asset.version));
    let cache = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Ok((
        [(CONTENT_TYPE, asset.content_type), (CACHE_CONTROL, cache)],
        asset.bytes,
    )
        .into_response())
}
