//! Problems found in a file a person wrote or knead saved, located precisely enough to fix:
//! path, line, column, the source line with the spot marked, what was expected and a hint.
//!
//! Rendering uses annotate-snippets (the renderer cargo uses for its TOML errors) so the output
//! looks like rustc's and cargo's diagnostics, which instructors may already have met.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// The most characters of a line shown on each side of a mark (and of a marked spot itself).
/// A longer line is shown as the part around the mark, with `…` where it is cut, so that a
/// diagnostic never holds more than a few hundred characters of its file, however long the
/// line (a deck written on one line).
pub const WINDOW_CHARS: usize = 120;

/// One marked spot in a file: where it is, and the part of its line to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters (not bytes).
    pub col: usize,
    /// 1-based column just after the marked spot (equal to `col` for a point), in characters of
    /// the whole line, however much of it `line_text` shows.
    pub end_col: usize,
    /// The line, without its line ending; a line longer than the window around the mark is
    /// shown as that window, with `…` where it is cut (see [`WINDOW_CHARS`]).
    pub line_text: String,
    /// Byte range of the marked spot within `line_text` (may be empty: a point). A spot longer
    /// than the window is shown up to the window's end.
    pub span: Range<usize>,
    /// Byte range of the marked spot in the text it was found in, clipped to its line.
    pub at: Range<usize>,
    /// What to say under the mark.
    pub label: String,
    /// The file the mark is in, when it is not the diagnostic's own (a duplicate deck id).
    pub file: Option<String>,
}

impl Mark {
    /// Marks `range` (byte offsets into `source`), clipped to the line it starts on. Counts the
    /// lines before it: to mark many spots in one text, use [`Lines`].
    pub fn at_bytes(source: &str, range: Range<usize>, label: impl Into<String>) -> Mark {
        let bytes = source.as_bytes();
        let start = floor_char_boundary(source, range.start.min(source.len()));
        let line_start = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |i| i + 1);
        let line = memchr::memchr_iter(b'\n', &bytes[..line_start]).count() + 1;
        let line_end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let end = floor_char_boundary(source, range.end.max(start).min(source.len()));
        let line = LineSpan {
            number: line,
            start: line_start,
            end: without_cr(bytes, line_start, line_end),
        };
        let (start, end) = line.clamp(start, end);
        let col = lossy_chars(&bytes[line.start..start]) + 1;
        let end_col = col + lossy_chars(&bytes[start..end]);
        window(bytes, &line, start..end, (col, end_col), label.into())
    }

    /// The same mark, in another file than the diagnostic's.
    pub fn in_file(mut self, file: impl Into<String>) -> Mark {
        self.file = Some(file.into());
        self
    }

    /// Marks a spot given as a 1-based line and a 1-based *character* column (as ron reports
    /// them), extending `width_chars` characters to the right.
    pub fn at_line_col(
        source: &str,
        line: usize,
        col: usize,
        width_chars: usize,
        label: impl Into<String>,
    ) -> Mark {
        let line_start = if line <= 1 {
            0
        } else {
            memchr::memchr_iter(b'\n', source.as_bytes())
                .nth(line - 2)
                .map_or(source.len(), |i| i + 1)
        };
        let rest = &source[line_start..];
        let byte_at = |chars: usize| {
            rest.char_indices()
                .nth(chars)
                .map_or(rest.len(), |(i, _)| i)
        };
        let start = byte_at(col.saturating_sub(1));
        let end = byte_at(col.saturating_sub(1) + width_chars);
        Mark::at_bytes(source, line_start + start..line_start + end, label)
    }
}

/// A line of a text: its number and the byte range of its content (line ending excluded).
struct LineSpan {
    number: usize,
    start: usize,
    end: usize,
}

impl LineSpan {
    /// `start..end` clipped to the line, `start <= end`.
    fn clamp(&self, start: usize, end: usize) -> (usize, usize) {
        let start = start.clamp(self.start, self.end);
        (start, end.clamp(start, self.end))
    }
}

