//! How a question is put to the learner: inquire's prompts in a terminal, or numbered lines on
//! stdin/stdout in plain mode (scripts, screen readers, CI, tests).

use std::io::{BufRead, Write};

use inquire::error::InquireError;
use inquire::{Select, Text};
use knead::deck::Verdict;
use knead::insight::chart::truncate;
use knead::sm2::Grade;
use knead::study::session::DEFAULT_EASE;
use knead::text::wrap_block;

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
    /// Before a list that may scroll the card away: the question, restated compactly when the
    /// screen is short.
    fn restate(&mut self, _question: &str) {}
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

/// Plain mode: prompts on `output`, one answer per line from `input`, every line wrapped at
/// word boundaries to `width` columns.
pub struct LinePrompter<R, W> {
    input: R,
    output: W,
    undo: bool,
    width: usize,
}

impl<R: BufRead, W: Write> LinePrompter<R, W> {
    pub fn new(input: R, output: W, width: usize) -> Self {
        LinePrompter {
            input,
            output,
            undo: false,
            width,
        }
    }

    /// `text` naming the undo key too when an undo is offered: "q to quit" becomes "u to undo,
    /// q to quit".
    fn with_undo(&self, text: &str) -> String {
        match self.undo && !text.contains("u to undo") {
            true => text.replacen("q to quit", "u to undo, q to quit", 1),
            false => text.to_owned(),
        }
    }

    /// Writes `text` wrapped to the width, ending with a newline.
    fn write_wrapped(&mut self, text: &str) {
        let _ = writeln!(self.output, "{}", wrap_block(text, self.width));
    }

    /// Asks until `parse` accepts a line. `u` undoes (accepted even when not offered: the
    /// session then says there is nothing to undo); `q`, Esc or end of input quit. `prompt` and
    /// `retry` name the keys they offer, with "q to quit" last.
    fn ask<T>(&mut self, prompt: &str, retry: &str, parse: impl Fn(&str) -> Option<T>) -> Reply<T> {
        // Every prompt and every re-prompt names every key that works.
        let prompt = self.with_undo(prompt);
        let retry = self.with_undo(retry);
        let retry = retry.as_str();
        // The answer is typed after the prompt's last line (and a space, within the width).
        let prompt = wrap_block(&prompt, self.width.saturating_sub(1));
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
                None => self.write_wrapped(retry),
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
        self.write_wrapped(text);
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
            self.write_wrapped(&format!("  {}. {option}", number + 1));
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
            "Type a number from 1 to 4 or a verdict's name (Suitable, Adapt, Avoid, Refer), or q to quit.",
            |a| {
                number_in(a, 1..=4)
                    .map(|n| Verdict::ALL[n - 1])
                    .or_else(|| Verdict::ALL.into_iter().find(|v| v.name().eq_ignore_ascii_case(a)))
            },
        )
    }

    fn ease(&mut self) -> Reply<Grade> {
        self.ask(
            "Correct. How easy was it? 3 hard, 4 good, 5 easy (Enter = 4, q to quit):",
            "Type 3, 4 or 5 (or just Enter for 4), or q to quit.",
            |a| match a {
                "" => Some(grade(DEFAULT_EASE)),
                _ => number_in(a, 3..=5).map(|n| grade(n as u8)),
            },
        )
    }
}

/// Terminal mode: inquire's interactive prompts (drawn on stderr). Options are numbered and a
/// number picks one; while an answer can be undone, typing `u` shows the undo entry (it is never
/// in the list otherwise, so moving up or down never lands on it).
pub struct TerminalPrompter {
    undo: bool,
    width: usize,
    /// Rows of the terminal, when known: a short one gets the question restated above a list.
    rows: Option<u16>,
}

/// The entry typing `u` shows while the previous answer can be taken back.
pub const UNDO_CHOICE: &str = "u: undo the previous answer";
/// The entry shown when what was typed matches no option.
pub const NO_MATCH: &str = "No option matches: Backspace to edit, or type a number";
/// A terminal with fewer rows than this scrolls the question away while a list is shown.
const SHORT_TERMINAL_ROWS: u16 = 25;

fn from_inquire<T>(result: Result<T, InquireError>) -> Reply<T> {
    match result {
        Ok(value) => Reply::Answer(value),
        // Esc, Ctrl-C, a lost terminal: all end the session with progress saved.
        Err(_) => Reply::Quit,
    }
}

