//! Every error a user can meet, typed here and rendered once, at the edge, by the binary.

use std::io;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::deck::DeckErrors;
use crate::deck::diagnostic::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A deck failed to parse or broke a rule; each diagnostic is located in the file.
    #[error("{} problem(s) in {}", .0.diagnostics.len(), .0.diagnostics.first().map_or("a deck".into(), |d| d.path.clone()))]
    Deck(DeckErrors),

    /// Progress files that cannot be read as written; never overwritten or reset.
    #[error("{}", .0.message)]
    DamagedProgress(Diagnostic),

    /// Another study session on this machine holds the data directory.
    #[error("another knead session{} is using this data directory on this machine (lock held on {})", holder.map_or_else(String::new, |pid| format!(" (process {pid})")), lock.display())]
    Busy { lock: PathBuf, holder: Option<u32> },

    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// Two decks loaded together claim the same id; `help` says which to remove so that the
    /// progress kept under that id stays with the deck.
    #[error("two decks have the id `{id}`: {first} and {second}")]
    DuplicateDeck {
        id: String,
        first: String,
        second: String,
        help: String,
    },

    /// A path knead was asked to read that is a FIFO, a device, a socket or a folder.
    #[error("{} is {kind}, not a file knead can read", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },

    /// A file knead keeps for its own bookkeeping (not progress) that cannot be read.
    #[error("could not read {}: {source}", path.display())]
    UnreadableRecord {
        path: PathBuf,
        #[source]
        source: io::Error,
        /// What the file is for, e.g. "remembers which deck versions you have seen".
        purpose: &'static str,
        /// What removing it loses.
        lost: &'static str,
    },

    /// `knead add` of a deck whose id belongs to a bundled deck.
    #[error("deck id `{id}` belongs to a bundled deck")]
    BundledDeckId { id: String },

    /// A deck named on the command line that is neither a known deck id nor a file.
    #[error("no deck `{name}` and no file by that name")]
    UnknownDeck { name: String, known: Vec<String> },

    /// A card named on the command line that its deck does not have.
    #[error("deck `{deck}` has no card `{card}`")]
    UnknownCard {
        deck: String,
        card: String,
        known: Vec<String>,
    },

    /// An id given on the command line that is not a slug.
    #[error("`{id}` is not a valid id")]
    InvalidId { id: String },

    /// A file knead would write already exists.
    #[error("{} already exists", path.display())]
    WouldOverwrite { path: PathBuf },
    /// `--tag TAG` carried by no card in the chosen decks.
    #[error("no card in the chosen decks has the tag `{tag}`")]
    UnknownTag { tag: String, known: Vec<String> },

    /// `knead card` given something that is not `DECK/CARD`.
    #[error("`{given}` does not name a card: expected DECK/CARD")]
    NotACardName { given: String },

    /// `knead study --exam DATE` with a date that is not after today.
    #[error("the exam date {date} is not after today ({today})")]
    ExamNotAhead { date: Date, today: Date },

    /// `knead study --exam DATE` with a date further ahead than knead plans.
    #[error(
        "the exam date {date} is more than {} years ahead",
        crate::limits::MAX_EXAM_YEARS
    )]
    ExamTooFar {
        date: Date,
        today: Date,
        latest: Date,
    },

    /// This machine's device id cannot be read or made.
    #[error("cannot use this machine's device id ({}): {problem}", path.display())]
    DeviceId { path: PathBuf, problem: String },
    /// `knead study` while the system clock reads a time outside the dates knead can
    /// represent: answers would be dated, and cards scheduled, thousands of years away.
    #[error("the system clock reads a time outside the years -9999 to 9999")]
    ClockOutOfRange,

    /// A class report that cannot be made or used (`knead report`, `knead class`).
    #[error(transparent)]
    Class(#[from] crate::insight::class::ClassError),

    /// `knead undo` with no answer in the log.
    #[error("nothing to undo: {} holds no answers", log.display())]
    NothingToUndo { log: PathBuf },
}

