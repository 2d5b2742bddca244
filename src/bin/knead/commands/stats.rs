//! `knead stats`: load, compute with the library, print.

use crate::args::{LeechArgs, ScopeArgs};
use crate::out::{self, MIN_WIDTH, print_json, print_lines};
use clap::Args;
use jiff::civil::Date;
use knead::error::Error;
use knead::insight::stats::{self, Input};
use knead::store::{self, Access, Store};
use knead::study::collection::{Collection, Scope};
use knead::study::exam;
use knead::study::history::LeechRule;
use std::path::Path;

use super::Context;

#[derive(Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub leech: LeechArgs,
    /// Print JSON instead of text (layout: docs/stats-json.md)
    #[arg(long)]
    pub json: bool,
    /// Lay the text out for this many columns [default: the terminal's, else $COLUMNS, else 80]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(MIN_WIDTH as i64..))]
    pub width: Option<u16>,
}

pub fn run(context: &Context, args: StatsArgs) -> Result<(), Error> {
    let scope = Scope {
        decks: args.scope.deck,
        tags: args.scope.tag,
    };
    let charts = if context.plain || out::dumb_terminal() {
        stats::Charts::Text
    } else {
        stats::Charts::Glyphs
    };
    stats(
        &context.data_dir,
        context.today(),
        &scope,
        args.json,
        (out::width(args.width), charts),
        args.leech.rule(),
    )
}

fn stats(
    dir: &Path,
    today: Date,
    scope: &Scope,
    json: bool,
    (width, charts): (usize, stats::Charts),
    leech_rule: LeechRule,
) -> Result<(), Error> {
    let device = store::device::this_device()?;
    // The progress and its tallies load while the decks do; the recent days of the journals
    // are then streamed through the counts, which need the decks.
    let (opened, collection) = std::thread::scope(|threads| {
        let opened = threads.spawn(|| Store::open_with(dir, Access::ReadOnly, &device));
        let collection = Collection::standard_without_text(dir).and_then(|collection| {
            scope.check(&collection)?;
            Ok(collection)
        });
        (
            opened.join().expect("reading the progress does not panic"),
            collection,
        )
    });
    let collection = collection?;
    super::remove::warn_skipped(&collection);
    let (store, _) = opened?;
    let exam = match exam::load(dir)? {
        Some(plan) if today <= plan.date => {
            Some(exam::status(&plan, &collection, store.items(), today))
        }
        _ => None,
    };
    let collection = collection.scoped(scope);
    let answers = store.fold_entries_since(
        stats::window_start(today),
        stats::Answers::new(&collection, today),
        stats::Answers::fork,
        stats::Answers::add,
        stats::Answers::merge,
    )?;
    let stats = stats::compute(Input {
        collection: &collection,
        scope,
        progress: store.items(),
        answers,
        tallies: Some(store.tallies()),
        study_days: store.study_days(),
        today,
        leech_rule,
        exam,
    });
    if json {
        print_json(&stats);
    } else {
        print_lines(stats::render_with(&stats, width, charts));
    }
    super::leave_for_exit(collection, Some(store));
    Ok(())
}
