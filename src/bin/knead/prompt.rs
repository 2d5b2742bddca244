//! How a question is put to the learner: inquire's prompts in a terminal, or numbered lines on
//! stdin/stdout in plain mode (scripts, screen readers, CI, tests).

use std::io::{BufRead, Write};

use inquire::error::InquireError;
use inquire::{Select, Text};
use knead::deck::Verdict;
use knead::sm2::Grade;
use knead::study::session::DEFAULT_EASE;
use knead::text::terminal_safe;

/// An answer, the learner's wish to take back the previous answer (u), or to stop (q, end of
/// input, Esc, Ctrl-C).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply<T> {
    Answer(T),
    Undo,
    Quit,
}

pub trait Prompter {
    /// Whether the prompts for the next card offer to undo the previous answer.
    fn offer_undo(&mut self, available: bool);
    /// Shows a block of text (the card, the feedback, the summary).
    fn say(&mut self, text: &str);
    /// Waits until the learner wants to see the answer of a recall card.
    fn reveal(&mut self) -> Reply<()>;
    /// Asks for a self-grade, 0 to 5.
    fn grade(&mut self) -> Reply<Grade>;
    /// Asks which option is right; returns its 0-based index.
    fn choose(&mut self, options: &[String]) -> Reply<usize>;
    fn true_false(&mut self) -> Reply<bool>;
    fn verdict(&mut self) -> Reply<Verdict>;
    /// After a right auto-graded answer: how easy was it (3, 4 or 5)?
    fn ease(&mut self) -> Reply<Grade>;
}

fn grade(value: u8) -> Grade {
    Grade::try_from(value).expect("grades offered are 0-5")
}

/// Plain mode: prompts on `output`, one answer per line from `input`.
pub struct LinePrompter<R, W> {
    input: R,
    output: W,
    undo: bool,
}

impl<R: BufRead, W: Write> LinePrompter<R, W> {
    pub fn new(input: R, output: W) -> Self {
        LinePrompter {
            input,
            output,
            undo: false,
        }
    }

    /// Asks until `parse` accepts a line. `u` undoes (accepted even when not offered: the
    /// session then says there is nothing to undo); `q`, Esc or end of input quit. `prompt`
    /// ends with the keys it offers in brackets, e.g. "(1-3, q to quit):" or "(Enter = 4):".
    fn ask<T>(&mut self, prompt: &str, retry: &str, parse: impl Fn(&str) -> Option<T>) -> Reply<T> {
        let prompt = match (self.undo, prompt.rfind(')')) {
            (false, _) | (true, None) => prompt.to_owned(),
            (true, Some(_)) if prompt.contains("q to quit") => {
                prompt.replacen("q to quit", "u to undo, q to quit", 1)
            }
            (true, Some(close)) => format!("{}, u to undo{}", &prompt[..close], &prompt[close..]),
        };
        loop {
            let _ = write!(self.output, "{prompt} ");
            let _ = self.output.flush();
            let mut line = String::new();
            match self.input.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = writeln!(self.output);
                    return Reply::Quit;
                }
                Ok(_) => {}
            }
            let answer = line.trim();
            if answer.eq_ignore_ascii_case("q") || answer.starts_with('\u{1b}') {
                return Reply::Quit;
            }
            if answer.eq_ignore_ascii_case("u") {
                return Reply::Undo;
            }
            match parse(answer) {
                Some(value) => return Reply::Answer(value),
                None => {
                    let _ = writeln!(self.output, "{retry}");
                }
            }
        }
    }
}

fn number_in(answer: &str, range: std::ops::RangeInclusive<usize>) -> Option<usize> {
    answer.parse::<usize>().ok().filter(|n| range.contains(n))
}

impl<R: BufRead, W: Write> Prompter for LinePrompter<R, W> {
    fn offer_undo(&mut self, available: bool) {
        self.undo = available;
    }

    fn say(&mut self, text: &str) {
        let _ = writeln!(self.output, "{text}");
        let _ = self.output.flush();
    }

