//! The insurer's view of a project's risk: a score from what the agency found and how the
//! developer dealt with it, the rate adjustment it suggests for the developer's next policy, and
//! the parts that explain it. The weights are this platform's defaults (not a published scale);
//! they are meant to be tuned per rule pack.

use serde::Serialize;

/// What a project's record holds for the score.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RiskInputs {
    /// Findings raised, by level A, B, C, D, E, R, O.
    pub findings: [i64; 7],
    pub floor_area_m2: f64,
    /// Findings at C or worse on the same building and cover section as an earlier one.
    pub recurring: i64,
    /// Open orders past their deadline.
    pub overdue_orders: i64,
    /// The final evaluation report's outcome, once reviewed: true when exclusions were added.
    pub final_with_exclusions: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScorePart {
    /// severity | recurring | overdue | final_report
    pub code: &'static str,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RiskScore {
    /// 0 (clean) to 100.
    pub score: f64,
    pub parts: Vec<ScorePart>,
    /// Suggested change to the developer's next IDI rate, in percent of the rate (−10 … +30).
    pub rate_adjustment_pct: i64,
}

/// Severity weight per level A, B, C, D, E, R, O: a D or E finding weighs like dozens of As.
const WEIGHTS: [f64; 7] = [0.1, 0.5, 2.0, 8.0, 10.0, 1.0, 0.0];

pub fn risk_score(inputs: &RiskInputs) -> RiskScore {
    let weighted: f64 = inputs
        .findings
        .iter()
        .zip(WEIGHTS)
        .map(|(n, w)| *n as f64 * w)
        .sum();
    // Per 10,000 m² so a large estate is not punished for its size.
    let per_area = weighted / (inputs.floor_area_m2 / 10_000.0).max(1.0);
    let parts = vec![
        ScorePart {
            code: "severity",
            points: per_area.min(50.0),
        },
        ScorePart {
            code: "recurring",
            points: (inputs.recurring as f64 * 3.0).min(20.0),
        },
        ScorePart {
            code: "overdue",
            points: (inputs.overdue_orders as f64 * 2.0).min(15.0),
        },
        ScorePart {
            code: "final_report",
            points: match inputs.final_with_exclusions {
                Some(true) => 15.0,
                _ => 0.0,
            },
        },
    ];
    let score = parts.iter().map(|p| p.points).sum::<f64>().min(100.0);
    let rate_adjustment_pct = match score {
        s if s < 10.0 => -10,
        s if s < 25.0 => 0,
        s if s < 50.0 => 10,
        s if s < 75.0 => 20,
        _ => 30,
    };
    RiskScore {
        score: (score * 10.0).round() / 10.0,
        parts,
        rate_adjustment_pct,
    }
}

/// How many deadlines of a project's open, unanswered orders the counters keep (migrations 0022,
/// 0030): the insurer's risk table counts a project's overdue orders from them alone unless it has
/// more open orders than this (a few hundred projects in the national data set).
pub const OVERDUE_DEADLINES_KEPT: i64 = 64;

/// How many of them a risk score reads: more overdue orders than its overdue part can weigh, so
/// a score needs no other count.
pub const OVERDUE_DEADLINES_SCORED: i64 = 16;

/// IDI premium is earned evenly over the longest cover section (10 years) from issue; the safety
/// part over construction is not separated here. Returns the earned part of `written_fen`.
pub fn earned_fen(written_fen: i64, days_since_issue: i64) -> i64 {
    let days = days_since_issue.clamp(0, 3650);
    (i128::from(written_fen) * i128::from(days) / 3650) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overdue_part_is_full_by_the_deadlines_the_counters_keep() {
        // The counters keep a project's earliest open deadlines, so an insurer's book scores from
        // them alone: more orders than they keep change nothing.
        let with = |overdue_orders: i64| {
            risk_score(&RiskInputs {
                findings: [10, 5, 3, 1, 0, 0, 0],
                floor_area_m2: 20_000.0,
                overdue_orders,
                ..Default::default()
            })
        };
        assert_eq!(with(OVERDUE_DEADLINES_SCORED), with(1_000));
        assert_ne!(with(1), with(OVERDUE_DEADLINES_SCORED));
    }

    #[test]
    fn a_clean_project_earns_a_discount_and_a_troubled_one_a_loading() {
        let clean = risk_score(&RiskInputs {
            findings: [40, 20, 2, 0, 0, 0, 3],
            floor_area_m2: 60_000.0,
            ..Default::default()
        });
        assert_eq!(clean.rate_adjustment_pct, -10);
        assert!(clean.score < 10.0);
        let troubled = risk_score(&RiskInputs {
            findings: [40, 20, 10, 4, 1, 0, 0],
            floor_area_m2: 20_000.0,
            recurring: 3,
            overdue_orders: 2,
            final_with_exclusions: Some(true),
        });
        // severity: (4 + 10 + 20 + 32 + 10) / 2 = 38; recurring 9; overdue 4; final 15.
        assert_eq!(troubled.score, 66.0);
        assert_eq!(troubled.rate_adjustment_pct, 20);
        assert_eq!(
            troubled.parts.iter().map(|p| p.points).collect::<Vec<_>>(),
            [38.0, 9.0, 4.0, 15.0]
        );
    }

    #[test]
    fn each_part_is_capped_and_the_score_stays_within_100() {
        let worst = risk_score(&RiskInputs {
            findings: [0, 0, 0, 500, 500, 0, 0],
            floor_area_m2: 1.0,
            recurring: 100,
            overdue_orders: 100,
            final_with_exclusions: Some(true),
        });
        assert_eq!(worst.score, 100.0);
        assert_eq!(worst.rate_adjustment_pct, 30);
    }

    #[test]
    fn premium_is_earned_evenly_over_ten_years() {
        assert_eq!(earned_fen(3_650_000, 365), 365_000);
        assert_eq!(earned_fen(3_650_000, -5), 0);
        assert_eq!(earned_fen(3_650_000, 99_999), 3_650_000);
    }
}
