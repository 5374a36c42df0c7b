//! The `qrfeedback` command line.

use anyhow::Context;
use clap::{Parser, Subcommand};
use qrfeedback::clock::Clock;
use qrfeedback::config::Settings;
use qrfeedback::domain::secrets::SecretString;
use qrfeedback::jobs::reconcile;
use qrfeedback::jobs::scores::ScoreEngine;
use qrfeedback::live::Live;
use qrfeedback::startup::Application;
use qrfeedback::store::distribute::Outcome;
use qrfeedback::store::reference::ReferenceData;
use qrfeedback::{seed, store, telemetry};

#[derive(Parser)]
#[command(
    name = "qrfeedback",
    version,
    about = "QR-code service-quality ratings for tourism venues"
)]
struct Cli {
    /// Demo mode: `serve` accepts the published demo secrets, and the demo
    /// accounts' commands work. Never on a real deployment.
    #[arg(
        long,
        global = true,
        env = "QRF_DEMO",
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    demo: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server. Refuses the demo secrets (unless --demo) and
    /// short or predictable ADMIN_TOKEN / SECRET_KEY values.
    Serve,
    /// Apply migrations and load reference data (regions, categories).
    Migrate,
    /// Add demo venues and ratings in bulk (nothing when that many venues
    /// exist); with --accounts (and --demo) the demo's sign-in accounts instead.
    SeedDemo {
        /// Make (or give new passwords to) an admin, a Bayingolin and a Korla
        /// regulator and a Korla venue's staff, with authenticators enrolled;
        /// prints how to sign in as each. Needs --demo.
        #[arg(long)]
        accounts: bool,
        /// Venues to create.
        #[arg(long, default_value_t = 60)]
        venues: u32,
        /// Ratings to spread over them and over the last 400 days.
        #[arg(long, default_value_t = 3000)]
        ratings: u32,
    },
    /// Print the current sign-in code of a demo account's authenticator,
    /// for trying the demo without an authenticator app. Needs --demo.
    TotpCode {
        /// The demo account's login name.
        #[arg(long)]
        login: String,
    },
    /// On a Citus coordinator, make lookup tables reference tables and
    /// venue-side tables distributed by venue (idempotent); on plain
    /// Postgres there is nothing to do.
    Distribute,
    /// Recompute every venue, category and region score and credit tier,
    /// carrying each venue's stored sums forward to today.
    Recompute {
        /// Read every venue's whole history instead of its stored sums
        /// (gives the same numbers; stores the sums anew).
        #[arg(long)]
        full: bool,
    },
    /// Run the detectors of bought scores over the last N local days (as
    /// the service does every INTEGRITY_SCAN_SECONDS over today), holding
    /// what they find; prints what each day judged and held.
    IntegrityScan {
        /// Days up to and including today.
        #[arg(long, default_value_t = 1)]
        days: u32,
    },
    /// Check day aggregates against the raw ratings and complaints and live
    /// counters against today's aggregates; repair and report every difference.
    Reconcile {
        /// Only the last N local days of aggregates (default: all).
        #[arg(long)]
        days: Option<i64>,
        /// Report differences without repairing them.
        #[arg(long)]
        dry_run: bool,
    },
    /// Erase the contacts of complaint cases closed longer ago than their
    /// region keeps them (180 days by default); the server also does this hourly.
    EraseContacts,
    /// Re-seal every stored complaint contact with the newest key of
    /// CONTACT_KEYS, so that older keys can then be removed from it.
    RotateContacts,
    /// Measure the bought-score signals on generated traffic: honest visitors
    /// at a few hundred venues over eight weeks plus labelled campaigns (bulk,
    /// slow drip and distributed stuffing, rival bombing, a bot varying its
    /// comments); prints the share held per kind and of honest ratings, and
    /// as its last line `campaign_held=0.NN honest_held=0.NNN`. Needs no database.
    IntegrityEval {
        /// Fixes the traffic: the same seed, the same run.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Venues.
        #[arg(long, default_value_t = 300)]
        venues: u64,
        /// Campaigns of each kind.
        #[arg(long, default_value_t = 8)]
        campaigns: u32,
        /// Thresholds to measure instead of the defaults, as in
        /// data/integrity/thresholds.toml.
        #[arg(long)]
        thresholds: Option<std::path::PathBuf>,
    },
    /// Create an admin account (the first one, typically). The password comes
    /// from QRF_ADMIN_PASSWORD or is asked for twice on standard input.
    CreateAdmin {
        /// Login name: 3–64 of a-z 0-9 . _ - (folded to lower case).
        #[arg(long)]
        login: String,
        /// Name shown to people.
        #[arg(long)]
        name: String,
    },
}

