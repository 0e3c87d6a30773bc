//! A private PostgreSQL for the server's second test pass and the bench: `initdb` in a fresh
//! temporary directory, a free port on 127.0.0.1, run as an unprivileged user (PostgreSQL
//! refuses root), stopped and removed when dropped — on failure and panic too.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::runner::{Failure, find_on_path, missing_tool};

/// The user PostgreSQL runs as when we are root: Debian's package creates `postgres`.
const SERVICE_USER: &str = "postgres";

/// A running private PostgreSQL.
pub struct PrivatePostgres {
    bin: PathBuf,
    data: PathBuf,
    dir: PathBuf,
    /// The user it runs as when we are root.
    user: Option<String>,
    port: u16,
}

impl PrivatePostgres {
    /// Starts one with `settings` (`-c name=value` each), e.g. `synchronous_commit=on`.
    pub fn start(settings: &[&str]) -> Result<Self, Failure> {
        let bin = binaries()?;
        let user = if is_root() {
            require_user(SERVICE_USER)?;
            Some(SERVICE_USER.to_owned())
        } else {
            None
        };
        let dir = std::env::temp_dir().join(format!("danbao-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| Failure(format!("creating {}: {e}", dir.display())))?;
        if let Some(user) = &user {
            run_plain("chown", &[user.as_str(), &dir.display().to_string()])?;
        }
        let port = free_port()?;
        let data = dir.join("data");
        let server = Self {
            bin,
            data,
            dir,
            user,
            port,
        };
        let initdb = server.bin.join("initdb");
        server.as_user(
            &initdb,
            &[
                "-D",
                &server.data.display().to_string(),
                "-U",
                "danbao",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            "initdb",
        )?;
        let mut options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on",
            server.dir.display()
        );
        for setting in settings {
            options.push_str(" -c ");
            options.push_str(setting);
        }
        let log = server.dir.join("postgres.log").display().to_string();
        let pg_ctl = server.bin.join("pg_ctl");
        let data = server.data.display().to_string();
        server.as_user(
            &pg_ctl,
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
            "pg_ctl start",
        )?;
        println!(
            "private PostgreSQL on 127.0.0.1:{port} ({})",
            server.dir.display()
        );
        Ok(server)
    }

    /// The administrative database's URL (tests create their databases from it).
    pub fn url(&self) -> String {
        format!("postgres://danbao@127.0.0.1:{}/postgres", self.port)
    }

    fn as_user(&self, program: &Path, args: &[&str], what: &str) -> Result<(), Failure> {
        let mut command = match &self.user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.arg("-u").arg(user).arg("--").arg(program);
                command
            }
            None => Command::new(program),
        };
        let output = command
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Failure(format!("could not start {what}: {e}")))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(Failure(format!(
                "{what} failed ({}): {}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )))
        }
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.data.display().to_string();
        if let Err(failure) = self.as_user(
            &pg_ctl,
            &["-D", &data, "-m", "immediate", "-w", "stop"],
            "pg_ctl stop",
        ) {
            eprintln!("{}", failure.0);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The PostgreSQL client tool `name` (`psql`, `pgbench`): beside `initdb`, on `PATH`, or in
/// Debian's `/usr/lib/postgresql/<n>/bin`.
pub fn tool(name: &str) -> Result<PathBuf, Failure> {
    if let Ok(dir) = binaries()
        && dir.join(name).is_file()
    {
        return Ok(dir.join(name));
    }
    find_on_path(name).ok_or_else(|| {
        missing_tool(
            name,
            "`apt-get install postgresql-contrib postgresql-client` (Debian's postgresql has both)",
        )
    })
}

/// Where `initdb` and `pg_ctl` are: on `PATH`, or Debian's `/usr/lib/postgresql/<n>/bin`.
fn binaries() -> Result<PathBuf, Failure> {
    if let Some(initdb) = find_on_path("initdb")
        && let Some(dir) = std::fs::canonicalize(&initdb)
            .ok()
            .and_then(|path| path.parent().map(Path::to_path_buf))
        && dir.join("pg_ctl").is_file()
    {
        return Ok(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path().join("bin")))
                .filter(|bin| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions.pop().ok_or_else(|| {
        missing_tool(
            "initdb (PostgreSQL server)",
            "`apt-get install postgresql` (.ci/run installs it when absent)",
        )
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
        .unwrap_or(false)
}

fn require_user(user: &str) -> Result<(), Failure> {
    let known = Command::new("id")
        .arg("-u")
        .arg(user)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|status| status.success())
        .unwrap_or(false);
    if known {
        Ok(())
    } else {
        Err(Failure(format!(
            "PostgreSQL refuses to run as root and there is no user {user:?} to run it as; \
             `apt-get install postgresql` creates it"
        )))
    }
}

fn run_plain(program: &str, args: &[&str]) -> Result<(), Failure> {
    let status = Command::new(program)
        .args(args)
        .status()
        .map_err(|e| Failure(format!("could not start {program}: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure(format!("{program} {args:?} failed: {status}")))
    }
}

fn free_port() -> Result<u16, Failure> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| Failure(format!("no free port: {e}")))
}
