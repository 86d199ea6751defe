//! The Laoshan demo world: the organisations and logins of the README. Idempotent: running it
//! again changes nothing (existing demo users keep their password and sessions).

use sqlx::PgPool;
use uuid::Uuid;

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
        |d: Option<i64>| d.map(|d| (chrono::Utc::now() - chrono::Duration::days(d)).date_naive());
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

/// A demo photo of a wall crack (rendered once from HTML; PNG).
const CRACK_PHOTO: &[u8] = include_bytes!("demo_assets/crack.png");

pub struct DemoInspection {
    pub project: &'static str,
    pub stage: &'static str,
    pub days_ago: i64,
    pub submitted: bool,
    pub inspectors: &'static str,
    pub findings: &'static [DemoFinding],
}

pub struct DemoFinding {
    pub level: &'static str,
    pub location: &'static str,
    pub trade: &'static str,
    pub section: &'static str,
    pub description: &'static str,
    pub advice: &'static str,
    pub photo: bool,
    pub order: DemoOrder,
}

/// Where the finding's rectification order stands.
pub enum DemoOrder {
    None,
    Issued,
    Responded,
    Closed,
    Reopened,
}

pub const INSPECTIONS: &[DemoInspection] = &[
    DemoInspection {
        project: "天一仁和沙子口",
        stage: "foundation",
        days_ago: 120,
        submitted: true,
        inspectors: "李工、赵工",
        findings: &[
            DemoFinding {
                level: "E",
                location: "2号楼 筏板基础",
                trade: "钢筋",
                section: "STRUCTURE",
                description: "筏板钢筋隐蔽工程未经监理验收签字即浇筑混凝土。",
                advice: "补做钢筋隐蔽验收资料，委托第三方对筏板进行无损检测。",
                photo: false,
                order: DemoOrder::Closed,
            },
            DemoFinding {
                level: "B",
                location: "地下车库 后浇带",
                trade: "防水",
                section: "WATERPROOFING",
                description: "后浇带止水钢板搭接长度不足 20mm。",
                advice: "按规范补焊，搭接长度不小于 20mm 且满焊。",
                photo: false,
                order: DemoOrder::Closed,
            },
            DemoFinding {
                level: "A",
                location: "基坑",
                trade: "监测",
                section: "STRUCTURE",
                description: "基坑监测记录频次偶有缺项。",
                advice: "按监测方案补全记录。",
                photo: false,
                order: DemoOrder::None,
            },
        ],
    },
    DemoInspection {
        project: "天一仁和沙子口",
        stage: "main_structure",
        days_ago: 10,
        submitted: true,
        inspectors: "李工、王工",
        findings: &[
            DemoFinding {
                level: "D",
                location: "3号楼 5层 ③-⑤/Ⓐ 剪力墙",
                trade: "混凝土",
                section: "STRUCTURE",
                description: "剪力墙竖向裂缝，最大宽度约 0.3mm，长约 1.8m。",
                advice: "立即停止上部加载，委托检测单位检测并出具处理方案。",
                photo: true,
                order: DemoOrder::Issued,
            },
            DemoFinding {
                level: "C",
                location: "2号楼 7层 楼板",
                trade: "混凝土",
                section: "STRUCTURE",
                description: "楼板混凝土养护不到位，表面出现塑性收缩裂缝。",
                advice: "加强覆盖养护，裂缝封闭处理。",
                photo: false,
                order: DemoOrder::Responded,
            },
            DemoFinding {
                level: "R",
                location: "1号楼 桩基",
                trade: "地基",
                section: "STRUCTURE",
                description: "未提供桩基静载检测报告，风险暂保留。",
                advice: "提供完整桩基检测报告后重新评估。",
                photo: false,
                order: DemoOrder::Reopened,
            },
            DemoFinding {
                level: "B",
                location: "外架 东立面",
                trade: "安全",
                section: "SAFETY",
                description: "外墙脚手架连墙件竖向间距偏大。",
                advice: "按专项方案加设连墙件。",
                photo: false,
                order: DemoOrder::Issued,
            },
            DemoFinding {
                level: "O",
                location: "塔吊基础",
                trade: "安全",
                section: "SAFETY",
                description: "塔吊基础周边有积水，暂未发现沉降。",
                advice: "持续观察并做好排水。",
                photo: false,
                order: DemoOrder::None,
            },
        ],
    },
    DemoInspection {
        project: "天一仁和沙子口",
        stage: "routine",
        days_ago: 0,
        submitted: false,
        inspectors: "李工",
        findings: &[],
    },
    DemoInspection {
        project: "融创东方悦府",
        stage: "waterproofing",
        days_ago: 900,
        submitted: true,
        inspectors: "陈工",
        findings: &[DemoFinding {
            level: "D",
            location: "地下车库 顶板",
            trade: "防水",
            section: "WATERPROOFING",
            description: "车库顶板局部渗漏，伴有白色析出物。",
            advice: "注浆堵漏并复做防水层。",
            photo: false,
            order: DemoOrder::Closed,
        }],
    },
    DemoInspection {
        project: "融创东方悦府",
        stage: "completion",
        days_ago: 830,
        submitted: true,
        inspectors: "陈工、刘工",
        findings: &[DemoFinding {
            level: "C",
            location: "5号楼 屋面",
            trade: "防水",
            section: "WATERPROOFING",
            description: "屋面防水卷材搭接宽度不足，局部空鼓。",
            advice: "返工处理搭接部位，完成后做闭水试验。",
            photo: false,
            order: DemoOrder::Issued,
        }],
    },
    DemoInspection {
        project: "融创八大关院子",
        stage: "main_structure",
        days_ago: 6,
        submitted: true,
        inspectors: "孙工",
        findings: &[DemoFinding {
            level: "D",
            location: "1号楼 4层 悬挑阳台",
            trade: "钢筋",
            section: "STRUCTURE",
            description: "悬挑阳台根部负筋保护层偏大，有效高度不足。",
            advice: "暂停拆模，经设计复核后加固。",
            photo: true,
            order: DemoOrder::Issued,
        }],
    },
];

