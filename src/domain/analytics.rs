//! Oversight figures computed from maintained counters: rates, medians from day histograms and
//! claim-decision compliance. Pure, so a figure on the bureau's page is a tested function of the
//! counters the database keeps.

use serde::Serialize;

use super::rules::RulePack;

/// `numerator / denominator` as a share, None when there is nothing to divide.
pub fn share(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// The median number of days, read from a histogram of (bucket, count) whose buckets are
/// `bounds`: a bucket one above the previous is an exact day; a wider one stands for the range
/// above the previous bucket; the last one for anything longer than the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MedianDays {
    Exact { days: i16 },
    Between { from: i16, to: i16 },
    Over { days: i16 },
}

/// Days to close a finding (migration 0016, app.closure_bucket).
pub const CLOSURE_BUCKETS: [i16; 21] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 21, 30, 45, 60, 90, 91,
];
/// Days to decide a claim (migration 0016, app.decision_bucket).
pub const DECISION_BUCKETS: [i16; 10] = [0, 1, 2, 3, 4, 5, 6, 13, 29, 31];

pub fn median_days(histogram: &[(i16, i64)], bounds: &[i16]) -> Option<MedianDays> {
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
            let previous = bounds.iter().rev().find(|b| **b < days).copied();
            let last = bounds.last() == Some(&days) && bounds.len() > 1;
            return Some(match previous {
                Some(p) if last => MedianDays::Over { days: p },
                Some(p) if days > p + 1 => MedianDays::Between {
                    from: p + 1,
                    to: days,
                },
                _ => MedianDays::Exact { days },
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

/// The parties a league table ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    Agency,
    Developer,
    Contractor,
    Insurer,
}

impl Party {
    pub const ALL: [Party; 4] = [
        Party::Agency,
        Party::Developer,
        Party::Contractor,
        Party::Insurer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Party::Agency => "agency",
            Party::Developer => "developer",
            Party::Contractor => "contractor",
            Party::Insurer => "insurer",
        }
    }

    pub fn parse(code: &str) -> Option<Party> {
        Party::ALL.into_iter().find(|p| p.as_str() == code)
    }
}

/// One party's record over the projects it is on: the raw sums a league is ranked by.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LeagueRow {
    pub org_id: uuid::Uuid,
    pub name_zh: String,
    pub projects: i64,
    pub floor_area_m2: f64,
    pub units: i64,
    /// Findings calling for rectification (B–E, R) and the severe ones (D/E).
    pub defects: i64,
    pub severe: i64,
    pub orders: i64,
    pub orders_closed: i64,
    pub orders_on_time: i64,
    pub claims: i64,
}

impl LeagueRow {
    /// Findings per 10,000 m² of floor area (none without floor area).
    pub fn defects_per_10k_m2(&self) -> Option<f64> {
        per(self.defects, self.floor_area_m2, 10_000.0)
    }

    pub fn severe_per_10k_m2(&self) -> Option<f64> {
        per(self.severe, self.floor_area_m2, 10_000.0)
    }

    /// Percent of closed orders closed by their deadline.
    pub fn on_time_pct(&self) -> Option<f64> {
        share(self.orders_on_time, self.orders_closed).map(|s| s * 100.0)
    }

    /// Claims per 1,000 homes.
    pub fn claims_per_1000_units(&self) -> Option<f64> {
        per(self.claims, self.units as f64, 1_000.0)
    }
}

fn per(count: i64, base: f64, unit: f64) -> Option<f64> {
    (base > 0.0).then(|| count as f64 * unit / base)
}

/// Worst first: most defects per 10,000 m², parties without floor area last, then by name.
pub fn rank_league(rows: &mut [LeagueRow]) {
    rows.sort_by(|a, b| {
        let key = |r: &LeagueRow| r.defects_per_10k_m2().unwrap_or(f64::NEG_INFINITY);
        key(b)
            .total_cmp(&key(a))
            .then_with(|| a.name_zh.cmp(&b.name_zh))
    });
}

