//! The Laoshan demo world: the organisations and logins of the README. Idempotent: running it
//! again changes nothing (existing demo users keep their password and sessions).

mod claims;
mod risk;

use sqlx::PgPool;
use uuid::Uuid;

use claims::seed_claims;
use risk::{INSPECTIONS, seed_checklists, seed_inspection, seed_plan, seed_report, seed_safety};

use crate::security::hash_blocking;
use crate::storage::organisations;

pub const DEMO_PASSWORD: &str = "zhianbao-demo";

pub struct DemoOrg {
    pub code: &'static str,
    pub kind: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub district: &'static str,
    pub admin_display_name: &'static str,
}

pub const ORGANISATIONS: &[DemoOrg] = &[
    DemoOrg {
        code: "laoshan-zjj",
        kind: "regulator",
        name_zh: "崂山区住房和城乡建设局",
        name_en: "Laoshan District Housing and Urban-Rural Development Bureau",
        district: "laoshan",
        admin_display_name: "崂山区住建局质安科",
    },
    DemoOrg {
        code: "shinan-zjj",
        kind: "regulator",
        name_zh: "市南区住房和城乡建设局",
        name_en: "Shinan District Housing and Urban-Rural Development Bureau",
        district: "shinan",
        admin_display_name: "市南区住建局质安科",
    },
    DemoOrg {
        code: "qingdao-zjj",
        kind: "regulator",
        name_zh: "青岛市住房和城乡建设局",
        name_en: "Qingdao Municipal Housing and Urban-Rural Development Bureau",
        district: "qingdao",
        admin_display_name: "青岛市住建局工程质量处",
    },
    DemoOrg {
        code: "picc-qd",
        kind: "insurer",
        name_zh: "人保财险青岛市分公司",
        name_en: "PICC P&C Qingdao Branch",
        district: "qingdao",
        admin_display_name: "人保财险工程险部",
    },
    DemoOrg {
        code: "pingan-qd",
        kind: "insurer",
        name_zh: "平安财险青岛分公司",
        name_en: "Ping An P&C Qingdao Branch",
        district: "qingdao",
        admin_display_name: "平安财险工程险部",
    },
    DemoOrg {
        code: "hexin-tis",
        kind: "risk_agency",
        name_zh: "北京和信安诚风险管理技术有限公司",
        name_en: "Beijing Hexin Ancheng Risk Management Technology Co., Ltd.",
        district: "qingdao",
        admin_display_name: "和信安诚青岛项目部",
    },
    DemoOrg {
        code: "tianyi-dev",
        kind: "developer",
        name_zh: "青岛天一仁和置业有限公司",
        name_en: "Qingdao Tianyi Renhe Real Estate Co., Ltd.",
        district: "laoshan",
        admin_display_name: "天一仁和工程部",
    },
    DemoOrg {
        code: "sunac-dev",
        kind: "developer",
        name_zh: "青岛融创东方置业有限公司",
        name_en: "Qingdao Sunac Dongfang Real Estate Co., Ltd.",
        district: "laoshan",
        admin_display_name: "融创东方工程部",
    },
    DemoOrg {
        code: "qdjg-build",
        kind: "contractor",
        name_zh: "青岛建工集团有限公司",
        name_en: "Qingdao Construction Engineering Group Co., Ltd.",
        district: "laoshan",
        admin_display_name: "青岛建工项目部",
    },
    DemoOrg {
        code: "lvcheng-wy",
        kind: "property_manager",
        name_zh: "绿城物业服务集团有限公司青岛分公司",
        name_en: "Greentown Property Services Qingdao Branch",
        district: "laoshan",
        admin_display_name: "绿城物业客服中心",
    },
];

pub struct DemoOwner {
    pub username: &'static str,
    pub display_name: &'static str,
}

pub const OWNERS: &[DemoOwner] = &[DemoOwner {
    username: "owner-demo",
    display_name: "王梅",
}];

