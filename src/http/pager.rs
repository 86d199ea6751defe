//! Long lists are read a page at a time in their own order (keyset): `?after=` carries the last
//! row's sort key, so a deep page costs what the first does, and rows added meanwhile are neither
//! skipped nor shown twice. The API answers `{"items": [...], "next": "<cursor>"}` and takes `limit`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::{AppError, AppResult};

/// Rows on a page of a list.
pub const PAGE_ROWS: i64 = 100;
/// Most rows an API caller may ask for at once.
const MAX_LIMIT: i64 = 500;
/// Rows in an Excel download, from the page shown onwards.
const EXPORT_ROWS: i64 = 1000;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PageQuery {
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Rows per page (1–500, default 100).
    pub limit: Option<i64>,
    /// "xlsx": download the list from this page on.
    pub format: Option<String>,
}

impl PageQuery {
    /// What this page reads; a cursor or a limit that is not ours is refused, not ignored.
    pub fn window<K: DeserializeOwned>(&self) -> AppResult<Window<K>> {
        Ok(Window {
            after: self.after()?,
            size: self.rows()?,
        })
    }

    /// The sort key to start after.
    fn after<K: DeserializeOwned>(&self) -> AppResult<Option<K>> {
        self.after
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| {
                hex::decode(c)
                    .ok()
                    .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                    .ok_or_else(|| AppError::field("after", "pager.bad_cursor"))
            })
            .transpose()
    }

    pub fn is_xlsx(&self) -> bool {
        self.format.as_deref() == Some("xlsx")
    }

    /// Rows to read: the page, or the download's rows.
    fn rows(&self) -> AppResult<i64> {
        if self.is_xlsx() {
            return Ok(EXPORT_ROWS);
        }
        match self.limit {
            None => Ok(PAGE_ROWS),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(AppError::field("limit", "pager.bad_limit")),
        }
    }
}

/// What a list's storage reads for one page: the rows after `after` (its sort key), one more than
/// the page holds, so that the extra row, if it comes, says a next page exists.
pub struct Window<K> {
    pub after: Option<K>,
    size: i64,
}

impl<K: Serialize> Window<K> {
    /// How many rows to read.
    pub fn fetch(&self) -> i64 {
        self.size + 1
    }

    /// The page of the rows read, and the cursor of the next (its last row's key).
    pub fn page<T>(&self, rows: Vec<T>, key: impl Fn(&T) -> K) -> Page<T> {
        Page::of(rows, self.size, key)
    }
}

/// A page of rows and the cursor of the one after it, if any.
pub struct Page<T> {
    pub rows: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    fn of<K: Serialize>(mut rows: Vec<T>, size: i64, key: impl Fn(&T) -> K) -> Self {
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        let next = if rows.len() > size {
            rows.truncate(size);
            rows.last().map(|row| cursor(&key(row)))
        } else {
            None
        };
        Page { rows, next }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            rows: self.rows.into_iter().map(f).collect(),
            next: self.next,
        }
    }

    /// The pager's links for a list at `base` (its path with any filters): back to the first
    /// page unless this is it, on to the next if there is one (both at the page size asked for),
    /// and this page onwards as Excel.
    pub fn links(&self, base: &str, query: &PageQuery) -> Links {
        let join = |href: &str| if href.contains('?') { '&' } else { '?' };
        let sized = match query.limit {
            Some(limit) => format!("{base}{}limit={limit}", join(base)),
            None => base.to_owned(),
        };
        let after = |cursor: &str| format!("{sized}{}after={cursor}", join(&sized));
        let current = query.after.as_deref().filter(|c| !c.is_empty());
        let here = current.map_or_else(
            || base.to_owned(),
            |c| format!("{base}{}after={c}", join(base)),
        );
        Links {
            first: current.map(|_| sized.clone()),
            next: self.next.as_deref().map(after),
            download: format!("{here}{}format=xlsx", join(&here)),
            rows: self.rows.len(),
        }
    }
}

/// What a list page's toolbar and footer link to (templates/pager.html).
pub struct Links {
    pub first: Option<String>,
    pub next: Option<String>,
    pub download: String,
    pub rows: usize,
}

impl Links {
    /// The whole list fits on this page.
    pub fn single(&self) -> bool {
        self.first.is_none() && self.next.is_none()
    }
}

fn cursor<K: Serialize>(key: &K) -> String {
    hex::encode(serde_json::to_vec(key).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_knows_its_successor_from_the_extra_row() {
        let page = Page::of(vec![1, 2, 3], 2, |n| *n);
        assert_eq!(page.rows, vec![1, 2]);
        let query = PageQuery {
            after: page.next.clone(),
            ..PageQuery::default()
        };
        let sized = PageQuery {
            limit: Some(2),
            ..PageQuery::default()
        };
        assert_eq!(
            page.links("/orders", &sized).next,
            Some(format!(
                "/orders?limit=2&after={}",
                page.next.as_deref().unwrap()
            )),
            "the next page keeps the page size"
        );
        assert_eq!(query.after::<i32>().unwrap(), Some(2));
        let links = page.links("/projects?stage=", &query);
        let cursor = page.next.as_deref().unwrap();
        assert_eq!(links.next, Some(format!("/projects?stage=&after={cursor}")));
        assert_eq!(links.first.as_deref(), Some("/projects?stage="));
        assert_eq!(
            links.download,
            format!("/projects?stage=&after={cursor}&format=xlsx")
        );
        let last = Page::of(vec![1, 2], 2, |n| *n);
        let links = last.links("/orders", &PageQuery::default());
        assert!(links.single());
        assert_eq!(links.download, "/orders?format=xlsx");
        assert_eq!((last.rows.len(), last.next), (2, None));
    }

    #[test]
    fn foreign_cursors_and_limits_are_refused() {
        for after in ["zz", "7b7d", "%27"] {
            let query = PageQuery {
                after: Some(after.into()),
                ..PageQuery::default()
            };
            assert!(query.after::<(String, i64)>().is_err(), "{after}");
        }
        for limit in [0, -1, 501] {
            let query = PageQuery {
                limit: Some(limit),
                ..PageQuery::default()
            };
            assert!(query.rows().is_err(), "{limit}");
        }
        let download = PageQuery {
            limit: Some(5),
            format: Some("xlsx".into()),
            ..PageQuery::default()
        };
        assert_eq!(download.rows().unwrap(), EXPORT_ROWS);
    }
}
