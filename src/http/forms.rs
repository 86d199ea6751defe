//! Parsing what people type: every field is checked, every problem collected, so a form answers
//! with all its errors at once and nothing is written.

use std::future::Future;

use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use uuid::Uuid;

use super::error::{AppError, AppResult, FieldError};
use crate::domain::money::parse_yuan;

/// Ids in paths: anything that is not a UUID names nothing, so 404.
pub fn parse_id(raw: &str) -> AppResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

pub fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, location.to_owned())]).into_response()
}

/// Answers a page form like a person expects: on success, redirect (post/redirect/get); on bad
/// input (422) or a refused transition (409), the page again with the problem shown.
pub async fn after_form<A, R>(
    action: A,
    success: String,
    rerender: impl FnOnce(AppError) -> R,
) -> AppResult<Response>
where
    A: Future<Output = AppResult<()>>,
    R: Future<Output = AppResult<Response>>,
{
    match action.await {
        Ok(()) => Ok(see_other(&success)),
        Err(err @ (AppError::Validation(_) | AppError::Conflict(_))) => rerender(err).await,
        Err(other) => Err(other),
    }
}

/// `?done=…` on the page a successful form redirects to, naming the notice to show.
#[derive(serde::Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

/// What a page shows about a failed form: its status, the field errors, the conflict message.
pub type Failure = (StatusCode, Vec<(usize, FieldError)>, Option<&'static str>);

pub fn failure_parts(failure: Option<AppError>) -> AppResult<Failure> {
    match failure {
        None => Ok((StatusCode::OK, Vec::new(), None)),
        Some(AppError::Validation(fields)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            fields.into_iter().map(|f| (0, f)).collect(),
            None,
        )),
        Some(AppError::Conflict(code)) => Ok((StatusCode::CONFLICT, Vec::new(), Some(code))),
        Some(other) => Err(other),
    }
}

#[derive(Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn fail(&mut self, field: &'static str, message: &'static str) {
        self.errors.push(FieldError { field, message });
    }

    /// Trimmed text of `min..=max` characters.
    pub fn text(&mut self, field: &'static str, value: &str, min: usize, max: usize) -> String {
        let value = value.trim();
        let chars = value.chars().count();
        if chars < min {
            self.fail(field, "form.required");
        } else if chars > max {
            self.fail(field, "form.too_long");
        }
        value.chars().take(max).collect()
    }

    pub fn date(&mut self, field: &'static str, value: &str) -> NaiveDate {
        match NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
            Ok(date) if (1990..=2100).contains(&chrono::Datelike::year(&date)) => date,
            _ => {
                self.fail(field, "form.bad_date");
                NaiveDate::MIN
            }
        }
    }

    /// A positive amount in yuan, returned in fen.
    pub fn yuan(&mut self, field: &'static str, value: &str) -> i64 {
        match parse_yuan(value) {
            Some(fen) if fen > 0 => fen,
            _ => {
                self.fail(field, "form.bad_amount");
                0
            }
        }
    }

    /// An amount in yuan that may be left empty or zero, returned in fen.
    pub fn optional_yuan(&mut self, field: &'static str, value: &str) -> i64 {
        if value.trim().is_empty() || value.trim() == "0" {
            0
        } else {
            self.yuan(field, value)
        }
    }

    /// A positive area in m² with up to two decimals, returned in hundredths.
    pub fn area(&mut self, field: &'static str, value: &str) -> i64 {
        match parse_yuan(value) {
            Some(centi) if centi > 0 && centi < 100_000_000_000 => centi,
            _ => {
                self.fail(field, "form.bad_area");
                0
            }
        }
    }

    /// A whole number in `min..=max`.
    pub fn integer(&mut self, field: &'static str, value: &str, min: i64, max: i64) -> i64 {
        match value.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => n,
            _ => {
                self.fail(field, "form.bad_number");
                0
            }
        }
    }

    /// A percentage with up to two decimals (`60`, `33.33`), returned in basis points.
    pub fn percent(&mut self, field: &'static str, value: &str) -> i64 {
        match parse_yuan(value) {
            Some(bp) if bp > 0 && bp <= 10_000 => bp,
            _ => {
                self.fail(field, "form.bad_percent");
                0
            }
        }
    }

    pub fn check(&mut self, ok: bool, field: &'static str, message: &'static str) {
        if !ok {
            self.fail(field, message);
        }
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut form = Checker::default();
        form.text("name", "   ", 1, 10);
        form.text("note", &"长".repeat(11), 0, 10);
        form.date("day", "2026-02-30");
        form.yuan("amount", "-5");
        form.percent("share", "100.01");
        form.integer("units", "12x", 0, 10);
        let Err(AppError::Validation(errors)) = form.finish() else {
            panic!("should fail")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "note", "day", "amount", "share", "units"]);
    }

    #[test]
    fn good_input_parses_exactly() {
        let mut form = Checker::default();
        assert_eq!(form.yuan("a", "80,000,000.50"), 8_000_000_050);
        assert_eq!(form.percent("p", "33.33"), 3333);
        assert_eq!(form.area("m", "12500.5"), 1_250_050);
        assert_eq!(
            form.date("d", "2026-11-29"),
            NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
        );
        assert_eq!(form.text("t", "  崂山  ", 1, 10), "崂山");
        assert!(form.finish().is_ok());
    }
}
