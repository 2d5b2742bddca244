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
    /// A date given on the command line or in the environment that is not a date.
    #[error("invalid value `{value}` for {given_by}: expected a date as YYYY-MM-DD")]
    InvalidDate {
        value: String,
        /// `--today`, or the environment variable the value came from.
        given_by: &'static str,
    },

    /// `knead remove` of a deck that is bundled with knead.
    #[error("`{id}` is a bundled deck: it comes with knead and cannot be removed")]
    BundledDeckRemoval { id: String },

    /// `knead undo` with no answer in the log.
    #[error("nothing to undo: {} holds no answers", log.display())]
    NothingToUndo { log: PathBuf },

    /// `knead import --progress` of a file that is not an Anki package.
    #[error("{} is not an Anki package: only a package carries a schedule and review history for --progress", path.display())]
    ProgressNeedsPackage { path: PathBuf },
}

impl Error {
    /// What the user can do about it.
    pub fn help(&self) -> Option<String> {
        self.help_in(None, None)
    }

    /// What the user can do about it, knowing the data directory in use (an I/O problem
    /// there has other remedies than one with a file the user named) and the command run
    /// (`add` takes only files; most others a deck id too).
    pub fn help_in(&self, data_dir: Option<&Path>, command: Option<&str>) -> Option<String> {
        match self {
            Error::Deck(_) | Error::DamagedProgress(_) => None, // carried by the diagnostics
            Error::Busy { .. } => Some(
                "finish or quit the other session (q or Ctrl-C saves and ends it), then run this again; answers already given there are saved".into(),
            ),
            Error::Io { source, .. } if is_disk_full(source) => Some(
                "the disk is full. Every answer knead confirmed is saved in this machine's journal (a card is shown only after the answer before it is on disk); free some space and run knead again to go on from there".into(),
            ),
            Error::Io { path, source, .. } => Some(io_help(path, source, data_dir, command)),
            Error::DuplicateDeck { help, .. } => Some(help.clone()),
            Error::NotAFile { path, kind: FOLDER } => Some(format!(
                "name one deck file in it (e.g. {}), or check every deck in it with `knead check {}`",
                path.join("my-deck.ron").display(),
                path.display()
            )),
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
            Error::InvalidDate { given_by, .. } if given_by.starts_with("--") => Some(format!(
                "write the date as year-month-day, e.g. `{given_by} 2026-12-03`"
            )),
            Error::InvalidDate { given_by, .. } => Some(format!(
                "set {given_by} to a date as year-month-day (e.g. {given_by}=2026-12-03), or unset it to use the system clock"
            )),
            Error::BundledDeckRemoval { .. } => Some(
                "bundled decks update with knead itself; to leave one out of a session, name the decks to study with `knead study --deck ID` (`knead decks` lists them)".into(),
            ),
            Error::NothingToUndo { .. } => Some(
                "every answer you give is saved there; undo takes back the latest, one step at a time".into(),
            ),
            Error::ProgressNeedsPackage { .. } => Some(
                "import it without --progress, or export the deck from Anki as \"Anki Deck Package (.apkg)\" with \"Include scheduling information\" ticked".into(),
            ),
        }
    }

    /// Exit status, from the one table every command follows ([`exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Deck(_)
            | Error::DuplicateDeck { .. }
            | Error::BundledDeckId { .. }
            | Error::UnknownDeck { .. }
            | Error::UnknownCard { .. }
            | Error::InvalidId { .. }
            | Error::NotAFile { .. }
            | Error::UnknownTag { .. }
            | Error::NotACardName { .. }
            | Error::ExamNotAhead { .. }
            | Error::ExamTooFar { .. }
            | Error::InvalidDate { .. }
            | Error::ProgressNeedsPackage { .. } => exit::BAD_INPUT,
            Error::Class(_) => exit::BAD_INPUT,
            Error::Io { source, .. } if names_bad_input(source) => exit::BAD_INPUT,
            Error::Busy { .. }
            | Error::WouldOverwrite { .. }
            | Error::BundledDeckRemoval { .. }
            | Error::NothingToUndo { .. } => exit::REFUSED,
            Error::DamagedProgress(_) => exit::DAMAGED,
            Error::Io { .. }
            | Error::UnreadableRecord { .. }
            | Error::DeviceId { .. }
            | Error::ClockOutOfRange => exit::FAILED,
        }
    }
}

/// knead's exit statuses: every command follows this one table (README, "Exit status",
/// shows it; a test keeps the two the same).
pub mod exit {
    pub const OK: u8 = 0;
    pub const REFUSED: u8 = 1;
    pub const BAD_INPUT: u8 = 2;
    pub const FAILED: u8 = 3;
    pub const DAMAGED: u8 = 4;

    /// Each status and when it is given.
    pub const TABLE: [(u8, &str); 5] = [
        (
            OK,
            "done (`knead check`: no errors, and no warnings under `--strict`)",
        ),
        (
            REFUSED,
            "refused or nothing to do: another session holds the data directory, nothing to undo, a file would be overwritten, a bundled deck cannot be removed, `knead check --strict` found warnings",
        ),
        (
            BAD_INPUT,
            "bad input or usage: an unknown option, a deck with errors, a missing file, a folder or an unknown deck, card, tag or date given on the command line",
        ),
        (
            FAILED,
            "the system failed knead: a file it may not read or write, a full disk, the clock, this machine's device id",
        ),
        (
            DAMAGED,
            "progress files that cannot be read as written: knead stopped without changing any",
        ),
    ];
}

