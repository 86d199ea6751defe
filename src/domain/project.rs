//! Parcels and projects: the land-transfer condition, the construction stages, and the permit
//! gate that only an issued policy opens.

use serde::Serialize;

use super::policy::PolicyStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParcelStatus {
    /// Land transferred with the 质安保 condition; no project yet.
    Transferred,
    /// The developer has registered its project on the parcel.
    ProjectRegistered,
}

impl ParcelStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ParcelStatus::Transferred => "transferred",
            ParcelStatus::ProjectRegistered => "project_registered",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [ParcelStatus::Transferred, ParcelStatus::ProjectRegistered]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// The parcel's one transition: registering a project on it.
pub fn register_project_on(parcel: ParcelStatus) -> Option<ParcelStatus> {
    (parcel == ParcelStatus::Transferred).then_some(ParcelStatus::ProjectRegistered)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStage {
    /// 已登记: registered, before the construction permit.
    Registered,
    /// 已取得施工许可
    Permitted,
    /// 已竣工验收: completion acceptance; cover periods are now fixed.
    Completed,
    /// 已竣工备案
    Filed,
    /// 已交付
    HandedOver,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectEvent {
    PermitGranted,
    CompletionAccepted,
    CompletionFiled,
    HandedOver,
}

impl ProjectStage {
    pub const ALL: [ProjectStage; 5] = [
        ProjectStage::Registered,
        ProjectStage::Permitted,
        ProjectStage::Completed,
        ProjectStage::Filed,
        ProjectStage::HandedOver,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStage::Registered => "registered",
            ProjectStage::Permitted => "permitted",
            ProjectStage::Completed => "completed",
            ProjectStage::Filed => "filed",
            ProjectStage::HandedOver => "handed_over",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

impl ProjectEvent {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "permit" => Some(ProjectEvent::PermitGranted),
            "completion" => Some(ProjectEvent::CompletionAccepted),
            "filing" => Some(ProjectEvent::CompletionFiled),
            "handover" => Some(ProjectEvent::HandedOver),
            _ => None,
        }
    }
}

/// The one transition function for project stages. Stages move forward one at a time.
pub fn advance(stage: ProjectStage, event: ProjectEvent) -> Option<ProjectStage> {
    use ProjectEvent as E;
    use ProjectStage as S;
    match (stage, event) {
        (S::Registered, E::PermitGranted) => Some(S::Permitted),
        (S::Permitted, E::CompletionAccepted) => Some(S::Completed),
        (S::Completed, E::CompletionFiled) => Some(S::Filed),
        (S::Filed, E::HandedOver) => Some(S::HandedOver),
        _ => None,
    }
}

/// Why the permit gate is closed, as a locale key; None when it is open.
pub fn permit_gate(requires_insurance: bool, policy: Option<PolicyStatus>) -> Option<&'static str> {
    if !requires_insurance {
        return None;
    }
    match policy {
        Some(status) if status.is_issued() => None,
        None | Some(PolicyStatus::Cancelled) => Some("gate.no_policy"),
        Some(PolicyStatus::Draft | PolicyStatus::Applied) => Some("gate.not_quoted"),
        Some(PolicyStatus::Quoted) => Some("gate.quote_not_accepted"),
        Some(PolicyStatus::Accepted) => Some("gate.premium_unpaid"),
        Some(PolicyStatus::Paid) => Some("gate.not_issued"),
        Some(_) => Some("gate.no_policy"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_move_forward_one_at_a_time() {
        let mut stage = ProjectStage::Registered;
        for event in [
            ProjectEvent::PermitGranted,
            ProjectEvent::CompletionAccepted,
            ProjectEvent::CompletionFiled,
            ProjectEvent::HandedOver,
        ] {
            stage = advance(stage, event).unwrap();
        }
        assert_eq!(stage, ProjectStage::HandedOver);
        assert_eq!(
            advance(ProjectStage::Registered, ProjectEvent::CompletionAccepted),
            None
        );
        assert_eq!(
            advance(ProjectStage::HandedOver, ProjectEvent::PermitGranted),
            None
        );
    }

    #[test]
    fn a_parcel_takes_one_project() {
        assert_eq!(
            register_project_on(ParcelStatus::Transferred),
            Some(ParcelStatus::ProjectRegistered)
        );
        assert_eq!(register_project_on(ParcelStatus::ProjectRegistered), None);
    }

    #[test]
    fn the_permit_gate_opens_only_on_an_issued_policy() {
        assert_eq!(permit_gate(true, None), Some("gate.no_policy"));
        assert_eq!(
            permit_gate(true, Some(PolicyStatus::Accepted)),
            Some("gate.premium_unpaid")
        );
        assert_eq!(
            permit_gate(true, Some(PolicyStatus::Paid)),
            Some("gate.not_issued")
        );
        assert_eq!(permit_gate(true, Some(PolicyStatus::Issued)), None);
        assert_eq!(permit_gate(true, Some(PolicyStatus::InForce)), None);
        assert_eq!(
            permit_gate(true, Some(PolicyStatus::Cancelled)),
            Some("gate.no_policy")
        );
        assert_eq!(permit_gate(false, None), None);
    }
}