/// Every demo login with what it shows, for the server's start-up banner and the README.
pub fn logins() -> Vec<(&'static str, &'static str)> {
    ORGANISATIONS
        .iter()
        .map(|o| (o.code, o.name_zh))
        .chain(OWNERS.iter().map(|o| (o.username, o.display_name)))
        .collect()
}

/// Seeds the demo world as the owner role (outside row-level security, like any operator tool).
pub async fn seed(owner: &PgPool) -> anyhow::Result<()> {
    let hash = tokio::task::spawn_blocking(|| hash_blocking(DEMO_PASSWORD)).await?;
    let mut tx = owner.begin().await?;
    for org in ORGANISATIONS {
        organisations::upsert(
            &mut tx,
            org.code,
            org.kind,
            org.name_zh,
            org.name_en,
            org.district,
        )
        .await?;
        insert_user_if_missing(
            &mut tx,
            Some(org.code),
            org.code,
            org.admin_display_name,
            "admin",
            &hash,
        )
        .await?;
    }
    for owner in OWNERS {
        insert_user_if_missing(
            &mut tx,
            None,
            owner.username,
            owner.display_name,
            "owner",
            &hash,
        )
        .await?;
    }
    for project in PROJECTS {
        seed_project(&mut tx, project).await?;
    }
    for inspection in INSPECTIONS {
        seed_inspection(&mut tx, inspection).await?;
    }
    seed_plan(&mut tx, "天一仁和沙子口", 10).await?;
    seed_report(&mut tx, "天一仁和沙子口", "process", None,
        "主体结构阶段检查发现 D 级剪力墙裂缝 1 项，须立即整改；其余问题按期整改中。总体风险可控，建议加强混凝土养护管理。").await?;
    seed_report(&mut tx, "融创东方悦府", "final",
        Some(("WATERPROOFING", "5号楼屋面防水搭接问题未整改闭合，该部位防水责任除外。")),
        "竣工前评估：主体结构、保温、设备安装未发现影响保险责任的遗留问题；5号楼屋面防水 C 级问题未闭合，建议对该部位除外承保。").await?;
    seed_safety(&mut tx).await?;
    seed_checklists(&mut tx).await?;
    seed_claims(&mut tx).await?;
    crate::storage::escalations::sweep(&mut tx, crate::http::projects::today()).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_user_if_missing(
    conn: &mut sqlx::PgConnection,
    org_code: Option<&str>,
    username: &str,
    display_name: &str,
    role: &str,
    hash: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO users (org_id, username, display_name, role, password_hash) \
         SELECT (SELECT id FROM organisations WHERE code = $1), $2, $3, $4, $5 \
         ON CONFLICT (username) DO NOTHING",
    )
    .bind(org_code)
    .bind(username)
    .bind(display_name)
    .bind(role)
    .bind(hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// A parcel of the demo world, with its project and policy as far as they have got.
pub struct DemoParcel {
    pub code: &'static str,
    pub name: &'static str,
    pub location: &'static str,
    pub area_m2: &'static str,
    pub district: &'static str,
    pub developer: &'static str,
    pub transfer_days_ago: i64,
    pub project: Option<DemoProject>,
}

pub struct DemoProject {
    pub name: &'static str,
    pub housing_type: &'static str,
    /// (name, housing types, floor area m², units, construction cost in yuan)
    pub buildings: &'static [(
        &'static str,
        &'static [&'static str],
        &'static str,
        i32,
        i64,
    )],
    /// Days ago of permit, completion acceptance, filing, handover (None = not yet).
    pub stages: [Option<i64>; 4],
    pub policy: Option<DemoPolicy>,
}

pub struct DemoPolicy {
    pub lead: &'static str,
    /// Co-insurers and their shares in basis points; the lead holds the rest.
    pub co: &'static [(&'static str, i64)],
    pub status: &'static str,
    pub agency: Option<&'static str>,
}

