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

/// Severity weight per level A, B, C, D, E, R, O, in points per finding per 10,000 m²: a D or E
/// finding weighs like dozens of As. Calibrated on the volumes agencies report (a visit every 2–4
/// weeks, 20–80 findings each, 5–15 % at C, 1–3 % at D/E): a typical project scores in the band
/// that keeps its rate, and one with three times the usual serious findings earns a loading.
/// The database keeps the same sum as a sort key (`app.risk_standing`, migration 0031).
const WEIGHTS: [f64; 7] = [0.01, 0.05, 0.3, 1.5, 2.0, 0.1, 0.0];

const SEVERITY_POINTS_MAX: f64 = 50.0;
const RECURRING_POINTS_MAX: f64 = 20.0;
/// The most points overdue orders add: the only part of a score that changes with the date.
pub const OVERDUE_POINTS_MAX: f64 = 15.0;
const FINAL_REPORT_POINTS: f64 = 15.0;

/// Severity-weighted findings per 10,000 m², so a large estate is not punished for its size.
fn severity_points(inputs: &RiskInputs) -> f64 {
    let weighted: f64 = inputs
        .findings
        .iter()
        .zip(WEIGHTS)
        .map(|(n, w)| *n as f64 * w)
        .sum();
    (weighted / (inputs.floor_area_m2 / 10_000.0).max(1.0)).min(SEVERITY_POINTS_MAX)
}

/// Serious findings a share of recurring ones is taken over before it weighs fully: one repeat
/// among two findings says little, fifty among a hundred say much.
const RECURRING_SHRINK: i64 = 10;

/// The share of serious (C–E) findings that repeat one already found on the same building and
/// cover section: a developer that does not learn, whatever the project's size.
fn recurring_points(inputs: &RiskInputs) -> f64 {
    let serious: i64 = inputs.findings[2..5].iter().sum();
    (RECURRING_POINTS_MAX * inputs.recurring as f64 / (serious + RECURRING_SHRINK) as f64)
        .min(RECURRING_POINTS_MAX)
}

fn overdue_points(inputs: &RiskInputs) -> f64 {
    (inputs.overdue_orders as f64 * 2.0).min(OVERDUE_POINTS_MAX)
}

fn final_report_points(inputs: &RiskInputs) -> f64 {
    match inputs.final_with_exclusions {
        Some(true) => FINAL_REPORT_POINTS,
        _ => 0.0,
    }
}

/// The part of a score that does not change with the date (all but the overdue orders), before
/// rounding: what the insurer's book ranks its projects by before adding the overdue part.
pub fn standing_points(inputs: &RiskInputs) -> f64 {
    severity_points(inputs) + recurring_points(inputs) + final_report_points(inputs)
}

