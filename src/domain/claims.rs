//! Owners' defect claims: which cover section a defect falls under, whether it is covered today,
//! which problems take the fast channel, the claim's state machine and its service-level clocks.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::rules::{CoverPeriod, RulePack};

/// A defect an owner can report: its code, the cover section it falls under, and whether it
/// disturbs daily life (the fast channel: contact within hours, on site within a day).
pub const COMPONENTS: [(&str, &str, bool); 10] = [
    ("leak_into_living_space", "WATERPROOFING", true),
    ("roof_or_wall_seepage", "WATERPROOFING", false),
    ("no_water_or_drainage", "MEP", true),
    ("no_power", "MEP", true),
    ("pipe_or_wiring_fault", "MEP", false),
    ("falling_facade_parts", "DECORATION", true),
    ("finish_defect", "DECORATION", false),
    ("structural_crack", "STRUCTURE", false),
    ("insulation_failure", "INSULATION", false),
    ("heating_or_cooling_fault", "HVAC", false),
];

pub fn component(code: &str) -> Option<(&'static str, bool)> {
    COMPONENTS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, section, fast)| (*section, *fast))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum CoverVerdict {
    /// The section is in its cover period and not excluded.
    Covered { section: String, until: NaiveDate },
    /// Before cover starts the developer repairs under its own warranty.
    DeveloperWarranty {
        section: String,
        cover_starts: NaiveDate,
    },
    /// The section's cover has ended.
    Expired { section: String, ended: NaiveDate },
    /// The policy excludes this section (for this building or everywhere).
    Excluded { section: String },
    /// Completion acceptance is not recorded, so no cover period runs yet.
    NotStarted,
    /// The policy has no such section.
    NoSection,
}

impl CoverVerdict {
    pub fn code(&self) -> &'static str {
        match self {
            CoverVerdict::Covered { .. } => "covered",
            CoverVerdict::DeveloperWarranty { .. } => "developer_warranty",
            CoverVerdict::Expired { .. } => "expired",
            CoverVerdict::Excluded { .. } => "excluded",
            CoverVerdict::NotStarted => "not_started",
            CoverVerdict::NoSection => "no_section",
        }
    }

    pub fn is_covered(&self) -> bool {
        matches!(self, CoverVerdict::Covered { .. })
    }
}