/// The end of a line's content: before the `\r` of a CRLF.
fn without_cr(bytes: &[u8], line_start: usize, line_end: usize) -> usize {
    if line_end > line_start && bytes[line_end - 1] == b'\r' {
        line_end - 1
    } else {
        line_end
    }
}

fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// Steps `count` characters back from `at`, not before `floor`.
fn back(bytes: &[u8], mut at: usize, floor: usize, count: usize) -> usize {
    for _ in 0..count {
        if at <= floor {
            break;
        }
        at -= 1;
        while at > floor && is_continuation(bytes[at]) {
            at -= 1;
        }
    }
    at
}

/// Steps `count` characters forward from `at`, not past `limit`.
fn forward(bytes: &[u8], mut at: usize, limit: usize, count: usize) -> usize {
    for _ in 0..count {
        if at >= limit {
            break;
        }
        at += 1;
        while at < limit && is_continuation(bytes[at]) {
            at += 1;
        }
    }
    at
}

/// How many characters `bytes` shows as, read lossily (an invalid sequence is one U+FFFD).
fn lossy_chars(bytes: &[u8]) -> usize {
    bytes
        .utf8_chunks()
        .map(|chunk| chunk.valid().chars().count() + usize::from(!chunk.invalid().is_empty()))
        .sum()
}

const ELLIPSIS: &str = "…";

/// The mark of `spot` (clipped to `line`), showing at most [`WINDOW_CHARS`] characters of the
/// line on each side of it and of the spot itself. `columns` are the spot's 1-based start and
/// end columns in the whole line.
fn window(
    bytes: &[u8],
    line: &LineSpan,
    spot: Range<usize>,
    (col, end_col): (usize, usize),
    label: String,
) -> Mark {
    let (start, end) = line.clamp(spot.start, spot.end);
    let left = back(bytes, start, line.start, WINDOW_CHARS);
    let shown_end = forward(bytes, start, end, WINDOW_CHARS);
    let right = forward(bytes, shown_end, line.end, WINDOW_CHARS);
    let mut line_text = String::new();
    if left > line.start {
        line_text.push_str(ELLIPSIS);
    }
    let offset = line_text.len();
    line_text.push_str(&String::from_utf8_lossy(&bytes[left..right]));
    let tail = line_text.len();
    if right < line.end {
        line_text.push_str(ELLIPSIS);
    }
    // The spot's place in the lossy text, on character boundaries even when the spot splits an
    // invalid sequence.
    let place = |to: usize| {
        let at = (offset + String::from_utf8_lossy(&bytes[left..to]).len()).min(tail);
        floor_char_boundary(&line_text, at)
    };
    let span_start = place(start);
    let span_end = place(shown_end).max(span_start);
    Mark {
        line: line.number,
        col,
        end_col,
        line_text,
        span: span_start..span_end,
        at: start..end,
        label,
        file: None,
    }
}

/// Where each line of a text starts, and how many characters come before regular points in
/// it, found once, so that marking many spots (a deck with a problem on every card) costs a
/// binary search and a short count each rather than a scan of the text before it. The text
/// may hold bytes that are not UTF-8 (an imported file): they are counted as they are shown,
/// lossily.
#[derive(Clone, Debug)]
pub struct Lines<'a> {
    bytes: &'a [u8],
    starts: Vec<usize>,
    /// `(byte offset, characters before it)` every [`CHECKPOINT_BYTES`] or so, each at a point
    /// where lossy decoding starts afresh (a character boundary, or the start of an invalid
    /// sequence), so that counts add up across it.
    checkpoints: Vec<(usize, usize)>,
    /// Whether the text is UTF-8 (a `str`): spots are then moved onto character boundaries.
    is_str: bool,
}

const CHECKPOINT_BYTES: usize = 4096;

