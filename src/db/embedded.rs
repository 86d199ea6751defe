//! A private PostgreSQL cluster for `serve --demo` on a machine that has PostgreSQL installed but
//! no server running: initialised once under the data folder, started on 127.0.0.1:55432.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

pub const PORT: u16 = 55432;

pub const HOW_TO_GET_POSTGRES: &str = "No PostgreSQL server answered and no PostgreSQL installation was found.\n\
  Either run the whole platform with Docker:   docker compose up\n\
  or install PostgreSQL (Debian/Ubuntu):        sudo apt-get install postgresql\n\
  and run this command again, or point DATABASE_URL at a server you have.";

/// The directory holding `initdb` and `pg_ctl`, preferring the newest installed version.
pub fn find_binaries() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
        })
    })
}

/// Starts (initialising on first use) the private cluster and returns its owner URL.
pub fn start(data_root: &Path, bin: &Path) -> anyhow::Result<String> {
    let as_root = is_root();
    // The server refuses to run as root; it then runs as the `postgres` system user, which must be
    // able to reach its directory, so the cluster lives under /tmp instead of the project folder.
    let dir = if as_root {
        PathBuf::from("/tmp/zhianbao-pgdata")
    } else {
        std::fs::create_dir_all(data_root)?;
        data_root.canonicalize()?.join("postgres")
    };
    let run = |program: &str, args: &[&str]| -> anyhow::Result<()> {
        let binary = bin.join(program);
        let status = if as_root {
            Command::new("runuser")
                .arg("-u")
                .arg("postgres")
                .arg("--")
                .arg(&binary)
                .args(args)
                .status()
        } else {
            Command::new(&binary).args(args).status()
        }
        .with_context(|| format!("running {}", binary.display()))?;
        if !status.success() {
            bail!("{program} failed ({status})");
        }
        Ok(())
    };
    let dir_str = dir
        .to_str()
        .context("data directory is not UTF-8")?
        .to_owned();
    if !dir.join("PG_VERSION").exists() {
        std::fs::create_dir_all(&dir)?;
        if as_root {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres", &dir_str])
                .status()?;
            if !status.success() {
                bail!("could not hand {dir_str} to the postgres user");
            }
        }
        println!("Initialising a private PostgreSQL cluster in {dir_str} …");
        run(
            "initdb",
            &[
                "-D",
                &dir_str,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
        )?;
    }
    let log = format!("{dir_str}/server.log");
    let options = format!("-p {PORT} -k {dir_str} -c listen_addresses=127.0.0.1");
    if !dir.join("postmaster.pid").exists() {
        println!("Starting the private PostgreSQL cluster on 127.0.0.1:{PORT} …");
        run(
            "pg_ctl",
            &["-D", &dir_str, "-l", &log, "-w", "-o", &options, "start"],
        )?;
    }
    Ok(format!("postgres://postgres@127.0.0.1:{PORT}/zhianbao"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}
