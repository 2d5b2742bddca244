//! One device's journal, `journal/<device>.log`: every entry that device recorded, one RON
//! line each, appended only by that device.
//!
//! Reading is defensive: a journal may be mid-sync (its last line cut short), hand-edited or
//! damaged. Only a last line with no newline after it can be unfinished; for this device's
//! journal it is a write cut off by a crash (the lock holder removes it, or adds the missing
//! newline to a complete answer), for another device's a sync in progress (read later, never
//! touched). A line that does not parse, or holds an impossible value, anywhere before the last
//! newline stops knead with its file, line and column: the journal is never cut there.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::aggregate::{DayIndex, index_line};
use super::model::{Chosen, LogEntry, Problem, ReviewKind};
use super::snapshot::line_hash;
use crate::deck::Verdict;
use crate::deck::diagnostic::{Diagnostic, Mark};
use crate::error::{Error, IoContext};
use crate::files;

/// Whose journal is read, which decides what an unfinished last line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// This device's: an unfinished last line is a crash's (or a complete answer that lost its
    /// newline, which is kept).
    ThisDevice,
    /// Another device's: an unfinished last line is a sync in progress, left for later.
    Other,
}

/// What was read of a journal from some offset.
#[derive(Debug, Default)]
pub struct Tail {
    /// The entries, with their 1-based line numbers.
    pub entries: Vec<(u64, LogEntry)>,
    /// Byte offset just after the last line read (its newline, if it has one).
    pub complete_end: u64,
    /// Lines in the file up to `complete_end`.
    pub lines: u64,
    /// A hash of the last line read, when at least one was.
    pub last_line: Option<String>,
    /// Size of an unfinished last line left unread, if any.
    pub torn: Option<u64>,
    /// This device's last line is a complete entry without its newline (a hand edit).
    pub unterminated: bool,
    /// Where the days of the entries read start, counting from the first one read
    /// ([`super::aggregate::DayIndex`]; lines `wanted` rejects are not counted).
    pub day_starts: DayIndex,
}

/// Why a journal could not be read from a snapshot's offset: the snapshot does not describe
/// this journal, and the journal, which holds every answer, is the one to believe.
pub enum TailError {
    Mismatch(String),
    Failed(Error),
}

impl From<Error> for TailError {
    fn from(error: Error) -> TailError {
        TailError::Failed(error)
    }
}

/// A read from the start of a journal, where no snapshot can disagree with it.
pub fn read_whole(path: &Path, owner: Owner, wanted: impl Fn(&str) -> bool) -> Result<Tail, Error> {
    match read_tail(path, 0, 0, owner, wanted) {
        Ok(tail) => Ok(tail),
        Err(TailError::Failed(error)) => Err(error),
        Err(TailError::Mismatch(reason)) => {
            unreachable!("a read from 0 has no snapshot: {reason}")
        }
    }
}

/// Reads a journal from byte `from` (line `lines_before` + 1); lines `wanted` rejects are
/// skipped unparsed.
pub fn read_tail(
    path: &Path,
    from: u64,
    lines_before: u64,
    owner: Owner,
    wanted: impl Fn(&str) -> bool,
) -> Result<Tail, TailError> {
    let mut file = match files::open_regular(path) {
        Ok(file) => file,
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound && from == 0 => {
            return Ok(Tail::default());
        }
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            return Err(TailError::Mismatch(format!(
                "it covers {from} bytes of {}, which is missing",
                path.display()
            )));
        }
        Err(Error::NotAFile { kind, .. }) => {
            return Err(Error::DamagedProgress(
                Diagnostic::error(
                    "K103",
                    path.display().to_string(),
                    format!("the journal is {kind}, not a file"),
                )
                .with_help(format!(
                    "{} must be a regular file with one answer per line: move it aside and put the real file (or a backup) in its place; knead will not change it",
                    path.display()
                )),
            )
            .into());
        }
        Err(error) => return Err(error.into()),
    };
    let length = file.metadata().context("read", path)?.len();
    // This device's last answer the snapshot folded lost its newline (a hand edit): the
    // snapshot still describes the journal, and the newline is all that is missing.
    if owner == Owner::ThisDevice && from > 0 && length + 1 == from {
        let last = line_ending_at(path, length)?;
        let complete = std::str::from_utf8(&last)
            .ok()
            .is_some_and(|line| parse_line(path, line, lines_before).is_ok());
        if complete {
            return Ok(Tail {
                complete_end: length,
                lines: lines_before,
                unterminated: true,
                ..Tail::default()
            });
        }
    }
    if length < from {
        return Err(TailError::Mismatch(format!(
            "it covers {from} bytes of {}, which has {length}",
            path.display()
        )));
    }
    // The snapshot's offset must fall just after a newline: read from the byte before it.
    let start = from.saturating_sub(1);
    file.seek(SeekFrom::Start(start)).context("read", path)?;
    let mut bytes = Vec::with_capacity((length - start) as usize);
    file.read_to_end(&mut bytes).context("read", path)?;
    if from > 0 {
        if bytes.first() != Some(&b'\n') {
            return Err(TailError::Mismatch(format!(
                "its offset in {} ({from}) is not the start of a line",
                path.display()
            )));
        }
        bytes.remove(0);
    }
    parse_bytes(path, &bytes, from, lines_before, owner, wanted).map_err(TailError::Failed)
}