/// Checks cover for a section on a day, given the project's cover periods and the sections the
/// policy excludes.
pub fn check_cover(
    periods: &[CoverPeriod],
    excluded: &[String],
    section: &str,
    day: NaiveDate,
) -> CoverVerdict {
    if periods.is_empty() {
        return CoverVerdict::NotStarted;
    }
    let Some(period) = periods.iter().find(|p| p.section_code == section) else {
        return CoverVerdict::NoSection;
    };
    let section = section.to_owned();
    if excluded.contains(&section) {
        CoverVerdict::Excluded { section }
    } else if day < period.start {
        CoverVerdict::DeveloperWarranty {
            section,
            cover_starts: period.start,
        }
    } else if day > period.end {
        CoverVerdict::Expired {
            section,
            ended: period.end,
        }
    } else {
        CoverVerdict::Covered {
            section,
            until: period.end,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    Reported,
    Surveying,
    Surveyed,
    MoreInfo,
    Rejected,
    Approved,
    RepairOrdered,
    Repaired,
    OwnerConfirmed,
    Paid,
    /// The owner contests a rejection; the insurer upholds it or reopens the claim.
    Disputed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimAction {
    /// The insurer assigns a surveyor (its staff or the agency).
    AssignSurveyor,
    /// The survey report is in.
    RecordSurvey,
    Approve,
    Reject,
    AskMoreInfo,
    /// The owner adds what was asked; back to the insurer's decision.
    ProvideInfo,
    OrderRepair,
    CompleteRepair,
    /// The owner signs the repair confirmation (维修确认书).
    OwnerConfirm,
    /// Payment to the repair contractor (after the owner's signature) or to the owner.
    Pay,
    /// The owner contests a rejection.
    Dispute,
    /// The insurer keeps its rejection after a dispute.
    Uphold,
    /// The insurer takes a disputed claim up again: a fresh survey, with fresh clocks.
    Reopen,
}

impl ClaimStatus {
    pub const ALL: [ClaimStatus; 11] = [
        ClaimStatus::Reported,
        ClaimStatus::Surveying,
        ClaimStatus::Surveyed,
        ClaimStatus::MoreInfo,
        ClaimStatus::Rejected,
        ClaimStatus::Approved,
        ClaimStatus::RepairOrdered,
        ClaimStatus::Repaired,
        ClaimStatus::OwnerConfirmed,
        ClaimStatus::Paid,
        ClaimStatus::Disputed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Reported => "reported",
            ClaimStatus::Surveying => "surveying",
            ClaimStatus::Surveyed => "surveyed",
            ClaimStatus::MoreInfo => "more_info",
            ClaimStatus::Rejected => "rejected",
            ClaimStatus::Approved => "approved",
            ClaimStatus::RepairOrdered => "repair_ordered",
            ClaimStatus::Repaired => "repaired",
            ClaimStatus::OwnerConfirmed => "owner_confirmed",
            ClaimStatus::Paid => "paid",
            ClaimStatus::Disputed => "disputed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn is_open(self) -> bool {
        !matches!(self, ClaimStatus::Rejected | ClaimStatus::Paid)
    }

    /// Repair quotes are collected between approval and the repair order.
    pub fn takes_quotes(self) -> bool {
        self == ClaimStatus::Approved
    }
}

/// The one transition function of a claim.
pub fn claim_transition(from: ClaimStatus, action: ClaimAction) -> Option<ClaimStatus> {
    use ClaimAction as A;
    use ClaimStatus as S;
    match (from, action) {
        (S::Reported, A::AssignSurveyor) => Some(S::Surveying),
        (S::Surveying, A::RecordSurvey) => Some(S::Surveyed),
        (S::Surveyed, A::Approve) => Some(S::Approved),
        (S::Surveyed, A::Reject) => Some(S::Rejected),
        (S::Surveyed, A::AskMoreInfo) => Some(S::MoreInfo),
        (S::MoreInfo, A::ProvideInfo) => Some(S::Surveyed),
        (S::Approved, A::OrderRepair) => Some(S::RepairOrdered),
        (S::Approved, A::Pay) => Some(S::Paid),
        (S::RepairOrdered, A::CompleteRepair) => Some(S::Repaired),
        (S::Repaired, A::OwnerConfirm) => Some(S::OwnerConfirmed),
        (S::OwnerConfirmed, A::Pay) => Some(S::Paid),
        (S::Rejected, A::Dispute) => Some(S::Disputed),
        (S::Disputed, A::Uphold) => Some(S::Rejected),
        (S::Disputed, A::Reopen) => Some(S::Surveying),
        _ => None,
    }
}

/// Coded rejection reasons (shared/domain.md).
pub const REJECTION_REASONS: [&str; 7] = [
    "abnormal_use",
    "structural_alteration",
    "third_party",
    "force_majeure",
    "outside_section",
    "outside_period",
    "developer_warranty",
];

/// The service-level deadlines of a claim, from the rule pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ClaimDeadlines {
    /// Fast channel only: first contact with the owner.
    pub contact_by: Option<DateTime<Utc>>,
    /// On site (fast channel) or survey done (normal).
    pub survey_by: DateTime<Utc>,
    pub decision_by: DateTime<Utc>,
}

pub fn deadlines(
    pack: &RulePack,
    reported_at: DateTime<Utc>,
    fast: bool,
    complex: bool,
) -> ClaimDeadlines {
    let hours = |key: &str, default: i64| {
        Duration::hours(
            pack.claim_sla_hours
                .get(key)
                .map_or(default, |h| i64::from(*h)),
        )
    };
    ClaimDeadlines {
        contact_by: fast.then(|| reported_at + hours("fast_contact", 2)),
        survey_by: reported_at
            + if fast {
                hours("fast_on_site", 24)
            } else {
                hours("survey", 48)
            },
        decision_by: reported_at
            + if complex {
                hours("decision_complex", 720)
            } else {
                hours("decision", 168)
            },
    }
}

/// What a claim's clocks run from and whether it is complex, before a step and after it.
#[derive(Debug, Clone, Copy)]
pub struct ClockBasis {
    pub runs_from: DateTime<Utc>,
    pub fast: bool,
    pub complex: bool,
}

/// How a step moves a claim's clocks: a disputed claim taken up again (surveying once more)
/// restarts them from `now`, which becomes its reopening time; a claim found complex, or no
/// longer, has its decision clock set anew. None when they stand.
pub fn clocks_after_step(
    pack: &RulePack,
    from: ClaimStatus,
    to: ClaimStatus,
    before: ClockBasis,
    complex: bool,
    now: DateTime<Utc>,
) -> Option<(Option<DateTime<Utc>>, ClaimDeadlines)> {
    if from == ClaimStatus::Disputed && to == ClaimStatus::Surveying {
        Some((Some(now), deadlines(pack, now, before.fast, complex)))
    } else if complex != before.complex {
        Some((
            None,
            deadlines(pack, before.runs_from, before.fast, complex),
        ))
    } else {
        None
    }
}

/// Repair or payment is due this long after the agreement (the approval).
pub fn settlement_due(pack: &RulePack, agreed_at: DateTime<Utc>) -> DateTime<Utc> {
    agreed_at
        + Duration::hours(
            pack.claim_sla_hours
                .get("repair_or_payment")
                .map_or(168, |h| i64::from(*h)),
        )
}

/// When the claim's first clock broke, or will break if its step stays undone; None when every
/// step was done in time. An open claim is late exactly when this is past (it is kept on the claim
/// as `clock_breaks_at`, by the same rule in SQL, so desks are ranked and counted off an index), and the
/// queue takes late claims longest-late first and the others soonest-to-break first.
pub fn clock_breaks_at(
    d: &ClaimDeadlines,
    contacted_at: Option<DateTime<Utc>>,
    surveyed_at: Option<DateTime<Utc>>,
    decided_at: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let broken_at = |due: DateTime<Utc>, done: Option<DateTime<Utc>>| {
        done.is_none_or(|at| at > due).then_some(due)
    };
    [
        d.contact_by
            .and_then(|due| broken_at(due, contacted_at.or(surveyed_at))),
        broken_at(d.survey_by, surveyed_at),
        broken_at(d.decision_by, decided_at),
    ]
    .into_iter()
    .flatten()
    .min()
}

/// Which clocks a claim has broken by `now`, given what has happened so far.
pub fn breaches(
    d: &ClaimDeadlines,
    contacted_at: Option<DateTime<Utc>>,
    surveyed_at: Option<DateTime<Utc>>,
    decided_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Vec<&'static str> {
    let late =
        |due: DateTime<Utc>, done: Option<DateTime<Utc>>| done.map_or(now > due, |at| at > due);
    let mut broken = Vec::new();
    if d.contact_by
        .is_some_and(|due| late(due, contacted_at.or(surveyed_at)))
    {
        broken.push("contact");
    }
    if late(d.survey_by, surveyed_at) {
        broken.push("survey");
    }
    if late(d.decision_by, decided_at) {
        broken.push("decision");
    }
    broken
}

/// A repair is ordered on one of the claim's quotes, at no more than the approved amount.
/// `quote_fen` is the chosen quote's amount when it is one of the claim's.
pub fn check_repair_quote(
    quote_fen: Option<i64>,
    approved_fen: Option<i64>,
) -> Result<(), &'static str> {
    match (quote_fen, approved_fen) {
        (None, _) => Err("claims.pick_quote"),
        (Some(quote), Some(approved)) if quote <= approved => Ok(()),
        _ => Err("claims.quote_above_approval"),
    }
}

/// Whether the acting user brought the claim: the unit's owner, or — for a common area — anyone
/// of the property manager that reported it. Only the claimant answers questions, signs the
/// repair confirmation and disputes a rejection.
pub fn is_claimant(
    owner: Option<Uuid>,
    manager_org: Option<Uuid>,
    user: Uuid,
    user_org: Option<Uuid>,
) -> bool {
    owner == Some(user) || (manager_org.is_some() && manager_org == user_org)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_taken_only_between_approval_and_the_repair_order() {
        let taking: Vec<ClaimStatus> = ClaimStatus::ALL
            .into_iter()
            .filter(|s| s.takes_quotes())
            .collect();
        assert_eq!(taking, [ClaimStatus::Approved]);
    }

    #[test]
    fn a_repair_is_ordered_on_a_quote_within_the_approved_amount() {
        assert_eq!(check_repair_quote(Some(350_000), Some(380_000)), Ok(()));
        assert_eq!(check_repair_quote(Some(380_000), Some(380_000)), Ok(()));
        assert_eq!(
            check_repair_quote(Some(380_001), Some(380_000)),
            Err("claims.quote_above_approval")
        );
        assert_eq!(
            check_repair_quote(None, Some(380_000)),
            Err("claims.pick_quote")
        );
        assert_eq!(
            check_repair_quote(Some(1), None),
            Err("claims.quote_above_approval")
        );
    }

    #[test]
    fn the_claimant_is_the_owner_or_the_reporting_property_manager() {
        let (owner, other, manager, org) = (
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
        );
        assert!(is_claimant(Some(owner), None, owner, None));
        assert!(!is_claimant(Some(owner), None, other, None));
        // An organisation-less user never matches a claim without a manager.
        assert!(!is_claimant(Some(owner), None, other, Some(org)));
        assert!(is_claimant(None, Some(manager), other, Some(manager)));
        assert!(!is_claimant(None, Some(manager), other, Some(org)));
        assert!(!is_claimant(None, Some(manager), other, None));
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn periods() -> Vec<CoverPeriod> {
        super::super::rules::cover_periods(&RulePack::laoshan_2021(), date(2023, 6, 30))
    }

    #[test]
    fn cover_depends_on_the_section_period_exclusions_and_the_warranty_window() {
        let p = periods();
        // Cover starts 2025-06-30; waterproofing runs 5 years.
        assert_eq!(
            check_cover(&p, &[], "WATERPROOFING", date(2026, 11, 29)).code(),
            "covered"
        );
        assert_eq!(
            check_cover(&p, &[], "WATERPROOFING", date(2024, 1, 1)).code(),
            "developer_warranty"
        );
        assert_eq!(
            check_cover(&p, &[], "DECORATION", date(2027, 7, 1)).code(),
            "expired"
        );
        assert_eq!(
            check_cover(
                &p,
                &["WATERPROOFING".into()],
                "WATERPROOFING",
                date(2026, 11, 29)
            )
            .code(),
            "excluded"
        );
        assert_eq!(
            check_cover(&p, &[], "LIFTS", date(2026, 11, 29)).code(),
            "no_section"
        );
        assert_eq!(
            check_cover(&[], &[], "STRUCTURE", date(2026, 11, 29)),
            CoverVerdict::NotStarted
        );
    }

    #[test]
    fn daily_life_problems_take_the_fast_channel() {
        assert_eq!(
            component("leak_into_living_space"),
            Some(("WATERPROOFING", true))
        );
        assert_eq!(component("no_power"), Some(("MEP", true)));
        assert_eq!(component("structural_crack"), Some(("STRUCTURE", false)));
        assert_eq!(component("ufo_landing"), None);
    }

    #[test]
    fn a_claim_moves_from_report_to_payment_and_never_skips() {
        use ClaimAction as A;
        let path = [
            A::AssignSurveyor,
            A::RecordSurvey,
            A::Approve,
            A::OrderRepair,
            A::CompleteRepair,
            A::OwnerConfirm,
            A::Pay,
        ];
        let mut status = ClaimStatus::Reported;
        for action in path {
            status = claim_transition(status, action).unwrap();
        }
        assert_eq!(status, ClaimStatus::Paid);
        assert_eq!(claim_transition(ClaimStatus::Reported, A::Pay), None);
        assert_eq!(
            claim_transition(ClaimStatus::RepairOrdered, A::Pay),
            None,
            "no payment before the owner signs"
        );
        assert_eq!(claim_transition(ClaimStatus::Paid, A::Pay), None);
        assert_eq!(
            claim_transition(ClaimStatus::MoreInfo, A::ProvideInfo),
            Some(ClaimStatus::Surveyed)
        );
    }

    #[test]
    fn a_claim_is_late_from_the_moment_its_first_clock_breaks() {
        let pack = RulePack::laoshan_2021();
        let reported = DateTime::parse_from_rfc3339("2026-11-01T08:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let hours = |h: i64| Some(reported + Duration::hours(h));
        let fast = deadlines(&pack, reported, true, false);
        // (contacted, surveyed, decided) → when the first clock breaks
        for (contacted, surveyed, decided, breaks) in [
            (None, None, None, hours(2)),
            (hours(1), None, None, hours(24)),
            (hours(1), hours(30), None, hours(24)),
            (None, hours(1), None, hours(168)),
            (None, hours(20), None, hours(2)),
            (hours(1), hours(20), hours(100), None),
            (hours(3), hours(20), hours(100), hours(2)),
        ] {
            assert_eq!(clock_breaks_at(&fast, contacted, surveyed, decided), breaks);
            for now in [1, 3, 25, 200].map(|h| reported + Duration::hours(h)) {
                let done = |t: Option<DateTime<Utc>>| t.filter(|t| *t <= now);
                let (c, s, d) = (done(contacted), done(surveyed), done(decided));
                assert_eq!(
                    clock_breaks_at(&fast, c, s, d).is_some_and(|at| at < now),
                    !breaches(&fast, c, s, d, now).is_empty(),
                    "{c:?} {s:?} {d:?} at {now}"
                );
            }
        }
    }

    #[test]
    fn reopening_restarts_the_clocks_and_a_complex_case_gets_the_longer_decision_clock() {
        let pack = RulePack::laoshan_2021();
        let reported = DateTime::parse_from_rfc3339("2026-11-01T08:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let now = reported + Duration::days(20);
        let basis = ClockBasis {
            runs_from: reported,
            fast: false,
            complex: false,
        };
        let (reopened, d) = clocks_after_step(
            &pack,
            ClaimStatus::Disputed,
            ClaimStatus::Surveying,
            basis,
            false,
            now,
        )
        .unwrap();
        assert_eq!(reopened, Some(now));
        assert_eq!(d.survey_by, now + Duration::hours(48));
        let (reopened, d) = clocks_after_step(
            &pack,
            ClaimStatus::Surveying,
            ClaimStatus::Surveyed,
            basis,
            true,
            now,
        )
        .unwrap();
        assert_eq!(reopened, None);
        assert_eq!(d.decision_by, reported + Duration::days(30));
        assert_eq!(d.survey_by, reported + Duration::hours(48));
        assert!(
            clocks_after_step(
                &pack,
                ClaimStatus::Surveyed,
                ClaimStatus::Approved,
                basis,
                false,
                now
            )
            .is_none()
        );
    }

    #[test]
    fn sla_clocks_follow_the_rule_pack_and_flag_breaches() {
        let pack = RulePack::laoshan_2021();
        let reported = DateTime::parse_from_rfc3339("2026-11-29T08:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let fast = deadlines(&pack, reported, true, false);
        assert_eq!(fast.contact_by, Some(reported + Duration::hours(2)));
        assert_eq!(fast.survey_by, reported + Duration::hours(24));
        let normal = deadlines(&pack, reported, false, true);
        assert_eq!(normal.contact_by, None);
        assert_eq!(normal.survey_by, reported + Duration::hours(48));
        assert_eq!(normal.decision_by, reported + Duration::days(30));
        assert_eq!(
            settlement_due(&pack, reported),
            reported + Duration::days(7)
        );
        let three_hours_later = reported + Duration::hours(3);
        assert_eq!(
            breaches(&fast, None, None, None, three_hours_later),
            ["contact"]
        );
        assert!(
            breaches(
                &fast,
                Some(reported + Duration::hours(1)),
                None,
                None,
                three_hours_later
            )
            .is_empty()
        );
        assert_eq!(
            breaches(&normal, None, None, None, reported + Duration::days(3)),
            ["survey"]
        );
    }

    #[test]
    fn a_rejection_can_be_disputed_once_and_then_upheld_or_reopened() {
        use ClaimAction as A;
        use ClaimStatus as S;
        assert_eq!(claim_transition(S::Rejected, A::Dispute), Some(S::Disputed));
        assert_eq!(claim_transition(S::Disputed, A::Dispute), None);
        assert_eq!(claim_transition(S::Disputed, A::Uphold), Some(S::Rejected));
        assert_eq!(claim_transition(S::Disputed, A::Reopen), Some(S::Surveying));
        assert_eq!(
            claim_transition(S::Paid, A::Dispute),
            None,
            "a paid claim is settled"
        );
        assert_eq!(claim_transition(S::Surveyed, A::Reopen), None);
        assert!(S::Disputed.is_open());
    }
}
