//! The policy lifecycle: draft → applied → quoted → accepted → paid → issued → in force →
//! expired, with cancellation. One transition function decides every move; the premium must be
//! paid before the policy is issued (见费出单).

use serde::Serialize;

use super::tenancy::OrgKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyStatus {
    Draft,
    Applied,
    Quoted,
    Accepted,
    Paid,
    Issued,
    InForce,
    Expired,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyAction {
    /// The developer submits its application to the chosen lead insurer.
    Apply,
    /// The lead insurer prices and quotes (may re-quote before acceptance).
    Quote,
    /// The developer accepts the quote.
    Accept,
    /// The lead insurer records the premium payment.
    RecordPayment,
    /// The lead insurer issues the policy with its number.
    Issue,
    /// Works start under the construction permit: the safety cover runs.
    StartCover,
    /// Every cover period has ended.
    Expire,
    /// The lead insurer cancels (within the rule pack's limits).
    Cancel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    /// The action does not apply in this state (answered as 409).
    NotAllowedFrom(PolicyStatus),
    /// This kind of organisation may not take this action (answered as 403).
    WrongParty,
}

impl PolicyStatus {
    pub const ALL: [PolicyStatus; 9] = [
        PolicyStatus::Draft,
        PolicyStatus::Applied,
        PolicyStatus::Quoted,
        PolicyStatus::Accepted,
        PolicyStatus::Paid,
        PolicyStatus::Issued,
        PolicyStatus::InForce,
        PolicyStatus::Expired,
        PolicyStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PolicyStatus::Draft => "draft",
            PolicyStatus::Applied => "applied",
            PolicyStatus::Quoted => "quoted",
            PolicyStatus::Accepted => "accepted",
            PolicyStatus::Paid => "paid",
            PolicyStatus::Issued => "issued",
            PolicyStatus::InForce => "in_force",
            PolicyStatus::Expired => "expired",
            PolicyStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The policy has been issued (premium paid): the permit gate opens.
    pub fn is_issued(self) -> bool {
        matches!(
            self,
            PolicyStatus::Issued | PolicyStatus::InForce | PolicyStatus::Expired
        )
    }

    /// Still on its way to issue or in force: a project may hold only one such policy.
    pub fn is_live(self) -> bool {
        !matches!(self, PolicyStatus::Cancelled | PolicyStatus::Expired)
    }
}

impl PolicyAction {
    pub fn party(self) -> OrgKind {
        match self {
            PolicyAction::Apply | PolicyAction::Accept => OrgKind::Developer,
            _ => OrgKind::Insurer,
        }
    }
}

/// The one transition function. `actor` is the kind of the acting organisation; that it is
/// *the* developer or lead insurer of this policy is enforced by row-level security.
pub fn transition(
    from: PolicyStatus,
    action: PolicyAction,
    actor: OrgKind,
) -> Result<PolicyStatus, TransitionError> {
    use PolicyAction as A;
    use PolicyStatus as S;
    if action.party() != actor {
        return Err(TransitionError::WrongParty);
    }
    match (from, action) {
        (S::Draft, A::Apply) => Ok(S::Applied),
        (S::Applied | S::Quoted, A::Quote) => Ok(S::Quoted),
        (S::Quoted, A::Accept) => Ok(S::Accepted),
        (S::Accepted, A::RecordPayment) => Ok(S::Paid),
        (S::Paid, A::Issue) => Ok(S::Issued),
        (S::Issued, A::StartCover) => Ok(S::InForce),
        (S::InForce, A::Expire) => Ok(S::Expired),
        (S::Applied | S::Quoted | S::Accepted | S::Paid | S::Issued | S::InForce, A::Cancel) => {
            Ok(S::Cancelled)
        }
        _ => Err(TransitionError::NotAllowedFrom(from)),
    }
}

/// What the developer should do next, as a locale key, if anything.
pub fn developer_next_step(status: PolicyStatus) -> Option<&'static str> {
    match status {
        PolicyStatus::Draft => Some("next.apply"),
        PolicyStatus::Applied => Some("next.wait_quote"),
        PolicyStatus::Quoted => Some("next.accept_quote"),
        PolicyStatus::Accepted => Some("next.pay_premium"),
        PolicyStatus::Paid => Some("next.wait_issue"),
        PolicyStatus::Issued => Some("next.apply_permit"),
        _ => None,
    }
}

/// What the lead insurer should do next, as a locale key, if anything.
pub fn insurer_next_step(status: PolicyStatus) -> Option<&'static str> {
    match status {
        PolicyStatus::Applied => Some("next.price_and_quote"),
        PolicyStatus::Quoted => Some("next.wait_acceptance"),
        PolicyStatus::Accepted => Some("next.record_payment"),
        PolicyStatus::Paid => Some("next.issue_policy"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrgKind::{Developer, Insurer, Regulator};
    use PolicyAction as A;
    use PolicyStatus as S;

    #[test]
    fn the_happy_path_runs_from_application_to_expiry() {
        let steps = [
            (A::Apply, Developer, S::Applied),
            (A::Quote, Insurer, S::Quoted),
            (A::Quote, Insurer, S::Quoted),
            (A::Accept, Developer, S::Accepted),
            (A::RecordPayment, Insurer, S::Paid),
            (A::Issue, Insurer, S::Issued),
            (A::StartCover, Insurer, S::InForce),
            (A::Expire, Insurer, S::Expired),
        ];
        let mut status = S::Draft;
        for (action, actor, expected) in steps {
            status = transition(status, action, actor).unwrap();
            assert_eq!(status, expected);
        }
    }

    #[test]
    fn no_issue_before_payment_and_no_skipping() {
        assert_eq!(
            transition(S::Accepted, A::Issue, Insurer),
            Err(TransitionError::NotAllowedFrom(S::Accepted))
        );
        assert_eq!(
            transition(S::Applied, A::Accept, Developer),
            Err(TransitionError::NotAllowedFrom(S::Applied))
        );
        assert_eq!(
            transition(S::Issued, A::RecordPayment, Insurer),
            Err(TransitionError::NotAllowedFrom(S::Issued))
        );
        assert_eq!(
            transition(S::Cancelled, A::Cancel, Insurer),
            Err(TransitionError::NotAllowedFrom(S::Cancelled))
        );
        assert_eq!(
            transition(S::Accepted, A::Quote, Insurer),
            Err(TransitionError::NotAllowedFrom(S::Accepted))
        );
    }

    #[test]
    fn each_action_belongs_to_one_party() {
        assert_eq!(
            transition(S::Applied, A::Quote, Developer),
            Err(TransitionError::WrongParty)
        );
        assert_eq!(
            transition(S::Quoted, A::Accept, Insurer),
            Err(TransitionError::WrongParty)
        );
        assert_eq!(
            transition(S::Draft, A::Apply, Regulator),
            Err(TransitionError::WrongParty)
        );
    }

    #[test]
    fn every_state_outside_the_table_is_refused() {
        let actions = [
            A::Apply,
            A::Quote,
            A::Accept,
            A::RecordPayment,
            A::Issue,
            A::StartCover,
            A::Expire,
            A::Cancel,
        ];
        let mut allowed = 0;
        for from in S::ALL {
            for action in actions {
                if transition(from, action, action.party()).is_ok() {
                    allowed += 1;
                }
            }
        }
        assert_eq!(allowed, 14, "the table above lists exactly 14 moves");
    }

    #[test]
    fn only_issued_policies_open_the_permit_gate() {
        let issued: Vec<_> = S::ALL.into_iter().filter(|s| s.is_issued()).collect();
        assert_eq!(issued, [S::Issued, S::InForce, S::Expired]);
    }
}