impl Error {
    /// What the user can do about it.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::Deck(_) | Error::DamagedProgress(_) => None, // carried by the diagnostics
            Error::Busy { .. } => Some(
                "finish or quit the other session (q or Ctrl-C saves and ends it), then run this again; answers already given there are saved".into(),
            ),
            Error::Io { source, .. } if is_disk_full(source) => Some(
                "the disk is full. Every answer knead confirmed is saved in this machine's journal (a card is shown only after the answer before it is on disk); free some space and run knead again to go on from there".into(),
            ),
            Error::Io { .. } => Some(
                "check that the path exists and that you may read and write it; use --data-dir to keep progress elsewhere".into(),
            ),
            Error::DuplicateDeck { help, .. } => Some(help.clone()),
            Error::NotAFile { .. } => Some(
                "name a regular file (a deck `.ron`, a `.csv` or an Anki `.txt` export); knead does not read from pipes, devices or sockets".into(),
            ),
            Error::UnreadableRecord {
                path,
                purpose,
                lost,
                ..
            } => Some(format!(
                "{} only {purpose}. Make it readable again, or remove it: that loses {lost}, and no answer or schedule",
                path.display()
            )),
            Error::BundledDeckId { .. } => Some(
                "choose another `id:` for your deck; bundled decks update with knead itself".into(),
            ),
            Error::UnknownDeck { name, known } => Some(did_you_mean(
                name,
                known,
                "`knead decks` lists the decks; a path to a .ron file works too",
            )),
            Error::UnknownCard { deck, card, known } => Some(did_you_mean(
                card,
                known,
                &format!("`knead show {deck}` lists its cards"),
            )),
            Error::InvalidId { id } => Some(format!(
                "ids are lowercase letters, digits and '-', for example `{}`",
                crate::deck::checks::slugify(id)
            )),
            Error::WouldOverwrite { .. } => {
                Some("choose another file with `-o`, or pass `--force` to replace it".into())
            }
            Error::UnknownTag { tag, known } => Some(did_you_mean(
                tag,
                known,
                "`knead show DECK` shows each card's tags",
            )),
            Error::NotACardName { .. } => Some(
                "name the deck id and the card id with a slash, e.g. `knead card red-flags-and-safety/rf-dvt-signs`; `knead decks` lists the deck ids".into(),
            ),
            Error::ExamNotAhead { .. } => Some(
                "give the exam date as YYYY-MM-DD, a day after today; `--exam none` cancels an exam plan".into(),
            ),
            Error::ExamTooFar { latest, .. } => Some(format!(
                "give a date up to {latest} (YYYY-MM-DD); a plan spreads its cards over the days before the exam, so a far date only delays them"
            )),
            Error::DeviceId { .. } => Some(format!(
                "the device id names this machine's journal in the data directory and is kept outside it, so a synced or copied data directory never clones it. Delete the file to make a new id (this machine then starts a new journal; nothing is lost), or set {} to an id of lowercase letters, digits and '-'",
                crate::store::device::DEVICE_ID_ENV
            )),
            Error::ClockOutOfRange => Some(
                "set the system clock to the right time, or pass --today YYYY-MM-DD (or set KNEAD_TODAY) to study as if it were that day; nothing was recorded".into(),
            ),
            Error::Class(error) => Some(error.help()),
            Error::NothingToUndo { .. } => Some(
                "every answer you give is saved there; undo takes back the latest, one step at a time".into(),
            ),
        }
    }

    /// Exit status: 2 for input the user must fix (a deck, a deck id or tag on the command
    /// line), 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Deck(_)
            | Error::DuplicateDeck { .. }
            | Error::BundledDeckId { .. }
            | Error::UnknownDeck { .. }
            | Error::UnknownCard { .. }
            | Error::InvalidId { .. }
            | Error::NotAFile { .. }
            | Error::WouldOverwrite { .. }
            | Error::UnknownTag { .. }
            | Error::NotACardName { .. }
            | Error::ExamNotAhead { .. }
            | Error::ExamTooFar { .. }
            | Error::Class(_) => 2,
            _ => 1,
        }
    }
}

/// Whether an I/O error says the disk (or the user's quota) is full.
pub fn is_disk_full(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
    )
}

/// "did you mean `x`?" for a near miss, then where to look.
fn did_you_mean(name: &str, known: &[String], otherwise: &str) -> String {
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    match crate::deck::nearest(name, &known) {
        Some(near) => format!("did you mean `{near}`? ({otherwise})"),
        None => otherwise.to_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_says_that_every_confirmed_answer_is_saved() {
        #[cfg(unix)]
        let full = io::Error::from_raw_os_error(libc::ENOSPC);
        #[cfg(not(unix))]
        let full = io::Error::from(io::ErrorKind::StorageFull);
        let error = Error::Io {
            action: "save an answer to",
            path: "reviews.log".into(),
            source: full,
        };
        let help = error.help().unwrap();
        assert!(help.starts_with("the disk is full"), "{help}");
        assert!(
            help.contains("Every answer knead confirmed is saved"),
            "{help}"
        );
        let other = Error::Io {
            action: "read",
            path: "x".into(),
            source: io::Error::from(io::ErrorKind::PermissionDenied),
        };
        assert!(!other.help().unwrap().contains("disk is full"));
    }
}
