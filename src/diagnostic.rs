//! Problems found in a file a person wrote or knead saved, located precisely enough to fix:
//! path, line, column, the source line with the spot marked, what was expected and a hint.
//!
//! Rendering uses annotate-snippets (the renderer cargo uses for its TOML errors) so the output
//! looks like rustc's and cargo's diagnostics, which instructors may already have met.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One marked spot in a file: the line it is on and the byte range within that line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters (not bytes).
    pub col: usize,
    /// The text of the line, without its line ending.
    pub line_text: String,
    /// Byte range of the marked spot within `line_text` (may be empty: a point).
    pub span: Range<usize>,
    /// What to say under the mark.
    pub label: String,
    /// The file the mark is in, when it is not the diagnostic's own (a duplicate deck id).
    pub file: Option<String>,
}

impl Mark {
    /// Marks `range` (byte offsets into `source`), clipped to the line it starts on. Counts the
    /// lines before it: to mark many spots in one text, use [`Lines`].
    pub fn at_bytes(source: &str, range: Range<usize>, label: impl Into<String>) -> Mark {
        let start = floor_char_boundary(source, range.start.min(source.len()));
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line = source[..line_start].matches('\n').count() + 1;
        Mark::on_line(source, line, line_start, range, label)
    }

    /// Marks `range`, which starts on line `line` (1-based) at byte `line_start`.
    fn on_line(
        source: &str,
        line: usize,
        line_start: usize,
        range: Range<usize>,
        label: impl Into<String>,
    ) -> Mark {
        let start = floor_char_boundary(source, range.start.min(source.len())).max(line_start);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let mut line_text = &source[line_start..line_end];
        if let Some(stripped) = line_text.strip_suffix('\r') {
            line_text = stripped;
        }
        let span_start = (start - line_start).min(line_text.len());
        let end = floor_char_boundary(source, range.end.max(start).min(source.len()));
        let span_end = (end - line_start).clamp(span_start, line_text.len());
        Mark {
            line,
            col: line_text[..span_start].chars().count() + 1,
            line_text: line_text.to_owned(),
            span: span_start..span_end,
            label: label.into(),
            file: None,
        }
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
            source
                .match_indices('\n')
                .nth(line - 2)
                .map_or(source.len(), |(i, _)| i + 1)
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

/// The line starts of a text, found once, so that marking many spots (a deck with a problem on
/// every card) costs a binary search each rather than a scan of the text before it.
#[derive(Clone, Debug)]
pub struct Lines<'a> {
    source: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(source: &'a str) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        Lines { source, starts }
    }

    /// The same as [`Mark::at_bytes`].
    pub fn mark(&self, range: Range<usize>, label: impl Into<String>) -> Mark {
        let start = floor_char_boundary(self.source, range.start.min(self.source.len()));
        let line = self.starts.partition_point(|&s| s <= start);
        Mark::on_line(self.source, line, self.starts[line - 1], range, label)
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
                "end_column": mark.col + mark.line_text[mark.span.clone()].chars().count(),
                "label": mark.label,
                "source_line": mark.line_text,
            })
        };
        let primary = self.marks.first();
        serde_json::json!({
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
        })
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
        let title = if self.marks.is_empty() {
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
