//! Multipart forms with photo evidence: text fields plus up to five photos, each at most 10 MiB,
//! typed from their bytes. A wrong type answers 415, an oversized file 413, and nothing is kept.

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};

use super::error::AppError;
use crate::domain::photos::{self, PhotoProblem, PhotoType};

/// Upload routes accept larger bodies than forms (see `build_router`).
pub const UPLOAD_BODY_LIMIT: usize = 5 * photos::MAX_BYTES + 1024 * 1024;
pub const MAX_PHOTOS: usize = 5;

pub struct Photo {
    pub kind: PhotoType,
    pub bytes: Vec<u8>,
    pub sha256: Vec<u8>,
    /// The name the browser gave, kept only as metadata.
    pub original_name: String,
}

pub struct Upload {
    pub fields: HashMap<String, String>,
    pub photos: Vec<Photo>,
}

impl Upload {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|_| AppError::UnsupportedMediaType)?;
        let mut upload = Upload {
            fields: HashMap::new(),
            photos: Vec::new(),
        };
        while let Some(field) = multipart.next_field().await.map_err(|err| {
            if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::field("form", "error.malformed_form")
            }
        })? {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
            match file_name {
                Some(file_name) if name == "photos" => {
                    if bytes.is_empty() {
                        continue;
                    }
                    if upload.photos.len() == MAX_PHOTOS {
                        return Err(AppError::field("photos", "photos.too_many"));
                    }
                    let kind = photos::sniff(&bytes).map_err(|problem| match problem {
                        PhotoProblem::TooLarge => AppError::PayloadTooLarge,
                        PhotoProblem::Empty | PhotoProblem::NotAPhoto => {
                            AppError::UnsupportedMediaType
                        }
                    })?;
                    upload.photos.push(Photo {
                        kind,
                        sha256: crate::security::sha256_bytes(&bytes),
                        bytes: bytes.to_vec(),
                        original_name: file_name
                            .chars()
                            .filter(|c| !c.is_control())
                            .take(200)
                            .collect(),
                    });
                }
                _ => {
                    if bytes.len() > 10_000 {
                        return Err(AppError::field("form", "form.too_long"));
                    }
                    let text = String::from_utf8(bytes.to_vec())
                        .map_err(|_| AppError::field("form", "error.malformed_form"))?;
                    upload.fields.insert(name, text);
                }
            }
        }
        Ok(upload)
    }
}
