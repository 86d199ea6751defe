//! The Laoshan demo world: the organisations and logins of the README. Idempotent: running it
//! again changes nothing (existing demo users keep their password and sessions).

use sqlx::PgPool;

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
