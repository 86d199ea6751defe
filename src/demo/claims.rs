//! The demo's claims: 王梅's unit in 融创东方悦府 with claims in every state and a subrogation case.

use uuid::Uuid;

use crate::domain::claims::{check_cover, component, deadlines};
use crate::domain::rules::{RulePack, cover_periods};

/// 王梅's homes in 融创东方悦府 and claims in every state, some past their service clocks.
pub(super) async fn seed_claims(conn: &mut sqlx::PgConnection) -> anyhow::Result<()> {
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
        let reported_at = chrono::Utc::now() - chrono::Duration::hours(hours);
        let clocks = deadlines(&RulePack::laoshan_2021(), reported_at, fast, false);
        let claim: Uuid = sqlx::query_scalar(
            "INSERT INTO claims (number, unit_id, project_id, district_id, developer_org_id, policy_id, lead_insurer_org_id, building_id, \
                                 owner_user_id, owner_name, component, section_code, location, description, fast_channel, cover_verdict, status, \
                                 surveyor, survey_report, reject_reason, approved_amount_fen, repair_contractor, reported_at, contacted_at, \
                                 surveyed_at, decided_at, repaired_at, paid_at, contact_due_at, survey_due_at, decision_due_at) \
             SELECT 'LP-' || extract(year FROM now() AT TIME ZONE 'Asia/Shanghai') || '-' || lpad(nextval('claim_numbers')::text, 6, '0'), \
                    u.id, u.project_id, u.district_id, u.developer_org_id, $2, $3, u.building_id, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
                    CASE WHEN $12 <> 'reported' THEN '平安财险查勘员 李明' END, \
                    CASE WHEN $12 NOT IN ('reported', 'surveying') THEN '现场查勘确认缺陷属实。' END, \
                    CASE WHEN $12 IN ('rejected', 'disputed') THEN 'abnormal_use' END, $13, \
                    CASE WHEN $12 IN ('repaired', 'paid') THEN '青岛安居房屋维修有限公司' END, \
                    $15, \
                    CASE WHEN $12 <> 'reported' THEN now() - make_interval(hours => $14 - 1) END, \
                    CASE WHEN $12 NOT IN ('reported', 'surveying') THEN now() - make_interval(hours => $14 - 20) END, \
                    CASE WHEN $12 IN ('approved', 'repaired', 'paid', 'rejected', 'disputed') THEN now() - make_interval(hours => $14 - 60) END, \
                    CASE WHEN $12 IN ('repaired', 'paid') THEN now() - make_interval(hours => $14 - 150) END, \
                    CASE WHEN $12 = 'paid' THEN now() - make_interval(hours => $14 - 200) END, $16, $17, $18 \
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
        .bind(reported_at)
        .bind(clocks.contact_by)
        .bind(clocks.survey_by)
        .bind(clocks.decision_by)
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query("INSERT INTO claim_events (claim_id, kind, text, by_user, created_at) VALUES ($1, 'reported', $2, $3, now() - make_interval(hours => $4))")
            .bind(claim)
            .bind(description)
            .bind(owner)
            .bind(i32::try_from(hours)?)
            .execute(&mut *conn)
            .await?;
        seed_quotes(conn, claim, status, insurer, insurer_user).await?;
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
                 VALUES ($1, $2, 80000, (now() AT TIME ZONE 'Asia/Shanghai')::date - 3, 'ZH-2026-1107', $3)",
            )
            .bind(case)
            .bind(insurer)
            .bind(insurer_user)
            .execute(&mut *conn)
            .await?;
        }
    }
    seed_common_area(
        conn,
        project,
        policy,
        insurer,
        insurer_user,
        &periods,
        today,
    )
    .await
}