// Every request allocates (headers, JSON, the rating row); in profiles of the
// load test glibc's allocator took about a seventh of the server's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_tracing();
    let cli = Cli::parse();
    if let Command::IntegrityEval {
        seed,
        venues,
        campaigns,
        thresholds,
    } = &cli.command
    {
        let scale = qrfeedback::integrity_eval::traffic::Scale {
            venues: *venues,
            campaigns_per_kind: *campaigns,
        };
        let thresholds = match thresholds {
            None => qrfeedback::domain::integrity::Thresholds::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                qrfeedback::domain::integrity::Thresholds::from_toml(&text)
                    .map_err(anyhow::Error::msg)
                    .with_context(|| format!("thresholds in {}", path.display()))?
            }
        };
        println!(
            "{}",
            qrfeedback::integrity_eval::run(*seed, scale, &thresholds)
        );
        return Ok(());
    }
    let settings = Settings::from_env().context("configuration")?;
    match cli.command {
        Command::Serve => {
            settings
                .check_secrets_for_serving(cli.demo)
                .context("configuration")?;
            if cli.demo {
                tracing::warn!("demo mode: for local use only, never in production");
            }
            let app = Application::build(Settings {
                demo: cli.demo,
                ..settings
            })
            .await?;
            tracing::info!(port = app.port(), "serving");
            app.run_until_stopped().await?;
            tracing::info!("stopped");
        }
        Command::Migrate => {
            let pool = owner_pool(&settings).await?;
            store::migrate(&pool).await?;
            println!("migrations applied; reference data loaded");
        }
        Command::SeedDemo { accounts: true, .. } => {
            require_demo(cli.demo, "seed-demo --accounts")?;
            let pool = owner_pool(&settings).await?;
            let secrets = settings.secrets();
            let made = seed::accounts::seed_demo_accounts(
                &pool,
                &secrets,
                &settings.public_base_url,
                unix_now()?,
            )
            .await?;
            print!("{made}");
        }
        Command::TotpCode { login } => {
            require_demo(cli.demo, "totp-code")?;
            let pool = owner_pool(&settings).await?;
            let secrets = settings.secrets();
            let code = seed::accounts::demo_totp_code(&pool, &secrets, &login, unix_now()?).await?;
            println!("{code}");
        }
        Command::SeedDemo {
            venues, ratings, ..
        } => {
            let pool = owner_pool(&settings).await?;
            let summary = seed::seed_demo(&pool, &settings, venues, ratings).await?;
            println!("{summary}");
        }
        Command::Distribute => {
            let pool = owner_pool(&settings).await?;
            match store::distribute::distribute(&pool).await? {
                Outcome::NotDistributed { citus_available } => {
                    println!("plain Postgres: nothing to distribute");
                    if citus_available {
                        println!(
                            "(the server has Citus: CREATE EXTENSION citus and add the \
                             workers first to spread the database over a cluster)"
                        );
                    }
                }
                Outcome::Distributed { changed, workers } if changed.is_empty() => {
                    println!("already distributed over {workers} workers; nothing changed");
                }
                Outcome::Distributed { changed, workers } => {
                    println!("distributed over {workers} workers: {}", changed.join(", "));
                }
            }
        }
        Command::Recompute { full } => {
            let pool = owner_pool(&settings).await?;
            recompute(pool, &settings, full).await?;
        }
        Command::IntegrityScan { days } => {
            let pool = owner_pool(&settings).await?;
            let live = Live::new(
                settings.redis_url.as_ref().map(SecretString::expose),
                &settings.redis_key_prefix,
            )?;
            let scanner = qrfeedback::app::integrity::scan::Scanner::new(
                pool.clone(),
                live,
                std::sync::Arc::new(ReferenceData::new(pool)),
                settings.integrity.clone(),
            )
            .with_webhook(settings.alerts.webhook.is_some());
            let clock = Clock::system();
            let today = clock.today();
            for back in (0..days.clamp(1, 400)).rev() {
                let day = today - chrono::Duration::days(i64::from(back));
                let started = std::time::Instant::now();
                let s = scanner.scan_day(day, today, clock.now()).await?;
                println!(
                    "{day}: judged {} ratings, {} incidents ({} new), {} ratings newly held, in {:.1} s",
                    s.judged,
                    s.incidents,
                    s.new_incidents,
                    s.held,
                    started.elapsed().as_secs_f64()
                );
            }
        }
        Command::Reconcile { days, dry_run } => {
            let pool = owner_pool(&settings).await?;
            let live = Live::new(
                settings.redis_url.as_ref().map(SecretString::expose),
                &settings.redis_key_prefix,
            )?;
            let report = reconcile_with_bar(&pool, &live, days, dry_run).await?;
            println!("{report}");
        }
        Command::EraseContacts => {
            let pool = owner_pool(&settings).await?;
            let erased = qrfeedback::app::cases::erase_expired_contacts(
                &pool,
                &qrfeedback::app::case_rules::CaseRules::new(pool.clone()),
                &qrfeedback::store::reference::region_tree(&pool).await?,
                Clock::system().now(),
            )
            .await?;
            println!("erased the contacts of {erased} closed complaint cases");
        }
        Command::RotateContacts => {
            let pool = owner_pool(&settings).await?;
            let done = qrfeedback::app::cases::rotate_contacts(&pool, &settings.secrets()).await?;
            println!(
                "re-sealed {} contacts with key version {}",
                done.resealed, done.version
            );
            if done.unreadable > 0 {
                anyhow::bail!(
                    "{} contacts are sealed with a key version CONTACT_KEYS no longer holds; \
                     add that key back and run rotate-contacts again",
                    done.unreadable
                );
            }
        }
        Command::CreateAdmin { login, name } => {
            let pool = owner_pool(&settings).await?;
            let id = create_admin(&pool, &login, &name).await?;
            eprintln!("created admin account {id}");
            println!("{id}");
        }
        // Answered above, before the settings it does not need.
        Command::IntegrityEval { .. } => {}
    }
    Ok(())
}