    fn reveal(&mut self) -> Reply<()> {
        self.ask("Press Enter to show the answer (q to quit):", "", |_| {
            Some(())
        })
    }

    fn grade(&mut self) -> Reply<Grade> {
        self.ask(
            "Grade your recall 0-5 (5 perfect, 4 hesitated, 3 hard, 2-0 wrong; q to quit):",
            "Type a whole number from 0 to 5, or q to quit.",
            |a| number_in(a, 0..=5).map(|n| grade(n as u8)),
        )
    }

    fn choose(&mut self, options: &[String]) -> Reply<usize> {
        for (number, option) in options.iter().enumerate() {
            let _ = writeln!(self.output, "  {}. {option}", number + 1);
        }
        let prompt = format!("Your answer (1-{}, q to quit):", options.len());
        let retry = format!("Type a number from 1 to {}, or q to quit.", options.len());
        self.ask(&prompt, &retry, |a| {
            number_in(a, 1..=options.len()).map(|n| n - 1)
        })
    }

    fn true_false(&mut self) -> Reply<bool> {
        self.ask(
            "True or false? (t/f, q to quit):",
            "Type t for true or f for false, or q to quit.",
            |a| match a.to_ascii_lowercase().as_str() {
                "t" | "true" => Some(true),
                "f" | "false" => Some(false),
                _ => None,
            },
        )
    }

    fn verdict(&mut self) -> Reply<Verdict> {
        self.ask(
            "Verdict (1 Suitable, 2 Adapt, 3 Avoid, 4 Refer; q to quit):",
            "Type a number from 1 to 4, or q to quit.",
            |a| number_in(a, 1..=4).map(|n| Verdict::ALL[n - 1]),
        )
    }

    fn ease(&mut self) -> Reply<Grade> {
        self.ask(
            "How easy was it? 3 hard, 4 good, 5 easy (Enter = 4):",
            "Type 3, 4 or 5 (or just Enter for 4), or q to quit.",
            |a| match a {
                "" => Some(grade(DEFAULT_EASE)),
                _ => number_in(a, 3..=5).map(|n| grade(n as u8)),
            },
        )
    }
}

/// Terminal mode: inquire's interactive prompts (drawn on stderr). When an answer can be
/// undone, every list ends with an [`UNDO_CHOICE`].
#[derive(Default)]
pub struct TerminalPrompter {
    undo: bool,
}

/// The last entry of every list while the previous answer can be taken back.
pub const UNDO_CHOICE: &str = "<- undo the previous answer";

fn from_inquire<T>(result: Result<T, InquireError>) -> Reply<T> {
    match result {
        Ok(value) => Reply::Answer(value),
        // Esc, Ctrl-C, a lost terminal: all end the session with progress saved.
        Err(_) => Reply::Quit,
    }
}

impl TerminalPrompter {
    /// Every list is asked here. inquire draws on the terminal itself, so the options (deck
    /// text: a Choice card's answers) are made terminal-safe before it sees them.
    fn select_index(&self, message: &str, options: Vec<String>, start: usize) -> Reply<usize> {
        let answers = options.len();
        let mut options: Vec<String> = options
            .iter()
            .map(|option| terminal_safe(option).into_owned())
            .collect();
        if self.undo {
            options.push(UNDO_CHOICE.to_owned());
        }
        let chosen = from_inquire(
            Select::new(&terminal_safe(message), options)
                .with_starting_cursor(start)
                .with_help_message(
                    "↑↓ to move or type to filter, Enter to answer, Esc to save and quit",
                )
                .raw_prompt()
                .map(|chosen| chosen.index),
        );
        match chosen {
            Reply::Answer(index) if index == answers => Reply::Undo,
            other => other,
        }
    }
}

impl Prompter for TerminalPrompter {
    fn offer_undo(&mut self, available: bool) {
        self.undo = available;
    }

    fn say(&mut self, text: &str) {
        errln!("{text}");
    }