/// Calls `each` with the entries of lines `lines_before + 1 ..= last_line`, from byte `from`
/// on, reading a line at a time: a report over weeks of answers holds one line, not the
/// weeks (at 100,000 cards twelve weeks are 40 MB of journal). The lines were read whole
/// when they were folded into the snapshot, so one that no longer reads is damage, reported
/// like any other; a journal shorter than that is one the snapshot does not describe.
pub fn for_each_from(
    path: &Path,
    from: u64,
    lines_before: u64,
    last_line: u64,
    mut each: impl FnMut(LogEntry),
) -> Result<(), TailError> {
    let file = files::open_regular(path)?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    // The offset must fall just after a newline: read from the byte before it.
    reader
        .seek(SeekFrom::Start(from.saturating_sub(1)))
        .context("read", path)?;
    let mut line = Vec::new();
    if from > 0 {
        reader.read_until(b'\n', &mut line).context("read", path)?;
        if line != b"\n" {
            return Err(TailError::Mismatch(format!(
                "its offset in {} ({from}) is not the start of a line",
                path.display()
            )));
        }
    }
    let mut number = lines_before;
    while number < last_line {
        line.clear();
        if reader.read_until(b'\n', &mut line).context("read", path)? == 0 {
            return Err(TailError::Mismatch(format!(
                "it covers {last_line} lines of {}, which has {number}",
                path.display()
            )));
        }
        number += 1;
        let bytes = line.strip_suffix(b"\n").unwrap_or(&line);
        let zeros = memchr::memchr_iter(0, bytes).count();
        if zeros > 0 {
            return Err(zero_bytes(path, number, zeros).into());
        }
        let text = std::str::from_utf8(bytes).map_err(|_| not_utf8(path, number))?;
        if !text.trim().is_empty() {
            each(parse_line(path, text, number)?);
        }
    }
    Ok(())
}

/// Every entry in the bytes of a whole journal of this device, as knead reads its file: a
/// torn last line (no newline, does not parse) is left out, a complete one without a newline
/// is kept, zero bytes or a damaged line anywhere else are an error. (For fuzzing and tests.)
pub fn parse_log(bytes: &[u8]) -> Result<Vec<LogEntry>, Error> {
    Ok(parse_bytes(
        Path::new("journal.log"),
        bytes,
        0,
        0,
        Owner::ThisDevice,
        |_| true,
    )?
    .entries
    .into_iter()
    .map(|(_, entry)| entry)
    .collect())
}

