//! Rule packs: a district's 质安保 parameters (cover sections and periods, the cover start anchor
//! and offset, rates, TIS fee share, rectification deadlines, claim SLAs, safety limits), versioned
//! with an effective date. Stored as JSON; a policy records the version it was priced under.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::money::apply_rate;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CoverSection {
    /// STRUCTURE, INSULATION, WATERPROOFING, DECORATION, MEP, HVAC
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Length of cover after the start; HVAC's two heating/cooling seasons count as 24 months.
    pub period_months: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rates {
    /// IDI rate per housing type, in basis points of the construction cost.
    pub commercial_bp: i64,
    pub resettlement_bp: i64,
    pub public_rental_bp: i64,
    /// Construction-safety liability, in basis points of the construction cost.
    pub safety_bp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RulePack {
    pub sections: Vec<CoverSection>,
    /// The event the IDI cover periods are counted from (completion acceptance).
    pub cover_start_anchor: String,
    /// Months between the anchor and the start of cover (the developer's own warranty first).
    pub cover_start_offset_months: u32,
    pub rates: Rates,
    /// The TIS agency's fee as a share of the IDI premium, in basis points.
    pub tis_fee_share_bp: i64,
    /// Rectification deadline in calendar days per finding level (B, C, D, E, R).
    pub rectification_days: std::collections::BTreeMap<String, u32>,
    /// Claim service levels, in hours.
    pub claim_sla_hours: std::collections::BTreeMap<String, u32>,
    /// Minimum safety cover per person for death or disability, in fen.
    pub safety_min_per_person_fen: i64,
    /// Whether a policy may still be cancelled once the construction permit is granted.
    pub cancellable_after_permit: bool,
}

impl RulePack {
    /// Laoshan 2021-11: the defaults in shared/domain.md.
    pub fn laoshan_2021() -> Self {
        let section = |code: &str, name_zh: &str, name_en: &str, years: u32| CoverSection {
            code: code.into(),
            name_zh: name_zh.into(),
            name_en: name_en.into(),
            period_months: years * 12,
        };
        RulePack {
            sections: vec![
                section(
                    "STRUCTURE",
                    "地基基础和主体结构",
                    "Foundations and main structure",
                    10,
                ),
                section("INSULATION", "围护结构保温", "Envelope insulation", 10),
                section("WATERPROOFING", "防水", "Waterproofing", 5),
                section("DECORATION", "装饰装修", "Decoration", 2),
                section(
                    "MEP",
                    "电气管线、给排水管道、设备安装",
                    "Electrical, plumbing and equipment",
                    2,
                ),
                section(
                    "HVAC",
                    "供热与供冷系统",
                    "Heating and cooling (2 seasons)",
                    2,
                ),
            ],
            cover_start_anchor: "completion_acceptance".into(),
            cover_start_offset_months: 24,
            rates: Rates {
                commercial_bp: 150,
                resettlement_bp: 125,
                public_rental_bp: 125,
                safety_bp: 20,
            },
            tis_fee_share_bp: 2500,
            rectification_days: [("B", 30), ("C", 14), ("D", 3), ("E", 3), ("R", 30)]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            claim_sla_hours: [
                ("survey", 48),
                ("decision", 168),
                ("decision_complex", 720),
                ("repair_or_payment", 168),
                ("fast_contact", 2),
                ("fast_on_site", 24),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
            safety_min_per_person_fen: 40_000_000,
            cancellable_after_permit: false,
        }
    }

    /// Checks a pack a regulator submits as a new version.
    pub fn validate(&self) -> Result<(), &'static str> {
        let rates = [
            self.rates.commercial_bp,
            self.rates.resettlement_bp,
            self.rates.public_rental_bp,
            self.rates.safety_bp,
        ];
        if rates.iter().any(|r| !(1..=1000).contains(r)) {
            return Err("rules.rate_out_of_range");
        }
        if !(0..=10_000).contains(&self.tis_fee_share_bp) {
            return Err("rules.share_out_of_range");
        }
        if self.sections.is_empty()
            || self
                .sections
                .iter()
                .any(|s| s.period_months == 0 || s.period_months > 600)
        {
            return Err("rules.section_invalid");
        }
        if self.cover_start_offset_months > 120 {
            return Err("rules.offset_out_of_range");
        }
        Ok(())
    }

    pub fn idi_rate_bp(&self, housing: HousingType) -> i64 {
        match housing {
            HousingType::Commercial => self.rates.commercial_bp,
            HousingType::Resettlement => self.rates.resettlement_bp,
            HousingType::PublicRental => self.rates.public_rental_bp,
        }
    }

    /// The rate for a building holding several housing types: the highest applies.
    pub fn building_rate_bp(&self, types: &[HousingType]) -> Option<i64> {
        types.iter().map(|t| self.idi_rate_bp(*t)).max()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HousingType {
    /// 商品住房
    Commercial,
    /// 安置区住房
    Resettlement,
    /// 公共租赁住房
    PublicRental,
}

impl HousingType {
    pub const ALL: [HousingType; 3] = [
        HousingType::Commercial,
        HousingType::Resettlement,
        HousingType::PublicRental,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HousingType::Commercial => "commercial",
            HousingType::Resettlement => "resettlement",
            HousingType::PublicRental => "public_rental",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

/// One building's premium under a rule pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildingPremium {
    pub rate_bp: i64,
    pub idi_fen: i64,
    pub safety_fen: i64,
}

pub fn building_premium(
    pack: &RulePack,
    types: &[HousingType],
    cost_fen: i64,
) -> Option<BuildingPremium> {
    let rate_bp = pack.building_rate_bp(types)?;
    Some(BuildingPremium {
        rate_bp,
        idi_fen: apply_rate(cost_fen, rate_bp)?,
        safety_fen: apply_rate(cost_fen, pack.rates.safety_bp)?,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CoverPeriod {
    pub section_code: String,
    pub start: NaiveDate,
    /// Last day of cover (inclusive).
    pub end: NaiveDate,
}

/// Each section's period, counted from completion acceptance plus the pack's offset.
pub fn cover_periods(pack: &RulePack, completion_acceptance: NaiveDate) -> Vec<CoverPeriod> {
    let start = completion_acceptance
        .checked_add_months(Months::new(pack.cover_start_offset_months))
        .unwrap_or(completion_acceptance);
    pack.sections
        .iter()
        .map(|section| CoverPeriod {
            section_code: section.code.clone(),
            start,
            end: start
                .checked_add_months(Months::new(section.period_months))
                .and_then(|d| d.pred_opt())
                .unwrap_or(start),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn premiums_follow_housing_type_and_mixed_buildings_take_the_higher_rate() {
        let pack = RulePack::laoshan_2021();
        // ¥80,000,000.00 commercial: IDI 1.5 % = ¥1,200,000; safety 2 ‰ = ¥160,000
        let commercial =
            building_premium(&pack, &[HousingType::Commercial], 8_000_000_000).unwrap();
        assert_eq!(
            (
                commercial.rate_bp,
                commercial.idi_fen,
                commercial.safety_fen
            ),
            (150, 120_000_000, 16_000_000)
        );
        let resettlement =
            building_premium(&pack, &[HousingType::Resettlement], 8_000_000_000).unwrap();
        assert_eq!(resettlement.idi_fen, 100_000_000);
        let mixed = building_premium(
            &pack,
            &[HousingType::PublicRental, HousingType::Commercial],
            8_000_000_000,
        )
        .unwrap();
        assert_eq!(mixed.rate_bp, 150);
        assert_eq!(building_premium(&pack, &[], 1), None);
    }

    #[test]
    fn cover_starts_two_years_after_completion_and_runs_per_section() {
        let periods = cover_periods(&RulePack::laoshan_2021(), date(2026, 6, 30));
        let structure = periods
            .iter()
            .find(|p| p.section_code == "STRUCTURE")
            .unwrap();
        assert_eq!(structure.start, date(2028, 6, 30));
        assert_eq!(structure.end, date(2038, 6, 29));
        let waterproofing = periods
            .iter()
            .find(|p| p.section_code == "WATERPROOFING")
            .unwrap();
        assert_eq!(waterproofing.end, date(2033, 6, 29));
        let decoration = periods
            .iter()
            .find(|p| p.section_code == "DECORATION")
            .unwrap();
        assert_eq!(decoration.end, date(2030, 6, 29));
        // Month ends clamp: 31 January + 24 months is 31 January; leap days survive.
        let leap = cover_periods(&RulePack::laoshan_2021(), date(2024, 2, 29));
        assert_eq!(leap[0].start, date(2026, 2, 28));
    }

    #[test]
    fn a_pack_with_absurd_values_is_refused() {
        let mut pack = RulePack::laoshan_2021();
        assert_eq!(pack.validate(), Ok(()));
        pack.rates.commercial_bp = 0;
        assert_eq!(pack.validate(), Err("rules.rate_out_of_range"));
        let mut pack = RulePack::laoshan_2021();
        pack.sections[0].period_months = 0;
        assert_eq!(pack.validate(), Err("rules.section_invalid"));
    }
}
