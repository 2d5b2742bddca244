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
