//! Oversight figures computed from maintained counters: rates, medians from day histograms and
//! claim-decision compliance. Pure, so a figure on the bureau's page is a tested function of the
//! counters the database keeps.

use serde::Serialize;

use super::rules::RulePack;

/// `numerator / denominator` as a share, None when there is nothing to divide.
pub fn share(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// The median number of days, read from a histogram of (days bucket, count). Buckets up to 14
/// are exact days; 21, 30, 45, 60 and 90 stand for the range above the previous bucket; 91 for
/// anything longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MedianDays {
    Exact { days: i16 },
    Between { from: i16, to: i16 },
    Over { days: i16 },
}

pub const CLOSURE_BUCKETS: [i16; 21] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 21, 30, 45, 60, 90, 91,
];

pub fn median_days(histogram: &[(i16, i64)]) -> Option<MedianDays> {
    let mut buckets: Vec<(i16, i64)> = histogram.iter().copied().filter(|(_, n)| *n > 0).collect();
    buckets.sort_by_key(|(days, _)| *days);
    let total: i64 = buckets.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    // The lower median: the ceil(total / 2)-th smallest value.
    let wanted = (total + 1) / 2;
    let mut seen = 0;
    for (days, n) in buckets {
        seen += n;
        if seen >= wanted {
            return Some(match days {
                0..=14 => MedianDays::Exact { days },
                91.. => MedianDays::Over { days: 90 },
                _ => {
                    let from = CLOSURE_BUCKETS
                        .iter()
                        .rev()
                        .find(|b| **b < days)
                        .map_or(0, |b| b + 1);
                    MedianDays::Between { from, to: days }
                }
            });
        }
    }
    None
}

impl MedianDays {
    /// For display: "7", "15–21", ">90".
    pub fn label(&self) -> String {
        match self {
            MedianDays::Exact { days } => days.to_string(),
            MedianDays::Between { from, to } => format!("{from}–{to}"),
            MedianDays::Over { days } => format!(">{days}"),
        }
    }
}

/// Claim decisions counted by whole days taken: how many met the rule pack's decision clock
/// (7 days, or 30 when complex, in Laoshan 2021). Returns (on time, all).
pub fn decisions_on_time(pack: &RulePack, decisions: &[(bool, i16, i64)]) -> (i64, i64) {
    let limit_days = |key: &str, default: u32| {
        i16::try_from(pack.claim_sla_hours.get(key).copied().unwrap_or(default) / 24)
            .unwrap_or(i16::MAX)
    };
    let (simple, complex) = (
        limit_days("decision", 168),
        limit_days("decision_complex", 720),
    );
    decisions
        .iter()
        .fold((0, 0), |(on_time, all), (is_complex, days, n)| {
            let limit = if *is_complex { complex } else { simple };
            (on_time + if *days < limit { *n } else { 0 }, all + n)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_need_something_to_divide() {
        assert_eq!(share(1, 4), Some(0.25));
        assert_eq!(share(0, 0), None);
    }

    #[test]
    fn the_median_reads_exact_days_then_ranges() {
        assert_eq!(median_days(&[]), None);
        assert_eq!(median_days(&[(3, 0)]), None);
        assert_eq!(
            median_days(&[(2, 1), (5, 1), (9, 1)]),
            Some(MedianDays::Exact { days: 5 })
        );
        // Four values 1, 1, 7, 30: the lower median is 1.
        assert_eq!(
            median_days(&[(30, 1), (1, 2), (7, 1)]),
            Some(MedianDays::Exact { days: 1 })
        );
        assert_eq!(
            median_days(&[(2, 1), (21, 5)]),
            Some(MedianDays::Between { from: 15, to: 21 })
        );
        assert_eq!(
            median_days(&[(60, 3), (91, 1)]).map(|m| m.label()),
            Some("46–60".to_owned())
        );
        assert_eq!(
            median_days(&[(91, 3), (1, 1)]).map(|m| m.label()),
            Some(">90".to_owned())
        );
    }

    #[test]
    fn decisions_meet_the_clock_of_their_kind() {
        let pack = RulePack::laoshan_2021();
        // Simple: 7 days; complex: 30 days.
        let decisions = [(false, 6, 10), (false, 7, 2), (true, 20, 3), (true, 31, 1)];
        assert_eq!(decisions_on_time(&pack, &decisions), (13, 16));
        assert_eq!(decisions_on_time(&pack, &[]), (0, 0));
    }
}
