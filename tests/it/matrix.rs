//! The authorization matrix: every route × every kind of actor → the expected status. The route
//! list is read from the router's source, so a new route without rows here fails the test.

use std::collections::HashMap;

use reqwest::Method;

use crate::harness::TestApp;

/// (method, path) of every route declared in `build_router`.
pub fn declared_routes() -> Vec<(String, String)> {
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/mod.rs")).unwrap();
    // Join each `.route(...)` call onto one line, however rustfmt wrapped it.
    let flat: String = source.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    let mut routes = Vec::new();
    for call in flat.split(".route(").skip(1) {
        let call = call.trim_start();
        if !call.starts_with('"') {
            continue;
        }
        let path = call[1..].split('"').next().unwrap().to_owned();
        let line = call
            .split(".route(")
            .next()
            .unwrap()
            .split(".fallback(")
            .next()
            .unwrap();
        for method in ["get", "post", "put", "patch", "delete"] {
            if line.contains(&format!("{method}(")) {
                routes.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    assert!(routes.len() > 10, "could not read the routes");
    routes
}

/// The actors, in column order.
const ACTORS: [&str; 10] = [
    "anonymous",
    "laoshan-zjj", // regulator admin, Laoshan
    "shinan-zjj",  // regulator admin, another district
    "picc-qd",     // insurer admin: owner of the fixture token
    "picc-staff",  // staff of the same insurer
    "pingan-qd",   // admin of another insurer
    "hexin-tis",   // risk-management agency admin
    "sunac-dev",   // developer admin
    "owner-demo",  // home owner
    "lvcheng-wy",  // property manager of 融创东方悦府
];

struct Row {
    method: &'static str,
    path: &'static str,
    /// Expected status per actor, in `ACTORS` order.
    expect: [u16; 10],
    /// Form or JSON body to send.
    body: Body,
    /// Needs a session of its own (the request ends or replaces the session).
    fresh_session: bool,
}

enum Body {
    None,
    /// A failed sign-in under a name of the actor's own (so no account hits its lockout).
    WrongLogin,
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
    Csv(&'static str),
    Multipart(&'static [(&'static str, &'static str)]),
    /// A well-formed payment with its Idempotency-Key header.
    Payment,
    /// A complete rule pack with an empty version (refused for regulators, forbidden to others).
    RulePack,
}

const ALL_200: [u16; 10] = [200; 10];
//                          anon lao  shi  picc staf pinA hex  sun  own  wy
const SIGNED_IN: [u16; 10] = [303, 200, 200, 200, 200, 200, 200, 200, 200, 200];
const ORGS_ONLY: [u16; 10] = [303, 200, 200, 200, 200, 200, 200, 200, 404, 200];
const ADMINS: [u16; 10] = [303, 200, 200, 200, 403, 200, 200, 200, 403, 200];
const API_SIGNED_IN: [u16; 10] = [401, 200, 200, 200, 200, 200, 200, 200, 200, 200];
const API_ORGS_ONLY: [u16; 10] = [401, 200, 200, 200, 200, 200, 200, 200, 404, 200];
const API_ADMINS: [u16; 10] = [401, 200, 200, 200, 403, 200, 200, 200, 403, 200];

#[rustfmt::skip]
fn rows() -> Vec<Row> {
    let row = |method, path, expect| Row {
        method,
        path,
        expect,
        body: Body::None,
        fresh_session: false,
    };
    vec![
        row("GET", "/healthz", ALL_200),
        row("GET", "/readyz", ALL_200),
        row("GET", "/static/{*path}", ALL_200),
        row("GET", "/login", ALL_200),
        Row {
            body: Body::WrongLogin,
            ..row("POST", "/login", [401; 10])
        },
        Row {
            fresh_session: true,
            ..row("POST", "/logout", [303; 10])
        },
        Row {
            body: Body::Form(&[("lang", "en"), ("next", "/")]),
            ..row("POST", "/lang", [303; 10])
        },
        row("GET", "/", SIGNED_IN),
        row("GET", "/account", SIGNED_IN),
        Row {
            body: Body::Form(&[
                ("current_password", "not the current one"),
                ("new_password", "a new long passphrase"),
                ("confirm_password", "a new long passphrase"),
            ]),
            ..row(
                "POST",
                "/account/password",
                [303, 422, 422, 422, 422, 422, 422, 422, 422, 422],
            )
        },
        row("POST", "/account/sessions/end-others", SIGNED_IN),
        row("GET", "/organisations", ORGS_ONLY),
        row("GET", "/settings/tokens", ADMINS),
        Row {
            body: Body::Form(&[("name", "matrix")]),
            ..row("POST", "/settings/tokens", ADMINS)
        },
        // The token belongs to picc-qd: its admin revokes it, everyone else's view has no such token.
        row(
            "POST",
            "/settings/tokens/{id}/revoke",
            [303, 404, 404, 303, 403, 404, 404, 404, 403, 404],
        ),
        row("GET", "/audit", ADMINS),
        row("GET", "/api/openapi.json", ALL_200),
        row("GET", "/api/v1/me", API_SIGNED_IN),
        row("GET", "/api/v1/organisations", API_ORGS_ONLY),
        row("GET", "/api/v1/tokens", API_ADMINS),
        Row {
            body: Body::Json(r#"{"name":"matrix"}"#),
            ..row(
                "POST",
                "/api/v1/tokens",
                [401, 201, 201, 201, 403, 201, 201, 201, 403, 201],
            )
        },
        row(
            "POST",
            "/api/v1/tokens/{id}/revoke",
            [401, 404, 404, 200, 403, 404, 404, 404, 403, 404],
        ),
        row("GET", "/api/v1/audit-events", API_ADMINS),
        // Parcels, projects, policies, rule packs. Fixtures: 融创东方悦府 (Laoshan; developer sunac-dev,
        // lead pingan-qd, co-insurer picc-qd, agency hexin-tis), its policy, in force and handed over.
        // Bodies are well-formed but refused for the right party (4xx), so nothing changes.
        row("GET", "/parcels", ORGS_ONLY),
        form(
            "POST",
            "/parcels",
            &[
                ("code", ""),
                ("name", ""),
                ("area_m2", ""),
                ("contract_no", ""),
                ("transfer_date", ""),
                ("developer", ""),
            ],
            [303, 422, 422, 403, 403, 403, 403, 403, 403, 403],
        ),
        form(
            "POST",
            "/parcels/import",
            &[("csv", "header only")],
            [303, 422, 422, 403, 403, 403, 403, 403, 403, 403],
        ),
        row("GET", "/projects", ORGS_ONLY),
        form(
            "POST",
            "/projects",
            &[("parcel_id", "x"), ("name", ""), ("housing_type", "x")],
            DEVELOPER_ONLY_422,
        ),
        row(
            "GET",
            "/projects/new",
            [303, 403, 403, 403, 403, 403, 403, 200, 403, 403],
        ),
        row("GET", "/projects/{id}", HOME_READERS),
        form(
            "POST",
            "/projects/{id}/buildings",
            BUILDING,
            DEVELOPER_ONLY_409,
        ),
        form(
            "POST",
            "/projects/{id}/apply",
            &[("lead_insurer", "pingan-qd")],
            DEVELOPER_ONLY_409,
        ),
        form(
            "POST",
            "/projects/{id}/events",
            &[("event", "filing"), ("date", "2026-01-01")],
            [303, 409, 404, 403, 403, 403, 403, 409, 403, 403],
        ),
        row(
            "POST",
            "/projects/{id}/permit-gate",
            [303, 303, 404, 403, 403, 403, 403, 403, 403, 403],
        ),
        row("GET", "/policies", ORGS_ONLY),
        row("GET", "/policies/{id}", HOME_READERS),
        form(
            "POST",
            "/policies/{id}/quote",
            &[("lead_share_percent", "100")],
            LEAD_ONLY_409,
        ),
        form(
            "POST",
            "/policies/{id}/accept",
            &[],
            [303, 403, 404, 403, 403, 403, 403, 409, 403, 403],
        ),
        form(
            "POST",
            "/policies/{id}/payment",
            &[("amount_yuan", "1"), ("reference", "x")],
            LEAD_ONLY_409,
        ),
        form("POST", "/policies/{id}/issue", &[], LEAD_ONLY_409),
        form("POST", "/policies/{id}/activate", &[], LEAD_ONLY_409),
        form(
            "POST",
            "/policies/{id}/agency",
            &[("agency", "nobody")],
            LEAD_ONLY_422,
        ),
        form(
            "POST",
            "/policies/{id}/endorsements",
            &[("kind", "bogus"), ("text", "x")],
            LEAD_ONLY_422,
        ),
        form(
            "POST",
            "/policies/{id}/cancel",
            &[("reason", "")],
            LEAD_ONLY_422,
        ),
        row("GET", "/rule-packs", ORGS_ONLY),
        form(
            "POST",
            "/rule-packs",
            &[
                ("version", ""),
                ("effective_from", "2020-01-01"),
                ("commercial_percent", "1.5"),
                ("resettlement_percent", "1.25"),
                ("public_rental_percent", "1.25"),
                ("safety_permille", "2"),
                ("tis_fee_share_percent", "25"),
                ("cover_start_offset_months", "24"),
            ],
            [303, 422, 422, 403, 403, 403, 403, 403, 403, 403],
        ),
        row(
            "GET",
            "/api/v1/coverage",
            [401, 200, 200, 403, 403, 403, 403, 403, 403, 403],
        ),
        row("GET", "/api/v1/parcels", API_SIGNED_IN),
        json(
            "POST",
            "/api/v1/parcels",
            r#"{"code":"","name":"","area_m2":"","contract_no":"","transfer_date":"","developer":""}"#,
            [401, 422, 422, 403, 403, 403, 403, 403, 403, 403],
        ),
        Row {
            body: Body::Csv("header only"),
            ..row(
                "POST",
                "/api/v1/parcels/import",
                [401, 422, 422, 403, 403, 403, 403, 403, 403, 403],
            )
        },
        row("GET", "/api/v1/projects", API_SIGNED_IN),
        json(
            "POST",
            "/api/v1/projects",
            r#"{"parcel_id":"x","name":"","housing_type":"x"}"#,
            api(DEVELOPER_ONLY_422),
        ),
        row("GET", "/api/v1/projects/{id}", api(HOME_READERS)),
        json(
            "POST",
            "/api/v1/projects/{id}/buildings",
            r#"{"name":"9号楼","housing_types":"commercial","floor_area_m2":"1","units":"1","construction_cost_yuan":"1"}"#,
            api(DEVELOPER_ONLY_409),
        ),
        json(
            "POST",
            "/api/v1/projects/{id}/apply",
            r#"{"lead_insurer":"pingan-qd"}"#,
            api(DEVELOPER_ONLY_409),
        ),
        json(
            "POST",
            "/api/v1/projects/{id}/events",
            r#"{"event":"filing","date":"2026-01-01"}"#,
            [401, 409, 404, 403, 403, 403, 403, 409, 403, 403],
        ),
        row(
            "POST",
            "/api/v1/projects/{id}/permit-gate",
            [401, 200, 404, 403, 403, 403, 403, 403, 403, 403],
        ),
        row("GET", "/api/v1/policies", API_SIGNED_IN),
        row("GET", "/api/v1/policies/{id}", api(HOME_READERS)),
        json(
            "POST",
            "/api/v1/policies/{id}/quote",
            r#"{"lead_share_percent":"100"}"#,
            api(LEAD_ONLY_409),
        ),
        json(
            "POST",
            "/api/v1/policies/{id}/accept",
            "{}",
            [401, 403, 404, 403, 403, 403, 403, 409, 403, 403],
        ),
        json(
            "POST",
            "/api/v1/policies/{id}/payment",
            r#"{"amount_yuan":"1","reference":"x"}"#,
            api(LEAD_ONLY_409),
        ),
        json(
            "POST",
            "/api/v1/policies/{id}/issue",
            "{}",
            api(LEAD_ONLY_409),
        ),
        json(
            "POST",
            "/api/v1/policies/{id}/activate",
            "{}",
            api(LEAD_ONLY_409),
        ),
        json(
            "POST",
            "/api/v1/policies/{id}/agency",
            r#"{"agency":"nobody"}"#,
            api(LEAD_ONLY_422),
        ),
        json(
            "POST",
            "/api/v1/policies/{id}/endorsements",
            r#"{"kind":"bogus","text":"x"}"#,
            api(LEAD_ONLY_422),
        ),
        json(
            "POST",
            "/api/v1/policies/{id}/cancel",
            r#"{"reason":""}"#,
            api(LEAD_ONLY_422),
        ),
        row("GET", "/api/v1/rule-packs", API_SIGNED_IN),
        Row {
            body: Body::RulePack,
            ..row(
                "POST",
                "/api/v1/rule-packs",
                [401, 422, 422, 403, 403, 403, 403, 403, 403, 403],
            )
        },
        // Risk management. Fixtures: 东方悦府's submitted completion inspection and its open C order
        // (agency hexin-tis, developer sunac-dev); a photo on 天一仁和沙子口 (lead picc-qd).
        form("POST", "/projects/{id}/inspections", &[("stage_code", "x"), ("inspected_on", "2026-01-01"), ("inspectors", "x")], AGENCY_ONLY_422),
        row("GET", "/inspections", ORGS_ONLY),
        row("GET", "/inspections/{id}", PROJECT_READERS),
        Row { body: Body::Multipart(&[("level", "F")]), ..row("POST", "/inspections/{id}/findings", AGENCY_ONLY_409) },
        row("POST", "/inspections/{id}/submit", AGENCY_ONLY_409),
        row("GET", "/photos/{id}", PHOTO_READERS),
        row("GET", "/orders", ORGS_ONLY),
        row("GET", "/orders/{id}", PROJECT_READERS),
        Row { body: Body::Multipart(&[("text", "")]), ..row("POST", "/orders/{id}/respond", DEVELOPER_ONLY_422) },
        form("POST", "/orders/{id}/recheck", &[("outcome", "close"), ("note", "")], AGENCY_ONLY_422),
        json("POST", "/api/v1/projects/{id}/inspections", r#"{"stage_code":"x","inspected_on":"2026-01-01","inspectors":"x"}"#, api(AGENCY_ONLY_422)),
        row("GET", "/api/v1/inspections", API_SIGNED_IN),
        row("GET", "/api/v1/inspections/{id}", api(PROJECT_READERS)),
        Row { body: Body::Multipart(&[("level", "F")]), ..row("POST", "/api/v1/inspections/{id}/findings", api(AGENCY_ONLY_409)) },
        row("POST", "/api/v1/inspections/{id}/submit", api(AGENCY_ONLY_409)),
        row("GET", "/api/v1/photos/{id}", api(PHOTO_READERS)),
        row("GET", "/api/v1/orders", API_SIGNED_IN),
        row("GET", "/api/v1/orders/{id}", api(PROJECT_READERS)),
        Row { body: Body::Multipart(&[("text", "")]), ..row("POST", "/api/v1/orders/{id}/respond", api(DEVELOPER_ONLY_422)) },
        json("POST", "/api/v1/orders/{id}/recheck", r#"{"outcome":"close","note":""}"#, api(AGENCY_ONLY_422)),
        row("GET", "/notifications", ORGS_ONLY),
        row("POST", "/notifications/read", [303, 303, 303, 303, 303, 303, 303, 303, 404, 303]),
        row("GET", "/api/v1/notifications", api(ORGS_ONLY)),
        // Reports. Fixture: 东方悦府's final report (reviewed already by pingan-qd, the lead).
        form("POST", "/projects/{id}/reports", &[("kind", "x"), ("conclusion", "")], AGENCY_ONLY_422),
        row("GET", "/reports", ORGS_ONLY),
        row("GET", "/reports/{id}", PROJECT_READERS),
        row("GET", "/reports/{id}/pdf", PROJECT_READERS),
        form("POST", "/reports/{id}/review", &[("decision", "confirm"), ("note", "再次审核")], [303, 403, 404, 403, 403, 409, 403, 403, 404, 404]),
        json("POST", "/api/v1/projects/{id}/reports", r#"{"kind":"x","conclusion":""}"#, api(AGENCY_ONLY_422)),
        row("GET", "/api/v1/reports", API_SIGNED_IN),
        row("GET", "/api/v1/reports/{id}", api(PROJECT_READERS)),
        json("POST", "/api/v1/reports/{id}/review", r#"{"decision":"confirm","note":"再次审核"}"#, [401, 403, 404, 403, 403, 409, 403, 403, 404, 404]),
        // Safety. Fixtures: 东方悦府 (as above) and 天一仁和沙子口's incident (lead picc-qd).
        form("POST", "/projects/{id}/safety-services", &[("kind", "x"), ("performed_on", "2026-01-01"), ("summary", "")],
            [303, 403, 403, 404, 404, 422, 422, 403, 403, 403]),
        form("POST", "/projects/{id}/incidents", &[("occurred_at", ""), ("place", ""), ("accident_type", "x"), ("description", "")], DEVELOPER_ONLY_422),
        row("GET", "/safety", ORGS_ONLY),
        row("POST", "/incidents/{id}/close", [303, 403, 404, 303, 303, 404, 403, 404, 404, 404]),
        row("GET", "/incidents/{id}", INCIDENT_READERS),
        form(
            "POST",
            "/victims/{id}/settlement",
            &[("compensation_yuan", ""), ("medical_yuan", "")],
            INCIDENT_LEAD_422,
        ),
        form("POST", "/victims/{id}/payment", &[("reference", "")], INCIDENT_LEAD_422),
        form("POST", "/incidents/{id}/costs", &[("kind", "rescue"), ("payee", ""), ("amount_yuan", "")], INCIDENT_LEAD_422),
        form("POST", "/incident-costs/{id}/payment", &[("reference", "")], INCIDENT_LEAD_422),
        row("GET", "/api/v1/safety", api(ORGS_ONLY)),
        json("POST", "/api/v1/projects/{id}/safety-services", r#"{"kind":"x","performed_on":"2026-01-01","summary":""}"#,
            [401, 403, 403, 404, 404, 422, 422, 403, 403, 403]),
        json("POST", "/api/v1/projects/{id}/incidents", r#"{"occurred_at":"","place":"","accident_type":"x","description":"","victims":[]}"#,
            api(DEVELOPER_ONLY_422)),
        row("POST", "/api/v1/incidents/{id}/close", [401, 403, 404, 200, 200, 404, 403, 404, 404, 404]),
        row("GET", "/api/v1/incidents/{id}", api(INCIDENT_READERS)),
        json(
            "POST",
            "/api/v1/victims/{id}/settlement",
            "{}",
            api(INCIDENT_LEAD_422),
        ),
        json(
            "POST",
            "/api/v1/victims/{id}/payment",
            r#"{"reference":""}"#,
            api(INCIDENT_LEAD_422),
        ),
        json("POST", "/api/v1/incidents/{id}/costs", r#"{"kind":"rescue","payee":"","amount_yuan":""}"#, api(INCIDENT_LEAD_422)),
        json("POST", "/api/v1/incident-costs/{id}/payment", r#"{"reference":""}"#, api(INCIDENT_LEAD_422)),
        // Checklists: templates are the agency's own; answers need a draft inspection.
        form("POST", "/inspections/{id}/checks", &[], AGENCY_ONLY_409),
        row("GET", "/checklists", AGENCY_ONLY_200),
        form("POST", "/checklists", &[("stage_code", "x"), ("text", "")], AGENCY_ONLY_422),
        row("POST", "/checklists/{id}/retire", [303, 403, 403, 403, 403, 403, 303, 403, 403, 403]),
        json("POST", "/api/v1/inspections/{id}/checks", r#"{"answers":[]}"#, api(AGENCY_ONLY_409)),
        row("GET", "/api/v1/checklists", api(AGENCY_ONLY_200)),
        json("POST", "/api/v1/checklists", r#"{"stage_code":"x","text":""}"#, api(AGENCY_ONLY_422)),
        // A planned visit of 天一仁和沙子口 (agency hexin-tis), moved to a date in the past: refused.
        form("POST", "/visits/{id}/reschedule", &[("planned_on", "2020-01-01")], AGENCY_ONLY_422),
        json("POST", "/api/v1/visits/{id}/reschedule", r#"{"planned_on":"2020-01-01"}"#, api(AGENCY_ONLY_422)),
        // Claims. Fixtures: 王梅's unit 1-1201 in 东方悦府 and her fast-channel leak claim (reported).
        form("POST", "/units/claim", &[("code", "WRONG-CODE")], OWNER_ONLY_422),
        row("GET", "/units/{id}", UNIT_READERS),
        form("POST", "/units/{id}/handover", &[("handed_over_on", "2026-01-01")], DEVELOPER_ONLY_409),
        Row { body: Body::Multipart(&[("component", "x"), ("location", "x"), ("description", "xx")]), ..row("POST", "/units/{id}/claims", OWNER_ONLY_422) },
        form("POST", "/projects/{id}/units", &[("building_id", "x"), ("number", ""), ("floor_area_m2", "")], DEVELOPER_ONLY_422),
        row("GET", "/claims", SIGNED_IN),
        row("GET", "/claims/{id}", UNIT_READERS),
        row("GET", "/claims/{id}/pdf", UNIT_READERS),
        form("POST", "/claims/{id}/payments", &[("payee", "x"), ("amount_yuan", "1"), ("idempotency_key", "matrix-key-1")], LEAD_CLAIM_409),
        form("POST", "/claims/{id}/{action}", &[], LEAD_CLAIM_409),
        form(
            "POST",
            "/claims/{id}/subrogation",
            &[("against_party", "某施工单位"), ("basis", "施工缺陷"), ("claimed_yuan", "1")],
            LEAD_CLAIM_409,
        ),
        form(
            "POST",
            "/subrogation/{id}/recoveries",
            &[("amount_yuan", ""), ("received_on", ""), ("reference", "")],
            CASE_LEAD_422,
        ),
        form("POST", "/subrogation/{id}/abandon", &[("note", "")], CASE_LEAD_422),
        form("POST", "/claims/{id}/quotes", &[("contractor", ""), ("amount_yuan", ""), ("scope", "")], LEAD_CLAIM_422),
        // Property managers: the developer records one; 绿城物业 reports common-area defects.
        form("POST", "/projects/{id}/property-managers", &[("manager", ""), ("since", "")], DEVELOPER_ONLY_422),
        row("GET", "/common-areas", MANAGER_ONLY_200),
        Row { body: Body::Multipart(&[("building_id", "x"), ("component", "x"), ("location", "x"), ("description", "xx")]),
              ..row("POST", "/projects/{id}/common-area-claims", MANAGER_ONLY_422) },
        row("GET", "/api/v1/common-areas", api(MANAGER_ONLY_200)),
        json("POST", "/api/v1/projects/{id}/property-managers", r#"{"manager":"","since":""}"#, api(DEVELOPER_ONLY_422)),
        Row { body: Body::Multipart(&[("building_id", "x"), ("component", "x"), ("location", "x"), ("description", "xx")]),
              ..row("POST", "/api/v1/projects/{id}/common-area-claims", api(MANAGER_ONLY_422)) },
        json("POST", "/api/v1/claims/{id}/quotes", r#"{"contractor":"","amount_yuan":"","scope":""}"#, api(LEAD_CLAIM_422)),
        // The bureau's analytics; the drill-down needs a level (none given here: 404).
        row("GET", "/analytics", REGULATORS_ONLY_200),
        row("GET", "/analytics/monthly.pdf", REGULATORS_ONLY_200),
        row("GET", "/analytics/findings", REGULATORS_ONLY_404),
        row("GET", "/api/v1/analytics", api(REGULATORS_ONLY_200)),
        row("GET", "/book", INSURERS_ONLY_200),
        row("GET", "/api/v1/book", api(INSURERS_ONLY_200)),
        row("GET", "/api/v1/units", API_SIGNED_IN),
        json("POST", "/api/v1/units/claim", r#"{"code":"WRONG-CODE"}"#, api(OWNER_ONLY_422)),
        row("GET", "/api/v1/units/{id}", api(UNIT_READERS)),
        json("POST", "/api/v1/units/{id}/handover", r#"{"handed_over_on":"2026-01-01"}"#, api(DEVELOPER_ONLY_409)),
        Row { body: Body::Multipart(&[("component", "x"), ("location", "x"), ("description", "xx")]), ..row("POST", "/api/v1/units/{id}/claims", api(OWNER_ONLY_422)) },
        json("POST", "/api/v1/projects/{id}/units", r#"{"building_id":"x","number":"","floor_area_m2":""}"#, api(DEVELOPER_ONLY_422)),
        row("GET", "/api/v1/claims", API_SIGNED_IN),
        row("GET", "/api/v1/claims/{id}", api(UNIT_READERS)),
        Row { body: Body::Payment, ..row("POST", "/api/v1/claims/{id}/payments", api(LEAD_CLAIM_409)) },
        json("POST", "/api/v1/claims/{id}/{action}", "{}", api(LEAD_CLAIM_409)),
        json(
            "POST",
            "/api/v1/claims/{id}/subrogation",
            r#"{"against_party":"某施工单位","basis":"施工缺陷","claimed_yuan":"1"}"#,
            api(LEAD_CLAIM_409),
        ),
        json(
            "POST",
            "/api/v1/subrogation/{id}/recoveries",
            r#"{"amount_yuan":"","received_on":"","reference":""}"#,
            api(CASE_LEAD_422),
        ),
        json(
            "POST",
            "/api/v1/subrogation/{id}/abandon",
            r#"{"note":""}"#,
            api(CASE_LEAD_422),
        ),
    ]
}

//                                  anon lao  shi  picc staf pinA hex  sun  own  wy
const AGENCY_ONLY_422: [u16; 10] = [303, 403, 403, 403, 403, 403, 422, 403, 403, 403];
const OWNER_ONLY_422: [u16; 10] = [303, 403, 403, 403, 403, 403, 403, 403, 422, 403];
const UNIT_READERS: [u16; 10] = [303, 200, 404, 200, 200, 200, 200, 200, 200, 404];
/// An owner may read the project and policy that cover their home, nothing else of it.
/// The property manager reads them too (it needs the buildings and the policy's cover).
const HOME_READERS: [u16; 10] = [303, 200, 404, 200, 200, 200, 200, 200, 200, 200];
const LEAD_CLAIM_422: [u16; 10] = [303, 403, 404, 403, 403, 422, 403, 403, 403, 404];
const REGULATORS_ONLY_200: [u16; 10] = [303, 200, 200, 403, 403, 403, 403, 403, 403, 403];
const REGULATORS_ONLY_404: [u16; 10] = [303, 404, 404, 403, 403, 403, 403, 403, 403, 403];
const INSURERS_ONLY_200: [u16; 10] = [303, 403, 403, 200, 200, 200, 403, 403, 403, 403];
const MANAGER_ONLY_200: [u16; 10] = [303, 403, 403, 403, 403, 403, 403, 403, 403, 200];
const MANAGER_ONLY_422: [u16; 10] = [303, 403, 403, 403, 403, 403, 403, 403, 403, 422];
const LEAD_CLAIM_409: [u16; 10] = [303, 403, 404, 403, 403, 409, 403, 403, 403, 404];
/// A subrogation case: its claim's readers except the owner; only the lead insurer acts.
const CASE_LEAD_422: [u16; 10] = [303, 403, 404, 403, 403, 422, 403, 403, 404, 404];
//                                  anon lao  shi  picc staf pinA hex  sun  own  wy
const INCIDENT_READERS: [u16; 10] = [303, 200, 404, 200, 200, 404, 200, 404, 404, 404];
const INCIDENT_LEAD_422: [u16; 10] = [303, 403, 404, 422, 422, 404, 403, 404, 404, 404];
const AGENCY_ONLY_200: [u16; 10] = [303, 403, 403, 403, 403, 403, 200, 403, 403, 403];
const AGENCY_ONLY_409: [u16; 10] = [303, 403, 403, 403, 403, 403, 409, 403, 403, 403];
const PHOTO_READERS: [u16; 10] = [303, 200, 404, 200, 200, 404, 200, 404, 404, 404];

//                                  anon lao  shi  picc staf pinA hex  sun  own  wy
/// Inspections, orders and reports: neither owners nor the property manager read them.
const PROJECT_READERS: [u16; 10] = [303, 200, 404, 200, 200, 200, 200, 200, 404, 404];
const DEVELOPER_ONLY_422: [u16; 10] = [303, 403, 403, 403, 403, 403, 403, 422, 403, 403];
const DEVELOPER_ONLY_409: [u16; 10] = [303, 403, 403, 403, 403, 403, 403, 409, 403, 403];
const LEAD_ONLY_409: [u16; 10] = [303, 403, 404, 403, 403, 409, 403, 403, 403, 403];
const LEAD_ONLY_422: [u16; 10] = [303, 403, 404, 403, 403, 422, 403, 403, 403, 403];
const BUILDING: &[(&str, &str)] = &[
    ("name", "9号楼"),
    ("housing_types", "commercial"),
    ("floor_area_m2", "1"),
    ("units", "1"),
    ("construction_cost_yuan", "1"),
];

/// The API answers an anonymous caller 401 where a page redirects to the login form.
const fn api(mut expect: [u16; 10]) -> [u16; 10] {
    if expect[0] == 303 {
        expect[0] = 401;
    }
    expect
}

fn form(
    method: &'static str,
    path: &'static str,
    fields: &'static [(&'static str, &'static str)],
    expect: [u16; 10],
) -> Row {
    Row {
        method,
        path,
        expect,
        body: Body::Form(fields),
        fresh_session: false,
    }
}

fn json(method: &'static str, path: &'static str, body: &'static str, expect: [u16; 10]) -> Row {
    Row {
        method,
        path,
        expect,
        body: Body::Json(body),
        fresh_session: false,
    }
}

/// A live API token of picc-qd, made fresh for each request that needs one.
async fn picc_token(app: &TestApp) -> String {
    let id: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO api_tokens (org_id, name, token_hash, token_prefix, created_by) \
         SELECT o.id, 'fixture', sha256(gen_random_uuid()::text::bytea), 'zb_fixture', u.id \
         FROM organisations o JOIN users u ON u.org_id = o.id WHERE o.code = 'picc-qd' AND u.username = 'picc-qd' \
         RETURNING id",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    id.to_string()
}

/// A new checklist item of 和信安诚 for each request that retires one.
const FRESH_CHECKLIST_ITEM: &str = "INSERT INTO checklist_items (agency_org_id, stage_code, text) \
    SELECT id, 'routine', '矩阵测试项' FROM organisations WHERE code = 'hexin-tis' RETURNING id::text";

/// A new reported incident on 天一仁和沙子口 for each request that closes one.
const FRESH_INCIDENT: &str = "INSERT INTO safety_incidents (number, project_id, district_id, developer_org_id, occurred_at, place, \
        accident_type, description, reported_by) \
    SELECT 'AQ-M-' || gen_random_uuid(), p.id, p.district_id, p.developer_org_id, now(), '测试', 'other', '矩阵测试', u.id \
    FROM projects p JOIN users u ON u.org_id = p.developer_org_id WHERE p.name = '天一仁和沙子口' LIMIT 1 RETURNING id::text";

/// A victim of a fresh incident on 天一仁和沙子口 (lead insurer: picc-qd).
const FRESH_VICTIM: &str = "WITH i AS (INSERT INTO safety_incidents (number, project_id, district_id, developer_org_id, occurred_at, \
        place, accident_type, description, reported_by) \
    SELECT 'AQ-V-' || gen_random_uuid(), p.id, p.district_id, p.developer_org_id, now(), '测试', 'other', '矩阵测试', u.id \
    FROM projects p JOIN users u ON u.org_id = p.developer_org_id WHERE p.name = '天一仁和沙子口' LIMIT 1 \
    RETURNING id, project_id, district_id, developer_org_id) \
    INSERT INTO incident_victims (incident_id, project_id, district_id, developer_org_id, name, party, injury_class) \
    SELECT id, project_id, district_id, developer_org_id, '矩阵', 'worker', 'minor' FROM i RETURNING id::text";

/// An agreed legal-cost line of a fresh incident on 天一仁和沙子口 (lead insurer: picc-qd).
const FRESH_COST: &str = "WITH i AS (INSERT INTO safety_incidents (number, project_id, district_id, developer_org_id, occurred_at, \
        place, accident_type, description, reported_by) \
    SELECT 'AQ-C-' || gen_random_uuid(), p.id, p.district_id, p.developer_org_id, now(), '测试', 'other', '矩阵测试', u.id \
    FROM projects p JOIN users u ON u.org_id = p.developer_org_id WHERE p.name = '天一仁和沙子口' LIMIT 1 \
    RETURNING id, project_id, district_id, developer_org_id) \
    INSERT INTO incident_cost_settlements (incident_id, project_id, district_id, developer_org_id, lead_insurer_org_id, kind, \
        payee, amount_fen, agreed_by) \
    SELECT i.id, i.project_id, i.district_id, i.developer_org_id, o.id, 'legal', '矩阵律所', 100, u.id \
    FROM i, organisations o JOIN users u ON u.org_id = o.id WHERE o.code = 'picc-qd' LIMIT 1 RETURNING id::text";

async fn fixture(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar(sql).fetch_one(&app.owner).await.unwrap()
}

#[tokio::test]
async fn every_route_answers_every_actor_as_the_matrix_says() {
    let app = TestApp::spawn().await;
    app.create_user(Some("picc-qd"), "picc-staff", "staff")
        .await;
    let rows = rows();

    let declared = declared_routes();
    for (method, path) in &declared {
        assert!(
            rows.iter().any(|r| r.method == method && r.path == path),
            "route {method} {path} has no row in the authorization matrix"
        );
    }
    for row in &rows {
        assert!(
            declared
                .iter()
                .any(|(m, p)| m == row.method && p == row.path),
            "matrix row {} {} names no route",
            row.method,
            row.path
        );
    }

    let mut sessions: HashMap<&str, reqwest::Client> = HashMap::new();
    for actor in ACTORS {
        let client = if actor == "anonymous" {
            app.client()
        } else {
            app.login(actor).await
        };
        sessions.insert(actor, client);
    }
    let mut failures = Vec::new();
    for row in &rows {
        for (actor, expected) in ACTORS.iter().zip(row.expect) {
            let client = if row.fresh_session && *actor != "anonymous" {
                app.login(actor).await
            } else {
                sessions[actor].clone()
            };
            let path = if row.path.contains("/tokens/{id}") {
                row.path.replace("{id}", &picc_token(&app).await)
            } else if row.path.contains("/projects/{id}") {
                row.path.replace(
                    "{id}",
                    &fixture(
                        &app,
                        "SELECT id::text FROM projects WHERE name = '融创东方悦府'",
                    )
                    .await,
                )
            } else if row.path.contains("/inspections/{id}") {
                row.path.replace("{id}", &fixture(&app, "SELECT i.id::text FROM inspections i JOIN projects p ON p.id = i.project_id WHERE p.name = '融创东方悦府' AND i.stage_code = 'completion'").await)
            } else if row.path.contains("/orders/{id}") {
                row.path.replace("{id}", &fixture(&app, "SELECT o.id::text FROM rectification_orders o JOIN projects p ON p.id = o.project_id WHERE p.name = '融创东方悦府' AND o.status = 'issued'").await)
            } else if row.path.contains("/photos/{id}") {
                row.path.replace("{id}", &fixture(&app, "SELECT ph.id::text FROM evidence_photos ph JOIN projects p ON p.id = ph.project_id WHERE p.name = '天一仁和沙子口' LIMIT 1").await)
            } else if row.path.contains("/units/{id}") {
                row.path.replace(
                    "{id}",
                    &fixture(&app, "SELECT id::text FROM units WHERE number = '1-1201'").await,
                )
            } else if row.path.contains("/claims/{id}") {
                row.path
                    .replace("{id}", &fixture(&app, "SELECT id::text FROM claims WHERE status = 'reported' AND fast_channel LIMIT 1").await)
                    .replace("{action}", "repaired")
            } else if row.path.contains("/incident-costs/{id}") {
                row.path.replace("{id}", &fixture(&app, FRESH_COST).await)
            } else if row.path.contains("/victims/{id}") {
                row.path.replace("{id}", &fixture(&app, FRESH_VICTIM).await)
            } else if row.path.contains("/subrogation/{id}") {
                row.path.replace(
                    "{id}",
                    &fixture(&app, "SELECT id::text FROM subrogation_cases LIMIT 1").await,
                )
            } else if row.path.contains("/visits/{id}") {
                row.path.replace("{id}", &fixture(&app, "SELECT v.id::text FROM inspection_visits v JOIN projects p ON p.id = v.project_id WHERE p.name = '天一仁和沙子口' AND v.status = 'planned' LIMIT 1").await)
            } else if row.path.contains("/checklists/{id}") {
                row.path
                    .replace("{id}", &fixture(&app, FRESH_CHECKLIST_ITEM).await)
            } else if row.path.contains("/incidents/{id}") {
                row.path
                    .replace("{id}", &fixture(&app, FRESH_INCIDENT).await)
            } else if row.path.contains("/reports/{id}") {
                row.path.replace("{id}", &fixture(&app, "SELECT r.id::text FROM risk_reports r JOIN projects p ON p.id = r.project_id WHERE p.name = '融创东方悦府' AND r.kind = 'final'").await)
            } else if row.path.contains("/policies/{id}") {
                row.path.replace("{id}", &fixture(&app, "SELECT po.id::text FROM policies po JOIN projects p ON p.id = po.project_id WHERE p.name = '融创东方悦府'").await)
            } else {
                row.path.replace("{*path}", "app.css")
            };
            let mut request = client.request(
                Method::from_bytes(row.method.as_bytes()).unwrap(),
                app.url(&path),
            );
            request = match &row.body {
                Body::None => request,
                Body::WrongLogin => request.form(&[
                    ("username", format!("{actor}-typo")),
                    ("password", "wrong".into()),
                ]),
                Body::Form(fields) => request.form(fields),
                Body::Json(json) => request
                    .header("content-type", "application/json")
                    .body(*json),
                Body::Csv(csv) => request.header("content-type", "text/csv").body(*csv),
                Body::Payment => request
                    .header("idempotency-key", "matrix-key-1")
                    .json(&serde_json::json!({ "payee": "x", "amount_yuan": "1" })),
                Body::Multipart(fields) => {
                    let (content_type, body) = crate::risk::multipart(fields, &[]);
                    request.header("content-type", content_type).body(body)
                }
                Body::RulePack => request.json(&serde_json::json!({
                    "version": "", "effective_from": "2020-01-01",
                    "params": zhianbao::domain::rules::RulePack::laoshan_2021() })),
            };
            let status = request.send().await.unwrap().status().as_u16();
            if status != expected {
                failures.push(format!(
                    "{} {} as {actor}: expected {expected}, got {status}",
                    row.method, row.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix violations:\n{}",
        failures.join("\n")
    );
}
