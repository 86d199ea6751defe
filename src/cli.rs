//! The `zhianbao` command: serve, migrate, seed the demo, administer organisations and users,
//! verify the audit trail.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use tokio::net::TcpListener;

use crate::config::{DEFAULT_BIND, DEFAULT_DATABASE_URL, Settings};
use crate::domain::passwords::check_new_password;
use crate::domain::tenancy::{OrgKind, UserRole};
use crate::http::{AppState, build_router};
use crate::security::{hash_blocking, random_token};
use crate::storage::{audit, escalations, organisations};
use crate::{db, demo};

#[derive(Parser)]
#[command(
    name = "zhianbao",
    version,
    about = "质安保 — residential quality-and-safety insurance platform"
)]
struct Cli {
    /// Owner connection (creates the database and runs migrations). Without it, a local
    /// PostgreSQL is used, or a private cluster when `serve --demo` finds none running.
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (creates the database and runs migrations first).
    Serve {
        /// Also load the Laoshan demo data and print the demo logins.
        #[arg(long)]
        demo: bool,
        #[arg(long, env = "ZHIANBAO_BIND", default_value = DEFAULT_BIND)]
        bind: SocketAddr,
    },
    /// Create the database if missing and apply migrations.
    Migrate,
    /// Load the demo organisations and logins (idempotent).
    SeedDemo,
    /// Manage organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Audit-trail tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Climb the escalation ladder of overdue rectification orders (the server also does this
    /// every ten minutes). `--date` replays a given day (YYYY-MM-DD).
    Escalate {
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
    /// Load synthetic data for benchmarks: `city` (2,000 projects, 100,000 inspections,
    /// 1,000,000 findings, ≈100,000 claims) or `national` (ten times that). Same seed and
    /// `--until` day, same data. Needs the demo's districts and rule packs (seed-demo first).
    Generate {
        #[arg(long, default_value = "city")]
        scale: String,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The last day of the generated history (default: today in Asia/Shanghai).
        #[arg(long)]
        until: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organisation, or update the one with this code.
    Create(OrgArgs),
    /// List organisations.
    List,
}

#[derive(Args)]
struct OrgArgs {
    /// Short code, e.g. picc-qd (lowercase letters, digits, hyphens).
    #[arg(long)]
    code: String,
    /// regulator | insurer | risk_agency | developer | contractor | supervisor | property_manager | repair_contractor
    #[arg(long)]
    kind: String,
    #[arg(long)]
    name_zh: String,
    #[arg(long, default_value = "")]
    name_en: String,
    /// District code: qingdao, laoshan, shinan, shibei, huangdao, licang, chengyang.
    #[arg(long)]
    district: String,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user, or reset an existing user's password and role (ending their sessions).
    /// The password is read from ZHIANBAO_NEW_PASSWORD, or generated and printed once.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// admin | staff | owner
        #[arg(long)]
        role: String,
        /// Organisation code (omit for owners).
        #[arg(long)]
        org: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every hash chain and report any break.
    Verify,
}

pub fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    init_tracing();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ZHIANBAO_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("ZHIANBAO_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let explicit_url = cli.database_url.is_some();
    let database_url = cli
        .database_url
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
    match cli.command {
        Command::Serve { demo, bind } => {
            let database_url = resolve_database(database_url, explicit_url, demo).await?;
            serve(Settings::from_env(database_url), demo, bind).await?;
        }
        Command::Migrate => {
            db::prepare_schema(&Settings::from_env(database_url)).await?;
            println!("migrations applied");
        }
        Command::SeedDemo => {
            let settings = Settings::from_env(database_url);
            db::prepare_schema(&settings).await?;
            demo::seed(&db::owner_pool(&settings.database_url).await?).await?;
            println!(
                "demo data loaded; password for every demo login: {}",
                demo::DEMO_PASSWORD
            );
        }
        Command::Org(command) => org_command(&database_url, command).await?,
        Command::User(command) => user_command(&database_url, command).await?,
        Command::Escalate { date } => {
            let pool = db::owner_pool(&database_url).await?;
            let day = date.unwrap_or_else(crate::http::projects::today);
            let added = escalations::sweep(&mut *pool.acquire().await?, day).await?;
            println!("{added} escalation step(s) recorded for {day}");
        }
        Command::Generate { scale, seed, until } => {
            let Some(scale) = crate::generate::Scale::parse(&scale) else {
                anyhow::bail!("--scale must be city or national");
            };
            let settings = Settings::from_env(database_url);
            db::prepare_schema(&settings).await?;
            let pool = db::owner_pool(&settings.database_url).await?;
            demo::seed(&pool).await?;
            let hash = tokio::task::spawn_blocking(|| hash_blocking(demo::DEMO_PASSWORD)).await?;
            let started = std::time::Instant::now();
            let until = until.unwrap_or_else(crate::http::projects::today);
            let s = crate::generate::generate(&pool, scale, seed, until, &hash).await?;
            println!(
                "generated {} projects, {} inspections, {} findings, {} orders, {} claims in {:.1} s",
                s.projects,
                s.inspections,
                s.findings,
                s.orders,
                s.claims,
                started.elapsed().as_secs_f64()
            );
        }
        Command::Audit(AuditCommand::Verify) => {
            let pool = db::owner_pool(&database_url).await?;
            let (total, breaks) = audit::verify_chains(&mut *pool.acquire().await?).await?;
            if breaks.is_empty() {
                println!("audit trail intact: {total} entries verified");
            } else {
                for b in &breaks {
                    println!(
                        "BROKEN chain {} at seq {}: {}",
                        b.chain_key, b.seq, b.problem
                    );
                }
                println!("{} problem(s) in {total} entries", breaks.len());
                return Ok(ExitCode::from(2));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Uses the configured server; for `serve --demo` without DATABASE_URL and no running server,
/// starts a private cluster from the installed PostgreSQL, or explains how to get one.
async fn resolve_database(url: String, explicit: bool, demo: bool) -> anyhow::Result<String> {
    if db::server_reachable(&url).await {
        return Ok(url);
    }
    if explicit || !demo {
        anyhow::bail!(
            "no PostgreSQL server answers at DATABASE_URL.\n{}",
            db::embedded::HOW_TO_GET_POSTGRES
        );
    }
    let Some(bin) = db::embedded::find_binaries() else {
        anyhow::bail!("{}", db::embedded::HOW_TO_GET_POSTGRES);
    };
    let data_root = std::env::var("ZHIANBAO_DATA_DIR").unwrap_or_else(|_| "data".to_owned());
    let url = tokio::task::spawn_blocking(move || {
        db::embedded::start(std::path::Path::new(&data_root), &bin)
    })
    .await??;
    Ok(url)
}

async fn serve(settings: Settings, demo: bool, bind: SocketAddr) -> anyhow::Result<()> {
    db::prepare_schema(&settings).await?;
    if demo {
        demo::seed(&db::owner_pool(&settings.database_url).await?).await?;
    }
    let pool = db::app_pool(&settings).await?;
    let database_url_for_jobs = settings.database_url.clone();
    let idle = i32::try_from(settings.session_idle.as_secs()).unwrap_or(i32::MAX);
    let state = AppState::new(pool.clone(), settings);
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let address = listener.local_addr()?;
    println!("质安保 zhianbao listening on http://{address}");
    if demo {
        println!("Demo logins (password: {}):", demo::DEMO_PASSWORD);
        for (login, name) in demo::logins() {
            println!("  {login:<14} {name}");
        }
    }
    tokio::spawn(reap_sessions(pool, idle));
    tokio::spawn(escalate_overdue_orders(
        db::owner_pool(&database_url_for_jobs).await?,
    ));
    axum::serve(
        listener,
        build_router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    println!("zhianbao stopped");
    Ok(())
}

async fn reap_sessions(pool: sqlx::PgPool, idle_seconds: i32) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        match sqlx::query_scalar::<_, i64>("SELECT app.reap_sessions($1)")
            .bind(idle_seconds)
            .fetch_one(&pool)
            .await
        {
            Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "session reaper failed"),
        }
    }
}

/// The escalation clock: overdue orders climb their ladder without anyone having to look.
async fn escalate_overdue_orders(owner: sqlx::PgPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let outcome = match owner.acquire().await {
            Ok(mut conn) => escalations::sweep(&mut conn, crate::http::projects::today()).await,
            Err(err) => Err(err),
        };
        match outcome {
            Ok(n) if n > 0 => tracing::info!(steps = n, "overdue orders escalated"),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "escalation job failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}

async fn org_command(database_url: &str, command: OrgCommand) -> anyhow::Result<()> {
    let pool = db::owner_pool(database_url).await?;
    match command {
        OrgCommand::Create(args) => {
            OrgKind::parse(&args.kind).with_context(|| format!("unknown kind {:?}", args.kind))?;
            let id = organisations::upsert(
                &mut *pool.acquire().await?,
                &args.code,
                &args.kind,
                &args.name_zh,
                &args.name_en,
                &args.district,
            )
            .await?;
            println!("organisation {} ({}) saved: {id}", args.code, args.name_zh);
        }
        OrgCommand::List => {
            let rows: Vec<(String, String, String, String)> = sqlx::query_as(
                "SELECT o.code, o.kind, o.name_zh, d.name_zh FROM organisations o \
                 JOIN districts d ON d.id = o.district_id ORDER BY o.kind, o.code",
            )
            .fetch_all(&pool)
            .await?;
            for (code, kind, name, district) in rows {
                println!("{code:<16} {kind:<18} {district:<6} {name}");
            }
        }
    }
    Ok(())
}

async fn user_command(database_url: &str, command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Create {
        username,
        display_name,
        role,
        org,
    } = command;
    let parsed = UserRole::parse(&role).with_context(|| format!("unknown role {role:?}"))?;
    if (parsed == UserRole::Owner) != org.is_none() {
        anyhow::bail!("owners have no --org; admins and staff need one");
    }
    let (password, generated) = match std::env::var("ZHIANBAO_NEW_PASSWORD") {
        Ok(password) => (password, false),
        Err(_) => (random_token()[..20].to_owned(), true),
    };
    if let Err(problem) = check_new_password(&password, &username) {
        anyhow::bail!(
            "password refused: {}",
            crate::i18n::Lang::En.t(problem.message_key())
        );
    }
    let hash = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
    };
    let pool = db::owner_pool(database_url).await?;
    let id = organisations::upsert_user(
        &mut *pool.acquire().await?,
        org.as_deref(),
        &username,
        &display_name,
        &role,
        &hash,
    )
    .await?;
    println!("user {username} saved: {id}");
    if generated {
        println!("initial password (shown once): {password}");
    }
    Ok(())
}
