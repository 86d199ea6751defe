//! 质安保 (zhianbao): the platform behind Laoshan's residential quality-and-safety insurance.
//!
//! - `domain`: pure rules (tenancy, passwords, throttling), no I/O, unit-tested.
//! - `storage`: SQL, one module per table family; every call runs inside a tenant transaction.
//! - `db`: connecting, roles, migrations, the per-transaction tenant context, a private cluster.
//! - `http`: router, middleware, extractors and handlers by resource.
//! - `views`: askama page types, with templates under `templates/<role>/`.
//! - `typeset`: the PDF documents' layout (fonts from the distribution, embedded as subsets).

pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod generate;
pub mod http;
pub mod i18n;
pub mod security;
pub mod storage;
pub mod typeset;
pub mod views;

pub use http::{AppState, build_router};
