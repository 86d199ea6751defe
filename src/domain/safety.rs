//! Construction-period safety: prevention services and incidents. An incident is reported once
//! with its victims and closed by the lead insurer when settled (the claims work settles it).

use serde::Serialize;

pub const SERVICE_KINDS: [&str; 4] = ["risk_assessment", "hazard_inspection", "training", "drill"];
pub const HAZARD_CATEGORIES: [&str; 5] = [
    "tower_crane",
    "deep_excavation",
    "high_formwork",
    "scaffolding",
    "other",
];
pub const ACCIDENT_TYPES: [&str; 8] = [
    "fall",
    "struck_by",
    "collapse",
    "electric_shock",
    "machinery",
    "lifting",
    "fire",
    "other",
];
pub const PARTIES: [&str; 2] = ["worker", "third_party"];
pub const INJURY_CLASSES: [&str; 4] = ["minor", "serious", "disability", "death"];

/// A hazard inspection (of 危大工程) names what was inspected; other services do not.
pub fn service_is_consistent(kind: &str, hazard_category: Option<&str>) -> bool {
    match (kind, hazard_category) {
        ("hazard_inspection", Some(category)) => HAZARD_CATEGORIES.contains(&category),
        ("hazard_inspection", None) => false,
        (other, None) => SERVICE_KINDS.contains(&other),
        (_, Some(_)) => false,
    }
}

/// Death and disability fall under the per-person minimum limit of the safety cover.
pub fn is_grave(injury_class: &str) -> bool {
    matches!(injury_class, "disability" | "death")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Reported,
    Closed,
}

impl IncidentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Reported => "reported",
            IncidentStatus::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [IncidentStatus::Reported, IncidentStatus::Closed]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// What still keeps an incident open: victims not yet paid (unsettled, or agreed and unpaid) and
/// cost lines agreed but not paid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outstanding {
    pub victims_unpaid: usize,
    pub costs_unpaid: usize,
}

/// The one transition of an incident: the lead insurer closes it once every victim and every
/// agreed cost has been paid. Err names why not.
pub fn close_incident(
    status: IncidentStatus,
    outstanding: Outstanding,
) -> Result<IncidentStatus, &'static str> {
    if status != IncidentStatus::Reported {
        Err("safety.close_refused")
    } else if outstanding.victims_unpaid > 0 {
        Err("safety.victims_unpaid")
    } else if outstanding.costs_unpaid > 0 {
        Err("safety.costs_unpaid")
    } else {
        Ok(IncidentStatus::Closed)
    }
}

/// Costs of an incident besides its victims, settled as lines of their own.
pub const COST_KINDS: [&str; 3] = ["rescue", "investigation", "legal"];

/// A cost line: a known kind, and rescue costs never beyond what the developer recorded for the
/// incident (`rescue_agreed_fen`: rescue already agreed). Err names the field and why.
pub fn check_cost_line(
    kind: &str,
    amount_fen: i64,
    rescue_agreed_fen: i64,
    rescue_recorded_fen: i64,
) -> Result<(), (&'static str, &'static str)> {
    if !COST_KINDS.contains(&kind) {
        return Err(("kind", "safety.bad_cost_kind"));
    }
    if amount_fen <= 0 {
        return Err(("amount_yuan", "safety.settlement_empty"));
    }
    if kind == "rescue" && rescue_agreed_fen + amount_fen > rescue_recorded_fen {
        return Err(("amount_yuan", "safety.rescue_over_recorded"));
    }
    Ok(())
}

/// A victim's settlement: agreed by the lead insurer, then paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettlementStatus {
    Agreed,
    Paid,
}

impl SettlementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SettlementStatus::Agreed => "agreed",
            SettlementStatus::Paid => "paid",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [SettlementStatus::Agreed, SettlementStatus::Paid]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// The one transition of a settlement: an agreed one is paid, once.
pub fn pay_settlement(status: SettlementStatus) -> Option<SettlementStatus> {
    (status == SettlementStatus::Agreed).then_some(SettlementStatus::Paid)
}