/// [`read_tail`] on bytes already read (from byte `from` of the file, at line
/// `lines_before` + 1).
pub(super) fn parse_bytes(
    path: &Path,
    bytes: &[u8],
    from: u64,
    lines_before: u64,
    owner: Owner,
    wanted: impl Fn(&str) -> bool,
) -> Result<Tail, Error> {
    let mut complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    // Another device's unfinished last line is not read at all: a sync tool may still be
    // writing it (some fill a file with zeros first).
    let readable = match owner {
        Owner::ThisDevice => bytes,
        Owner::Other => &bytes[..complete],
    };
    if let Some(zero) = memchr::memchr(0, readable) {
        let line = lines_before + memchr::memchr_iter(b'\n', &bytes[..zero]).count() as u64 + 1;
        let zeros = memchr::memchr_iter(0, readable).count();
        return Err(zero_bytes(path, line, zeros));
    }
    let text = std::str::from_utf8(&bytes[..complete]).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        not_utf8(
            path,
            lines_before + valid.iter().filter(|&&b| b == b'\n').count() as u64 + 1,
        )
    })?;
    let mut entries = Vec::new();
    let mut day_starts = DayIndex::new();
    let mut line_number = lines_before;
    let mut last_line = None;
    for line in text.split_terminator('\n') {
        line_number += 1;
        last_line = Some(line);
        if line.trim().is_empty() || !wanted(line) {
            continue;
        }
        let entry = parse_line(path, line, line_number)?;
        let offset = from + (line.as_ptr() as usize - text.as_ptr() as usize) as u64;
        index_line(&mut day_starts, entry.day, offset, line_number - 1);
        entries.push((line_number, entry));
    }
    let mut last_line = last_line.map(|line| line_hash(line.as_bytes()));
    let mut torn = None;
    let mut unterminated = false;
    let last = &bytes[complete..];
    if !last.is_empty() {
        let entry = match owner {
            Owner::Other => None,
            Owner::ThisDevice => std::str::from_utf8(last)
                .ok()
                .filter(|line| !line.trim().is_empty())
                .and_then(|line| parse_line(path, line, line_number + 1).ok()),
        };
        match entry {
            Some(entry) => {
                line_number += 1;
                if wanted(std::str::from_utf8(last).unwrap_or_default()) {
                    index_line(
                        &mut day_starts,
                        entry.day,
                        from + complete as u64,
                        line_number - 1,
                    );
                    entries.push((line_number, entry));
                }
                complete = bytes.len();
                unterminated = true;
                last_line = Some(line_hash(last));
            }
            None => torn = Some(last.len() as u64),
        }
    }
    Ok(Tail {
        entries,
        complete_end: from + complete as u64,
        lines: line_number,
        last_line,
        torn,
        unterminated,
        day_starts,
    })
}

/// Reads one journal line: the fast reader for lines as knead writes them, ron for any other
/// layout; then the values are checked.
pub fn parse_line(path: &Path, line: &str, number: u64) -> Result<LogEntry, Error> {
    let entry = match read_written_line(line) {
        Some(entry) => entry,
        None => ron::from_str(line).map_err(|e| {
            if let Some((field, value, at)) = impossible_date(line) {
                return damaged_value(
                    path,
                    line,
                    number,
                    at..at + value.len(),
                    &format!("{field} \"{value}\" is not a date"),
                    &format!(
                        "dates are written YYYY-MM-DD and must exist on the calendar (times as YYYY-MM-DDTHH:MM:SSZ). Keep a copy of {}, then correct the {field} on line {number} or delete the line (that loses this one answer); knead will not change the file itself",
                        path.display()
                    ),
                );
            }
            let mark = Mark::at_line_col(line, 1, e.span.start.col, 1, "damaged here");
            Error::DamagedProgress(
                Diagnostic::error(
                    "K103",
                    path.display().to_string(),
                    format!("the journal is damaged: {}", e.code),
                )
                .with_mark(Mark {
                    line: number as usize,
                    ..mark
                })
                .with_help(recovery_help(path, number)),
            )
        })?,
    };
    match entry.problem() {
        None => Ok(entry),
        Some(problem) => Err(impossible(path, line, number, &problem)),
    }
}

/// A date or time field of `line` that does not parse: (field, value, byte offset of value).
fn impossible_date(line: &str) -> Option<(&'static str, &str, usize)> {
    for field in ["at", "day", "due"] {
        let needle = format!("{field}: \"");
        let Some(found) = line.find(&needle) else {
            continue;
        };
        let start = found + needle.len();
        let Some(end) = line[start..].find('"') else {
            continue;
        };
        let value = &line[start..start + end];
        let parses = if field == "at" {
            value.parse::<Timestamp>().is_ok()
        } else {
            value.parse::<jiff::civil::Date>().is_ok()
        };
        if !parses {
            return Some((field, value, start));
        }
    }
    None
}

