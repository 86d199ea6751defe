//! Risk management rules: finding levels (A–E, R, O), which levels need a rectification order and
//! by when (calendar days from the rule pack, dates in Asia/Shanghai), the order's state machine,
//! the escalation ladder for overdue orders, and the inspection plan.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::rules::RulePack;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
pub enum RiskLevel {
    /// Normal technical risk: a reminder.
    A,
    /// Minor.
    B,
    /// Moderate.
    C,
    /// Severe technical risk: immediate rectification.
    D,
    /// Severe quality-behaviour risk (rules or procedure broken).
    E,
    /// Risk reserved: evidence not seen yet.
    R,
    /// Observation.
    O,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 7] = [
        RiskLevel::A,
        RiskLevel::B,
        RiskLevel::C,
        RiskLevel::D,
        RiskLevel::E,
        RiskLevel::R,
        RiskLevel::O,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::A => "A",
            RiskLevel::B => "B",
            RiskLevel::C => "C",
            RiskLevel::D => "D",
            RiskLevel::E => "E",
            RiskLevel::R => "R",
            RiskLevel::O => "O",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == value)
    }

    /// B–E and R go to the developer as a rectification order; A and O do not.
    pub fn needs_order(self) -> bool {
        matches!(
            self,
            RiskLevel::B | RiskLevel::C | RiskLevel::D | RiskLevel::E | RiskLevel::R
        )
    }

    /// The serious levels the bureau watches.
    pub fn is_severe(self) -> bool {
        matches!(self, RiskLevel::D | RiskLevel::E)
    }
}

