//! Argument groups that several commands share.

use clap::Args;
use knead::study::collection::DeckRef;
use knead::study::history::LeechRule;

/// Which decks and cards a command works on.
#[derive(Args, Clone, Debug, Default)]
pub struct ScopeArgs {
    /// Only this deck: an id (see `knead decks`) or a deck file, studied without installing
    /// it; repeat for several
    #[arg(long, value_name = "ID|PATH")]
    pub deck: Vec<String>,
    /// Only cards with this tag; repeat for several (a card with any of them is in)
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
}

impl ScopeArgs {
    pub fn deck_refs(&self) -> Vec<DeckRef> {
        self.deck
            .iter()
            .map(|value| DeckRef::parse(value))
            .collect()
    }
}

/// When a card counts as a leech (for study, and for the reports that flag leeches).
#[derive(Args, Clone, Debug, Default)]
pub struct LeechArgs {
    /// Lapses (answers graded below 3) that make a card a leech [default: 8]
    #[arg(long, env = "KNEAD_LEECH_LAPSES", value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub leech_lapses: Option<u32>,
}

impl LeechArgs {
    pub fn rule(&self) -> LeechRule {
        let default = LeechRule::default();
        LeechRule {
            lapses: self.leech_lapses.unwrap_or(default.lapses),
            ..default
        }
    }
}

/// `--today`, for the commands that depend on the date (and `knead` alone).
#[derive(Args, Clone, Debug, Default)]
pub struct DayArgs {
    /// Study as if today were this date (demos, previews) [env: KNEAD_TODAY]
    // The environment is read in `today`, not by clap, whose usage lines would show a value
    // from the environment as if it were a required option.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

/// `--plain`, for the commands that prompt or draw charts (and `knead` alone).
#[derive(Args, Clone, Debug, Default)]
pub struct PlainArgs {
    /// Numbered line prompts and text charts (scripts, screen readers)
    #[arg(long)]
    pub plain: bool,
}

/// The environment variable `--today` falls back on.
pub const TODAY_ENV: &str = "KNEAD_TODAY";

/// The day to act on: `--today` after the command, else before it, else `KNEAD_TODAY`; a value
/// that is not a date is refused, naming where it came from.
pub fn today(
    after_command: Option<&DayArgs>,
    before_command: &DayArgs,
) -> Result<Option<jiff::civil::Date>, knead::error::Error> {
    let option = after_command
        .and_then(|day| day.today.clone())
        .or_else(|| before_command.today.clone());
    let (text, given_by) = match option {
        Some(text) => (text, "--today"),
        None => match std::env::var(TODAY_ENV) {
            Ok(text) if !text.is_empty() => (text, TODAY_ENV),
            _ => return Ok(None),
        },
    };
    text.parse()
        .map(Some)
        .map_err(|_| knead::error::Error::InvalidDate {
            value: text,
            given_by,
        })
}