fn impossible(path: &Path, line: &str, number: u64, problem: &Problem) -> Error {
    let span = field_value(line, problem.field).unwrap_or(0..0);
    let help = match problem.field {
        "grade" => "grades are 0 (blackout) to 5 (perfect)",
        "easiness" => "SM-2's easiness starts at 2.5 and never goes below 1.3",
        "interval_days" => "knead never schedules a card more than 36,500 days (100 years) ahead",
        _ => "",
    };
    damaged_value(
        path,
        line,
        number,
        span,
        &problem.problem,
        &format!(
            "knead never writes this value, so line {number} was damaged or edited: {help}. Keep a copy of {}, then correct the {} on line {number} or delete the line (that loses this one answer); knead will not change the file itself",
            path.display(),
            problem.field
        ),
    )
}

/// The byte range of a field's value in a line laid out as [`super::one_line`] writes it.
fn field_value(line: &str, field: &str) -> Option<std::ops::Range<usize>> {
    let needle = format!("{field}: ");
    let start = line.find(&needle)? + needle.len();
    let end = line[start..]
        .find([',', ')'])
        .map_or(line.len(), |n| start + n);
    Some(start..end)
}

fn damaged_value(
    path: &Path,
    line: &str,
    number: u64,
    span: std::ops::Range<usize>,
    message: &str,
    help: &str,
) -> Error {
    let mark = Mark::at_bytes(line, span, "impossible value");
    Error::DamagedProgress(
        Diagnostic::error(
            "K106",
            path.display().to_string(),
            format!("line {number} of the journal holds an impossible value: {message}"),
        )
        .with_mark(Mark {
            line: number as usize,
            ..mark
        })
        .with_help(help.to_owned()),
    )
}

/// The item of a line as [`super::one_line`] writes it, found without parsing the line (`None`
/// when the line is laid out otherwise). Only the item field can contain `, item: "`: the other
/// strings are dates and times.
pub fn written_item(line: &str) -> Option<&str> {
    let rest = &line[line.find(", item: \"")? + ", item: \"".len()..];
    let item = &rest[..rest.find('"')?];
    (!item.contains('\\')).then_some(item)
}

/// Reads a log line laid out exactly as [`super::one_line`] writes a [`LogEntry`], without ron's
/// general parser (which reads about 60 MB a second: a year of reviews of 100,000 cards is
/// 176 MB). Gives `None` for any other layout (a hand-edited line, an escaped string, a future
/// field), which ron then reads; a line this accepts, ron reads the same.
pub fn read_written_line(line: &str) -> Option<LogEntry> {
    struct Fields<'a> {
        rest: &'a str,
        first: bool,
    }
    impl<'a> Fields<'a> {
        /// The raw value of the next field, which must be `name`.
        fn next(&mut self, name: &str, string: bool) -> Option<&'a str> {
            let rest = if self.first {
                self.rest
            } else {
                self.rest.strip_prefix(", ")?
            };
            self.first = false;
            let rest = rest.strip_prefix(name)?.strip_prefix(": ")?;
            let (value, after) = if string {
                let inner = rest.strip_prefix('"')?;
                let end = inner.find('"')?;
                (&inner[..end], &inner[end + 1..])
            } else {
                rest.split_at(rest.find(',').unwrap_or(rest.len()))
            };
            // Escapes are ron's to decode.
            if value.contains('\\') {
                return None;
            }
            self.rest = after;
            Some(value)
        }
        fn string<T: std::str::FromStr>(&mut self, name: &str) -> Option<T> {
            self.next(name, true)?.parse().ok()
        }
        fn bare<T: std::str::FromStr>(&mut self, name: &str) -> Option<T> {
            self.next(name, false)?.parse().ok()
        }
    }
    let mut fields = Fields {
        rest: line.strip_prefix('(')?.strip_suffix(')')?,
        first: true,
    };
    let entry = LogEntry {
        at: fields.string("at")?,
        day: fields.string("day")?,
        item: fields.next("item", true)?.to_owned(),
        kind: match fields.next("kind", false)? {
            "Review" => ReviewKind::Review,
            "Drill" => ReviewKind::Drill,
            "Cram" => ReviewKind::Cram,
            _ => return None,
        },
        grade: fields.bare("grade")?,
        took_ms: fields.bare("took_ms")?,
        repetitions: fields.bare("repetitions")?,
        interval_days: fields.bare("interval_days")?,
        easiness: fields.bare("easiness")?,
        due: fields.string("due")?,
        rev: if fields.rest.starts_with(", rev: ") {
            fields.bare("rev")?
        } else {
            0
        },
        // A carried entry's `from` comes after `rev`; ron reads those lines.
        from: None,
        chose: if fields.rest.starts_with(", chose: ") {
            chosen(fields.next("chose", false)?)?
        } else {
            None
        },
        first: if fields.rest.starts_with(", first: ") {
            fields.bare("first")?
        } else {
            false
        },
    };
    fields.rest.is_empty().then_some(entry)
}

