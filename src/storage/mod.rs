//! SQL, one module per table family. Functions take a connection inside a tenant transaction
//! (see `CurrentUser::begin`); row-level security scopes every statement again.

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

/// Which rows a list of orders or inspections walks, and so which index: one project's, the
/// reader's own column (a developer's or an agency's rows carry it, 0024), every row the reader
/// may see, row-level security filtering as the walk goes (a bureau's or an insurer's), or only the
/// rows of projects the organisation is a party to (any other organisation: a contractor sees
/// none, and must not walk every order in the country to find that out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListScope {
    Project(uuid::Uuid),
    OwnDeveloperColumn,
    OwnAgencyColumn,
    Visible,
    OwnProjects,
}

impl ListScope {
    /// The whole list, as the reader's organisation walks it best.
    pub fn for_reader(kind: Option<crate::domain::tenancy::OrgKind>) -> Self {
        use crate::domain::tenancy::OrgKind;
        match kind {
            Some(OrgKind::Developer) => ListScope::OwnDeveloperColumn,
            Some(OrgKind::RiskAgency) => ListScope::OwnAgencyColumn,
            Some(OrgKind::Regulator | OrgKind::Insurer) => ListScope::Visible,
            _ => ListScope::OwnProjects,
        }
    }

    /// Pushes the condition on the rows of `table` (an alias), binding the project if any.
    fn push_condition(self, query: &mut sqlx::QueryBuilder<'_, sqlx::Postgres>, table: &str) {
        match self {
            ListScope::Project(id) => {
                query.push(format!("{table}.project_id = ")).push_bind(id);
            }
            ListScope::OwnDeveloperColumn => {
                query.push(format!(
                    "{table}.developer_org_id = (SELECT app.current_org_id())"
                ));
            }
            ListScope::OwnAgencyColumn => {
                query.push(format!(
                    "{table}.agency_org_id = (SELECT app.current_org_id())"
                ));
            }
            ListScope::Visible => {
                query.push("true");
            }
            // An array, so the rows are fetched by project and sorted, never walked for.
            ListScope::OwnProjects => {
                query.push(format!("{table}.project_id = ANY (ARRAY({OWN_PROJECTS}))"));
            }
        }
    }
}