pub fn risk_score(inputs: &RiskInputs) -> RiskScore {
    let parts = vec![
        ScorePart {
            code: "severity",
            points: severity_points(inputs),
        },
        ScorePart {
            code: "recurring",
            points: recurring_points(inputs),
        },
        ScorePart {
            code: "overdue",
            points: overdue_points(inputs),
        },
        ScorePart {
            code: "final_report",
            points: final_report_points(inputs),
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

/// Which projects can still rank among the top `n` by score, once some projects are scored and
/// the `n`-th best of their scores is `lowest_top_score`: (the standing part a project with an
/// overdue order needs, the standing part one without needs). Any other project scores below
/// `lowest_top_score` even after rounding to one decimal, and `n` projects already score at
/// least that.
pub fn contender_floors(lowest_top_score: f64) -> (f64, f64) {
    // A rounded score may sit 0.05 above the sum it rounds; 0.1 also absorbs the database's
    // floating-point sum differing from this one in the last bits.
    const ROUNDING: f64 = 0.1;
    (
        lowest_top_score - OVERDUE_POINTS_MAX - ROUNDING,
        lowest_top_score - ROUNDING,
    )
}

/// How many deadlines of a project's open, unanswered orders the counters keep (migrations 0022,
/// 0030): the insurer's risk table counts a project's overdue orders from them alone unless it has
/// more open orders than this (a few hundred projects in the national data set).
pub const OVERDUE_DEADLINES_KEPT: i64 = 64;

/// How many of them a risk score reads: more overdue orders than its overdue part can weigh, so
/// a score needs no other count.
pub const OVERDUE_DEADLINES_SCORED: i64 = 16;

/// IDI premium is earned evenly over the longest cover section (10 years) from issue; the safety
/// part over construction is not separated here. Returns the earned part of `written_fen`, given
/// its premium-days: the premium of each policy times the days since its issue, summed (for one
/// policy, or policies issued on one day, `written_fen × days`). A group of policies issued over
/// a month is earned as one policy issued on their premium-weighted mean day: exact while all of
/// them are between 0 and 10 years old.
pub fn earned_fen(written_fen: i64, premium_days: i128) -> i64 {
    let written = i128::from(written_fen);
    (premium_days.clamp(0, written * 3650) / 3650) as i64
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

    /// Findings over a 100,000 m² project's construction at the volumes agencies report, with
    /// `serious` times the usual C–E findings.
    fn project(serious: i64) -> RiskInputs {
        RiskInputs {
            findings: [900, 600, 175 * serious, 35 * serious, 10 * serious, 20, 10],
            floor_area_m2: 100_000.0,
            recurring: 44 * serious,
            ..Default::default()
        }
    }

    #[test]
    fn a_typical_project_keeps_its_rate_a_clean_one_earns_a_discount_a_troubled_one_a_loading() {
        let typical = risk_score(&project(1));
        assert_eq!(typical.rate_adjustment_pct, 0, "{typical:?}");
        let clean = risk_score(&RiskInputs {
            findings: [40, 20, 2, 0, 0, 0, 3],
            floor_area_m2: 60_000.0,
            ..Default::default()
        });
        assert_eq!(clean.rate_adjustment_pct, -10);
        assert!(clean.score < 10.0);
        let troubled = risk_score(&RiskInputs {
            overdue_orders: 5,
            final_with_exclusions: Some(true),
            ..project(3)
        });
        // severity: (9 + 30 + 157.5 + 157.5 + 60 + 2) / 10 = 41.6; recurring 20 × 132 / (660 + 10)
        // = 3.94; overdue 10; final 15.
        assert_eq!(troubled.score, 70.5);
        assert_eq!(troubled.rate_adjustment_pct, 20);
        let points: Vec<f64> = troubled.parts.iter().map(|p| p.points).collect();
        assert!((points[0] - 41.6).abs() < 1e-9 && (points[1] - 2640.0 / 670.0).abs() < 1e-9);
        assert_eq!(points[2..], [10.0, 15.0]);
    }

    #[test]
    fn each_part_is_capped_and_the_score_stays_within_100() {
        let worst = risk_score(&RiskInputs {
            findings: [0, 0, 0, 500, 500, 0, 0],
            floor_area_m2: 1.0,
            recurring: 5_000,
            overdue_orders: 100,
            final_with_exclusions: Some(true),
        });
        assert_eq!(worst.score, 100.0);
        assert_eq!(worst.rate_adjustment_pct, 30);
    }

    #[test]
    fn the_top_by_score_is_found_among_the_contenders_of_the_top_by_standing() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(6);
        for round in 0..200 {
            // Scores packed close together, as a book of similar projects is.
            let projects: Vec<(usize, RiskInputs)> = (0..rng.random_range(1..120))
                .map(|id| {
                    let serious = rng.random_range(0..4);
                    let inputs = RiskInputs {
                        overdue_orders: rng.random_range(0..10) * rng.random_range(0..2),
                        final_with_exclusions: Some(rng.random_range(0..8) == 0),
                        ..project(serious)
                    };
                    (id, inputs)
                })
                .collect();
            let n = rng.random_range(1..60);
            let ranked = |mut scored: Vec<(usize, f64)>| {
                scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                scored.truncate(n);
                scored
            };
            let score = |p: &RiskInputs| risk_score(p).score;
            let everyone = ranked(projects.iter().map(|(id, p)| (*id, score(p))).collect());
            // As the book reads them: some projects with the highest standing part (at least n),
            // the n-th best of their scores, then the contenders.
            let mut by_standing = projects.clone();
            by_standing.sort_by(|a, b| standing_points(&b.1).total_cmp(&standing_points(&a.1)));
            by_standing.truncate(n * rng.random_range(1..4));
            let mut first: Vec<f64> = by_standing.iter().map(|(_, p)| score(p)).collect();
            first.sort_by(|a, b| b.total_cmp(a));
            let Some(nth) = first.get(n - 1) else {
                continue;
            };
            let (with_overdue, without) = contender_floors(*nth);
            let contenders = projects
                .iter()
                .filter(|(_, p)| {
                    let standing = standing_points(p);
                    standing >= without || (p.overdue_orders > 0 && standing >= with_overdue)
                })
                .map(|(id, p)| (*id, score(p)))
                .collect();
            assert_eq!(ranked(contenders), everyone, "round {round}");
        }
    }

    #[test]
    fn premium_is_earned_evenly_over_ten_years() {
        let one = |written: i64, days: i128| earned_fen(written, i128::from(written) * days);
        assert_eq!(one(3_650_000, 365), 365_000);
        assert_eq!(one(3_650_000, -5), 0);
        assert_eq!(one(3_650_000, 99_999), 3_650_000);
        // A month of policies earns what its days earn one by one, but for the fen each day's
        // share rounds away.
        let days = [(1_200_000_i64, 400_i128), (860_000, 395), (3_333_333, 371)];
        let by_day: i64 = days.iter().map(|(w, d)| one(*w, *d)).sum();
        let month = earned_fen(
            days.iter().map(|(w, _)| w).sum(),
            days.iter().map(|(w, d)| i128::from(*w) * d).sum(),
        );
        assert!(
            (month - by_day).abs() < days.len() as i64,
            "{month} vs {by_day}"
        );
    }
}