/// A `chose` value as [`super::one_line`] writes it: `Some(Option(2))`, `Some(Bool(true))`,
/// `Some(Verdict(Avoid))`. `None` for anything else (ron then reads the line).
fn chosen(value: &str) -> Option<Option<Chosen>> {
    let inner = value.strip_prefix("Some(")?.strip_suffix("))")?;
    let (variant, argument) = inner.split_once('(')?;
    let chosen = match variant {
        "Option" => Chosen::Option(argument.parse().ok()?),
        "Bool" => Chosen::Bool(argument.parse().ok()?),
        "Verdict" => Chosen::Verdict(
            *Verdict::ALL
                .iter()
                .find(|verdict| verdict.name() == argument)?,
        ),
        _ => return None,
    };
    Some(Some(chosen))
}

fn not_utf8(path: &Path, line: u64) -> Error {
    Error::DamagedProgress(
        Diagnostic::error(
            "K103",
            path.display().to_string(),
            format!("line {line} of the journal is not valid UTF-8 text"),
        )
        .with_help(recovery_help(path, line)),
    )
}

fn recovery_help(path: &Path, line: u64) -> String {
    format!(
        "each line of {} is one answer. Keep a copy of the file, then correct line {line} or delete it (deleting loses that one answer); knead will not change the file itself",
        path.display()
    )
}

fn zero_bytes(path: &Path, line: u64, zeros: usize) -> Error {
    Error::DamagedProgress(
        Diagnostic::error(
            "K103",
            path.display().to_string(),
            format!(
                "the journal holds {zeros} zero byte{} from line {line} on: the disk lost what was written there (usually in a power cut)",
                if zeros == 1 { "" } else { "s" }
            ),
        )
        .with_help(format!(
            "keep a copy of {}. Restore it from a backup if you have one; otherwise remove the zero bytes (for example `tr -d '\\000' < journal.log > fixed.log`, then put fixed.log in its place): the answers they stand for cannot be recovered, every other complete line is kept. knead will not change the file itself, nor add answers to it until then",
            path.display()
        )),
    )
}

/// Whether `path` still holds, up to `bytes`, the journal a snapshot folded: a line ends at
/// `bytes` and hashes to `last_line`. `None` when it does; otherwise why not. This device's last
/// folded answer may since have lost its newline (a hand edit): that still matches, and the lock
/// holder adds the newline back.
pub fn covers(
    path: &Path,
    owner: Owner,
    bytes: u64,
    last_line: Option<&str>,
) -> Result<Option<String>, Error> {
    if bytes == 0 {
        return Ok(None);
    }
    let length = match std::fs::metadata(path) {
        Ok(metadata) => metadata.len(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Some(format!("{} is missing", path.display())));
        }
        Err(source) => {
            return Err(Error::Io {
                action: "read",
                path: path.to_owned(),
                source,
            });
        }
    };
    let unterminated = owner == Owner::ThisDevice && length + 1 == bytes;
    if length < bytes && !unterminated {
        return Ok(Some(format!(
            "it covers {bytes} bytes of {}, which has {length}",
            path.display()
        )));
    }
    if !unterminated {
        let mut end = [0u8];
        let mut file = files::open_regular(path)?;
        file.seek(SeekFrom::Start(bytes - 1))
            .and_then(|_| file.read_exact(&mut end))
            .context("read", path)?;
        if end[0] != b'\n' {
            return Ok(Some(format!(
                "its offset in {} ({bytes}) is not the end of a line",
                path.display()
            )));
        }
    }
    let hash = line_hash(&line_ending_at(path, bytes - 1)?);
    if let Some(expected) = last_line
        && hash != expected
    {
        return Ok(Some(format!(
            "the line before its offset in {} ({bytes}) is not the one it folded last: the journal was changed before that point",
            path.display()
        )));
    }
    Ok(None)
}

