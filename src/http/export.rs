//! Lists as Excel workbooks: one sheet, Chinese headers in bold, columns sized to their text.

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

use super::error::{AppError, AppResult};

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

pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    fn workbook(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut workbook = Workbook::new();
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
        workbook.save_to_buffer()
    }

    /// The workbook as a download named `filename` (ASCII).
    pub fn download(&self, filename: &str) -> AppResult<Response> {
        let bytes = self
            .workbook()
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
}
