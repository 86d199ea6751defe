//! Integration tests: a real PostgreSQL, the real server over real HTTP, and headless Chromium.

mod analytics;
mod audit;
mod auth;
mod browser;
mod claims;
mod generate;
mod harness;
mod lists;
mod matrix;
mod pdf;
mod platform;
mod policies;
mod property;
mod risk;
mod rls;
