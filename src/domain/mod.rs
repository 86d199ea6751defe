//! Pure domain rules: no I/O, no async, unit-tested.

pub mod analytics;
pub mod claims;
pub mod money;
pub mod passwords;
pub mod photos;
pub mod policy;
pub mod project;
pub mod redirect;
pub mod risk;
pub mod rules;
pub mod safety;
pub mod subrogation;
pub mod tenancy;
pub mod throttle;
pub mod underwriting;
