//! Money in fen (1 yuan = 100 fen) as i64, rates in basis points (1 bp = 0.01 %), shares in
//! basis points of 100 %. Every computation is exact; rounding is explicit and never loses a fen.

/// 100 % in basis points.
pub const WHOLE_BP: i64 = 10_000;

/// `amount × rate`, rounded half up to the fen. None on overflow or negative input.
pub fn apply_rate(amount_fen: i64, rate_bp: i64) -> Option<i64> {
    if amount_fen < 0 || rate_bp < 0 {
        return None;
    }
    let product = i128::from(amount_fen) * i128::from(rate_bp);
    i64::try_from((product + i128::from(WHOLE_BP / 2)) / i128::from(WHOLE_BP)).ok()
}

/// Splits `total` by shares (basis points summing to 10 000). Each part is rounded down; the
/// fen left over go one each to the largest shares (earlier entries win ties, so list the lead
/// insurer first). The parts always add up to `total`.
pub fn split_by_shares(total_fen: i64, shares_bp: &[i64]) -> Option<Vec<i64>> {
    if total_fen < 0
        || shares_bp.iter().any(|s| *s <= 0)
        || shares_bp.iter().sum::<i64>() != WHOLE_BP
    {
        return None;
    }
    let mut parts: Vec<i64> = shares_bp
        .iter()
        .map(|share| {
            i64::try_from(i128::from(total_fen) * i128::from(*share) / i128::from(WHOLE_BP)).ok()
        })
        .collect::<Option<_>>()?;
    let mut remainder = total_fen - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..shares_bp.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(shares_bp[*i]));
    for i in order.into_iter().cycle() {
        if remainder == 0 {
            break;
        }
        parts[i] += 1;
        remainder -= 1;
    }
    Some(parts)
}

/// `¥1,234,567.89`
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let yuan = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}¥{grouped}.{:02}", abs % 100)
}

/// Large figures for dashboards: `123.46 万元` or `1.23 亿元` (Chinese), `¥1.23M` style in English.
pub fn format_wan(fen: i64, chinese: bool) -> String {
    let yuan = fen as f64 / 100.0;
    if chinese {
        if yuan.abs() >= 1e8 {
            format!("{:.2} 亿元", yuan / 1e8)
        } else if yuan.abs() >= 1e4 {
            format!("{:.2} 万元", yuan / 1e4)
        } else {
            format_yuan(fen)
        }
    } else if yuan.abs() >= 1e6 {
        format!("¥{:.2}M", yuan / 1e6)
    } else {
        format_yuan(fen)
    }
}

/// Parses a yuan amount typed by a person (`1234567.8`, `1,234,567.89`, `¥12`) into fen.
/// Refuses negatives, more than two decimals, and anything beyond 1 000 亿元.
pub fn parse_yuan(input: &str) -> Option<i64> {
    let cleaned: String = input
        .trim()
        .trim_start_matches('¥')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || whole.len() > 12 {
        return None;
    }
    if fraction.len() > 2 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    let fen = whole.checked_mul(100)?.checked_add(fraction)?;
    (fen <= 100_000_000_000 * 100).then_some(fen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_half_up_to_the_fen() {
        // 1.5 % of ¥100,000,000.00
        assert_eq!(apply_rate(10_000_000_000, 150), Some(150_000_000));
        // 2 ‰ of ¥12,345.67 = ¥24.69134 → ¥24.69
        assert_eq!(apply_rate(1_234_567, 20), Some(2_469));
        // 1.25 % of ¥0.02 = 0.025 fen → 0; of ¥0.40 = 0.5 fen → 1
        assert_eq!(apply_rate(2, 125), Some(0));
        assert_eq!(apply_rate(40, 125), Some(1));
        assert_eq!(apply_rate(-1, 150), None);
        assert_eq!(apply_rate(i64::MAX, i64::MAX), None);
    }

    #[test]
    fn co_insurance_splits_never_lose_a_fen() {
        assert_eq!(split_by_shares(100, &[6000, 4000]), Some(vec![60, 40]));
        // 1 fen over three equal-ish shares: the largest share takes it.
        assert_eq!(split_by_shares(1, &[3334, 3333, 3333]), Some(vec![1, 0, 0]));
        assert_eq!(
            split_by_shares(100, &[3334, 3333, 3333]),
            Some(vec![34, 33, 33])
        );
        assert_eq!(split_by_shares(101, &[5000, 5000]), Some(vec![51, 50]));
        for total in [0, 1, 7, 999_999, 123_456_789_012] {
            let parts = split_by_shares(total, &[5500, 2500, 2000]).unwrap();
            assert_eq!(parts.iter().sum::<i64>(), total);
        }
        assert_eq!(
            split_by_shares(100, &[6000, 3000]),
            None,
            "shares must sum to 100 %"
        );
        assert_eq!(split_by_shares(100, &[10_000, 0]), None);
    }

    #[test]
    fn money_formats_for_people() {
        assert_eq!(format_yuan(123_456_789), "¥1,234,567.89");
        assert_eq!(format_yuan(5), "¥0.05");
        assert_eq!(format_yuan(100_000), "¥1,000.00");
        assert_eq!(format_wan(123_456_789, true), "123.46 万元");
        assert_eq!(format_wan(12_345_678_900, true), "1.23 亿元");
        assert_eq!(format_wan(999_900, true), "¥9,999.00");
    }

    #[test]
    fn typed_amounts_parse_exactly_or_not_at_all() {
        assert_eq!(parse_yuan("1234567.8"), Some(123_456_780));
        assert_eq!(parse_yuan("¥1,234,567.89"), Some(123_456_789));
        assert_eq!(parse_yuan("12"), Some(1200));
        for bad in [
            "-1",
            "1.234",
            "1e9",
            "NaN",
            "",
            "abc",
            "1.2.3",
            "9999999999999",
        ] {
            assert_eq!(parse_yuan(bad), None, "{bad}");
        }
    }
}
