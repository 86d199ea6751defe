//! Who acts: organisation kinds, user roles, and the principal a request runs as.

use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Regulator,
    Insurer,
    RiskAgency,
    Developer,
    Contractor,
    Supervisor,
    PropertyManager,
    RepairContractor,
}

impl OrgKind {
    pub const ALL: [OrgKind; 8] = [
        OrgKind::Regulator,
        OrgKind::Insurer,
        OrgKind::RiskAgency,
        OrgKind::Developer,
        OrgKind::Contractor,
        OrgKind::Supervisor,
        OrgKind::PropertyManager,
        OrgKind::RepairContractor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Regulator => "regulator",
            OrgKind::Insurer => "insurer",
            OrgKind::RiskAgency => "risk_agency",
            OrgKind::Developer => "developer",
            OrgKind::Contractor => "contractor",
            OrgKind::Supervisor => "supervisor",
            OrgKind::PropertyManager => "property_manager",
            OrgKind::RepairContractor => "repair_contractor",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    /// Whether it sees projects only as a party to them (lead or co-insurer, agency) or as their
    /// developer: exactly the projects its membership rows name (0022), so its lists may be read
    /// off them instead of testing every project's row.
    pub fn sees_projects_as_party(self) -> bool {
        matches!(
            self,
            OrgKind::Insurer | OrgKind::RiskAgency | OrgKind::Developer
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    /// Manages the organisation's users, API tokens and audit trail.
    Admin,
    Staff,
    /// An individual home owner (业主), outside any organisation.
    Owner,
}

impl UserRole {
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Admin => "admin",
            UserRole::Staff => "staff",
            UserRole::Owner => "owner",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [UserRole::Admin, UserRole::Staff, UserRole::Owner]
            .into_iter()
            .find(|role| role.as_str() == value)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrgRef {
    pub id: Uuid,
    pub code: String,
    pub kind: OrgKind,
    pub name_zh: String,
    pub name_en: String,
    pub district_id: Uuid,
    pub district_name_zh: String,
    pub district_name_en: String,
}

/// The acting user, loaded from the server-side session or an API token, never from the request.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Principal {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: UserRole,
    pub org: Option<OrgRef>,
    /// Set when the request authenticated with an API token rather than a browser session.
    pub api_token_id: Option<Uuid>,
}

/// Which home dashboard a principal lands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dashboard {
    Regulator,
    Insurer,
    RiskAgency,
    Developer,
    /// 物业: reports common-area defects for the owners of the projects it serves.
    PropertyManager,
    Partner,
    Owner,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role == UserRole::Admin
    }

    pub fn org_kind(&self) -> Option<OrgKind> {
        self.org.as_ref().map(|o| o.kind)
    }

    pub fn dashboard(&self) -> Dashboard {
        match self.org_kind() {
            None => Dashboard::Owner,
            Some(OrgKind::Regulator) => Dashboard::Regulator,
            Some(OrgKind::Insurer) => Dashboard::Insurer,
            Some(OrgKind::RiskAgency) => Dashboard::RiskAgency,
            Some(OrgKind::Developer) => Dashboard::Developer,
            Some(OrgKind::PropertyManager) => Dashboard::PropertyManager,
            Some(_) => Dashboard::Partner,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_roles_round_trip_through_their_database_names() {
        for kind in OrgKind::ALL {
            assert_eq!(OrgKind::parse(kind.as_str()), Some(kind));
        }
        for role in [UserRole::Admin, UserRole::Staff, UserRole::Owner] {
            assert_eq!(UserRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(OrgKind::parse("superuser"), None);
        assert_eq!(UserRole::parse("root"), None);
    }

    #[test]
    fn each_kind_lands_on_its_own_dashboard() {
        let org = |kind| OrgRef {
            id: Uuid::nil(),
            code: "x".into(),
            kind,
            name_zh: String::new(),
            name_en: String::new(),
            district_id: Uuid::nil(),
            district_name_zh: String::new(),
            district_name_en: String::new(),
        };
        let principal = |org| Principal {
            user_id: Uuid::nil(),
            username: "u".into(),
            display_name: "u".into(),
            role: UserRole::Staff,
            org,
            api_token_id: None,
        };
        assert_eq!(principal(None).dashboard(), Dashboard::Owner);
        assert_eq!(
            principal(Some(org(OrgKind::Regulator))).dashboard(),
            Dashboard::Regulator
        );
        assert_eq!(
            principal(Some(org(OrgKind::Insurer))).dashboard(),
            Dashboard::Insurer
        );
        assert_eq!(
            principal(Some(org(OrgKind::RiskAgency))).dashboard(),
            Dashboard::RiskAgency
        );
        assert_eq!(
            principal(Some(org(OrgKind::Developer))).dashboard(),
            Dashboard::Developer
        );
        assert_eq!(
            principal(Some(org(OrgKind::Contractor))).dashboard(),
            Dashboard::Partner
        );
    }
}
