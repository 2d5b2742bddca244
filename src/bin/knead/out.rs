//! The one way `knead` writes to the terminal.
//!
//! Deck, CSV and Anki text comes from strangers and may hold escape sequences a terminal obeys
//! (clear the screen, set the title, write the clipboard, answer a status request into knead's
//! input). Everything printed goes through a [`SafeWriter`], which shows such characters
//! visibly instead (`␛[2J`, `<U+202E>`): see `knead::text`. Nothing has to remember to call
//! it: `println!`, `eprintln!` and friends are denied in this crate (`#![deny]` in main.rs),
//! and `io::stdout()` and `io::stderr()` everywhere (`clippy.toml`), except in this module.
//!
//! Three outputs are written as they are: JSON (its strings are escaped by `knead::text::json`,
//! so it is exact and still safe), the data files `knead import` and `knead export` write to a
//! pipe or file (a deck or an Anki file must be exact; on a terminal they are escaped like
//! text), and the colours of rendered diagnostics (`Diagnostic::render` escapes what it quotes
//! from files itself).
#![allow(clippy::disallowed_methods)] // the one module that may name stdout and stderr

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use knead::error::{Error, IoContext};
use knead::files::write_atomically;

use knead::deck::diagnostic::Diagnostic;
use knead::text::{self, SafeWriter};

/// Standard output, terminal-safe.
pub fn stdout() -> SafeWriter<io::Stdout> {
    SafeWriter::new(io::stdout())
}

/// Standard error, terminal-safe (also where the interactive prompts draw).
pub fn stderr() -> SafeWriter<io::Stderr> {
    SafeWriter::new(io::stderr())
}

/// `println!`, terminal-safe (`#[macro_use] mod out` makes it available crate-wide).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!($crate::out::stdout(), $($arg)*);
    }};
}

/// `eprintln!`, terminal-safe.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!($crate::out::stderr(), $($arg)*);
    }};
}

/// `TERM=dumb`: a terminal (an editor's shell, a screen reader's console) that wants plain
/// text: no colour, no cursor movement, line prompts.
pub fn dumb_terminal() -> bool {
    std::env::var_os("TERM").is_some_and(|term| term == "dumb")
}

/// Which stream a diagnostic goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    pub fn is_terminal(self) -> bool {
        match self {
            Stream::Stdout => io::stdout().is_terminal(),
            Stream::Stderr => io::stderr().is_terminal(),
        }
    }

    /// Whether to colour what goes here: a terminal that is not `TERM=dumb`, and NO_COLOR
    /// not set.
    pub fn styled(self) -> bool {
        self.is_terminal() && !dumb_terminal() && std::env::var_os("NO_COLOR").is_none()
    }
}

/// Prints a located diagnostic, coloured on a terminal, followed by `after` (e.g. a blank
/// line). Written as rendered: the renderer's colours are knead's own sequences, and the
/// renderer escapes everything it quotes from the file.
pub fn diagnostic(stream: Stream, diagnostic: &Diagnostic, after: &str) {
    let rendered = diagnostic.render(stream.styled());
    let after = text::terminal_safe(after);
    let _ = match stream {
        Stream::Stdout => writeln!(io::stdout().lock(), "{rendered}{after}"),
        Stream::Stderr => writeln!(io::stderr().lock(), "{rendered}{after}"),
    };
}

/// Prints JSON on standard output: exact, with the characters a terminal obeys as `\u`
/// escapes (`pretty`: indented).
pub fn json(value: &impl serde::Serialize, pretty: bool) {
    let _ = writeln!(io::stdout().lock(), "{}", text::json(value, pretty));
}

/// Writes a data file (`knead import` and `knead export` without `-o`) to standard output:
/// exactly when it goes to a file or a pipe, terminal-safe when a person reads it there.
pub fn data(bytes: &[u8]) -> io::Result<()> {
    if io::stdout().is_terminal() {
        let mut out = stdout();
        out.write_all(bytes)?;
        return out.flush();
    }
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()
}

/// The narrowest layout offered: charts and tables below it stop being readable.
pub const MIN_WIDTH: u16 = 30;

/// Columns to lay text out in: `--width`, else the terminal's (standard output's, or standard
/// error's when the output goes to a pager, `knead stats | less`), else `$COLUMNS`, else 80.
pub fn width(explicit: Option<u16>) -> usize {
    let terminal = || {
        if Stream::Stdout.is_terminal() {
            terminal_size::terminal_size_of(io::stdout())
        } else if Stream::Stderr.is_terminal() {
            terminal_size::terminal_size_of(io::stderr())
        } else {
            None
        }
        .map(|(width, _)| width.0)
    };
    let columns = || std::env::var("COLUMNS").ok()?.parse::<u16>().ok();
    usize::from(
        explicit
            .or_else(terminal)
            .or_else(columns)
            .unwrap_or(80)
            .max(MIN_WIDTH),
    )
}

pub fn print_json(value: &impl serde::Serialize) {
    json(value, true);
}

pub fn print_lines(lines: Vec<String>) {
    let mut out = stdout();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
}

pub fn refuse_to_overwrite(path: &Path, force: bool) -> Result<(), Error> {
    if !force && path.exists() {
        return Err(Error::WouldOverwrite {
            path: path.to_owned(),
        });
    }
    Ok(())
}

pub fn write_output(output: Option<&Path>, text: &str) -> Result<(), Error> {
    match output {
        // A bare file name has an empty parent; write_atomically needs a real directory.
        Some(path) if path.parent() == Some(Path::new("")) => {
            write_atomically(&Path::new(".").join(path), text.as_bytes())
        }
        Some(path) => write_atomically(path, text.as_bytes()),
        None => data(text.as_bytes()).context("write", Path::new("standard output")),
    }
}
