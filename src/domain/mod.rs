//! Pure domain rules: no I/O, no async, unit-tested.

pub mod passwords;
pub mod redirect;
pub mod tenancy;
pub mod throttle;
