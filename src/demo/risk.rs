//! The demo's risk management and safety: inspections with graded findings and photos, the
//! inspection plan, reports, safety services and an incident, the agency's checklists.

use uuid::Uuid;

/// A demo photo of a wall crack (rendered once from HTML; PNG).
const CRACK_PHOTO: &[u8] = include_bytes!("../demo_assets/crack.png");

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

pub(super) async fn seed_inspection(
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
    let day = crate::http::projects::today() - chrono::Duration::days(demo.days_ago);
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
pub(super) async fn seed_plan(
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
    let start = crate::http::projects::today() - chrono::Duration::days(days_ago);
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
pub(super) async fn seed_report(
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
pub(super) async fn seed_safety(conn: &mut sqlx::PgConnection) -> anyhow::Result<()> {
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
    // The ambulance and scaffold-rescue crew were paid; ¥12,600 was recorded, ¥9,800 agreed.
    sqlx::query(
        "INSERT INTO incident_cost_settlements (incident_id, project_id, district_id, developer_org_id, lead_insurer_org_id, kind, \
                                                payee, amount_fen, status, payment_reference, agreed_by, paid_at) \
         SELECT i.id, i.project_id, i.district_id, i.developer_org_id, po.lead_insurer_org_id, 'rescue', \
                '青岛市崂山区急救中心', 980000, 'paid', 'AQ-PAY-2026-0031', u.id, now() - interval '4 days' \
         FROM safety_incidents i JOIN policies po ON po.project_id = i.project_id AND po.status IN ('issued', 'in_force') \
         JOIN LATERAL (SELECT id FROM users WHERE org_id = po.lead_insurer_org_id LIMIT 1) u ON true WHERE i.id = $1",
    )
    .bind(incident)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// 和信安诚's checklist templates: a few key items per stage node.
pub(super) const CHECKLIST: &[(&str, &str)] = &[
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

pub(super) async fn seed_checklists(conn: &mut sqlx::PgConnection) -> anyhow::Result<()> {
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