/// Refuses a demo-only command unless the demo flag is set.
fn require_demo(demo: bool, command: &str) -> anyhow::Result<()> {
    if !demo {
        anyhow::bail!(
            "{command} is for the demo only: run it with --demo (or QRF_DEMO=1), never on a real deployment"
        );
    }
    Ok(())
}

/// Seconds since the Unix epoch, for authenticator codes.
fn unix_now() -> anyhow::Result<u64> {
    Ok(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the system clock is before 1970")?
        .as_secs())
}

/// A pool for a one-off command, as `DATABASE_URL`'s role (the schema's owner).
async fn owner_pool(settings: &Settings) -> anyhow::Result<sqlx::PgPool> {
    sqlx::PgPool::connect(settings.database_url.expose())
        .await
        .context("connecting to Postgres")
}

/// Creates an admin account with a password, audited as done by `cli`.
async fn create_admin(
    pool: &sqlx::PgPool,
    login: &str,
    name: &str,
) -> anyhow::Result<qrfeedback::domain::ids::AccountId> {
    use qrfeedback::domain::names::DisplayName;
    use qrfeedback::domain::password::{Login, Password, hash_password};
    use qrfeedback::store::accounts::{self, AccountError, Credential, NewAccount};
    use qrfeedback::store::audit::{AuditAction, AuditEntry};

    let login = Login::parse(login)?;
    let display_name = DisplayName::parse(name).map_err(|_| {
        anyhow::anyhow!(
            "--name must be 1 to 100 characters on one line, without control characters or direction overrides"
        )
    })?;
    let password = Password::parse(admin_password()?, login.as_str())?;
    let password_hash = hash_password(&password);
    let record = accounts::create(
        pool,
        &NewAccount {
            login: login.as_str(),
            display_name: &display_name,
            role: qrfeedback::domain::access::Role::Admin,
            region_code: None,
            venue_ids: &[],
            created_by: "cli",
        },
        &Credential::PasswordHash(&password_hash),
        AuditEntry {
            actor: "cli".into(),
            action: AuditAction::ACCOUNT_CREATE,
            ..AuditEntry::default()
        },
    )
    .await
    .map_err(|err| match err {
        AccountError::LoginTaken => anyhow::anyhow!(
            "an account with the login {:?} already exists; nothing was changed",
            login.as_str()
        ),
        AccountError::Store(err) => anyhow::Error::new(err).context("creating the account"),
    })?;
    Ok(record.id)
}

