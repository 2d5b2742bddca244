//! Word wrapping: the one way text is laid out to a terminal's width, for the study screens,
//! `knead show`, `knead card` and `knead stats`. Lines break between words, never inside one
//! (unless a single word is wider than the line), widths are counted in display columns, text
//! is made terminal-safe before it is measured, and no line ends in spaces.

use unicode_width::UnicodeWidthStr;

use super::terminal_safe;

/// `text` wrapped at word boundaries into lines of at most `width` columns, each starting with
/// `indent` (a word longer than a line is broken).
pub fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    wrap_hanging(text, width, indent, indent)
}

/// `text` wrapped at word boundaries into lines of at most `width` columns: the first starts
/// with `first`, the others with `rest` (a hanging indent, e.g. under an option's text). A
/// word is broken only when it alone is wider than a line.
pub fn wrap_hanging(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let text = &*terminal_safe(text);
    let widest_indent = first.width().max(rest.width());
    // Never at hyphens: dates, deck ids and card ids stay whole.
    let options = textwrap::Options::new(width.max(widest_indent + 1))
        .initial_indent(first)
        .subsequent_indent(rest)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(text, options)
        .into_iter()
        .map(|line| line.trim_end().to_owned())
        .collect()
}

/// Every line of `block` wrapped to `width` columns. A list item (`1. `, `2) `, `* `, `- `
/// after optional spaces) keeps its continuation lines under its text; other lines keep their
/// leading spaces on every line. Blank lines stay.
pub fn wrap_block(block: &str, width: usize) -> String {
    let mut lines = Vec::new();
    for line in block.split('\n') {
        if line.trim().is_empty() {
            lines.push(String::new());
            continue;
        }
        let (prefix, body) = line.split_at(list_prefix_len(line));
        let hanging = " ".repeat(prefix.width());
        let leading = &prefix[..prefix.len() - prefix.trim_start().len()];
        let first = if prefix.trim().is_empty() {
            leading
        } else {
            prefix
        };
        let rest = if prefix.trim().is_empty() {
            leading
        } else {
            hanging.as_str()
        };
        lines.extend(wrap_hanging(body, width, first, rest));
    }
    lines.join("\n")
}

/// Length in bytes of `line`'s leading spaces and list markers (each with the spaces after
/// it): `  1. `, `- `, and both in `  * 2. ` (an option marked as the answer).
fn list_prefix_len(line: &str) -> usize {
    let mut end = line.len() - line.trim_start_matches(' ').len();
    for _ in 0..2 {
        let rest = &line[end..];
        let marker = if let Some(after) = rest.strip_prefix(['*', '-']) {
            after.starts_with(' ').then_some(1)
        } else {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let after = &rest[digits..];
            (digits > 0 && (after.starts_with(". ") || after.starts_with(") ")))
                .then_some(digits + 1)
        };
        let Some(marker) = marker else { break };
        let after = &rest[marker..];
        end += marker + (after.len() - after.trim_start_matches(' ').len());
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn breaks_between_words_and_never_inside_one() {
        let text = "Which sign needs a referral before massage throughout the body (skin, joints)?";
        let lines = wrap(text, 30, "");
        assert_eq!(
            lines,
            [
                "Which sign needs a referral",
                "before massage throughout the",
                "body (skin, joints)?"
            ]
        );
    }

    #[test]
    fn list_items_hang_under_their_text() {
        let block = "Pick one:\n  1. Refer the client before any massage work today\n  2. Adapt";
        assert_eq!(
            wrap_block(block, 24),
            "Pick one:\n  1. Refer the client\n     before any massage\n     work today\n  2. Adapt"
        );
        assert_eq!(
            wrap_block("- one two three four", 10),
            "- one two\n  three\n  four"
        );
        assert_eq!(wrap_block("\nA\n\nB", 10), "\nA\n\nB");
    }

    #[test]
    fn plain_numbers_and_dates_are_not_list_markers() {
        assert_eq!(list_prefix_len("2026-12-20 is a day"), 0);
        assert_eq!(list_prefix_len("  12) twelve"), 6);
        assert_eq!(list_prefix_len("*bold*"), 0);
        assert_eq!(list_prefix_len("  * 2. the answer"), 7);
    }

    fn words(text: &str) -> Vec<&str> {
        text.split_whitespace().collect()
    }

    proptest! {
        /// Wrapped text keeps every word whole and in order, and no line passes the width
        /// (every word here fits a line: 14 columns less the 5 of a list item's marker).
        #[test]
        fn no_line_passes_the_width_and_no_word_is_broken(
            text in "([a-zé]{1,9}[ \n]{1,2}){0,40}",
            width in 14usize..130,
            numbered in any::<bool>(),
        ) {
            let block = if numbered { format!("  3. {text}") } else { text.clone() };
            let wrapped = wrap_block(&block, width);
            for line in wrapped.lines() {
                prop_assert!(line.width() <= width, "{line:?} is wider than {width}");
                prop_assert_eq!(line.trim_end(), line);
            }
            prop_assert_eq!(words(&wrapped), words(&block));
        }
    }
}