/// Which entries of an interactive list show for what the learner typed: a number picks its
/// option, `u` the undo entry (when offered), anything else filters the options fuzzily; when
/// nothing matches, the "no option matches" entry says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entry {
    /// The option at this 0-based index.
    Option(usize),
    Undo,
    NoMatch,
}

fn entry_shows(typed: &str, entry: Entry, labels: &[String], undo: bool) -> Option<i64> {
    let typed = typed.trim();
    let option_score = |index: usize| -> Option<i64> {
        if typed.is_empty() {
            Some(0)
        } else if typed.chars().all(|c| c.is_ascii_digit()) {
            (typed.parse::<usize>().ok() == Some(index + 1)).then_some(0)
        } else {
            Select::<String>::DEFAULT_SCORER(typed, &labels[index], &labels[index], index)
        }
    };
    let undo_shows = undo && typed.eq_ignore_ascii_case("u");
    match entry {
        Entry::Option(index) => option_score(index),
        Entry::Undo => undo_shows.then_some(0),
        Entry::NoMatch => (!typed.is_empty()
            && !undo_shows
            && (0..labels.len()).all(|index| option_score(index).is_none()))
        .then_some(0),
    }
}

impl TerminalPrompter {
    pub fn new(width: usize, rows: Option<u16>) -> Self {
        TerminalPrompter {
            undo: false,
            width,
            rows,
        }
    }

    fn help(&self, long: &'static str, short: &'static str) -> &'static str {
        if long.chars().count() <= self.width {
            long
        } else {
            short
        }
    }

    /// Every list is asked here. inquire draws on the terminal itself, so the options (deck
    /// text: a Choice card's answers) are made terminal-safe before it sees them, numbered, and
    /// cut to one line each (`choose` prints long ones in full first).
    fn select_index(&self, message: &str, options: Vec<String>, start: usize) -> Reply<usize> {
        let labels: Vec<String> = options
            .iter()
            .enumerate()
            // inquire puts two columns before each option.
            .map(|(number, option)| {
                truncate(
                    &format!("{}. {option}", number + 1),
                    self.width.saturating_sub(3),
                )
            })
            .collect();
        let mut entries: Vec<Entry> = (0..labels.len()).map(Entry::Option).collect();
        entries.extend([Entry::Undo, Entry::NoMatch]);
        let shown: Vec<String> = entries
            .iter()
            .map(|entry| match entry {
                Entry::Option(index) => labels[*index].clone(),
                Entry::Undo => UNDO_CHOICE.to_owned(),
                Entry::NoMatch => NO_MATCH.to_owned(),
            })
            .collect();
        let undo = self.undo;
        let scorer = |typed: &str, _: &String, _: &str, index: usize| {
            entry_shows(typed, entries[index], &labels, undo)
        };
        // Stable: options keep their order when they score the same.
        let sorter = |scored: &mut [(usize, i64)]| {
            scored.sort_by_key(|&(index, score)| (std::cmp::Reverse(score), index));
        };
        let help = match undo {
            true => self.help(
                "↑↓ or a number, Enter to answer, u to undo, Esc to save and quit",
                "number + Enter; u undo; Esc quits",
            ),
            false => self.help(
                "↑↓ or a number, Enter to answer, Esc to save and quit",
                "number + Enter; Esc quits",
            ),
        };
        let message = truncate(message, self.width.saturating_sub(3));
        loop {
            let chosen = from_inquire(
                Select::new(&message, shown.clone())
                    .with_starting_cursor(start)
                    // The cursor stays where it starts when the scorer first hides the undo
                    // and no-match entries.
                    .with_reset_cursor(false)
                    .with_scorer(&scorer)
                    .with_sorter(&sorter)
                    .with_help_message(help)
                    .raw_prompt()
                    .map(|chosen| entries[chosen.index]),
            );
            return match chosen {
                Reply::Answer(Entry::Option(index)) => Reply::Answer(index),
                Reply::Answer(Entry::Undo) => Reply::Undo,
                Reply::Answer(Entry::NoMatch) => continue,
                Reply::Undo => Reply::Undo,
                Reply::Quit => Reply::Quit,
            };
        }
    }
}