const TOWER: &[&str] = &["commercial"];
const MIXED: &[&str] = &["commercial", "resettlement"];
const RESETTLE: &[&str] = &["resettlement"];

pub const PROJECTS: &[DemoParcel] = &[
    DemoParcel {
        code: "LS-2023-017",
        name: "沙子口街道南姜片区地块",
        location: "崂山区沙子口街道南姜路以东",
        area_m2: "48620.50",
        district: "laoshan",
        developer: "tianyi-dev",
        transfer_days_ago: 720,
        project: Some(DemoProject {
            name: "天一仁和沙子口",
            housing_type: "commercial",
            buildings: &[
                ("1号楼", TOWER, "18650.00", 168, 74_600_000),
                ("2号楼", TOWER, "18650.00", 168, 74_600_000),
                ("3号楼", MIXED, "15200.00", 140, 60_800_000),
                ("地下车库", TOWER, "21000.00", 0, 52_500_000),
            ],
            stages: [Some(540), None, None, None],
            policy: Some(DemoPolicy {
                lead: "picc-qd",
                co: &[],
                status: "in_force",
                agency: Some("hexin-tis"),
            }),
        }),
    },
    DemoParcel {
        code: "LS-2020-008",
        name: "东方悦府地块",
        location: "崂山区海尔路与株洲路交汇处",
        area_m2: "36210.00",
        district: "laoshan",
        developer: "sunac-dev",
        transfer_days_ago: 1900,
        project: Some(DemoProject {
            name: "融创东方悦府",
            housing_type: "commercial",
            buildings: &[
                ("1号楼", TOWER, "22400.00", 198, 89_600_000),
                ("2号楼", TOWER, "22400.00", 198, 89_600_000),
                ("5号楼", TOWER, "16800.00", 132, 67_200_000),
            ],
            stages: [Some(1700), Some(800), Some(760), Some(700)],
            policy: Some(DemoPolicy {
                lead: "pingan-qd",
                co: &[("picc-qd", 4000)],
                status: "in_force",
                agency: Some("hexin-tis"),
            }),
        }),
    },
    DemoParcel {
        code: "LS-2026-004",
        name: "王哥庄街道安置区地块",
        location: "崂山区王哥庄街道",
        area_m2: "29800.00",
        district: "laoshan",
        developer: "tianyi-dev",
        transfer_days_ago: 60,
        project: Some(DemoProject {
            name: "王哥庄安置区二期",
            housing_type: "resettlement",
            buildings: &[
                ("A1号楼", RESETTLE, "12800.00", 120, 41_000_000),
                ("A2号楼", RESETTLE, "12800.00", 120, 41_000_000),
            ],
            stages: [None, None, None, None],
            policy: Some(DemoPolicy {
                lead: "picc-qd",
                co: &[("pingan-qd", 3000)],
                status: "applied",
                agency: None,
            }),
        }),
    },
    DemoParcel {
        code: "LS-2026-009",
        name: "中韩街道科苑地块",
        location: "崂山区中韩街道科苑纬四路",
        area_m2: "22150.00",
        district: "laoshan",
        developer: "sunac-dev",
        transfer_days_ago: 45,
        project: Some(DemoProject {
            name: "融创科苑壹号",
            housing_type: "commercial",
            buildings: &[("1号楼", TOWER, "14600.00", 110, 58_400_000)],
            stages: [None, None, None, None],
            policy: Some(DemoPolicy {
                lead: "pingan-qd",
                co: &[],
                status: "quoted",
                agency: None,
            }),
        }),
    },
    DemoParcel {
        code: "LS-2025-021",
        name: "北宅街道生态住区地块",
        location: "崂山区北宅街道",
        area_m2: "31500.00",
        district: "laoshan",
        developer: "tianyi-dev",
        transfer_days_ago: 210,
        project: Some(DemoProject {
            name: "天一北宅山居",
            housing_type: "commercial",
            buildings: &[
                ("1号楼", TOWER, "9800.00", 64, 39_200_000),
                ("2号楼", TOWER, "9800.00", 64, 39_200_000),
            ],
            stages: [None, None, None, None],
            policy: Some(DemoPolicy {
                lead: "picc-qd",
                co: &[],
                status: "accepted",
                agency: None,
            }),
        }),
    },
    DemoParcel {
        code: "LS-2025-030",
        name: "金家岭金融区住宅地块",
        location: "崂山区金家岭街道",
        area_m2: "18900.00",
        district: "laoshan",
        developer: "sunac-dev",
        transfer_days_ago: 150,
        project: Some(DemoProject {
            name: "融创金岭府",
            housing_type: "commercial",
            buildings: &[("1号楼", TOWER, "21000.00", 150, 94_500_000)],
            stages: [None, None, None, None],
            policy: Some(DemoPolicy {
                lead: "pingan-qd",
                co: &[("picc-qd", 5000)],
                status: "paid",
                agency: Some("hexin-tis"),
            }),
        }),
    },
    DemoParcel {
        code: "LS-2025-026",
        name: "沙子口街道东麦窑地块",
        location: "崂山区沙子口街道东麦窑",
        area_m2: "26400.00",
        district: "laoshan",
        developer: "tianyi-dev",
        transfer_days_ago: 160,
        project: Some(DemoProject {
            name: "天一麦窑海岸",
            housing_type: "commercial",
            buildings: &[("1号楼", TOWER, "11000.00", 90, 44_000_000)],
            stages: [None, None, None, None],
            policy: None,
        }),
    },
    DemoParcel {
        code: "LS-2025-033",
        name: "株洲路北侧住宅地块",
        location: "崂山区株洲路北侧",
        area_m2: "15300.00",
        district: "laoshan",
        developer: "sunac-dev",
        transfer_days_ago: 120,
        project: None,
    },
    DemoParcel {
        code: "LS-2026-011",
        name: "九水东路住宅地块",
        location: "崂山区九水东路",
        area_m2: "12750.00",
        district: "laoshan",
        developer: "tianyi-dev",
        transfer_days_ago: 20,
        project: None,
    },
    DemoParcel {
        code: "SN-2024-006",
        name: "八大关片区更新地块",
        location: "市南区八大关街道",
        area_m2: "9600.00",
        district: "shinan",
        developer: "sunac-dev",
        transfer_days_ago: 500,
        project: Some(DemoProject {
            name: "融创八大关院子",
            housing_type: "commercial",
            buildings: &[("1号楼", TOWER, "8600.00", 48, 51_600_000)],
            stages: [Some(400), None, None, None],
            policy: Some(DemoPolicy {
                lead: "picc-qd",
                co: &[],
                status: "in_force",
                agency: Some("hexin-tis"),
            }),
        }),
    },
    DemoParcel {
        code: "SN-2026-002",
        name: "团岛片区安置地块",
        location: "市南区团岛",
        area_m2: "7300.00",
        district: "shinan",
        developer: "tianyi-dev",
        transfer_days_ago: 100,
        project: None,
    },
];

