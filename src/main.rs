//! The `qrfeedback` command line.

use anyhow::Context;
use clap::{Parser, Subcommand};
use qrfeedback::config::Settings;
use qrfeedback::startup::Application;
use qrfeedback::{seed, store, telemetry};

#[derive(Parser)]
#[command(
    name = "qrfeedback",
    version,
    about = "QR-code service-quality ratings for tourism venues"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve,
    /// Apply migrations and load reference data (regions, categories).
    Migrate,
    /// Add demo venues and ratings in bulk (nothing when that many venues exist).
    SeedDemo {
        /// Venues to create.
        #[arg(long, default_value_t = 60)]
        venues: u32,
        /// Ratings to spread over them and over the last 400 days.
        #[arg(long, default_value_t = 3000)]
        ratings: u32,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_tracing();
    let cli = Cli::parse();
    let settings = Settings::from_env().context("configuration")?;
    match cli.command {
        Command::Serve => {
            let app = Application::build(settings).await?;
            tracing::info!(port = app.port(), "serving");
            app.run_until_stopped().await?;
            tracing::info!("stopped");
        }
        Command::Migrate => {
            let pool = sqlx::PgPool::connect(&settings.database_url)
                .await
                .context("connecting to Postgres")?;
            store::migrate(&pool).await?;
            println!("migrations applied; reference data loaded");
        }
        Command::SeedDemo { venues, ratings } => {
            let pool = sqlx::PgPool::connect(&settings.database_url)
                .await
                .context("connecting to Postgres")?;
            let summary = seed::seed_demo(&pool, &settings, venues, ratings).await?;
            println!("{summary}");
        }
    }
    Ok(())
}