impl<'a> Lines<'a> {
    pub fn new(source: &'a str) -> Lines<'a> {
        Lines {
            is_str: true,
            ..Lines::of_bytes(source.as_bytes())
        }
    }

    /// The lines of a text that may not be UTF-8.
    pub fn of_bytes(bytes: &'a [u8]) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let mut checkpoints = vec![(0, 0)];
        let (mut at, mut chars) = (0, 0);
        for chunk in bytes.utf8_chunks() {
            let valid = chunk.valid();
            let mut from = 0;
            while from < valid.len() {
                let mut to = (from + CHECKPOINT_BYTES).min(valid.len());
                while !valid.is_char_boundary(to) {
                    to += 1;
                }
                chars += valid[from..to].chars().count();
                at += to - from;
                from = to;
                if at - checkpoints.last().map_or(0, |c| c.0) >= CHECKPOINT_BYTES {
                    checkpoints.push((at, chars));
                }
            }
            if !chunk.invalid().is_empty() {
                chars += 1;
                at += chunk.invalid().len();
                if at - checkpoints.last().map_or(0, |c| c.0) >= CHECKPOINT_BYTES {
                    checkpoints.push((at, chars));
                }
            }
        }
        Lines {
            bytes,
            starts,
            checkpoints,
            is_str: false,
        }
    }

    /// Characters before byte `at` (as shown, lossily).
    fn chars_before(&self, at: usize) -> usize {
        let index = self
            .checkpoints
            .partition_point(|&(offset, _)| offset <= at)
            - 1;
        let (offset, chars) = self.checkpoints[index];
        chars + lossy_chars(&self.bytes[offset..at])
    }

    /// The 1-based line holding byte `at`, and its content's byte range.
    fn line_of(&self, at: usize) -> LineSpan {
        let number = self.starts.partition_point(|&s| s <= at);
        let start = self.starts[number - 1];
        let end = self
            .starts
            .get(number)
            .map_or(self.bytes.len(), |next| next - 1);
        LineSpan {
            number,
            start,
            end: without_cr(self.bytes, start, end),
        }
    }

    /// The same as [`Mark::at_bytes`] (for text that is UTF-8, `range` on character
    /// boundaries).
    pub fn mark(&self, range: Range<usize>, label: impl Into<String>) -> Mark {
        let floor = |at: usize| {
            let mut at = at.min(self.bytes.len());
            while self.is_str && at > 0 && at < self.bytes.len() && is_continuation(self.bytes[at])
            {
                at -= 1;
            }
            at
        };
        let start = floor(range.start);
        let line = self.line_of(start);
        let (start, end) = line.clamp(start, floor(range.end));
        let line_chars = self.chars_before(line.start);
        let col = self.chars_before(start) - line_chars + 1;
        let end_col = self.chars_before(end) - line_chars + 1;
        window(self.bytes, &line, start..end, (col, end_col), label.into())
    }
}

fn floor_char_boundary(s: &str, mut index: usize) -> usize {
    while index > 0 && !s.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// A problem in a file, with where it is and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable code for the kind of problem (e.g. `K001`), so tools can filter on it.
    pub code: &'static str,
    /// What is wrong, in one line.
    pub message: String,
    /// The file as the user named it (or a description such as `bundled deck lupus.ron`).
    pub path: String,
    /// The primary spot first; further marks show related places (e.g. the first definition
    /// of a duplicated id).
    pub marks: Vec<Mark>,
    /// How to fix it.
    pub help: Option<String>,
    /// Non-zero for the summary that stands for this many more diagnostics of its code in its
    /// file, left out (see [`Capped`]); such a summary has no marks. (A `u32` fits in the
    /// padding after `severity`, so errors carrying a diagnostic stay as small as they were.)
    pub omitted: u32,
}

impl Diagnostic {
    pub fn error(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, code, path, message)
    }

    pub fn warning(
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic::new(Severity::Warning, code, path, message)
    }