async fn seed_project(conn: &mut sqlx::PgConnection, parcel: &DemoParcel) -> anyhow::Result<()> {
    use crate::domain::money::split_by_shares;
    use crate::domain::rules::{HousingType, RulePack, building_premium};

    let existing: Option<Uuid> = sqlx::query_scalar(
        "SELECT pa.id FROM parcels pa JOIN districts d ON d.id = pa.district_id WHERE d.code = $1 AND pa.code = $2",
    )
    .bind(parcel.district)
    .bind(parcel.code)
    .fetch_optional(&mut *conn)
    .await?;
    if existing.is_some() {
        return Ok(());
    }
    let parcel_id: Uuid = sqlx::query_scalar(
        "INSERT INTO parcels (district_id, code, name, location, area_m2, contract_no, transfer_date, developer_org_id, status) \
         SELECT d.id, $2, $3, $4, $5::numeric, 'QDCR-' || $2, (now() AT TIME ZONE 'Asia/Shanghai')::date - $6::int, o.id, \
                CASE WHEN $8 THEN 'project_registered' ELSE 'transferred' END \
         FROM districts d, organisations o WHERE d.code = $1 AND o.code = $7 RETURNING id",
    )
    .bind(parcel.district)
    .bind(parcel.code)
    .bind(parcel.name)
    .bind(parcel.location)
    .bind(parcel.area_m2)
    .bind(i32::try_from(parcel.transfer_days_ago)?)
    .bind(parcel.developer)
    .bind(parcel.project.is_some())
    .fetch_one(&mut *conn)
    .await?;
    let Some(project) = &parcel.project else {
        return Ok(());
    };
    let stage = ["permitted", "completed", "filed", "handed_over"]
        .iter()
        .zip(project.stages)
        .rfind(|(_, days)| days.is_some())
        .map(|(stage, _)| *stage)
        .unwrap_or("registered");
    let day =
        |d: Option<i64>| d.map(|d| crate::http::projects::today() - chrono::Duration::days(d));
    let project_id: Uuid = sqlx::query_scalar(
        "INSERT INTO projects (parcel_id, district_id, developer_org_id, name, housing_type, contractor_org_id, supervisor_org_id, \
                               stage, permit_date, completion_date, filing_date, handover_date) \
         SELECT pa.id, pa.district_id, pa.developer_org_id, $2, $3, (SELECT id FROM organisations WHERE code = 'qdjg-build'), \
                (SELECT id FROM organisations WHERE code = 'qd-jianli'), $4, $5, $6, $7, $8 \
         FROM parcels pa WHERE pa.id = $1 RETURNING id",
    )
    .bind(parcel_id)
    .bind(project.name)
    .bind(project.housing_type)
    .bind(stage)
    .bind(day(project.stages[0]))
    .bind(day(project.stages[1]))
    .bind(day(project.stages[2]))
    .bind(day(project.stages[3]))
    .fetch_one(&mut *conn)
    .await?;
    let pack = RulePack::laoshan_2021();
    let mut priced = Vec::new();
    for (name, types, area, units, cost_yuan) in project.buildings {
        let types_owned: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
        let cost_fen = cost_yuan * 100;
        let building: Uuid = sqlx::query_scalar(
            "INSERT INTO buildings (project_id, name, housing_types, floor_area_m2, units, construction_cost_fen) \
             VALUES ($1, $2, $3, $4::numeric, $5, $6) RETURNING id",
        )
        .bind(project_id)
        .bind(name)
        .bind(&types_owned)
        .bind(area)
        .bind(units)
        .bind(cost_fen)
        .fetch_one(&mut *conn)
        .await?;
        let parsed: Vec<HousingType> = types.iter().filter_map(|t| HousingType::parse(t)).collect();
        let premium = building_premium(&pack, &parsed, cost_fen)
            .ok_or_else(|| anyhow::anyhow!("demo building cannot be priced"))?;
        priced.push((building, premium));
    }
    let Some(policy) = &project.policy else {
        return Ok(());
    };
    let idi: i64 = priced.iter().map(|(_, p)| p.idi_fen).sum();
    let safety: i64 = priced.iter().map(|(_, p)| p.safety_fen).sum();
    let total = idi + safety;
    let quoted = policy.status != "applied";
    let paid = matches!(policy.status, "paid" | "issued" | "in_force");
    let issued = matches!(policy.status, "issued" | "in_force");
    let age = project.stages[0].map_or(30, |d| d + 20);
    let policy_id: Uuid = sqlx::query_scalar(
        "INSERT INTO policies (project_id, district_id, developer_org_id, lead_insurer_org_id, rule_pack_id, status, \
                               idi_premium_fen, safety_premium_fen, total_premium_fen, tis_fee_fen, applied_at, quoted_at, accepted_at, \
                               paid_at, paid_amount_fen, payment_reference, issued_at, policy_number, created_at) \
         SELECT pr.id, pr.district_id, pr.developer_org_id, o.id, \
                (SELECT id FROM rule_packs WHERE district_id = pr.district_id ORDER BY effective_from LIMIT 1), $3, \
                $4, $5, $6, $7, now() - make_interval(days => $8), \
                CASE WHEN $9 THEN now() - make_interval(days => $8 - 3) END, \
                CASE WHEN $3 NOT IN ('applied', 'quoted') THEN now() - make_interval(days => $8 - 5) END, \
                CASE WHEN $10 THEN now() - make_interval(days => $8 - 8) END, CASE WHEN $10 THEN $6 END, \
                CASE WHEN $10 THEN 'DEMO-' || left(md5(pr.id::text), 10) END, \
                CASE WHEN $11 THEN now() - make_interval(days => $8 - 9) END, \
                CASE WHEN $11 THEN app.next_policy_number(pr.district_id) END, now() - make_interval(days => $8) \
         FROM projects pr, organisations o WHERE pr.id = $1 AND o.code = $2 RETURNING id",
    )
    .bind(project_id)
    .bind(policy.lead)
    .bind(policy.status)
    .bind(quoted.then_some(idi))
    .bind(quoted.then_some(safety))
    .bind(quoted.then_some(total))
    .bind(quoted.then(|| crate::domain::money::apply_rate(idi, pack.tis_fee_share_bp).unwrap_or(0)))
    .bind(i32::try_from(age)?)
    .bind(quoted)
    .bind(paid)
    .bind(issued)
    .fetch_one(&mut *conn)
    .await?;
    add_party(conn, project_id, policy.lead, "lead_insurer").await?;
    if let Some(agency) = policy.agency {
        add_party(conn, project_id, agency, "risk_agency").await?;
    }
    if !quoted {
        return Ok(());
    }
    for (building, premium) in &priced {
        sqlx::query(
            "INSERT INTO policy_building_premiums (policy_id, building_id, rate_bp, idi_premium_fen, safety_premium_fen) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(policy_id)
        .bind(building)
        .bind(i32::try_from(premium.rate_bp)?)
        .bind(premium.idi_fen)
        .bind(premium.safety_fen)
        .execute(&mut *conn)
        .await?;
    }
    let co_total: i64 = policy.co.iter().map(|(_, bp)| bp).sum();
    let mut shares = vec![(policy.lead, true, 10_000 - co_total)];
    shares.extend(policy.co.iter().map(|(code, bp)| (*code, false, *bp)));
    let bps: Vec<i64> = shares.iter().map(|s| s.2).collect();
    let parts = split_by_shares(total, &bps)
        .ok_or_else(|| anyhow::anyhow!("demo shares must total 100%"))?;
    for ((code, lead, bp), premium) in shares.iter().zip(parts) {
        sqlx::query(
            "INSERT INTO policy_shares (policy_id, insurer_org_id, is_lead, share_bp, premium_fen) \
             SELECT $1, id, $3, $4, $5 FROM organisations WHERE code = $2",
        )
        .bind(policy_id)
        .bind(code)
        .bind(lead)
        .bind(i32::try_from(*bp)?)
        .bind(premium)
        .execute(&mut *conn)
        .await?;
        if !lead {
            add_party(conn, project_id, code, "co_insurer").await?;
        }
    }
    Ok(())
}

async fn add_party(
    conn: &mut sqlx::PgConnection,
    project: Uuid,
    org_code: &str,
    role: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO project_parties (project_id, org_id, role) SELECT $1, id, $3 FROM organisations WHERE code = $2 \
         ON CONFLICT DO NOTHING",
    )
    .bind(project)
    .bind(org_code)
    .bind(role)
    .execute(conn)
    .await?;
    Ok(())
}