/// What a victim's settlement may contain: compensation only for death or disability and within
/// the per-person limit; medical costs for anyone; something in all. Err names the field and why.
pub fn check_settlement(
    injury_class: &str,
    compensation_fen: i64,
    medical_fen: i64,
    per_person_limit_fen: i64,
) -> Result<(), (&'static str, &'static str)> {
    if compensation_fen < 0 || medical_fen < 0 || compensation_fen + medical_fen == 0 {
        return Err(("compensation_yuan", "safety.settlement_empty"));
    }
    if compensation_fen > 0 && !is_grave(injury_class) {
        return Err(("compensation_yuan", "safety.compensation_not_grave"));
    }
    if compensation_fen > per_person_limit_fen {
        return Err(("compensation_yuan", "safety.over_per_person_limit"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazard_inspections_name_their_hazard_and_nothing_else_does() {
        assert!(service_is_consistent(
            "hazard_inspection",
            Some("tower_crane")
        ));
        assert!(!service_is_consistent("hazard_inspection", None));
        assert!(!service_is_consistent("hazard_inspection", Some("volcano")));
        assert!(service_is_consistent("training", None));
        assert!(!service_is_consistent("training", Some("tower_crane")));
        assert!(!service_is_consistent("party", None));
    }

    #[test]
    fn incidents_close_once() {
        let settled = Outstanding::default();
        assert_eq!(
            close_incident(IncidentStatus::Reported, settled),
            Ok(IncidentStatus::Closed)
        );
        assert_eq!(
            close_incident(IncidentStatus::Closed, settled),
            Err("safety.close_refused")
        );
        let victim_waiting = Outstanding {
            victims_unpaid: 1,
            costs_unpaid: 0,
        };
        assert_eq!(
            close_incident(IncidentStatus::Reported, victim_waiting),
            Err("safety.victims_unpaid")
        );
        let cost_waiting = Outstanding {
            victims_unpaid: 0,
            costs_unpaid: 2,
        };
        assert_eq!(
            close_incident(IncidentStatus::Reported, cost_waiting),
            Err("safety.costs_unpaid")
        );
        assert!(is_grave("death") && is_grave("disability") && !is_grave("serious"));
    }

    #[test]
    fn rescue_costs_stay_within_what_was_recorded_and_other_costs_need_a_known_kind() {
        assert_eq!(check_cost_line("rescue", 980_000, 0, 1_260_000), Ok(()));
        assert_eq!(
            check_cost_line("rescue", 280_000, 980_000, 1_260_000),
            Ok(())
        );
        assert_eq!(
            check_cost_line("rescue", 280_001, 980_000, 1_260_000),
            Err(("amount_yuan", "safety.rescue_over_recorded"))
        );
        assert_eq!(check_cost_line("legal", 5_000_000, 0, 0), Ok(()));
        assert_eq!(
            check_cost_line("lunch", 100, 0, 0),
            Err(("kind", "safety.bad_cost_kind"))
        );
        assert_eq!(
            check_cost_line("investigation", 0, 0, 0),
            Err(("amount_yuan", "safety.settlement_empty"))
        );
    }

    #[test]
    fn settlements_compensate_death_and_disability_within_the_per_person_limit() {
        let limit = 40_000_000;
        assert_eq!(check_settlement("death", limit, 0, limit), Ok(()));
        assert_eq!(
            check_settlement("death", limit + 1, 0, limit),
            Err(("compensation_yuan", "safety.over_per_person_limit"))
        );
        assert_eq!(check_settlement("serious", 0, 500_000, limit), Ok(()));
        assert_eq!(
            check_settlement("serious", 1, 500_000, limit),
            Err(("compensation_yuan", "safety.compensation_not_grave"))
        );
        assert_eq!(
            check_settlement("minor", 0, 0, limit),
            Err(("compensation_yuan", "safety.settlement_empty"))
        );
        assert_eq!(
            pay_settlement(SettlementStatus::Agreed),
            Some(SettlementStatus::Paid)
        );
        assert_eq!(pay_settlement(SettlementStatus::Paid), None);
    }
}