/// The bytes of the line of `path` that ends at byte `end` (exclusive, not counting its
/// newline), read backwards in small blocks.
pub fn line_ending_at(path: &Path, end: u64) -> Result<Vec<u8>, Error> {
    const BLOCK: u64 = 4096;
    let mut file = files::open_regular(path)?;
    let mut line = Vec::new();
    let mut unread = end;
    while unread > 0 {
        let size = unread.min(BLOCK);
        unread -= size;
        let mut block = vec![0; size as usize];
        file.seek(SeekFrom::Start(unread))
            .and_then(|_| file.read_exact(&mut block))
            .context("read", path)?;
        if let Some(newline) = block.iter().rposition(|&b| b == b'\n') {
            block.drain(..=newline);
            block.extend_from_slice(&line);
            return Ok(block);
        }
        block.extend_from_slice(&line);
        line = block;
    }
    Ok(line)
}

/// The last entry of a journal before `end`, where its line starts, how many lines (with any
/// blank ones after it) end the journal from there, its line number, and a hash of the line
/// before it (the new last line once it is cut).
pub struct LastLine {
    pub start: u64,
    pub lines: u64,
    pub number: u64,
    pub entry: LogEntry,
    pub hash_before: Option<String>,
}

/// The last entry of the journal at `path` before `end` (`lines` lines), read backwards.
pub fn last_line(path: &Path, end: u64, lines: u64) -> Result<Option<LastLine>, Error> {
    if end == 0 {
        return Ok(None);
    }
    let mut backward = LinesBackward::open(path, end, lines)?;
    let mut skipped = 0;
    while let Some(line) = backward.next_line()? {
        skipped += 1;
        if let Some(entry) = line.entry(path)? {
            let hash_before = if line.start == 0 {
                None
            } else {
                backward.next_line()?.map(|before| line_hash(&before.bytes))
            };
            return Ok(Some(LastLine {
                start: line.start,
                lines: skipped,
                number: line.number,
                entry,
                hash_before,
            }));
        }
    }
    Ok(None)
}

/// The entries of `key` before byte `end` (line `lines`) of a journal, oldest first, back to
/// the one that brings its `reviews` scheduling reviews (counted as [`super::apply`] counts
/// them) or to the journal's start.
pub fn latest_entries_of(
    path: &Path,
    key: &str,
    end: u64,
    lines: u64,
    reviews: u32,
) -> Result<Vec<LogEntry>, Error> {
    let needle = super::one_line(key);
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    let mut found = Vec::new();
    let mut reviews_found = 0;
    let mut backward = LinesBackward::open(path, end, lines)?;
    while reviews_found < reviews {
        let Some(line) = backward.next_line()? else {
            break;
        };
        // Only lines naming the item are parsed: a quick byte search rejects the rest.
        if finder.find(&line.bytes).is_none() {
            continue;
        }
        if let Some(entry) = line.entry(path)?
            && entry.item == key
        {
            reviews_found += u32::from(entry.kind == ReviewKind::Review);
            found.push(entry);
        }
    }
    found.reverse();
    Ok(found)
}

/// One complete line of a journal, read backwards.
pub struct BackwardLine {
    pub start: u64,
    pub number: u64,
    pub bytes: Vec<u8>,
}