/// 绿城物业 serves 融创东方悦府 and has reported garage seepage under building 2; the insurer
/// asked it for more information.
async fn seed_common_area(
    conn: &mut sqlx::PgConnection,
    project: Uuid,
    policy: Uuid,
    insurer: Uuid,
    insurer_user: Uuid,
    periods: &[crate::domain::rules::CoverPeriod],
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    let (manager, manager_user, manager_name): (Uuid, Uuid, String) = sqlx::query_as(
        "SELECT o.id, u.id, u.display_name FROM organisations o JOIN users u ON u.org_id = o.id WHERE o.code = 'lvcheng-wy'",
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO property_mandates (project_id, district_id, developer_org_id, manager_org_id, since, created_by) \
         SELECT p.id, p.district_id, p.developer_org_id, $2, coalesce(p.handover_date, (now() AT TIME ZONE 'Asia/Shanghai')::date), \
                (SELECT id FROM users WHERE org_id = p.developer_org_id LIMIT 1) FROM projects p WHERE p.id = $1",
    )
    .bind(project)
    .bind(manager)
    .execute(&mut *conn)
    .await?;
    let code = "roof_or_wall_seepage";
    let (section, fast) = component(code).ok_or_else(|| anyhow::anyhow!("demo component"))?;
    let verdict = check_cover(periods, &[], section, today);
    let description = "2号楼地下车库顶板多处渗水，雨后积水约 2 厘米，涉及 12 个车位。";
    let reported_at = chrono::Utc::now() - chrono::Duration::hours(30);
    let clocks = deadlines(&RulePack::laoshan_2021(), reported_at, fast, false);
    let claim: Uuid = sqlx::query_scalar(
        "INSERT INTO claims (number, project_id, district_id, developer_org_id, policy_id, lead_insurer_org_id, building_id, \
                             manager_org_id, owner_name, component, section_code, location, description, fast_channel, cover_verdict, \
                             status, surveyor, reported_at, contacted_at, contact_due_at, survey_due_at, decision_due_at) \
         SELECT 'LP-' || extract(year FROM now() AT TIME ZONE 'Asia/Shanghai') || '-' || lpad(nextval('claim_numbers')::text, 6, '0'), \
                p.id, p.district_id, p.developer_org_id, $2, $3, b.id, $4, $5, $6, $7, '地下车库 B1 层', $8, $9, $10, \
                'more_info', '平安财险查勘员 李明', $11, now() - interval '28 hours', $12, $13, $14 \
         FROM projects p JOIN buildings b ON b.project_id = p.id AND b.name = '2号楼' WHERE p.id = $1 RETURNING id",
    )
    .bind(project)
    .bind(policy)
    .bind(insurer)
    .bind(manager)
    .bind(&manager_name)
    .bind(code)
    .bind(section)
    .bind(description)
    .bind(fast)
    .bind(sqlx::types::Json(&verdict))
    .bind(reported_at)
    .bind(clocks.contact_by)
    .bind(clocks.survey_by)
    .bind(clocks.decision_by)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO claim_events (claim_id, kind, text, by_user, created_at) VALUES \
         ($1, 'reported', $2, $3, now() - interval '30 hours'), \
         ($1, 'more_info', '请提供渗水点位平面图及近一周雨后照片，以便判断是否为顶板防水层失效。', $4, now() - interval '20 hours')",
    )
    .bind(claim)
    .bind(description)
    .bind(manager_user)
    .bind(insurer_user)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Repair quotes: two for the approved claim (the insurer's next step is to pick one), the
/// ordered one for the claims already repaired or paid.
async fn seed_quotes(
    conn: &mut sqlx::PgConnection,
    claim: Uuid,
    status: &str,
    insurer: Uuid,
    insurer_user: Uuid,
) -> anyhow::Result<()> {
    let quotes: &[(&str, i64, &str, bool)] = match status {
        "approved" => &[
            (
                "青岛安居房屋维修有限公司",
                350_000,
                "卫生间墙砖拆除重贴 6 m²，含防水层修补。",
                false,
            ),
            (
                "崂山区宏达装饰工程队",
                372_000,
                "卫生间墙砖拆除重贴，更换空鼓部位找平层。",
                false,
            ),
        ],
        "repaired" => &[(
            "青岛安居房屋维修有限公司",
            360_000,
            "厨房给水管接头更换及墙面恢复。",
            true,
        )],
        "paid" => &[(
            "青岛安居房屋维修有限公司",
            180_000,
            "入户电缆更换为设计截面，配电箱检修。",
            true,
        )],
        _ => &[],
    };
    for (contractor, amount, scope, ordered) in quotes {
        let quote: Uuid = sqlx::query_scalar(
            "INSERT INTO claim_repair_quotes (claim_id, lead_insurer_org_id, contractor, amount_fen, scope, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(claim)
        .bind(insurer)
        .bind(contractor)
        .bind(amount)
        .bind(scope)
        .bind(insurer_user)
        .fetch_one(&mut *conn)
        .await?;
        if *ordered {
            sqlx::query("UPDATE claims SET repair_quote_id = $2 WHERE id = $1")
                .bind(claim)
                .bind(quote)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}