impl Prompter for TerminalPrompter {
    fn offer_undo(&mut self, available: bool) {
        self.undo = available;
    }

    fn say(&mut self, text: &str) {
        errln!("{}", wrap_block(text, self.width));
    }

    fn restate(&mut self, question: &str) {
        if self.rows.is_some_and(|rows| rows < SHORT_TERMINAL_ROWS) {
            errln!("{}", truncate(&format!("Q: {question}"), self.width));
        }
    }

    fn reveal(&mut self) -> Reply<()> {
        let help = match self.undo {
            true => self.help(
                "Enter shows the answer; u then Enter undoes; Esc saves and quits",
                "Enter: answer; u: undo; Esc: quit",
            ),
            false => self.help(
                "Enter shows the answer; Esc saves and quits",
                "Enter: answer; Esc: quit",
            ),
        };
        match from_inquire(
            Text::new("Your answer (optional):")
                .with_help_message(help)
                .prompt(),
        ) {
            Reply::Answer(typed) if self.undo && typed.trim().eq_ignore_ascii_case("u") => {
                Reply::Undo
            }
            other => other.map(|_| ()),
        }
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
        // An option too long for one line of the list is read in full here first.
        let too_long = options
            .iter()
            .enumerate()
            .any(|(n, option)| format!("{}. {option}", n + 1).chars().count() + 3 > self.width);
        if too_long {
            let listed: Vec<String> = options
                .iter()
                .enumerate()
                .map(|(n, option)| format!("  {}. {option}", n + 1))
                .collect();
            self.say(&listed.join("\n"));
        }
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
        LinePrompter::new(input.as_bytes(), Vec::new(), 80)
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
    fn a_number_shows_its_option_u_the_undo_entry_and_nothing_matching_says_so() {
        let labels: Vec<String> = ["1. Refer", "2. Adapt", "3. Avoid"]
            .map(String::from)
            .to_vec();
        let shown = |typed: &str, undo: bool| -> Vec<Entry> {
            let mut entries: Vec<Entry> = (0..labels.len()).map(Entry::Option).collect();
            entries.extend([Entry::Undo, Entry::NoMatch]);
            entries
                .into_iter()
                .filter(|&entry| entry_shows(typed, entry, &labels, undo).is_some())
                .collect()
        };
        let options = [Entry::Option(0), Entry::Option(1), Entry::Option(2)];
        assert_eq!(shown("", true), options, "undo is never in the plain list");
        assert_eq!(shown("2", false), [Entry::Option(1)]);
        assert_eq!(shown("9", false), [Entry::NoMatch]);
        assert_eq!(shown("u", true), [Entry::Undo]);
        assert_eq!(shown("adapt", true), [Entry::Option(1)]);
        assert_eq!(shown("zzz", true), [Entry::NoMatch]);
    }

    #[test]
    fn re_prompts_name_every_key_and_verdicts_may_be_named() {
        let mut p = prompter("maybe\nrefer\n");
        p.offer_undo(true);
        assert_eq!(p.verdict(), Reply::Answer(Verdict::Refer));
        let shown = String::from_utf8(p.output).unwrap().replace('\n', " ");
        assert!(
            shown.contains(
                "or a verdict's name (Suitable, Adapt, Avoid, Refer), or u to undo, q to quit."
            ),
            "{shown}"
        );
        let mut p = prompter("x\n\n");
        assert_eq!(p.ease(), Reply::Answer(grade(4)));
        let shown = String::from_utf8(p.output).unwrap();
        assert!(shown.starts_with("Correct. How easy was it?"), "{shown}");
        assert!(shown.contains("(Enter = 4, q to quit):"), "{shown}");
    }

    #[test]
    fn plain_prompts_wrap_to_the_width() {
        let mut p = LinePrompter::new("1\n".as_bytes(), Vec::new(), 30);
        let long = "an option long enough to need a second line".to_owned();
        assert_eq!(p.choose(&[long, "short".into()]), Reply::Answer(0));
        let shown = String::from_utf8(p.output).unwrap();
        assert!(
            shown.starts_with("  1. an option long enough to\n     need a second line\n"),
            "{shown}"
        );
        assert!(
            shown
                .lines()
                .all(|line| line.trim_end().chars().count() <= 30),
            "{shown}"
        );
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