impl BackwardLine {
    /// The entry on this line; `None` for a blank line.
    pub fn entry(&self, path: &Path) -> Result<Option<LogEntry>, Error> {
        let text = std::str::from_utf8(&self.bytes).map_err(|_| not_utf8(path, self.number))?;
        if text.trim().is_empty() {
            return Ok(None);
        }
        parse_line(path, text, self.number).map(Some)
    }
}
/// The complete lines of a log before a byte offset, last first, read in large blocks so that
/// stepping back through a long log costs a few reads rather than one per line.
pub struct LinesBackward {
    path: PathBuf,
    file: File,
    /// How much is read at a time.
    pub block: u64,
    /// Bytes before `unread` have not been read yet.
    unread: u64,
    /// Read bytes not yet returned: the lines between `unread` and the last line returned.
    pending: Vec<u8>,
    /// The number of the last line in `pending`.
    number: u64,
}

impl LinesBackward {
    const BLOCK: u64 = 256 * 1024;

    /// Lines before `end`, which must be the end of a line (or 0); `lines` is how many there are.
    pub fn open(path: &Path, end: u64, lines: u64) -> Result<LinesBackward, Error> {
        let file = files::open_regular(path)?;
        Ok(LinesBackward {
            path: path.to_owned(),
            file,
            block: Self::BLOCK,
            unread: end,
            pending: Vec::new(),
            number: lines,
        })
    }

    pub fn next_line(&mut self) -> Result<Option<BackwardLine>, Error> {
        // `pending` always ends where the previous line began, just after its newline; the
        // line to return ends at the newline that closes `pending`.
        loop {
            let body = self.pending.len().saturating_sub(1);
            if let Some(newline) = self.pending[..body].iter().rposition(|&b| b == b'\n') {
                let bytes = self.pending[newline + 1..body].to_vec();
                self.pending.truncate(newline + 1);
                return Ok(Some(self.line(bytes)));
            }
            if self.unread == 0 {
                if self.pending.is_empty() {
                    return Ok(None);
                }
                let bytes = self.pending[..body].to_vec();
                self.pending.clear();
                return Ok(Some(self.line(bytes)));
            }
            let size = self.unread.min(self.block);
            self.unread -= size;
            let mut block = vec![0; size as usize];
            self.file
                .seek(SeekFrom::Start(self.unread))
                .and_then(|_| self.file.read_exact(&mut block))
                .context("read", &self.path)?;
            block.extend_from_slice(&self.pending);
            self.pending = block;
        }
    }

    fn line(&mut self, bytes: Vec<u8>) -> BackwardLine {
        let number = self.number;
        self.number -= 1;
        BackwardLine {
            start: self.unread + self.pending.len() as u64,
            number,
            bytes,
        }
    }
}

/// The entries of the journal at `path` that name one of `items` (as their item or, for a
/// carried-over card, as `from`), each with its byte offset, which orders them as line numbers
/// do. Found by searching the bytes for each item's quoted key and parsing only the lines that
/// hold it, a block at a time: a report on one card reads a long journal at the speed of a
/// byte search, not of parsing every line, in constant memory. A line that names the item
/// through escapes (`\u{..}` in place of a letter of the key, which knead never writes) is not
/// found. An unfinished last line is read as [`read_tail`] reads it.
pub fn entries_naming(
    path: &Path,
    owner: Owner,
    wanted: &Wanted<'_>,
) -> Result<Vec<(u64, LogEntry)>, Error> {
    const BLOCK: usize = 4 * 1024 * 1024;
    let mut file = match files::open_regular(path) {
        Ok(file) => file,
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            return Ok(Vec::new());
        }
        Err(error) => return Err(error),
    };
    let needles = wanted.needles();
    let finders: Vec<memchr::memmem::Finder> = needles
        .iter()
        .map(|needle| memchr::memmem::Finder::new(needle.as_bytes()))
        .collect();
    let mut found = Vec::new();
    // `pending` holds the bytes from `start` on that are not yet searched: at most one
    // unfinished line, then a block.
    let mut pending: Vec<u8> = Vec::with_capacity(BLOCK * 2);
    let mut start = 0u64;
    let mut block = vec![0u8; BLOCK];
    loop {
        let read = file.read(&mut block).context("read", path)?;
        let at_end = read == 0;
        pending.extend_from_slice(&block[..read]);
        let complete = if at_end {
            pending.len()
        } else {
            match memchr::memrchr(b'\n', &pending) {
                Some(newline) => newline + 1,
                None => continue,
            }
        };
        let searched = &pending[..complete];
        let mut starts: Vec<usize> = finders
            .iter()
            .flat_map(|finder| finder.find_iter(searched))
            .map(|hit| memchr::memrchr(b'\n', &searched[..hit]).map_or(0, |n| n + 1))
            .collect();
        starts.sort_unstable();
        starts.dedup();
        for line_start in starts {
            let end = memchr::memchr(b'\n', &searched[line_start..]).map(|n| line_start + n);
            let offset = start + line_start as u64;
            let Some(end) = end.or((owner == Owner::ThisDevice).then_some(searched.len())) else {
                continue; // another device's unfinished last line: a sync in progress
            };
            let bytes = &searched[line_start..end];
            let entry = match std::str::from_utf8(bytes) {
                Ok(line) => parse_line(path, line, 0),
                Err(_) => Err(not_utf8(path, 0)),
            };
            match entry {
                Ok(entry) if wanted.accepts(&entry.item) => found.push((offset, entry)),
                Ok(_) => {}
                // This device's unfinished last line is a write cut off by a crash.
                Err(_) if end == searched.len() && at_end => {}
                Err(_) => return Err(damage_at(path, offset)?),
            }
        }
        if at_end {
            return Ok(found);
        }
        start += complete as u64;
        pending.drain(..complete);
    }
}

