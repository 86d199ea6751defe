//! `zhianbao generate`: a city's (or, ten times over, a country's) worth of plausible data for
//! benchmarks — projects in every stage, inspections with findings in the proportions agencies
//! report (mostly A/B, 5–15 % C, 1–3 % D/E), rectification orders, homes and owners' claims.
//!
//! Rows go in by COPY with triggers switched off (so the counters are rebuilt once at the end,
//! from the rows), each table on an owner connection of its own so that tables load side by side.
//! The same seed and end date give the same data.

use std::fmt::Write as _;

use anyhow::{Context, bail};
use chrono::{Days, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Asia::Shanghai;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::claims::deadlines;
use crate::domain::risk::Escalation;
use crate::domain::rules::RulePack;

/// How much to generate. `national` is `city` ten times over, in the same districts: what a
/// district's pages cost depends on that district's rows, which is what this multiplies.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub projects: usize,
    pub inspections_per_project: usize,
    pub findings_per_inspection: usize,
    /// Owners' claims per handed-over project.
    pub claims_per_handed_over: usize,
}

impl Scale {
    pub fn parse(name: &str) -> Option<Self> {
        let city = Scale {
            projects: 2_000,
            inspections_per_project: 50,
            findings_per_inspection: 10,
            claims_per_handed_over: 170,
        };
        match name {
            "city" => Some(city),
            "national" => Some(Scale {
                projects: city.projects * 10,
                ..city
            }),
            // A few seconds' worth, for tests of the generator itself.
            "sample" => Some(Scale {
                projects: 12,
                inspections_per_project: 4,
                findings_per_inspection: 5,
                claims_per_handed_over: 3,
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
pub struct Summary {
    pub projects: usize,
    pub inspections: usize,
    pub findings: usize,
    pub orders: usize,
    pub claims: usize,
}

const STAGE_CODES: [&str; 8] = [
    "design_review",
    "foundation",
    "main_structure",
    "waterproofing",
    "envelope",
    "decoration",
    "installation",
    "routine",
];
const SECTIONS: [&str; 6] = [
    "STRUCTURE",
    "WATERPROOFING",
    "INSULATION",
    "DECORATION",
    "MEP",
    "HVAC",
];
const CLAIM_STATUSES: [(&str, u32); 10] = [
    ("paid", 55),
    ("rejected", 10),
    ("reported", 4),
    ("surveying", 6),
    ("surveyed", 5),
    ("more_info", 2),
    ("approved", 6),
    ("repair_ordered", 6),
    ("repaired", 4),
    ("disputed", 2),
];

/// A finding level in the proportions agencies report (10 % C, 2.5 % D/E), the serious levels
/// scaled by the developer's `care` in tenths (10 = usual, 25 = two and a half times as many).
fn level(rng: &mut StdRng, care: u32) -> &'static str {
    let (c, d, e) = (100 * care / 10, 20 * care / 10, 5 * care / 10);
    let roll = rng.random_range(0..1000);
    match roll {
        _ if roll < c => "C",
        _ if roll < c + d => "D",
        _ if roll < c + d + e => "E",
        _ if roll < c + d + e + 15 => "R",
        _ if roll < c + d + e + 25 => "O",
        _ if roll < c + d + e + 525 => "A",
        _ => "B",
    }
}

/// How careful a developer is, as [`level`] takes it: most are usual, some better, a few much
/// worse (a mean near 1×, so the volumes stay those of the scale). What an insurer's book ranks.
fn care(rng: &mut StdRng) -> u32 {
    match rng.random_range(0..100) {
        0..30 => 5,
        30..75 => 10,
        75..95 => 16,
        _ => 25,
    }
}

/// Rectification days per level (Laoshan 2021 defaults).
fn deadline_days(level: &str) -> u64 {
    match level {
        "B" => 30,
        "C" => 15,
        "D" => 7,
        "E" => 3,
        _ => 14,
    }
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn weighted(rng: &mut StdRng, items: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (item, weight) in items {
        if roll < *weight {
            return item;
        }
        roll -= weight;
    }
    items[0].0
}

fn id(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

/// 09:00 in Shanghai on `day`, offset by some minutes, as a COPY timestamp.
fn at(day: NaiveDate, minutes: i64) -> String {
    instant(day, minutes).map_or_else(String::new, |t| t.to_rfc3339())
}

/// `minutes` after 09:00 on `day` in Shanghai.
fn instant(day: NaiveDate, minutes: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    let local = day.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default())
        + chrono::Duration::minutes(minutes);
    Shanghai
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
}

fn back(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(days)).unwrap_or(day)
}

fn ahead(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap_or(day)
}

/// How much of a table's rows goes to its writer at once.
const CHUNK_BYTES: usize = 1 << 22;

/// One table's rows in COPY text format, sent in chunks as they fill to a writer of the table's
/// own (its own connection, triggers off as on the generator's), so the big tables load side by
/// side on the database's cores while the next rows are generated.
struct CopyIn {
    buffer: String,
    chunks: Option<tokio::sync::mpsc::Sender<String>>,
    writer: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl CopyIn {
    async fn new(pool: &PgPool, table: &str, columns: &str) -> anyhow::Result<Self> {
        let mut conn = PgConnection::connect_with(&pool.connect_options()).await?;
        sqlx::query("SET session_replication_role = replica")
            .execute(&mut conn)
            .await?;
        let statement = format!("COPY {table} ({columns}) FROM STDIN");
        // Two chunks in flight at most: the generator waits for a slow table instead of
        // holding it all in memory.
        let (chunks, mut received) = tokio::sync::mpsc::channel::<String>(2);
        let writer = tokio::spawn(async move {
            while let Some(chunk) = received.recv().await {
                let mut copy = conn.copy_in_raw(&statement).await?;
                copy.send(chunk.into_bytes()).await?;
                copy.finish().await?;
            }
            conn.close().await?;
            Ok(())
        });
        Ok(CopyIn {
            buffer: String::with_capacity(CHUNK_BYTES),
            chunks: Some(chunks),
            writer,
        })
    }

    /// Adds a row; `None` is NULL. Generated text has no tabs, newlines or backslashes.
    fn row(&mut self, fields: &[Option<&str>]) {
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.buffer.push('\t');
            }
            self.buffer.push_str(field.unwrap_or("\\N"));
        }
        self.buffer.push('\n');
    }

    async fn flush_if_full(&mut self) -> anyhow::Result<()> {
        if self.buffer.len() > CHUNK_BYTES {
            self.send().await?;
        }
        Ok(())
    }

    async fn send(&mut self) -> anyhow::Result<()> {
        let chunk = std::mem::replace(&mut self.buffer, String::with_capacity(CHUNK_BYTES));
        let sent = match &self.chunks {
            Some(chunks) => chunks.send(chunk).await.is_ok(),
            None => false,
        };
        if !sent {
            // The writer stopped: its own error says why.
            self.chunks = None;
            (&mut self.writer).await??;
            bail!("a table's writer stopped");
        }
        Ok(())
    }

    /// Sends the rows left and waits until the table is loaded.
    async fn finish(mut self) -> anyhow::Result<()> {
        if !self.buffer.is_empty() {
            self.send().await?;
        }
        self.chunks = None;
        self.writer.await?
    }
}

struct Org {
    id: Uuid,
    user: Uuid,
}

struct Developer {
    org: Org,
    care: u32,
}

fn new_org(
    rng: &mut StdRng,
    copy: &mut CopyIn,
    code: String,
    kind: &str,
    name: String,
    district: Uuid,
) -> (Org, String, String) {
    let org = Org {
        id: id(rng),
        user: id(rng),
    };
    copy.row(&[
        Some(&org.id.to_string()),
        Some(&code),
        Some(kind),
        Some(&name),
        Some(&code),
        Some(&district.to_string()),
    ]);
    (org, code, name)
}

/// Generates and loads everything; `until` is the last day of the generated history.
pub async fn generate(
    pool: &PgPool,
    scale: Scale,
    seed: u64,
    until: NaiveDate,
    password_hash: &str,
) -> anyhow::Result<Summary> {
    let mut main = pool.acquire().await?;
    let conn: &mut PgConnection = &mut main;
    let already: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM organisations WHERE code LIKE 'gen-%')")
            .fetch_one(&mut *conn)
            .await?;
    if already {
        bail!("generated data is already loaded in this database (organisations gen-*)");
    }
    let districts: Vec<(Uuid, Uuid, String)> = sqlx::query_as(
        "SELECT DISTINCT ON (d.id) d.id, r.id, d.code FROM districts d JOIN rule_packs r ON r.district_id = d.id \
         WHERE d.parent_id IS NOT NULL ORDER BY d.id, r.effective_from DESC",
    )
    .fetch_all(&mut *conn)
    .await?;
    if districts.is_empty() {
        bail!("no district has a rule pack: run `zhianbao migrate` and `zhianbao seed-demo` first");
    }
    let city: Uuid = sqlx::query_scalar("SELECT id FROM districts WHERE parent_id IS NULL LIMIT 1")
        .fetch_one(&mut *conn)
        .await
        .context("the city district")?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut summary = Summary::default();
    let total_inspections = scale.projects * scale.inspections_per_project;
    let bar = ProgressBar::new(total_inspections as u64).with_style(
        ProgressStyle::with_template("{msg:12} [{bar:40}] {pos}/{len} inspections {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("organisations");

    // Triggers (counters, audit, checks) are off for this session; the rows are consistent by
    // construction and the counters are recounted at the end.
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await?;

    // Organisations, each with one admin user.
    let mut orgs = CopyIn::new(
        pool,
        "organisations",
        "id, code, kind, name_zh, name_en, district_id",
    )
    .await?;
    let mut all_orgs = Vec::new();
    let insurers: Vec<Org> = (0..8)
        .map(|n| {
            let (org, code, name) = new_org(
                &mut rng,
                &mut orgs,
                format!("gen-ins-{n:02}"),
                "insurer",
                format!("生成保险公司{n:02}"),
                city,
            );
            all_orgs.push((org.user, org.id, code, name));
            org
        })
        .collect();
    let agencies: Vec<Org> = (0..6)
        .map(|n| {
            let (org, code, name) = new_org(
                &mut rng,
                &mut orgs,
                format!("gen-tis-{n:02}"),
                "risk_agency",
                format!("生成风险管理机构{n:02}"),
                city,
            );
            all_orgs.push((org.user, org.id, code, name));
            org
        })
        .collect();
    let mut developers: Vec<(Uuid, Vec<Developer>)> = Vec::new();
    for (district, _, code) in &districts {
        let devs = (0..25)
            .map(|n| {
                let (org, c, name) = new_org(
                    &mut rng,
                    &mut orgs,
                    format!("gen-dev-{code}-{n:02}"),
                    "developer",
                    format!("生成置业{code}{n:02}"),
                    *district,
                );
                all_orgs.push((org.user, org.id, c, name));
                Developer {
                    org,
                    care: care(&mut rng),
                }
            })
            .collect();
        developers.push((*district, devs));
    }
    orgs.finish().await?;
    let mut users = CopyIn::new(
        pool,
        "users",
        "id, org_id, username, display_name, role, password_hash",
    )
    .await?;
    for (user, org, code, name) in &all_orgs {
        users.row(&[
            Some(&user.to_string()),
            Some(&org.to_string()),
            Some(code),
            Some(name),
            Some("admin"),
            Some(password_hash),
        ]);
    }
    users.finish().await?;

    // Projects with their parcel, buildings, policy and parties; then inspections and findings.
    let mut parcels = CopyIn::new(
        pool,
        "parcels",
        "id, district_id, code, name, area_m2, contract_no, transfer_date, developer_org_id, status",
    ).await?;
    let mut project_rows: Vec<GenProject> = Vec::with_capacity(scale.projects);
    for n in 0..scale.projects {
        let (district, pack, district_code) = pick(&mut rng, &districts).clone();
        let devs = &developers
            .iter()
            .find(|(d, _)| *d == district)
            .map(|(_, devs)| devs)
            .context("developers of the district")?;
        let developer = pick(&mut rng, devs);
        let stage = weighted(
            &mut rng,
            &[
                ("registered", 10),
                ("permitted", 45),
                ("completed", 10),
                ("filed", 5),
                ("handed_over", 30),
            ],
        );
        let stage_index = crate::domain::project::ProjectStage::ALL
            .iter()
            .position(|s| s.as_str() == stage)
            .unwrap_or(0);
        let transfer = back(until, rng.random_range(400..1500));
        let permit = (stage_index >= 1).then(|| ahead(transfer, rng.random_range(60..200)));
        let completed = (stage_index >= 2)
            .then(|| ahead(permit.unwrap_or(transfer), rng.random_range(500..800)));
        let filed = (stage_index >= 3)
            .then(|| ahead(completed.unwrap_or(transfer), rng.random_range(20..60)));
        let handed =
            (stage_index >= 4).then(|| ahead(filed.unwrap_or(transfer), rng.random_range(10..60)));
        // Dates may not run past the end of the history.
        let clamp = |d: Option<NaiveDate>| d.map(|d| d.min(until));
        let project = GenProject {
            id: id(&mut rng),
            parcel: id(&mut rng),
            district,
            pack,
            developer: developer.org.id,
            care: developer.care,
            insurer: rng.random_range(0..insurers.len()),
            agency: rng.random_range(0..agencies.len()),
            stage,
            transfer,
            permit: clamp(permit),
            completed: clamp(completed),
            filed: clamp(filed),
            handed: clamp(handed),
            buildings: (0..4).map(|_| id(&mut rng)).collect(),
            policy: id(&mut rng),
            housing: weighted(
                &mut rng,
                &[
                    ("commercial", 75),
                    ("resettlement", 20),
                    ("public_rental", 5),
                ],
            ),
            name: format!("生成项目{district_code}-{n:05}"),
        };
        parcels.row(&[
            Some(&project.parcel.to_string()),
            Some(&district.to_string()),
            Some(&format!("GEN-{n:06}")),
            Some(&format!("{}地块", project.name)),
            Some("42000.00"),
            Some(&format!("GEN-CR-{n:06}")),
            Some(&transfer.to_string()),
            Some(&developer.org.id.to_string()),
            Some("project_registered"),
        ]);
        project_rows.push(project);
    }
    parcels.finish().await?;
    let mut projects = CopyIn::new(
        pool,
        "projects",
        "id, parcel_id, district_id, developer_org_id, name, housing_type, stage, permit_date, completion_date, filing_date, handover_date, created_at",
    ).await?;
    let mut buildings = CopyIn::new(
        pool,
        "buildings",
        "id, project_id, name, housing_types, floor_area_m2, units, construction_cost_fen",
    )
    .await?;
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    for (n, p) in project_rows.iter().enumerate() {
        let (permit, completed, filed, handed) = (
            date(p.permit),
            date(p.completed),
            date(p.filed),
            date(p.handed),
        );
        // Registered a month after the land transfer, as developers do: spread over the years
        // like real registrations (the lists' newest-first order and its planner estimates).
        let registered = at(ahead(p.transfer, 30).min(until), (n % 480) as i64);
        projects.row(&[
            Some(&p.id.to_string()),
            Some(&p.parcel.to_string()),
            Some(&p.district.to_string()),
            Some(&p.developer.to_string()),
            Some(&p.name),
            Some(p.housing),
            Some(p.stage),
            permit.as_deref(),
            completed.as_deref(),
            filed.as_deref(),
            handed.as_deref(),
            Some(&registered),
        ]);
        for (i, b) in p.buildings.iter().enumerate() {
            buildings.row(&[
                Some(&b.to_string()),
                Some(&p.id.to_string()),
                Some(&format!("{}号楼", i + 1)),
                Some(&format!("{{{}}}", p.housing)),
                Some("12000.00"),
                Some("120"),
                Some("4800000000"),
            ]);
        }
    }
    projects.finish().await?;
    buildings.finish().await?;
    let mut policies = CopyIn::new(
        pool,
        "policies",
        "id, project_id, district_id, developer_org_id, lead_insurer_org_id, rule_pack_id, status, policy_number, idi_premium_fen, safety_premium_fen, total_premium_fen, tis_fee_fen, paid_at, paid_amount_fen, issued_at",
    ).await?;
    let mut parties = CopyIn::new(pool, "project_parties", "project_id, org_id, role").await?;
    for (n, p) in project_rows.iter().enumerate() {
        let status = match p.stage {
            "registered" => "quoted",
            "handed_over" | "filed" | "completed" => "in_force",
            _ => "issued",
        };
        let issued = (status != "quoted").then(|| at(p.permit.unwrap_or(p.transfer), 0));
        let insurer = insurers[p.insurer].id.to_string();
        policies.row(&[
            Some(&p.policy.to_string()),
            Some(&p.id.to_string()),
            Some(&p.district.to_string()),
            Some(&p.developer.to_string()),
            Some(&insurer),
            Some(&p.pack.to_string()),
            Some(status),
            issued
                .as_ref()
                .map(|_| format!("GEN-ZAB-{n:07}"))
                .as_deref(),
            Some("28800000"),
            Some("3840000"),
            Some("32640000"),
            Some("2592000"),
            issued.as_deref(),
            issued.as_ref().map(|_| "32640000"),
            issued.as_deref(),
        ]);
        parties.row(&[
            Some(&p.id.to_string()),
            Some(&insurer),
            Some("lead_insurer"),
        ]);
        parties.row(&[
            Some(&p.id.to_string()),
            Some(&agencies[p.agency].id.to_string()),
            Some("risk_agency"),
        ]);
    }
    policies.finish().await?;
    parties.finish().await?;

    bar.set_message("inspections");
    let mut inspections = CopyIn::new(
        pool,
        "inspections",
        "id, project_id, district_id, developer_org_id, agency_org_id, stage_code, inspected_on, inspectors, created_by, status",
    ).await?;
    let mut findings = CopyIn::new(
        pool,
        "findings",
        "id, inspection_id, project_id, district_id, developer_org_id, agency_org_id, original_level, current_level, status, building_id, location, trade, section_code, description, created_by, created_at, closed_at",
    ).await?;
    let mut orders = CopyIn::new(
        pool,
        "rectification_orders",
        "id, number, finding_id, project_id, district_id, developer_org_id, agency_org_id, level, issued_on, deadline, status, closed_at",
    ).await?;
    let mut order_number = 0usize;
    for p in &project_rows {
        let agency = &agencies[p.agency];
        let first = p.permit.unwrap_or(p.transfer);
        let last = p.completed.unwrap_or(until);
        let span = (last - first).num_days().max(1) as u64;
        for k in 0..scale.inspections_per_project {
            let inspection = id(&mut rng);
            let day = ahead(
                first,
                span * k as u64 / scale.inspections_per_project as u64,
            )
            .min(until);
            inspections.row(&[
                Some(&inspection.to_string()),
                Some(&p.id.to_string()),
                Some(&p.district.to_string()),
                Some(&p.developer.to_string()),
                Some(&agency.id.to_string()),
                Some(*pick(&mut rng, &STAGE_CODES)),
                Some(&day.to_string()),
                Some("生成检查组"),
                Some(&agency.user.to_string()),
                Some("submitted"),
            ]);
            for f in 0..scale.findings_per_inspection {
                let finding = id(&mut rng);
                let lvl = level(&mut rng, p.care);
                let age = (until - day).num_days();
                // Most findings older than their deadline are closed, a few linger.
                let deadline = deadline_days(lvl);
                let closes_after = rng.random_range(1..=deadline * 2) as i64;
                let closed = closes_after < age && rng.random_range(0..100) < 96;
                let created_at = at(day, f as i64);
                let closed_on = ahead(day, closes_after as u64);
                let closed_at = closed.then(|| at(closed_on, 60));
                let mut location = String::with_capacity(32);
                let _ = write!(
                    location,
                    "{}号楼 {}层",
                    rng.random_range(1..=4),
                    rng.random_range(1..=30)
                );
                findings.row(&[
                    Some(&finding.to_string()),
                    Some(&inspection.to_string()),
                    Some(&p.id.to_string()),
                    Some(&p.district.to_string()),
                    Some(&p.developer.to_string()),
                    Some(&agency.id.to_string()),
                    Some(lvl),
                    Some(lvl),
                    Some(if closed { "closed" } else { "open" }),
                    Some(&pick(&mut rng, &p.buildings).to_string()),
                    Some(&location),
                    Some("土建"),
                    Some(*pick(&mut rng, &SECTIONS)),
                    Some("生成的检查问题"),
                    Some(&agency.user.to_string()),
                    Some(&created_at),
                    closed_at.as_deref(),
                ]);
                if matches!(lvl, "B" | "C" | "D" | "E" | "R") {
                    order_number += 1;
                    orders.row(&[
                        Some(&id(&mut rng).to_string()),
                        Some(&format!("GEN-ZG-{order_number:08}")),
                        Some(&finding.to_string()),
                        Some(&p.id.to_string()),
                        Some(&p.district.to_string()),
                        Some(&p.developer.to_string()),
                        Some(&agency.id.to_string()),
                        Some(lvl),
                        Some(&day.to_string()),
                        Some(&ahead(day, deadline).to_string()),
                        Some(if closed { "closed" } else { "issued" }),
                        closed_at.as_deref(),
                    ]);
                }
                summary.findings += 1;
            }
            findings.flush_if_full().await?;
            orders.flush_if_full().await?;
            inspections.flush_if_full().await?;
            summary.inspections += 1;
            bar.inc(1);
        }
    }
    inspections.finish().await?;
    findings.finish().await?;
    orders.finish().await?;
    summary.orders = order_number;
    summary.projects = project_rows.len();

    bar.set_message("claims");
    // Each district's rule pack sets its claims' clocks, as the platform does when one is reported.
    let packs: std::collections::HashMap<Uuid, sqlx::types::Json<RulePack>> = sqlx::query_as(
        "SELECT DISTINCT ON (d.id) d.id, r.params FROM districts d JOIN rule_packs r ON r.district_id = d.id \
         ORDER BY d.id, r.effective_from DESC",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let mut owners = CopyIn::new(
        pool,
        "users",
        "id, username, display_name, role, password_hash",
    )
    .await?;
    let mut units = CopyIn::new(
        pool,
        "units",
        "id, project_id, district_id, developer_org_id, building_id, number, floor_area_m2, handed_over_on, owner_user_id, owner_name",
    ).await?;
    let mut claims = CopyIn::new(
        pool,
        "claims",
        "id, number, unit_id, project_id, district_id, developer_org_id, policy_id, lead_insurer_org_id, building_id, owner_user_id, owner_name, component, section_code, location, description, fast_channel, complex, cover_verdict, status, surveyor, survey_report, reject_reason, approved_amount_fen, reported_at, contacted_at, surveyed_at, decided_at, contact_due_at, survey_due_at, decision_due_at",
    ).await?;
    let mut claim_number = 0usize;
    for p in project_rows.iter().filter(|p| p.stage == "handed_over") {
        let handed = p.handed.unwrap_or(until);
        let since = (until - handed).num_days().max(1) as u64;
        for _ in 0..scale.claims_per_handed_over {
            claim_number += 1;
            let (owner, unit) = (id(&mut rng), id(&mut rng));
            let name = format!("业主{claim_number:06}");
            let building = pick(&mut rng, &p.buildings).to_string();
            owners.row(&[
                Some(&owner.to_string()),
                Some(&format!("gen-owner-{claim_number:07}")),
                Some(&name),
                Some("owner"),
                Some(password_hash),
            ]);
            units.row(&[
                Some(&unit.to_string()),
                Some(&p.id.to_string()),
                Some(&p.district.to_string()),
                Some(&p.developer.to_string()),
                Some(&building),
                Some(&format!("G-{claim_number:07}")),
                Some("98.00"),
                Some(&handed.to_string()),
                Some(&owner.to_string()),
                Some(&name),
            ]);
            let (component, section, fast) = *pick(&mut rng, &crate::domain::claims::COMPONENTS);
            let status = weighted(&mut rng, &CLAIM_STATUSES);
            let complex = rng.random_range(0..10) == 0;
            let reported_day = ahead(handed, rng.random_range(0..since));
            let minutes = rng.random_range(0..600);
            let reported_at = instant(reported_day, minutes).context("a claim's report time")?;
            let reported = reported_at.to_rfc3339();
            let pack = packs.get(&p.district).context("the district's rule pack")?;
            let clocks = deadlines(pack, reported_at, fast, complex);
            let later = |hours: i64| at(reported_day, minutes + hours * 60);
            let surveyed = !matches!(status, "reported" | "surveying");
            let decided = !matches!(status, "reported" | "surveying" | "surveyed" | "more_info");
            let decision_hours = if complex {
                rng.random_range(48..900)
            } else {
                rng.random_range(24..240)
            };
            let approved = matches!(status, "approved" | "repair_ordered" | "repaired" | "paid");
            claims.row(&[
                Some(&id(&mut rng).to_string()),
                Some(&format!("GEN-LP-{claim_number:08}")),
                Some(&unit.to_string()),
                Some(&p.id.to_string()),
                Some(&p.district.to_string()),
                Some(&p.developer.to_string()),
                Some(&p.policy.to_string()),
                Some(&insurers[p.insurer].id.to_string()),
                Some(&building),
                Some(&owner.to_string()),
                Some(&name),
                Some(component),
                Some(section),
                Some("室内"),
                Some("生成的理赔报案"),
                Some(if fast { "t" } else { "f" }),
                Some(if complex { "t" } else { "f" }),
                Some(&format!(
                    r#"{{"verdict": "covered", "section": "{section}", "until": "{}"}}"#,
                    ahead(handed, 3650)
                )),
                Some(status),
                (status != "reported").then_some("生成查勘员"),
                surveyed.then_some("查勘属实"),
                matches!(status, "rejected" | "disputed").then_some("abnormal_use"),
                approved.then_some("380000"),
                Some(&reported),
                (status != "reported")
                    .then(|| later(rng.random_range(1..30)))
                    .as_deref(),
                surveyed.then(|| later(rng.random_range(20..72))).as_deref(),
                decided.then(|| later(decision_hours)).as_deref(),
                clocks.contact_by.map(|t| t.to_rfc3339()).as_deref(),
                Some(&clocks.survey_by.to_rfc3339()),
                Some(&clocks.decision_by.to_rfc3339()),
            ]);
            owners.flush_if_full().await?;
            units.flush_if_full().await?;
            claims.flush_if_full().await?;
        }
    }
    owners.finish().await?;
    units.finish().await?;
    claims.finish().await?;
    summary.claims = claim_number;

    // The rungs of the escalation ladder its overdue orders had reached by `until`, so the
    // server's sweep starts from where a live platform would be (the notifications those rungs
    // sent are not generated).
    bar.set_message("escalations");
    for step in Escalation::LADDER {
        sqlx::query(
            "INSERT INTO order_escalations (order_id, step, project_id, district_id, developer_org_id, escalated_on) \
             SELECT id, $1, project_id, district_id, developer_org_id, deadline + $2 FROM rectification_orders \
             WHERE status = 'issued' AND deadline <= $3 - $2 \
               AND developer_org_id IN (SELECT id FROM organisations WHERE code LIKE 'gen-%')",
        )
        .bind(step.as_str())
        .bind(i32::try_from(step.days_late())?)
        .bind(until)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("SET session_replication_role = origin")
        .execute(&mut *conn)
        .await?;
    bar.set_message("counters");
    sqlx::query("SELECT app.rebuild_stats()")
        .execute(&mut *conn)
        .await?;
    // Statistics for the planner, and the loaded pages marked all-visible as autovacuum would in
    // time, so index-only scans (a party's projects, say) skip the heap from the first request.
    sqlx::query("VACUUM (ANALYZE)").execute(&mut *conn).await?;
    bar.finish_with_message("done");
    Ok(summary)
}

struct GenProject {
    id: Uuid,
    parcel: Uuid,
    district: Uuid,
    pack: Uuid,
    developer: Uuid,
    /// The developer's care ([`level`]).
    care: u32,
    insurer: usize,
    agency: usize,
    stage: &'static str,
    transfer: NaiveDate,
    permit: Option<NaiveDate>,
    completed: Option<NaiveDate>,
    filed: Option<NaiveDate>,
    handed: Option<NaiveDate>,
    buildings: Vec<Uuid>,
    policy: Uuid,
    housing: &'static str,
    name: String,
}