    pub fn new(
        severity: Severity,
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            path: path.into(),
            marks: Vec::new(),
            help: None,
            omitted: 0,
        }
    }

    pub fn with_mark(mut self, mark: Mark) -> Self {
        self.marks.push(mark);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `path:line:col` of the primary mark (or just the path).
    pub fn location(&self) -> String {
        match self.marks.first() {
            Some(mark) => format!("{}:{}:{}", self.path, mark.line, mark.col),
            None => self.path.clone(),
        }
    }

    /// The diagnostic as one JSON object (`knead check --format json` prints one per line).
    /// Lines and columns are 1-based; columns count characters.
    pub fn to_json(&self) -> serde_json::Value {
        let mark = |mark: &Mark| {
            serde_json::json!({
                "file": mark.file.as_deref().unwrap_or(&self.path),
                "line": mark.line,
                "column": mark.col,
                "end_column": mark.end_col,
                "label": mark.label,
                "source_line": mark.line_text,
            })
        };
        let primary = self.marks.first();
        let mut object = serde_json::json!({
            "severity": match self.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            "code": self.code,
            "message": self.message,
            "file": self.path,
            "line": primary.map(|m| m.line),
            "column": primary.map(|m| m.col),
            "help": self.help,
            "marks": self.marks.iter().map(mark).collect::<Vec<_>>(),
        });
        if self.omitted > 0 {
            object["omitted"] = self.omitted.into();
        }
        object
    }

    /// How many problems this diagnostic stands for: one, or the number a summary left out.
    pub fn count(&self) -> usize {
        self.omitted.max(1) as usize
    }

    /// The diagnostic as rustc-style text; `styled` adds ANSI colours. What it quotes from the
    /// file (a deck from a stranger) is shown terminal-safe: see [`crate::text`].
    pub fn render(&self, styled: bool) -> String {
        let shown = crate::text::diagnostic_for_terminal(self);
        crate::text::with_file_columns(shown.render_safe(styled), self, &shown)
    }

    fn render_safe(&self, styled: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        // A summary names its file in its message.
        let title = if self.marks.is_empty() && self.omitted == 0 {
            format!("{}: {}", self.path, self.message)
        } else {
            self.message.clone()
        };
        let mut group = Group::with_title(level.primary_title(title).id(self.code));
        for (index, mark) in self.marks.iter().enumerate() {
            let kind = if index == 0 {
                AnnotationKind::Primary
            } else {
                AnnotationKind::Context
            };
            group = group.element(
                Snippet::source(mark.line_text.as_str())
                    .line_start(mark.line)
                    .path(mark.file.as_deref().unwrap_or(self.path.as_str()))
                    .annotation(kind.span(mark.span.clone()).label(mark.label.as_str())),
            );
        }
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        let renderer = if styled {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group])
    }
}

/// The most diagnostics of one code kept for one file: the rest are counted, and one summary
/// ("… and 3,996 more K010 errors in lupus.ron") stands for them. Fifty show the pattern of a
/// repeated mistake; thousands more only bury the other problems (and cost memory and time).
pub const MAX_PER_CODE: usize = 50;

/// Collects diagnostics, keeping at most [`MAX_PER_CODE`] of each code for each file; the rest
/// are counted, not kept, and [`Capped::finish`] puts one summary for each after the others.
/// Code that builds diagnostics in bulk asks [`Capped::is_full`] first, so that what would be
/// left out is not even built.
#[derive(Debug, Default)]
pub struct Capped {
    kept: Vec<Diagnostic>,
    /// Diagnostics seen so far (kept or not), by file and code.
    seen: HashMap<String, HashMap<&'static str, usize>>,
    /// The summaries, in the order their first diagnostic was left out.
    summaries: Vec<Diagnostic>,
}

impl Capped {
    pub fn new() -> Capped {
        Capped::default()
    }

    /// Whether a diagnostic of `code` in `path` would be left out (only counted).
    pub fn is_full(&self, path: &str, code: &str) -> bool {
        self.seen
            .get(path)
            .and_then(|codes| codes.get(code))
            .is_some_and(|&n| n >= MAX_PER_CODE)
    }

