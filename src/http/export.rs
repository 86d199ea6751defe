//! Lists as Excel workbooks: a sheet per list, Chinese headers in bold, columns sized to their text.

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::error::{AppError, AppResult};
use crate::views::PageContext;

/// `?format=xlsx` on a list page downloads the list instead.
#[derive(Debug, Default, serde::Deserialize)]
pub struct FormatQuery {
    pub format: Option<String>,
}

impl FormatQuery {
    pub fn is_xlsx(&self) -> bool {
        self.format.as_deref() == Some("xlsx")
    }
}

pub enum Cell {
    Text(String),
    Number(f64),
}

impl Cell {
    /// An amount in fen as yuan, a number Excel can sum.
    pub fn yuan(fen: i64) -> Cell {
        Cell::Number(fen as f64 / 100.0)
    }
}

pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// A sheet named and headed in the reader's language (locale keys).
    pub fn localized(ctx: &PageContext, name_key: &str, header_keys: &[&str]) -> Sheet {
        Sheet {
            name: ctx.t(name_key).to_owned(),
            headers: header_keys.iter().map(|k| ctx.t(k).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    fn write(&self, workbook: &mut Workbook) -> Result<(), XlsxError> {
        let sheet = workbook.add_worksheet();
        sheet.set_name(&self.name)?;
        let bold = Format::new().set_bold();
        for (col, header) in (0u16..).zip(&self.headers) {
            sheet.write_string_with_format(0, col, header, &bold)?;
        }
        for (row, cells) in (1u32..).zip(&self.rows) {
            for (col, cell) in (0u16..).zip(cells) {
                match cell {
                    Cell::Text(text) => sheet.write_string(row, col, text)?,
                    Cell::Number(n) => sheet.write_number(row, col, *n)?,
                };
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofit();
        Ok(())
    }

    /// The sheet alone as a download named `filename` (ASCII).
    pub fn download(self, filename: &str) -> AppResult<Response> {
        download(&[self], filename)
    }
}

/// Sheets as one workbook, downloaded as `filename` (ASCII).
pub fn download(sheets: &[Sheet], filename: &str) -> AppResult<Response> {
    let mut workbook = Workbook::new();
    let bytes = sheets
        .iter()
        .try_for_each(|sheet| sheet.write(&mut workbook))
        .and_then(|()| workbook.save_to_buffer())
        .map_err(|err| AppError::Internal(anyhow::anyhow!("xlsx: {err}")))?;
    Ok((
        [
            (
                CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
