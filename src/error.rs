//! Every error a user can meet, typed here and rendered once, at the edge, by the binary.

use std::io;
use std::path::{Path, PathBuf};

use crate::deck::DeckErrors;
use crate::diagnostic::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A deck failed to parse or broke a rule; each diagnostic is located in the file.
    #[error("{} problem(s) in {}", .0.diagnostics.len(), .0.diagnostics.first().map_or("a deck".into(), |d| d.path.clone()))]
    Deck(DeckErrors),

    /// Progress files that cannot be read as written; never overwritten or reset.
    #[error("{}", .0.message)]
    DamagedProgress(Diagnostic),

    /// Another study session holds the data directory.
    #[error("another knead session is using this data directory (lock held on {})", lock.display())]
    Busy { lock: PathBuf },

    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// Two decks loaded together claim the same id.
    #[error("two decks have the id `{id}`: {first} and {second}")]
    DuplicateDeck {
        id: String,
        first: String,
        second: String,
    },

    /// `knead add` of a deck whose id belongs to a bundled deck.
    #[error("deck id `{id}` belongs to a bundled deck")]
    BundledDeckId { id: String },

    /// A deck named on the command line that is neither a deck id nor a deck file.
    #[error("no deck `{name}`: it is not a bundled or installed deck id, nor a file")]
    UnknownDeck { name: String, known: Vec<String> },

    /// A command would replace a file the user did not ask to replace.
    #[error("{} already exists", path.display())]
    OutputExists { path: PathBuf },
}

impl Error {
    /// What the user can do about it.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::Deck(_) | Error::DamagedProgress(_) => None, // carried by the diagnostics
            Error::Busy { .. } => Some(
                "finish or quit the other session (q or Ctrl-C saves and ends it), then run this again; answers already given there are saved".into(),
            ),
            Error::Io { .. } => Some(
                "check that the path exists and that you may read and write it; use --data-dir to keep progress elsewhere".into(),
            ),
            Error::DuplicateDeck { .. } => Some(
                "give one of them another `id:`; progress is kept per deck id, so two decks cannot share one".into(),
            ),
            Error::BundledDeckId { .. } => Some(
                "choose another `id:` for your deck; bundled decks update with knead itself".into(),
            ),
            Error::UnknownDeck { known, .. } => Some(format!(
                "name a deck id ({}) or the path of a .ron deck file",
                known.join(", ")
            )),
            Error::OutputExists { .. } => {
                Some("choose another output file, or pass --force to replace it".into())
            }
        }
    }

    /// Exit status: 2 for input the user must fix (a deck), 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Deck(_) | Error::DuplicateDeck { .. } | Error::BundledDeckId { .. } => 2,
            _ => 1,
        }
    }
}

/// Attaches what was being done, and to which path, to an I/O error.
pub trait IoContext<T> {
    fn context(self, action: &'static str, path: &Path) -> Result<T, Error>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn context(self, action: &'static str, path: &Path) -> Result<T, Error> {
        self.map_err(|source| Error::Io {
            action,
            path: path.to_owned(),
            source,
        })
    }
}