/// The rectification deadline: the rule pack's calendar days for the level, counted from the day
/// the order is issued. None for levels without an order.
pub fn rectification_deadline(
    pack: &RulePack,
    level: RiskLevel,
    issued_on: NaiveDate,
) -> Option<NaiveDate> {
    if !level.needs_order() {
        return None;
    }
    let days = *pack.rectification_days.get(level.as_str())?;
    issued_on.checked_add_days(Days::new(u64::from(days)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// With the developer (issued, or reopened after a failed recheck).
    Issued,
    /// The developer has answered; the agency must recheck.
    Responded,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    Respond,
    RecheckClose,
    RecheckReject,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Issued => "issued",
            OrderStatus::Responded => "responded",
            OrderStatus::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            OrderStatus::Issued,
            OrderStatus::Responded,
            OrderStatus::Closed,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// The one transition function of a rectification order.
pub fn order_transition(from: OrderStatus, action: OrderAction) -> Option<OrderStatus> {
    match (from, action) {
        (OrderStatus::Issued, OrderAction::Respond) => Some(OrderStatus::Responded),
        (OrderStatus::Responded, OrderAction::RecheckClose) => Some(OrderStatus::Closed),
        (OrderStatus::Responded, OrderAction::RecheckReject) => Some(OrderStatus::Issued),
        _ => None,
    }
}

/// The rungs of the ladder an overdue order climbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    None,
    /// Past the deadline: a reminder to the developer.
    ReminderToDeveloper,
    /// 3 days late: notice to the insurer.
    NoticeToInsurer,
    /// 7 days late: notice to the bureau.
    NoticeToRegulator,
    /// 14 days late: proposal of a policy exclusion for that part.
    ExclusionProposed,
}

impl Escalation {
    /// The rungs an overdue order climbs, in order.
    pub const LADDER: [Escalation; 4] = [
        Escalation::ReminderToDeveloper,
        Escalation::NoticeToInsurer,
        Escalation::NoticeToRegulator,
        Escalation::ExclusionProposed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Escalation::None => "none",
            Escalation::ReminderToDeveloper => "reminder",
            Escalation::NoticeToInsurer => "insurer",
            Escalation::NoticeToRegulator => "regulator",
            Escalation::ExclusionProposed => "exclusion",
        }
    }

    /// Days past the deadline on which an order still with the developer reaches this rung.
    pub fn days_late(self) -> i64 {
        match self {
            Escalation::None => 0,
            Escalation::ReminderToDeveloper => 1,
            Escalation::NoticeToInsurer => 3,
            Escalation::NoticeToRegulator => 7,
            Escalation::ExclusionProposed => 14,
        }
    }
}

/// Where an order stands on the ladder today. Only an order still with the developer climbs;
/// a response stops the clock until the recheck.
pub fn escalation(status: OrderStatus, deadline: NaiveDate, today: NaiveDate) -> Escalation {
    if status != OrderStatus::Issued {
        return Escalation::None;
    }
    let late = (today - deadline).num_days();
    Escalation::LADDER
        .into_iter()
        .rev()
        .find(|step| late >= step.days_late())
        .unwrap_or(Escalation::None)
}

/// The mandatory stage nodes, in construction order, with the month (after the policy is issued)
/// at which each is planned by default.
pub const STAGE_NODES: [(&str, u32); 8] = [
    ("design_review", 0),
    ("foundation", 2),
    ("main_structure", 6),
    ("waterproofing", 12),
    ("envelope", 15),
    ("decoration", 18),
    ("installation", 20),
    ("completion", 24),
];

/// Routine visits between stage nodes.
pub const ROUTINE_INTERVAL_DAYS: u64 = 14;
/// How far ahead routine visits are planned at issue; the agency extends the plan as works go on.
pub const ROUTINE_HORIZON_DAYS: u64 = 180;

/// The plan generated when a policy is issued: every stage node plus routine visits.
pub fn inspection_plan(issued_on: NaiveDate) -> Vec<(&'static str, NaiveDate)> {
    let mut plan: Vec<(&'static str, NaiveDate)> = STAGE_NODES
        .iter()
        .filter_map(|(stage, months)| {
            Some((
                *stage,
                issued_on.checked_add_months(chrono::Months::new(*months))?,
            ))
        })
        .collect();
    let mut day = ROUTINE_INTERVAL_DAYS;
    while day <= ROUTINE_HORIZON_DAYS {
        if let Some(date) = issued_on.checked_add_days(Days::new(day)) {
            plan.push(("routine", date));
        }
        day += ROUTINE_INTERVAL_DAYS;
    }
    plan.sort_by_key(|(_, date)| *date);
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn deadlines_come_from_the_rule_pack_in_calendar_days() {
        let pack = RulePack::laoshan_2021();
        let day = date(2026, 11, 29);
        assert_eq!(
            rectification_deadline(&pack, RiskLevel::D, day),
            Some(date(2026, 12, 2))
        );
        assert_eq!(
            rectification_deadline(&pack, RiskLevel::E, day),
            Some(date(2026, 12, 2))
        );
        assert_eq!(
            rectification_deadline(&pack, RiskLevel::C, day),
            Some(date(2026, 12, 13))
        );
        assert_eq!(
            rectification_deadline(&pack, RiskLevel::B, day),
            Some(date(2026, 12, 29))
        );
        assert_eq!(
            rectification_deadline(&pack, RiskLevel::R, date(2027, 2, 1)),
            Some(date(2027, 3, 3))
        );
        assert_eq!(rectification_deadline(&pack, RiskLevel::A, day), None);
        assert_eq!(rectification_deadline(&pack, RiskLevel::O, day), None);
    }

    #[test]
    fn an_order_moves_respond_then_recheck() {
        use OrderAction::*;
        use OrderStatus::*;
        assert_eq!(order_transition(Issued, Respond), Some(Responded));
        assert_eq!(order_transition(Responded, RecheckClose), Some(Closed));
        assert_eq!(order_transition(Responded, RecheckReject), Some(Issued));
        assert_eq!(
            order_transition(Issued, RecheckClose),
            None,
            "no closing without a response"
        );
        assert_eq!(order_transition(Closed, Respond), None);
        assert_eq!(order_transition(Responded, Respond), None);
    }

    #[test]
    fn overdue_orders_climb_the_ladder_step_by_step() {
        let deadline = date(2026, 12, 2);
        let on = |d: u32| escalation(OrderStatus::Issued, deadline, date(2026, 12, d));
        assert_eq!(on(2), Escalation::None);
        assert_eq!(on(3), Escalation::ReminderToDeveloper);
        assert_eq!(on(5), Escalation::NoticeToInsurer);
        assert_eq!(on(9), Escalation::NoticeToRegulator);
        assert_eq!(on(16), Escalation::ExclusionProposed);
        assert_eq!(
            escalation(OrderStatus::Responded, deadline, date(2026, 12, 30)),
            Escalation::None
        );
        assert_eq!(
            escalation(OrderStatus::Closed, deadline, date(2026, 12, 30)),
            Escalation::None
        );
    }

    #[test]
    fn the_plan_holds_every_stage_node_and_fortnightly_visits() {
        let plan = inspection_plan(date(2026, 11, 29));
        let stages: Vec<_> = plan
            .iter()
            .filter(|(s, _)| *s != "routine")
            .map(|(s, _)| *s)
            .collect();
        assert_eq!(stages.len(), 8);
        assert_eq!(stages[0], "design_review");
        assert_eq!(plan.iter().filter(|(s, _)| *s == "routine").count(), 12);
        assert!(plan.windows(2).all(|w| w[0].1 <= w[1].1), "sorted by date");
    }

    #[test]
    fn only_b_to_e_and_r_need_an_order() {
        let needing: Vec<_> = RiskLevel::ALL
            .into_iter()
            .filter(|l| l.needs_order())
            .map(RiskLevel::as_str)
            .collect();
        assert_eq!(needing, ["B", "C", "D", "E", "R"]);
    }
}

/// Risk reports: what each kind freezes, and the lead insurer's review of the final one.
pub mod reports {
    use serde::Serialize;

    use super::RiskLevel;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ReportKind {
        /// After a visit: every finding still open on the project (cumulative).
        Process,
        /// At a stage node: every finding still open.
        Stage,
        /// Before completion acceptance: open R and unresolved C/D/E items.
        Final,
    }

    impl ReportKind {
        pub fn as_str(self) -> &'static str {
            match self {
                ReportKind::Process => "process",
                ReportKind::Stage => "stage",
                ReportKind::Final => "final",
            }
        }

        pub fn parse(value: &str) -> Option<Self> {
            [ReportKind::Process, ReportKind::Stage, ReportKind::Final]
                .into_iter()
                .find(|k| k.as_str() == value)
        }

        /// Whether an open finding of this level belongs in the report.
        pub fn includes(self, level: RiskLevel) -> bool {
            match self {
                ReportKind::Process | ReportKind::Stage => true,
                ReportKind::Final => matches!(
                    level,
                    RiskLevel::C | RiskLevel::D | RiskLevel::E | RiskLevel::R
                ),
            }
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ReportStatus {
        Issued,
        Confirmed,
        ExclusionsAdded,
    }

    impl ReportStatus {
        pub fn as_str(self) -> &'static str {
            match self {
                ReportStatus::Issued => "issued",
                ReportStatus::Confirmed => "confirmed",
                ReportStatus::ExclusionsAdded => "exclusions_added",
            }
        }

        pub fn parse(value: &str) -> Option<Self> {
            [
                ReportStatus::Issued,
                ReportStatus::Confirmed,
                ReportStatus::ExclusionsAdded,
            ]
            .into_iter()
            .find(|s| s.as_str() == value)
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Review {
        ConfirmCover,
        AddExclusions,
    }

    /// The one transition of a report: only a final report, once, is reviewed.
    pub fn review(
        kind: ReportKind,
        status: ReportStatus,
        decision: Review,
    ) -> Option<ReportStatus> {
        match (kind, status, decision) {
            (ReportKind::Final, ReportStatus::Issued, Review::ConfirmCover) => {
                Some(ReportStatus::Confirmed)
            }
            (ReportKind::Final, ReportStatus::Issued, Review::AddExclusions) => {
                Some(ReportStatus::ExclusionsAdded)
            }
            _ => None,
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_final_report_keeps_only_what_threatens_cover() {
            let kept: Vec<_> = RiskLevel::ALL
                .into_iter()
                .filter(|l| ReportKind::Final.includes(*l))
                .map(RiskLevel::as_str)
                .collect();
            assert_eq!(kept, ["C", "D", "E", "R"]);
            assert!(
                RiskLevel::ALL
                    .into_iter()
                    .all(|l| ReportKind::Process.includes(l))
            );
        }

        #[test]
        fn only_an_issued_final_report_is_reviewed_once() {
            assert_eq!(
                review(
                    ReportKind::Final,
                    ReportStatus::Issued,
                    Review::ConfirmCover
                ),
                Some(ReportStatus::Confirmed)
            );
            assert_eq!(
                review(
                    ReportKind::Final,
                    ReportStatus::Issued,
                    Review::AddExclusions
                ),
                Some(ReportStatus::ExclusionsAdded)
            );
            assert_eq!(
                review(
                    ReportKind::Final,
                    ReportStatus::Confirmed,
                    Review::AddExclusions
                ),
                None
            );
            assert_eq!(
                review(
                    ReportKind::Stage,
                    ReportStatus::Issued,
                    Review::ConfirmCover
                ),
                None
            );
        }
    }
}

/// Checklist answers, and what must hold before an inspection is submitted.
pub mod checklist {
    pub const RESULTS: [&str; 3] = ["pass", "fail", "na"];

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Answer<'a> {
        pub item: &'a str,
        pub result: Option<&'a str>,
        pub has_finding: bool,
    }

    /// The locale key of the first reason the checklist is not complete, if any: every item
    /// answered, and every failed item linked to its finding.
    pub fn incomplete(answers: &[Answer<'_>]) -> Option<&'static str> {
        if answers.iter().any(|a| a.result.is_none()) {
            return Some("checklist.unanswered");
        }
        if answers
            .iter()
            .any(|a| a.result == Some("fail") && !a.has_finding)
        {
            return Some("checklist.fail_needs_finding");
        }
        None
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn every_item_is_answered_and_every_failure_has_its_finding() {
            let answer = |result, has_finding| Answer {
                item: "钢筋隐蔽验收",
                result,
                has_finding,
            };
            assert_eq!(
                incomplete(&[answer(Some("pass"), false), answer(Some("na"), false)]),
                None
            );
            assert_eq!(incomplete(&[answer(Some("fail"), true)]), None);
            assert_eq!(
                incomplete(&[answer(None, false)]),
                Some("checklist.unanswered")
            );
            assert_eq!(
                incomplete(&[answer(Some("fail"), false)]),
                Some("checklist.fail_needs_finding")
            );
            assert_eq!(incomplete(&[]), None);
        }
    }
}