async fn seed_inspection(
    conn: &mut sqlx::PgConnection,
    demo: &DemoInspection,
) -> anyhow::Result<()> {
    use crate::domain::risk::{RiskLevel, rectification_deadline};
    use crate::domain::rules::RulePack;

    let project: Option<(Uuid, Uuid, Uuid)> =
        sqlx::query_as("SELECT id, district_id, developer_org_id FROM projects WHERE name = $1")
            .bind(demo.project)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((project, district, developer)) = project else {
        return Ok(());
    };
    let seeded: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM inspections WHERE project_id = $1 AND stage_code = $2 AND inspectors = $3)")
        .bind(project)
        .bind(demo.stage)
        .bind(demo.inspectors)
        .fetch_one(&mut *conn)
        .await?;
    if seeded {
        return Ok(());
    }
    let (agency, agency_user): (Uuid, Uuid) = sqlx::query_as("SELECT o.id, u.id FROM organisations o JOIN users u ON u.org_id = o.id WHERE o.code = 'hexin-tis' LIMIT 1")
        .fetch_one(&mut *conn)
        .await?;
    let developer_user: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1 LIMIT 1")
        .bind(developer)
        .fetch_one(&mut *conn)
        .await?;
    let day = (chrono::Utc::now() - chrono::Duration::days(demo.days_ago)).date_naive();
    let inspection: Uuid = sqlx::query_scalar(
        "INSERT INTO inspections (project_id, district_id, developer_org_id, agency_org_id, stage_code, inspected_on, inspectors, \
                                  summary, status, created_by, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9, CASE WHEN $8 = 'submitted' THEN now() - make_interval(days => $10) END) RETURNING id",
    )
    .bind(project)
    .bind(district)
    .bind(developer)
    .bind(agency)
    .bind(demo.stage)
    .bind(day)
    .bind(demo.inspectors)
    .bind(if demo.submitted { "submitted" } else { "draft" })
    .bind(agency_user)
    .bind(i32::try_from(demo.days_ago)?)
    .fetch_one(&mut *conn)
    .await?;
    let pack = RulePack::laoshan_2021();
    for f in demo.findings {
        let closed = matches!(f.order, DemoOrder::Closed);
        let finding: Uuid = sqlx::query_scalar(
            "INSERT INTO findings (inspection_id, project_id, district_id, developer_org_id, agency_org_id, original_level, current_level, \
                                   status, location, trade, section_code, description, advice, created_by, closed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, CASE WHEN $8 = 'closed' THEN now() END) RETURNING id",
        )
        .bind(inspection)
        .bind(project)
        .bind(district)
        .bind(developer)
        .bind(agency)
        .bind(f.level)
        .bind(if closed { "A" } else { f.level })
        .bind(if closed { "closed" } else { "open" })
        .bind(f.location)
        .bind(f.trade)
        .bind(f.section)
        .bind(f.description)
        .bind(f.advice)
        .bind(agency_user)
        .fetch_one(&mut *conn)
        .await?;
        if f.photo {
            sqlx::query(
                "INSERT INTO evidence_photos (project_id, district_id, developer_org_id, finding_id, content_type, bytes, sha256, size_bytes, \
                                              original_name, uploaded_by, uploaded_by_org) \
                 VALUES ($1, $2, $3, $4, 'image/png', $5, sha256($5), $6, 'IMG_0412.png', $7, $8)",
            )
            .bind(project)
            .bind(district)
            .bind(developer)
            .bind(finding)
            .bind(CRACK_PHOTO)
            .bind(i32::try_from(CRACK_PHOTO.len())?)
            .bind(agency_user)
            .bind(agency)
            .execute(&mut *conn)
            .await?;
        }
        let level = RiskLevel::parse(f.level).ok_or_else(|| anyhow::anyhow!("demo level"))?;
        let (Some(deadline), false) = (
            rectification_deadline(&pack, level, day),
            matches!(f.order, DemoOrder::None),
        ) else {
            continue;
        };
        let (status, rounds) = match f.order {
            DemoOrder::Responded => ("responded", 0),
            DemoOrder::Closed => ("closed", 0),
            DemoOrder::Reopened => ("issued", 1),
            DemoOrder::Issued | DemoOrder::None => ("issued", 0),
        };
        let order: Uuid = sqlx::query_scalar(
            "INSERT INTO rectification_orders (number, finding_id, project_id, district_id, developer_org_id, agency_org_id, level, \
                                               issued_on, deadline, status, rounds, closed_at) \
             VALUES (app.next_order_number(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $9 = 'closed' THEN now() END) RETURNING id",
        )
        .bind(finding)
        .bind(project)
        .bind(district)
        .bind(developer)
        .bind(agency)
        .bind(f.level)
        .bind(day)
        .bind(deadline)
        .bind(status)
        .bind(rounds)
        .fetch_one(&mut *conn)
        .await?;
        let mut events: Vec<(&str, &str, Uuid, Uuid)> = Vec::new();
        if !matches!(f.order, DemoOrder::Issued) {
            events.push((
                "response",
                "已按整改建议完成整改，附整改后照片。",
                developer_user,
                developer,
            ));
        }
        match f.order {
            DemoOrder::Closed => events.push((
                "recheck_closed",
                "现场复查整改到位，同意关闭。",
                agency_user,
                agency,
            )),
            DemoOrder::Reopened => events.push((
                "recheck_rejected",
                "提供的检测报告缺少 2 根试桩数据，请补充。",
                agency_user,
                agency,
            )),
            _ => {}
        }
        for (kind, text, user, org) in events {
            sqlx::query(
                "INSERT INTO order_events (order_id, project_id, district_id, developer_org_id, kind, text, by_user, by_org) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(order)
            .bind(project)
            .bind(district)
            .bind(developer)
            .bind(kind)
            .bind(text)
            .bind(user)
            .bind(org)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// The inspection plan of a demo project, as if its policy had been issued `days_ago` days ago:
/// the first visits are late, the next ones fall this week.
async fn seed_plan(
    conn: &mut sqlx::PgConnection,
    project: &str,
    days_ago: i64,
) -> anyhow::Result<()> {
    let found: Option<(Uuid, Uuid, Uuid)> =
        sqlx::query_as("SELECT id, district_id, developer_org_id FROM projects WHERE name = $1")
            .bind(project)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((id, district, developer)) = found else {
        return Ok(());
    };
    let planned: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM inspection_visits WHERE project_id = $1)")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    if planned {
        return Ok(());
    }
    let start = (chrono::Utc::now() - chrono::Duration::days(days_ago)).date_naive();
    for (stage, day) in crate::domain::risk::inspection_plan(start) {
        sqlx::query(
            "INSERT INTO inspection_visits (project_id, district_id, developer_org_id, kind, stage_code, planned_on) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(district)
        .bind(developer)
        .bind(if stage == "routine" { "routine" } else { "stage" })
        .bind(stage)
        .bind(day)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A report on a demo project; with `exclusion` (section, note) the lead insurer has reviewed it
/// and excluded that section.
async fn seed_report(
    conn: &mut sqlx::PgConnection,
    project: &str,
    kind: &str,
    exclusion: Option<(&str, &str)>,
    conclusion: &str,
) -> anyhow::Result<()> {
    use crate::domain::risk::RiskLevel;
    use crate::domain::risk::reports::ReportKind;
    use crate::storage::{policies, projects, reports};

    let Some(id) = sqlx::query_scalar::<_, Uuid>("SELECT id FROM projects WHERE name = $1")
        .bind(project)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(());
    };
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM risk_reports WHERE project_id = $1 AND kind = $2)",
    )
    .bind(id)
    .bind(kind)
    .fetch_one(&mut *conn)
    .await?;
    if exists {
        return Ok(());
    }
    let project = projects::project(conn, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo project"))?;
    let (agency, agency_user): (Uuid, Uuid) = sqlx::query_as("SELECT o.id, u.id FROM organisations o JOIN users u ON u.org_id = o.id WHERE o.code = 'hexin-tis' LIMIT 1")
        .fetch_one(&mut *conn)
        .await?;
    let report_kind = ReportKind::parse(kind).ok_or_else(|| anyhow::anyhow!("demo report kind"))?;
    let items: Vec<_> = reports::open_items(conn, id)
        .await?
        .into_iter()
        .filter(|i| RiskLevel::parse(&i.level).is_some_and(|l| report_kind.includes(l)))
        .collect();
    let inspection: Option<Uuid> = if kind == "final" {
        None
    } else {
        sqlx::query_scalar("SELECT id FROM inspections WHERE project_id = $1 AND status = 'submitted' ORDER BY inspected_on DESC LIMIT 1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
    };
    let report = reports::insert(
        conn,
        &reports::NewReport {
            project: &project,
            agency_org_id: agency,
            inspection_id: inspection,
            kind,
            conclusion,
            items: &items,
            created_by: agency_user,
        },
    )
    .await?;
    if let (Some((section, note)), Some(policy)) = (exclusion, project.policy_id) {
        let lead_user: Uuid = sqlx::query_scalar("SELECT u.id FROM users u JOIN policies p ON p.lead_insurer_org_id = u.org_id WHERE p.id = $1 LIMIT 1")
            .bind(policy)
            .fetch_one(&mut *conn)
            .await?;
        sqlx::query("UPDATE risk_reports SET status = 'exclusions_added', review_note = $2, reviewed_at = now() WHERE id = $1")
            .bind(report)
            .bind(note)
            .execute(&mut *conn)
            .await?;
        let number: String = sqlx::query_scalar("SELECT number FROM risk_reports WHERE id = $1")
            .bind(report)
            .fetch_one(&mut *conn)
            .await?;
        // The exclusion concerns 5号楼's roof only.
        let building: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM buildings WHERE project_id = $1 AND name = '5号楼'")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        let text = format!("{number}：{note}");
        policies::insert_endorsement(
            conn,
            policy,
            "exclusion",
            Some(section),
            building,
            &text,
            lead_user,
        )
        .await?;
    }
    Ok(())
}

/// Safety services and one incident on 天一仁和沙子口 (under construction).
async fn seed_safety(conn: &mut sqlx::PgConnection) -> anyhow::Result<()> {
    let Some((project, district, developer)) = sqlx::query_as::<_, (Uuid, Uuid, Uuid)>(
        "SELECT id, district_id, developer_org_id FROM projects WHERE name = '天一仁和沙子口'",
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(());
    };
    let seeded: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM safety_services WHERE project_id = $1)")
            .bind(project)
            .fetch_one(&mut *conn)
            .await?;
    if seeded {
        return Ok(());
    }
    let (agency, agency_user): (Uuid, Uuid) = sqlx::query_as("SELECT o.id, u.id FROM organisations o JOIN users u ON u.org_id = o.id WHERE o.code = 'hexin-tis' LIMIT 1")
        .fetch_one(&mut *conn)
        .await?;
    // (kind, hazard category, days ago, hazards found, participants, summary)
    type Service = (
        &'static str,
        Option<&'static str>,
        i32,
        i32,
        i32,
        &'static str,
    );
    let services: [Service; 4] = [
        (
            "risk_assessment",
            None,
            75,
            3,
            0,
            "第三季度施工安全风险评估：高处作业与起重吊装为主要风险，已提出 3 项管控建议。",
        ),
        (
            "hazard_inspection",
            Some("tower_crane"),
            40,
            2,
            0,
            "2 台塔吊专项检查：1 台标准节螺栓松动、1 台限位器失灵，已下发隐患整改。",
        ),
        (
            "hazard_inspection",
            Some("deep_excavation"),
            150,
            1,
            0,
            "基坑监测数据复核：东侧位移接近预警值，建议加密监测。",
        ),
        (
            "training",
            None,
            20,
            0,
            86,
            "新进场工人三级安全教育及高处作业专项培训。",
        ),
    ];
    for (kind, category, days_ago, hazards, participants, summary) in services {
        sqlx::query(
            "INSERT INTO safety_services (project_id, district_id, developer_org_id, provider_org_id, kind, hazard_category, performed_on, \
                                          hazards_found, participants, summary, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, (now() AT TIME ZONE 'Asia/Shanghai')::date - $7, $8, $9, $10, $11)",
        )
        .bind(project)
        .bind(district)
        .bind(developer)
        .bind(agency)
        .bind(kind)
        .bind(category)
        .bind(days_ago)
        .bind(hazards)
        .bind(participants)
        .bind(summary)
        .bind(agency_user)
        .execute(&mut *conn)
        .await?;
    }
    let developer_user: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1 LIMIT 1")
        .bind(developer)
        .fetch_one(&mut *conn)
        .await?;
    let incident: Uuid = sqlx::query_scalar(
        "INSERT INTO safety_incidents (number, project_id, district_id, developer_org_id, occurred_at, place, accident_type, description, \
                                       rescue_cost_fen, reported_by) \
         VALUES ('AQ-' || extract(year FROM now() AT TIME ZONE 'Asia/Shanghai') || '-' || lpad(nextval('safety_incident_numbers')::text, 6, '0'), \
                 $1, $2, $3, now() - interval '12 days', '2号楼 9层 外架作业面', 'fall', \
                 '架子工在拆除外架连墙件时从 9 层作业面坠落至 8 层防护平台，右腿骨折，已送医救治。', 1260000, $4) RETURNING id",
    )
    .bind(project)
    .bind(district)
    .bind(developer)
    .bind(developer_user)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO incident_victims (incident_id, project_id, district_id, developer_org_id, name, party, injury_class, medical_cost_fen) \
         VALUES ($1, $2, $3, $4, '张某', 'worker', 'serious', 4850000), ($1, $2, $3, $4, '李某', 'third_party', 'minor', 320000)",
    )
    .bind(incident)
    .bind(project)
    .bind(district)
    .bind(developer)
    .execute(&mut *conn)
    .await?;
    // The lead insurer has agreed the worker's medical costs; payment is the next step.
    sqlx::query(
        "INSERT INTO victim_settlements (victim_id, incident_id, project_id, district_id, developer_org_id, lead_insurer_org_id, \
                                         compensation_fen, medical_fen, agreed_by) \
         SELECT v.id, v.incident_id, v.project_id, v.district_id, v.developer_org_id, po.lead_insurer_org_id, 0, 4850000, u.id \
         FROM incident_victims v JOIN policies po ON po.project_id = v.project_id AND po.status IN ('issued', 'in_force') \
         JOIN LATERAL (SELECT id FROM users WHERE org_id = po.lead_insurer_org_id LIMIT 1) u ON true \
         WHERE v.incident_id = $1 AND v.name = '张某'",
    )
    .bind(incident)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// 和信安诚's checklist templates: a few key items per stage node.
const CHECKLIST: &[(&str, &str)] = &[
    ("design_review", "施工图审查意见已全部闭合"),
    ("design_review", "防水、保温设计等级与保险责任要求一致"),
    ("foundation", "桩基检测报告齐全且结论合格"),
    ("foundation", "基础钢筋隐蔽验收经监理签字"),
    ("foundation", "基坑监测数据在预警值以内"),
    ("main_structure", "混凝土试块强度评定合格"),
    ("main_structure", "墙、柱、梁无影响结构安全的裂缝"),
    ("main_structure", "钢筋保护层厚度抽检合格"),
    ("waterproofing", "卷材搭接宽度与细部节点符合设计"),
    ("waterproofing", "屋面、厨卫闭水试验合格"),
    ("envelope", "保温板粘结面积与锚栓数量符合要求"),
    ("decoration", "外立面饰面层无空鼓脱落隐患"),
    ("installation", "给排水管道通水试验合格"),
    ("completion", "分户验收记录完整"),
    ("routine", "上次检查问题整改情况已复核"),
    ("routine", "现场安全文明施工措施到位"),
];

async fn seed_checklists(conn: &mut sqlx::PgConnection) -> anyhow::Result<()> {
    let agency: Uuid = sqlx::query_scalar("SELECT id FROM organisations WHERE code = 'hexin-tis'")
        .fetch_one(&mut *conn)
        .await?;
    let seeded: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM checklist_items WHERE agency_org_id = $1)",
    )
    .bind(agency)
    .fetch_one(&mut *conn)
    .await?;
    if seeded {
        return Ok(());
    }
    for (position, (stage, text)) in CHECKLIST.iter().enumerate() {
        sqlx::query("INSERT INTO checklist_items (agency_org_id, stage_code, text, position) VALUES ($1, $2, $3, $4)")
            .bind(agency)
            .bind(stage)
            .bind(text)
            .bind(i32::try_from(position)?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// 王梅's homes in 融创东方悦府 and claims in every state, some past their service clocks.
async fn seed_claims(conn: &mut sqlx::PgConnection) -> anyhow::Result<()> {
    use crate::domain::claims::{check_cover, component};
    use crate::domain::rules::{RulePack, cover_periods};

    let Some((project, district, developer, completed)) = sqlx::query_as::<_, (Uuid, Uuid, Uuid, Option<chrono::NaiveDate>)>(
        "SELECT id, district_id, developer_org_id, completion_date FROM projects WHERE name = '融创东方悦府'",
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(());
    };
    let seeded: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM units WHERE project_id = $1)")
            .bind(project)
            .fetch_one(&mut *conn)
            .await?;
    if seeded {
        return Ok(());
    }
    let (owner, owner_name): (Uuid, String) =
        sqlx::query_as("SELECT id, display_name FROM users WHERE username = 'owner-demo'")
            .fetch_one(&mut *conn)
            .await?;
    let (policy, insurer): (Uuid, Uuid) = sqlx::query_as("SELECT id, lead_insurer_org_id FROM policies WHERE project_id = $1 AND status = 'in_force'")
        .bind(project)
        .fetch_one(&mut *conn)
        .await?;
    let insurer_user: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1 LIMIT 1")
        .bind(insurer)
        .fetch_one(&mut *conn)
        .await?;
    let mut unit_ids = Vec::new();
    for (building, number, area, owned) in [
        ("1号楼", "1-1201", "128.50", true),
        ("1号楼", "1-1202", "96.30", false),
        ("2号楼", "2-0801", "142.00", false),
    ] {
        let unit: Uuid = sqlx::query_scalar(
            "INSERT INTO units (project_id, district_id, developer_org_id, building_id, number, floor_area_m2, handed_over_on, owner_user_id, owner_name) \
             SELECT $1, $2, $3, b.id, $5, $6::numeric, p.handover_date, $7, $8 FROM buildings b JOIN projects p ON p.id = b.project_id \
             WHERE b.project_id = $1 AND b.name = $4 RETURNING id",
        )
        .bind(project)
        .bind(district)
        .bind(developer)
        .bind(building)
        .bind(number)
        .bind(area)
        .bind(owned.then_some(owner))
        .bind(owned.then_some(owner_name.as_str()))
        .fetch_one(&mut *conn)
        .await?;
        unit_ids.push(unit);
    }
    let unit = unit_ids[0];
    let periods = completed
        .map(|d| cover_periods(&RulePack::laoshan_2021(), d))
        .unwrap_or_default();
    let today = crate::http::projects::today();
    // (component, location, description, status, hours since reported)
    let claims: [(&str, &str, &str, &str, i64); 7] = [
        (
            "leak_into_living_space",
            "主卧顶棚",
            "下雨后主卧顶棚大面积渗水，已滴落到床上。",
            "reported",
            5,
        ),
        (
            "structural_crack",
            "客厅承重墙",
            "客厅墙面出现斜向裂缝，近两周变长。",
            "surveying",
            72,
        ),
        (
            "finish_defect",
            "卫生间墙砖",
            "卫生间墙砖空鼓脱落两块。",
            "approved",
            240,
        ),
        (
            "pipe_or_wiring_fault",
            "厨房给水管",
            "厨房给水管接头渗水，已关闭阀门。",
            "repaired",
            400,
        ),
        (
            "no_power",
            "入户配电箱",
            "入户配电箱跳闸无法复位，全屋断电。",
            "paid",
            900,
        ),
        (
            "finish_defect",
            "阳台地面",
            "阳台地面砖被重物砸裂。",
            "rejected",
            600,
        ),
        (
            "finish_defect",
            "次卧木地板",
            "次卧木地板大面积起拱变形。保险公司认定为使用不当，业主认为是地面防潮层缺陷。",
            "disputed",
            500,
        ),
    ];
    for (code, location, description, status, hours) in claims {
        let (section, fast) = component(code).ok_or_else(|| anyhow::anyhow!("demo component"))?;
        let verdict = check_cover(&periods, &[], section, today);
        let approved = matches!(status, "approved" | "repaired" | "paid")
            .then_some(if code == "no_power" { 180_000 } else { 380_000 });
        let claim: Uuid = sqlx::query_scalar(
            "INSERT INTO claims (number, unit_id, project_id, district_id, developer_org_id, policy_id, lead_insurer_org_id, building_id, \
                                 owner_user_id, owner_name, component, section_code, location, description, fast_channel, cover_verdict, status, \
                                 surveyor, survey_report, reject_reason, approved_amount_fen, repair_contractor, reported_at, contacted_at, \
                                 surveyed_at, decided_at, repaired_at, paid_at) \
             SELECT 'LP-' || extract(year FROM now() AT TIME ZONE 'Asia/Shanghai') || '-' || lpad(nextval('claim_numbers')::text, 6, '0'), \
                    u.id, u.project_id, u.district_id, u.developer_org_id, $2, $3, u.building_id, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
                    CASE WHEN $12 <> 'reported' THEN '平安财险查勘员 李明' END, \
                    CASE WHEN $12 NOT IN ('reported', 'surveying') THEN '现场查勘确认缺陷属实。' END, \
                    CASE WHEN $12 IN ('rejected', 'disputed') THEN 'abnormal_use' END, $13, \
                    CASE WHEN $12 IN ('repaired', 'paid') THEN '青岛安居房屋维修有限公司' END, \
                    now() - make_interval(hours => $14), \
                    CASE WHEN $12 <> 'reported' THEN now() - make_interval(hours => $14 - 1) END, \
                    CASE WHEN $12 NOT IN ('reported', 'surveying') THEN now() - make_interval(hours => $14 - 20) END, \
                    CASE WHEN $12 IN ('approved', 'repaired', 'paid', 'rejected', 'disputed') THEN now() - make_interval(hours => $14 - 60) END, \
                    CASE WHEN $12 IN ('repaired', 'paid') THEN now() - make_interval(hours => $14 - 150) END, \
                    CASE WHEN $12 = 'paid' THEN now() - make_interval(hours => $14 - 200) END \
             FROM units u WHERE u.id = $1 RETURNING id",
        )
        .bind(unit)
        .bind(policy)
        .bind(insurer)
        .bind(owner)
        .bind(&owner_name)
        .bind(code)
        .bind(section)
        .bind(location)
        .bind(description)
        .bind(fast)
        .bind(sqlx::types::Json(&verdict))
        .bind(status)
        .bind(approved)
        .bind(i32::try_from(hours)?)
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query("INSERT INTO claim_events (claim_id, kind, text, by_user, created_at) VALUES ($1, 'reported', $2, $3, now() - make_interval(hours => $4))")
            .bind(claim)
            .bind(description)
            .bind(owner)
            .bind(i32::try_from(hours)?)
            .execute(&mut *conn)
            .await?;
        if status != "reported" {
            sqlx::query("INSERT INTO claim_events (claim_id, kind, text, by_user) VALUES ($1, $2, '演示数据', $3)")
                .bind(claim)
                .bind(status)
                .bind(insurer_user)
                .execute(&mut *conn)
                .await?;
        }
        if status == "paid" {
            sqlx::query(
                "INSERT INTO claim_payments (claim_id, lead_insurer_org_id, idempotency_key, request_hash, payee, amount_fen, paid_by) \
                 VALUES ($1, $2, 'demo-' || $1::text, sha256('demo'::bytea), '青岛安居房屋维修有限公司', 180000, $3)",
            )
            .bind(claim)
            .bind(insurer)
            .bind(insurer_user)
            .execute(&mut *conn)
            .await?;
            // The breaker tripped on a mis-sized cable: the insurer pursues the electrical
            // subcontractor and has had part of it back.
            let case: Uuid = sqlx::query_scalar(
                "INSERT INTO subrogation_cases (claim_id, lead_insurer_org_id, project_id, district_id, developer_org_id, \
                                                against_party, basis, claimed_fen, opened_by) \
                 SELECT id, lead_insurer_org_id, project_id, district_id, developer_org_id, '青岛建工集团有限公司（机电分包）', \
                        '查勘认定入户电缆截面小于设计要求，属施工质量缺陷。', 180000, $2 FROM claims WHERE id = $1 RETURNING id",
            )
            .bind(claim)
            .bind(insurer_user)
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO subrogation_recoveries (case_id, lead_insurer_org_id, amount_fen, received_on, reference, recorded_by) \
                 VALUES ($1, $2, 80000, current_date - 3, 'ZH-2026-1107', $3)",
            )
            .bind(case)
            .bind(insurer)
            .bind(insurer_user)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