/// The share insured so far at the end of each month, in percent: from each month's parcels that
/// must insure and those insured, in month order (none before the first parcel).
pub fn running_rate(months: &[(i64, i64)]) -> Vec<Option<f64>> {
    let (mut requiring, mut insured) = (0, 0);
    months
        .iter()
        .map(|(r, i)| {
            requiring += r;
            insured += i;
            share(insured, requiring).map(|s| s * 100.0)
        })
        .collect()
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
        let m = |h: &[(i16, i64)]| median_days(h, &CLOSURE_BUCKETS);
        assert_eq!(m(&[]), None);
        assert_eq!(m(&[(3, 0)]), None);
        assert_eq!(
            m(&[(2, 1), (5, 1), (9, 1)]),
            Some(MedianDays::Exact { days: 5 })
        );
        // Four values 1, 1, 7, 30: the lower median is 1.
        assert_eq!(
            m(&[(30, 1), (1, 2), (7, 1)]),
            Some(MedianDays::Exact { days: 1 })
        );
        assert_eq!(
            m(&[(2, 1), (21, 5)]),
            Some(MedianDays::Between { from: 15, to: 21 })
        );
        assert_eq!(
            m(&[(60, 3), (91, 1)]).map(|m| m.label()),
            Some("46–60".to_owned())
        );
        assert_eq!(
            m(&[(91, 3), (1, 1)]).map(|m| m.label()),
            Some(">90".to_owned())
        );
        // Decision buckets: 13 stands for 7–13 days, 31 for 30 or more.
        let d = |h: &[(i16, i64)]| median_days(h, &DECISION_BUCKETS).map(|m| m.label());
        assert_eq!(d(&[(13, 5), (2, 1)]), Some("7–13".to_owned()));
        assert_eq!(d(&[(31, 5)]), Some(">29".to_owned()));
        assert_eq!(d(&[(6, 2)]), Some("6".to_owned()));
    }

    #[test]
    fn decisions_meet_the_clock_of_their_kind() {
        let pack = RulePack::laoshan_2021();
        // Simple: 7 days; complex: 30 days (buckets: 13 is 7–13 days, 29 is 14–29, 31 is 30+).
        let decisions = [(false, 6, 10), (false, 13, 2), (true, 29, 3), (true, 31, 1)];
        assert_eq!(decisions_on_time(&pack, &decisions), (13, 16));
        assert_eq!(decisions_on_time(&pack, &[]), (0, 0));
    }

    fn league(name: &str, area: f64, defects: i64) -> LeagueRow {
        LeagueRow {
            name_zh: name.into(),
            floor_area_m2: area,
            defects,
            ..LeagueRow::default()
        }
    }

    #[test]
    fn league_rates_are_per_area_per_home_and_per_closed_order() {
        let row = LeagueRow {
            floor_area_m2: 50_000.0,
            units: 400,
            defects: 30,
            severe: 5,
            orders_closed: 8,
            orders_on_time: 6,
            claims: 2,
            ..LeagueRow::default()
        };
        assert_eq!(row.defects_per_10k_m2(), Some(6.0));
        assert_eq!(row.severe_per_10k_m2(), Some(1.0));
        assert_eq!(row.on_time_pct(), Some(75.0));
        assert_eq!(row.claims_per_1000_units(), Some(5.0));
        let empty = LeagueRow::default();
        assert_eq!(empty.defects_per_10k_m2(), None);
        assert_eq!(empty.on_time_pct(), None);
        assert_eq!(empty.claims_per_1000_units(), None);
    }

    #[test]
    fn the_league_puts_the_densest_defects_first_and_unmeasured_last() {
        let mut rows = vec![
            league("乙", 10_000.0, 3),
            league("甲", 0.0, 9),
            league("丙", 20_000.0, 20),
            league("丁", 10_000.0, 3),
        ];
        rank_league(&mut rows);
        let names: Vec<&str> = rows.iter().map(|r| r.name_zh.as_str()).collect();
        assert_eq!(names, ["丙", "丁", "乙", "甲"]);
    }

    #[test]
    fn parties_round_trip_through_their_codes() {
        for party in Party::ALL {
            assert_eq!(Party::parse(party.as_str()), Some(party));
        }
        assert_eq!(Party::parse("owner"), None);
    }

    #[test]
    fn the_running_rate_accumulates_months() {
        assert_eq!(
            running_rate(&[(0, 0), (4, 2), (4, 4), (2, 0)]),
            [None, Some(50.0), Some(75.0), Some(60.0)]
        );
    }
}
