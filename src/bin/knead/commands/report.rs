//! `knead report --class CODE`: the small file a student hands in for their class's report.

use crate::out::{refuse_to_overwrite, write_output};
use clap::Args;
use knead::error::Error;
use knead::insight::class::{self, ClassError};
use knead::store::{self, Access, Store};
use knead::study::collection::{self, Collection};
use knead::study::history::LeechRule;
use knead::text::count;
use std::path::PathBuf;

use super::Context;

#[derive(Args)]
pub struct ReportArgs {
    /// The class code your instructor gave you
    #[arg(long, value_name = "CODE")]
    class: String,
    /// Only these decks (an id or a .ron file; repeat for more) [default: every deck you study]
    #[arg(long, value_name = "ID")]
    deck: Vec<String>,
    /// The name your instructor sees [default: one made up from the class code and this machine]
    #[arg(long, value_name = "NAME")]
    pseudonym: Option<String>,
    /// Write the report here instead of to standard output
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace the output file if it exists
    #[arg(long)]
    force: bool,
}

pub fn run(context: &Context, args: ReportArgs) -> Result<(), Error> {
    let invalid = |what, given: &str| {
        Error::Class(ClassError::InvalidName {
            what,
            given: knead::text::terminal_safe(given).chars().take(60).collect(),
        })
    };
    if !class::valid_name(&args.class) {
        return Err(invalid("class code", &args.class));
    }
    let device = store::device::this_device()?;
    let pseudonym = match &args.pseudonym {
        Some(name) if class::valid_name(name) => name.clone(),
        Some(name) => return Err(invalid("pseudonym", name)),
        None => class::generated_pseudonym(&args.class, device.as_str()),
    };
    if let Some(output) = &args.output {
        refuse_to_overwrite(output, args.force)?;
    }
    let dir = &context.data_dir;
    let store = Store::open_with(dir, Access::ReadOnly, &device)?.0;
    let collection = if args.deck.is_empty() {
        // Every deck the student has answered a card of.
        let all = Collection::standard(dir)?;
        let studied = all
            .decks()
            .iter()
            .filter(|loaded| {
                let prefix = format!("{}/", loaded.deck.id);
                store.items().keys().any(|key| key.starts_with(&prefix))
            })
            .cloned()
            .collect::<Vec<_>>();
        if studied.is_empty() {
            return Err(ClassError::NothingStudied.into());
        }
        Collection::new(studied)?
    } else {
        let decks = args
            .deck
            .iter()
            .map(|name| collection::find_deck(name, dir))
            .collect::<Result<Vec<_>, _>>()?;
        Collection::new(decks)?
    };
    let history = store::history(dir, &device)?;
    let report = class::student_report(
        &collection,
        store.items(),
        &history,
        &args.class,
        &pseudonym,
        context.today(),
        LeechRule::default(),
    );
    let mut text = serde_json::to_string_pretty(&report).expect("a report always serialises");
    text.push('\n');
    write_output(args.output.as_deref(), &text)?;
    let seen = report
        .decks
        .iter()
        .flat_map(|d| &d.items)
        .filter(|i| i.seen)
        .count();
    let items: usize = report.decks.iter().map(|d| d.items.len()).sum();
    errln!(
        "Report for class {} as {pseudonym}: {} of {} from {}{}.",
        args.class,
        count(seen, "item"),
        items,
        count(report.decks.len(), "deck"),
        match &args.output {
            Some(output) => format!(", written to {}", output.display()),
            None => String::new(),
        }
    );
    errln!(
        "It holds, per card: seen, first answer right or wrong, the option chosen on a wrong first answer, lapses, reviews, interval, leech, median answer time; and the class code, pseudonym, knead and deck versions and today's date. Nothing else."
    );
    Ok(())
}
