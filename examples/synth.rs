//! Writes a synthetic collection for benchmarks and load tests:
//!
//! ```sh
//! cargo run --release --example synth -- --cards 10000 --days 365 --data-dir /tmp/knead-10k
//! knead --data-dir /tmp/knead-10k --today <the printed last day> status
//! ```

#[path = "../benches/support/synth.rs"]
mod synth;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use jiff::civil::Date;

/// Generate a deck of N cards, install it in DIR, and write D days of plausible review history.
#[derive(Parser)]
struct Args {
    /// Cards in the generated deck
    #[arg(long)]
    cards: usize,
    /// Days of review history, ending yesterday
    #[arg(long)]
    days: u32,
    /// The data directory to write (created if needed)
    #[arg(long)]
    data_dir: PathBuf,
    /// The day the history leads up to [default: today]
    #[arg(long)]
    today: Option<Date>,
    /// Random seed, for reproducible collections
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let today = args.today.unwrap_or_else(knead::day::today);
    match synth::generate(&args.data_dir, args.cards, args.days, today, args.seed) {
        Ok(generated) => {
            println!(
                "{} items, {} reviews over {} days; {} due on {} ({:.1}%). Data in {}",
                generated.items,
                generated.reviews,
                args.days,
                generated.due_on_last_day,
                generated.last_day,
                100.0 * generated.due_on_last_day as f64 / generated.items.max(1) as f64,
                args.data_dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