    fn reveal(&mut self) -> Reply<()> {
        from_inquire(
            Text::new("Your answer (optional):")
                .with_help_message("Enter shows the answer; Esc saves and quits")
                .prompt()
                .map(|_| ()),
        )
    }

    fn grade(&mut self) -> Reply<Grade> {
        let options = Grade::all()
            .rev()
            .map(|g| format!("{g}  {}", g.meaning()))
            .collect();
        // Listed 5 down to 0; the cursor starts on 4.
        self.select_index("How well did you recall it?", options, 1)
            .map(|i| grade(5 - i as u8))
    }

    fn choose(&mut self, options: &[String]) -> Reply<usize> {
        self.select_index("Your answer:", options.to_vec(), 0)
    }

    fn true_false(&mut self) -> Reply<bool> {
        self.select_index("True or false?", vec!["True".into(), "False".into()], 0)
            .map(|i| i == 0)
    }

    fn verdict(&mut self) -> Reply<Verdict> {
        let options = Verdict::ALL
            .iter()
            .map(|v| format!("{}: {}", v.name(), v.meaning()))
            .collect();
        self.select_index("Verdict:", options, 0)
            .map(|i| Verdict::ALL[i])
    }

    fn ease(&mut self) -> Reply<Grade> {
        let options = vec!["5  easy".into(), "4  good".into(), "3  hard".into()];
        self.select_index("Right! How easy was it?", options, 1)
            .map(|i| grade(5 - i as u8))
    }
}

impl<T> Reply<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        match self {
            Reply::Answer(value) => Reply::Answer(f(value)),
            Reply::Undo => Reply::Undo,
            Reply::Quit => Reply::Quit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompter(input: &str) -> LinePrompter<&[u8], Vec<u8>> {
        LinePrompter::new(input.as_bytes(), Vec::new())
    }

    #[test]
    fn invalid_input_is_asked_again_and_never_counts() {
        let mut p = prompter("7\nx\n\n3\n");
        assert_eq!(
            p.choose(&["a".into(), "b".into(), "c".into()]),
            Reply::Answer(2)
        );
        let shown = String::from_utf8(p.output).unwrap();
        assert_eq!(shown.matches("Type a number from 1 to 3").count(), 3);
    }

    #[test]
    fn q_escape_and_end_of_input_all_quit() {
        assert_eq!(prompter("q\n").grade(), Reply::Quit);
        assert_eq!(prompter("\u{1b}\n").true_false(), Reply::Quit);
        assert_eq!(prompter("").verdict(), Reply::Quit);
        assert_eq!(prompter("").reveal(), Reply::Quit);
    }

    #[test]
    fn u_undoes_at_every_prompt_and_is_offered_only_when_possible() {
        assert_eq!(prompter("u\n").reveal(), Reply::Undo);
        assert_eq!(prompter("U\n").ease(), Reply::Undo);
        let mut p = prompter("u\n");
        p.offer_undo(true);
        assert_eq!(p.choose(&["a".into(), "b".into()]), Reply::Undo);
        let shown = String::from_utf8(p.output).unwrap();
        assert!(shown.contains("(1-2, u to undo, q to quit):"), "{shown}");
        let mut p = prompter("5\n");
        p.grade();
        let shown = String::from_utf8(p.output).unwrap();
        assert!(!shown.contains("undo"), "{shown}");
    }

    #[test]
    fn ease_defaults_to_four() {
        assert_eq!(prompter("\n").ease(), Reply::Answer(grade(4)));
        assert_eq!(prompter("2\n5\n").ease(), Reply::Answer(grade(5)));
    }

    #[test]
    fn verdicts_are_numbered_in_the_documented_order() {
        assert_eq!(prompter("2\n").verdict(), Reply::Answer(Verdict::Adapt));
        assert_eq!(prompter("4\n").verdict(), Reply::Answer(Verdict::Refer));
        assert_eq!(prompter("T\n").true_false(), Reply::Answer(true));
    }
}
