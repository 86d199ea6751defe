//! SQL, one module per table family. Functions take a connection inside a tenant transaction
//! (see `db::begin`); row-level security scopes every statement again.

pub mod analytics;
pub mod audit;
pub mod checklists;
pub mod claims;
pub mod coverage;
pub mod dashboard;
pub mod escalations;
pub mod organisations;
pub mod policies;
pub mod projects;
pub mod property;
pub mod reports;
pub mod risk;
pub mod rules;
pub mod safety;
pub mod sessions;
pub mod subrogation;
pub mod throttle;
pub mod tokens;
pub mod users;

/// The projects the connection's organisation is a party to (insurer, co-insurer, agency) or
/// develops, off its own membership rows (0022): a subquery for `project_id IN (…)`.
pub(crate) const OWN_PROJECTS: &str =
    "SELECT project_id FROM stats_party_projects WHERE org_id = (SELECT app.current_org_id())";