    /// Counts one diagnostic of `code` in `path` as left out, without it being built: for code
    /// that has asked [`Capped::is_full`].
    pub fn omit(&mut self, severity: Severity, code: &'static str, path: &str) {
        let mut left_out = Diagnostic::new(severity, code, path, "");
        left_out.omitted = 1;
        self.push(left_out);
    }

    /// Keeps `diagnostic`, or counts it when its file already has enough of its code. A summary
    /// (from an earlier cap) adds what it left out.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if !self.seen.contains_key(&diagnostic.path) {
            self.seen.insert(diagnostic.path.clone(), HashMap::new());
        }
        let seen = self
            .seen
            .get_mut(&diagnostic.path)
            .expect("inserted above")
            .entry(diagnostic.code)
            .or_default();
        if diagnostic.omitted == 0 && *seen < MAX_PER_CODE {
            *seen += 1;
            self.kept.push(diagnostic);
            return;
        }
        *seen = (*seen).max(MAX_PER_CODE);
        let left_out = diagnostic.omitted.max(1);
        match self
            .summaries
            .iter_mut()
            .find(|s| s.path == diagnostic.path && s.code == diagnostic.code)
        {
            Some(summary) => summary.omitted = summary.omitted.saturating_add(left_out),
            None => self.summaries.push(Diagnostic {
                marks: Vec::new(),
                help: None,
                omitted: left_out,
                ..diagnostic
            }),
        }
    }

    /// The kept diagnostics, then one summary per file and code that had more.
    pub fn finish(self) -> Vec<Diagnostic> {
        let mut all = self.kept;
        all.extend(self.summaries.into_iter().map(|mut summary| {
            let kind = match summary.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            summary.message = format!(
                "… and {} more {} {kind}{} in {}",
                thousands(summary.omitted as usize),
                summary.code,
                if summary.omitted == 1 { "" } else { "s" },
                summary.path
            );
            summary
        }));
        all
    }
}

impl Extend<Diagnostic> for Capped {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, diagnostics: I) {
        for diagnostic in diagnostics {
            self.push(diagnostic);
        }
    }
}

/// Keeps at most [`MAX_PER_CODE`] diagnostics of each code for each file (see [`Capped`]).
pub fn cap(diagnostics: impl IntoIterator<Item = Diagnostic>) -> Vec<Diagnostic> {
    let mut capped = Capped::new();
    capped.extend(diagnostics);
    capped.finish()
}