/// How [`crate::files`] names a folder in [`Error::NotAFile`].
pub const FOLDER: &str = "a folder";

/// Whether an I/O error means the user named something that is not there or not usable as
/// given (a path to fix), rather than the system failing.
fn names_bad_input(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::NotFound
            | io::ErrorKind::IsADirectory
            | io::ErrorKind::NotADirectory
            | io::ErrorKind::InvalidData
            | io::ErrorKind::InvalidFilename
    )
}

/// What to do about an I/O error: chosen by what went wrong and whether it is in the data
/// directory (knead's own files) or a file the user named.
fn io_help(
    path: &Path,
    error: &io::Error,
    data_dir: Option<&Path>,
    command: Option<&str>,
) -> String {
    let in_data_dir = data_dir.is_some_and(|dir| path.starts_with(dir));
    let data_dir_shown = data_dir.map_or_else(
        || "the data directory".to_owned(),
        |dir| dir.display().to_string(),
    );
    if is_disk_full(error) {
        return "the disk is full. Every answer knead confirmed is saved in this machine's journal (a card is shown only after the answer before it is on disk); free some space and run knead again to go on from there".into();
    }
    match error.kind() {
        // `add` and `import` read files only; the others also take a deck id.
        io::ErrorKind::NotFound if matches!(command, Some("add" | "import")) => {
            "check the spelling of the path (it is read from the current folder unless it starts with /)".into()
        }
        io::ErrorKind::NotFound => {
            "check the spelling of the path (it is read from the current folder unless it starts with /); `knead decks` lists the deck ids you can give instead".into()
        }
        io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory
            if data_dir.is_some_and(|dir| dir.is_file()) =>
        {
            format!(
                "{data_dir_shown} is a file, not a folder: give --data-dir (or KNEAD_DATA_DIR) a folder, or move the file away"
            )
        }
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem if in_data_dir => {
            format!(
                "knead keeps progress in {data_dir_shown} and must be able to write there: fix its permissions, or keep progress elsewhere with --data-dir DIR (or KNEAD_DATA_DIR)"
            )
        }
        io::ErrorKind::PermissionDenied => format!(
            "you may not read or write {}: check its permissions (ls -l), or copy it somewhere you may",
            path.display()
        ),
        io::ErrorKind::ReadOnlyFilesystem => format!(
            "{} is on a read-only file system: write to another folder",
            path.display()
        ),
        io::ErrorKind::IsADirectory => format!(
            "{} is a folder: name a file in it",
            path.display()
        ),
        io::ErrorKind::NotADirectory => format!(
            "part of {} is a file where a folder is needed: check the path",
            path.display()
        ),
        io::ErrorKind::InvalidData => {
            "knead reads UTF-8 text: save the file as UTF-8 (most editors offer it under \"Save as\" or \"Encoding\")".into()
        }
        _ if in_data_dir => format!(
            "knead could not use {data_dir_shown}; check the disk and its permissions, or keep progress elsewhere with --data-dir DIR"
        ),
        _ => "check the path and that you may read it".into(),
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
    fn io_help_is_chosen_by_what_went_wrong_and_where() {
        let data = Path::new("/home/s/.local/share/knead");
        let help = |path: &str, kind: io::ErrorKind| {
            let error = Error::Io {
                action: "read",
                path: path.into(),
                source: io::Error::from(kind),
            };
            (
                error.help_in(Some(data), Some("show")).unwrap(),
                error.exit_code(),
            )
        };
        let (text, code) = help("nothere.ron", io::ErrorKind::NotFound);
        assert!(text.starts_with("check the spelling of the path"), "{text}");
        assert!(!text.contains("--data-dir"), "{text}");
        assert!(text.contains("`knead decks` lists the deck ids"), "{text}");
        assert_eq!(code, exit::BAD_INPUT);
        let missing = Error::Io {
            action: "read",
            path: "nothere.ron".into(),
            source: io::Error::from(io::ErrorKind::NotFound),
        };
        let text = missing.help_in(Some(data), Some("add")).unwrap();
        assert!(!text.contains("deck ids"), "add takes files only: {text}");
        let (text, code) = help(
            "/home/s/.local/share/knead/journal/a.log",
            io::ErrorKind::PermissionDenied,
        );
        assert!(
            text.contains("must be able to write there") && text.contains("--data-dir"),
            "{text}"
        );
        assert_eq!(code, exit::FAILED);
        let (text, _) = help("/srv/decks/a.ron", io::ErrorKind::PermissionDenied);
        assert!(
            text.starts_with("you may not read or write /srv/decks/a.ron"),
            "{text}"
        );
        assert!(!text.contains("--data-dir"), "{text}");
        let (text, code) = help("latin1.ron", io::ErrorKind::InvalidData);
        assert!(text.starts_with("knead reads UTF-8 text"), "{text}");
        assert_eq!(code, exit::BAD_INPUT);
        let (text, _) = help("decks", io::ErrorKind::IsADirectory);
        assert_eq!(text, "decks is a folder: name a file in it");
    }

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