/// The new admin's password: `QRF_ADMIN_PASSWORD` for scripts, else typed
/// twice on standard input (it is echoed; pipe it in where that matters).
fn admin_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("QRF_ADMIN_PASSWORD") {
        return Ok(password);
    }
    let stdin = std::io::stdin();
    let ask = |prompt: &str| -> anyhow::Result<String> {
        eprint!("{prompt}");
        let mut line = String::new();
        if stdin.read_line(&mut line).context("reading the password")? == 0 {
            anyhow::bail!("no password given: set QRF_ADMIN_PASSWORD or type it on standard input");
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    };
    let first = ask("password: ")?;
    let second = ask("password again: ")?;
    if first != second {
        anyhow::bail!("the two passwords differ; nothing was changed");
    }
    Ok(first)
}

/// A progress bar on stderr when it is a terminal; nothing otherwise.
struct TerminalBar(Option<indicatif::ProgressBar>);

impl TerminalBar {
    fn new(template: &str) -> Self {
        use std::io::IsTerminal;
        Self(std::io::stderr().is_terminal().then(|| {
            indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            )
        }))
    }

    fn show(&self, done: usize, total: usize) {
        if let Some(bar) = &self.0 {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Reconciles with a progress bar over the recount's slices on a terminal.
async fn reconcile_with_bar(
    pool: &sqlx::PgPool,
    live: &Live,
    days: Option<i64>,
    dry_run: bool,
) -> anyhow::Result<reconcile::ReconcileReport> {
    let bar = TerminalBar::new(
        "{spinner} recounting aggregates {bar:30} {pos}/{len} slices of venues {elapsed}",
    );
    let progress = |done: usize, total: usize| bar.show(done, total);
    let recount = reconcile::Recount {
        days,
        dry_run,
        // Each slice runs on a Postgres connection of its own: as many as
        // the database machine (here, this one) has cores.
        jobs: std::thread::available_parallelism().map_or(2, usize::from),
        progress: &progress,
    };
    let report = reconcile::reconcile_with(pool, live, Clock::system().today(), &recount).await;
    bar.finish();
    report
}

/// Recomputes every score: a progress bar on a terminal, one summary line otherwise.
async fn recompute(pool: sqlx::PgPool, settings: &Settings, full: bool) -> anyhow::Result<()> {
    let engine = ScoreEngine::new(
        pool.clone(),
        settings,
        Clock::system(),
        std::sync::Arc::new(ReferenceData::new(pool)),
    )?;
    let started = std::time::Instant::now();
    let bar =
        TerminalBar::new("{spinner} recomputing scores {bar:30} {pos}/{len} provinces {elapsed}");
    let progress = |done: usize, total: usize| bar.show(done, total);
    let summary = engine.recompute_all(&progress, full).await?;
    bar.finish();
    println!(
        "recomputed {} venues{} ({} changed) in {} province × category slices, {} region rows, {} tier changes, in {:.1} s (rule set {})",
        summary.venues,
        if full {
            " from their whole history"
        } else {
            ""
        },
        summary.changed,
        summary.slices,
        summary.region_rows,
        summary.tier_changes,
        started.elapsed().as_secs_f64(),
        engine.rules().version()
    );
    Ok(())
}