/// `3996` as `3,996`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_counts_columns_in_characters_and_drops_crlf() {
        let source = "first\r\ncafé = bad\r\nlast";
        let at = source.find("bad").unwrap();
        let mark = Mark::at_bytes(source, at..at + 3, "here");
        assert_eq!((mark.line, mark.col), (2, 8));
        assert_eq!(mark.line_text, "café = bad");
        assert_eq!(&mark.line_text[mark.span.clone()], "bad");
    }

    #[test]
    fn line_col_in_characters_becomes_the_right_bytes() {
        let source = "a\n«é» x";
        let mark = Mark::at_line_col(source, 2, 5, 1, "x");
        assert_eq!(&mark.line_text[mark.span.clone()], "x");
        assert_eq!(mark.col, 5);
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_mark() {
        let source = format!("x\n{}bad{}\r\nnext", "é".repeat(5000), "a".repeat(5000));
        let at = source.find("bad").unwrap();
        for mark in [
            Mark::at_bytes(&source, at..at + 3, "here"),
            Lines::new(&source).mark(at..at + 3, "here"),
        ] {
            assert_eq!((mark.line, mark.col, mark.end_col), (2, 5001, 5004));
            assert_eq!(mark.at, at..at + 3);
            assert_eq!(&mark.line_text[mark.span.clone()], "bad");
            assert!(mark.line_text.starts_with("…é") && mark.line_text.ends_with("a…"));
            assert_eq!(mark.line_text.chars().count(), 2 + 2 * WINDOW_CHARS + 3);
        }
        // A spot longer than the window is shown up to the window's end.
        let whole = Lines::new(&source).mark(2..source.len(), "all");
        assert_eq!((whole.col, whole.end_col), (1, 10004));
        assert_eq!(whole.line_text.chars().count(), 2 * WINDOW_CHARS + 1);
        assert_eq!(
            whole.line_text[whole.span.clone()].chars().count(),
            WINDOW_CHARS
        );
    }

    #[test]
    fn the_line_index_agrees_with_a_scan_everywhere() {
        let source = format!(
            "a\r\nb«é»\n{}\n\n{}🙂z\r\n",
            "é".repeat(1500),
            "x".repeat(5000)
        );
        let lines = Lines::new(&source);
        let starts = (0..=source.len())
            .step_by(7)
            .chain(source.len() - 20..=source.len());
        for start in starts.filter(|&i| source.is_char_boundary(i)) {
            let end = (start + 5..=source.len())
                .find(|&i| source.is_char_boundary(i))
                .unwrap_or(source.len());
            let scanned = Mark::at_bytes(&source, start..end, "x");
            assert_eq!(lines.mark(start..end, "x"), scanned, "at {start}");
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_counted_as_shown() {
        let bytes = b"front\nca\xe9\x80f,\xff\xfet\xe9\r\n".repeat(800);
        let lines = Lines::of_bytes(&bytes);
        let line_start = bytes.len() - 12;
        for at in line_start..bytes.len() - 2 {
            let mark = lines.mark(at..at + 1, "x");
            let before = String::from_utf8_lossy(&bytes[line_start..at]);
            assert_eq!(mark.col, before.chars().count() + 1, "at {at}");
            assert_eq!(mark.line, 1600);
            assert!(mark.line_text.is_char_boundary(mark.span.start));
        }
    }

    #[test]
    fn each_code_is_kept_fifty_times_per_file_then_summarised() {
        let mut capped = Capped::new();
        for n in 0..4046 {
            assert_eq!(capped.is_full("a.ron", "K010"), n >= MAX_PER_CODE);
            capped.push(Diagnostic::error("K010", "a.ron", format!("bad id {n}")));
        }
        capped.push(Diagnostic::error("K010", "b.ron", "bad id"));
        capped.push(Diagnostic::warning("K022", "a.ron", "no why"));
        let all = capped.finish();
        assert_eq!(all.len(), MAX_PER_CODE + 3);
        let summary = all.last().unwrap();
        assert_eq!(summary.message, "… and 3,996 more K010 errors in a.ron");
        assert_eq!((summary.omitted, summary.count()), (3996, 3996));
        assert!(summary.marks.is_empty());
        assert_eq!(summary.to_json()["omitted"], 3996);
        assert_eq!(
            summary.render(false).trim(),
            "error[K010]: … and 3,996 more K010 errors in a.ron"
        );
        // Capping again merges a summary instead of counting it as one.
        let again = cap(all);
        assert_eq!(again.len(), MAX_PER_CODE + 3);
        assert_eq!(again.iter().map(Diagnostic::count).sum::<usize>(), 4048);
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn rendering_shows_location_caret_and_help() {
        let source = "Deck(\n    tittle: \"x\",\n)";
        let at = source.find("tittle").unwrap();
        let diagnostic = Diagnostic::error("K001", "decks/x.ron", "unknown field `tittle`")
            .with_mark(Mark::at_bytes(source, at..at + 6, "not a deck field"))
            .with_help("did you mean `title`?");
        let text = diagnostic.render(false);
        assert!(
            text.contains("error[K001]: unknown field `tittle`"),
            "{text}"
        );
        assert!(text.contains("decks/x.ron:2:5"), "{text}");
        assert!(text.contains("^^^^^^ not a deck field"), "{text}");
        assert!(text.contains("help: did you mean `title`?"), "{text}");
        assert_eq!(diagnostic.location(), "decks/x.ron:2:5");
    }
}
