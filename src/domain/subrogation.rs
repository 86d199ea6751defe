//! Subrogation (代位追偿): after paying a claim the insurer pursues the party responsible for the
//! defect. A case is open until what was claimed has been recovered, or the insurer abandons it.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubrogationStatus {
    Open,
    Recovered,
    Abandoned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubrogationAction {
    /// Money came back; `recovered_fen` is the total after it, `claimed_fen` the case's claim.
    Recover {
        recovered_fen: i64,
        claimed_fen: i64,
    },
    /// The insurer stops pursuing (with a note saying why).
    Abandon,
}

impl SubrogationStatus {
    pub const ALL: [SubrogationStatus; 3] = [
        SubrogationStatus::Open,
        SubrogationStatus::Recovered,
        SubrogationStatus::Abandoned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubrogationStatus::Open => "open",
            SubrogationStatus::Recovered => "recovered",
            SubrogationStatus::Abandoned => "abandoned",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// The one transition function of a subrogation case.
pub fn subrogation_transition(
    from: SubrogationStatus,
    action: SubrogationAction,
) -> Option<SubrogationStatus> {
    use SubrogationStatus as S;
    match (from, action) {
        (
            S::Open,
            SubrogationAction::Recover {
                recovered_fen,
                claimed_fen,
            },
        ) if recovered_fen > 0 && recovered_fen <= claimed_fen => {
            Some(if recovered_fen == claimed_fen {
                S::Recovered
            } else {
                S::Open
            })
        }
        (S::Open, SubrogationAction::Abandon) => Some(S::Abandoned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_stays_open_until_everything_claimed_is_recovered() {
        let recover = |recovered_fen| SubrogationAction::Recover {
            recovered_fen,
            claimed_fen: 100_000,
        };
        use SubrogationStatus as S;
        assert_eq!(
            subrogation_transition(S::Open, recover(40_000)),
            Some(S::Open)
        );
        assert_eq!(
            subrogation_transition(S::Open, recover(100_000)),
            Some(S::Recovered)
        );
        assert_eq!(
            subrogation_transition(S::Open, recover(100_001)),
            None,
            "never more than claimed"
        );
        assert_eq!(subrogation_transition(S::Recovered, recover(100_000)), None);
        assert_eq!(
            subrogation_transition(S::Open, SubrogationAction::Abandon),
            Some(S::Abandoned)
        );
        assert_eq!(
            subrogation_transition(S::Abandoned, SubrogationAction::Abandon),
            None
        );
        assert_eq!(
            subrogation_transition(S::Recovered, SubrogationAction::Abandon),
            None
        );
    }
}
