//! `knead stats` and `knead card`: load, compute with the library, print.

use std::io::Write;
use std::path::Path;

use jiff::civil::Date;
use knead::card_info;
use knead::collection::{Collection, Scope};
use knead::error::Error;
use knead::exam;
use knead::history::LeechRule;
use knead::stats::{self, Input};
use knead::store::{self, Access, Store};

use crate::out;

/// The narrowest layout offered: charts and tables below it stop being readable.
pub const MIN_WIDTH: u16 = 30;

/// Columns to lay text out in: `--width`, else the terminal's, else `$COLUMNS`, else 80.
pub fn width(explicit: Option<u16>) -> usize {
    let terminal = || {
        out::Stream::Stdout
            .is_terminal()
            .then(terminal_size::terminal_size)
            .flatten()
            .map(|(width, _)| width.0)
    };
    let columns = || std::env::var("COLUMNS").ok()?.parse::<u16>().ok();
    usize::from(
        explicit
            .or_else(terminal)
            .or_else(columns)
            .unwrap_or(80)
            .max(MIN_WIDTH),
    )
}

fn print_json(value: &impl serde::Serialize) {
    out::json(value, true);
}

fn print_lines(lines: Vec<String>) {
    let mut out = out::stdout();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
}

pub fn stats(
    dir: &Path,
    today: Date,
    scope: &Scope,
    json: bool,
    width: usize,
) -> Result<(), Error> {
    let device = store::device::this_device()?;
    // Reading every journal is the slow part: it runs while the decks and progress load.
    let (history, loaded) = std::thread::scope(|threads| {
        let history = threads.spawn(|| store::history(dir, &device));
        let loaded = Collection::standard(dir).and_then(|collection| {
            scope.check(&collection)?;
            Ok((
                collection,
                Store::open_with(dir, Access::ReadOnly, &device)?.0,
            ))
        });
        (
            history.join().expect("reading the log does not panic"),
            loaded,
        )
    });
    let (collection, store) = loaded?;
    let history = history?;
    let exam = match exam::load(dir)? {
        Some(plan) if today <= plan.date => {
            Some(exam::status(&plan, &collection, store.items(), today))
        }
        _ => None,
    };
    let stats = stats::compute(Input {
        collection: &collection.scoped(scope),
        scope,
        progress: store.items(),
        history: &history,
        today,
        leech_rule: LeechRule::default(),
        exam,
    });
    if json {
        print_json(&stats);
    } else {
        print_lines(stats::render(&stats, width));
    }
    Ok(())
}

pub fn card(dir: &Path, name: &str, json: bool, width: usize) -> Result<(), Error> {
    let collection = Collection::standard(dir)?;
    let keys = card_info::item_keys(&collection, name)?;
    let (store, _) = Store::open(dir, Access::ReadOnly)?;
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let history = store::history_of(dir, store.device(), &keys)?;
    let info = card_info::card_info(
        &collection,
        name,
        store.items(),
        &history,
        LeechRule::default(),
    )?;
    if json {
        print_json(&info);
    } else {
        print_lines(card_info::render(&info, width));
    }
    Ok(())
}