/// The items a search of the journals looks for ([`entries_naming`]).
#[derive(Clone, Copy, Debug)]
pub enum Wanted<'a> {
    /// These items, by key.
    Items(&'a [&'a str]),
    /// Every item of the card `card` of the deck `deck`: the card, or its Cloze deletions
    /// (`deck/card#1`, …). A report on a card can search for it before the deck is loaded.
    Card { deck: &'a str, card: &'a str },
}

impl Wanted<'_> {
    /// What a line that names a wanted item holds: its quoted key (a card's, without the
    /// closing quote, which a deletion's `#n` comes before).
    fn needles(&self) -> Vec<String> {
        match self {
            Wanted::Items(items) => items.iter().map(|item| super::one_line(*item)).collect(),
            Wanted::Card { deck, card } => {
                let quoted = super::one_line(&format!("{deck}/{card}"));
                vec![quoted.strip_suffix('"').unwrap_or(&quoted).to_owned()]
            }
        }
    }

    fn accepts(&self, item: &str) -> bool {
        match self {
            Wanted::Items(items) => items.contains(&item),
            Wanted::Card { deck, card } => item
                .strip_prefix(*deck)
                .and_then(|rest| rest.strip_prefix('/'))
                .and_then(|rest| rest.strip_prefix(*card))
                .is_some_and(|part| {
                    part.is_empty()
                        || part
                            .strip_prefix('#')
                            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                }),
        }
    }
}

/// The error for the damaged line at byte `offset` of `path`, with its true line number (a
/// search that found the line did not count lines).
fn damage_at(path: &Path, offset: u64) -> Result<Error, Error> {
    let bytes = std::fs::read(path).context("read", path)?;
    let before = &bytes[..offset as usize];
    let number = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
    let end = memchr::memchr(b'\n', &bytes[offset as usize..])
        .map_or(bytes.len(), |n| offset as usize + n);
    let line = &bytes[offset as usize..end];
    Ok(match std::str::from_utf8(line) {
        Ok(line) => match parse_line(path, line, number) {
            Err(error) => error,
            Ok(_) => unreachable!("the line failed to parse a moment ago"),
        },
        Err(_) => not_utf8(path, number),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_is_wanted_with_its_cloze_deletions_and_nothing_that_only_starts_like_it() {
        let wanted = Wanted::Card {
            deck: "d",
            card: "c",
        };
        for item in ["d/c", "d/c#1", "d/c#12"] {
            assert!(wanted.accepts(item), "{item}");
        }
        for item in [
            "d/c2", "d/c-x", "d/c#", "d/c#x", "d/c#1a", "d/d", "e/c", "d/", "dd/c",
        ] {
            assert!(!wanted.accepts(item), "{item}");
        }
        assert_eq!(wanted.needles(), ["\"d/c"]);
        let items = ["d/c#1", "d/b"];
        assert!(Wanted::Items(&items).accepts("d/b"));
        assert!(!Wanted::Items(&items).accepts("d/c"));
    }
}
