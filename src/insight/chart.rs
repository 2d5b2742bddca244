//! Charts and tables drawn with text: pure functions from numbers and a width (in terminal
//! columns) to lines. No line is wider than the width asked for, counted in display columns
//! (an accented name or a block character is one column), and no line ends in spaces. Nothing
//! relies on colour: bars, shades and labels carry the meaning. Text laid out here (deck titles,
//! card text) is made terminal-safe first ([`crate::text`]), so widths are those of what is shown.

use std::collections::HashMap;

use jiff::civil::Date;
use unicode_width::UnicodeWidthStr;

use crate::day::add_days;
use crate::text::terminal_safe;

/// Block characters from empty to full, in eighths.
const EIGHTHS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Heatmap shades: none, then four levels up to the busiest day.
pub const SHADES: [char; 5] = ['·', '░', '▒', '▓', '█'];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Columns `text` takes on a terminal.
pub fn width_of(text: &str) -> usize {
    text.width()
}

/// `text` cut to `width` columns, ending in `…` when something was cut.
pub fn truncate(text: &str, width: usize) -> String {
    let text = &*terminal_safe(text);
    if text.width() <= width {
        return text.to_owned();
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        cut.push(c);
        used += w;
    }
    if width > 0 {
        cut.push('…');
    }
    cut
}

/// A table's name cell cut to `width` columns. A card key (`deck/card`, maybe marked `! ` as
/// safety-critical) loses the end of its deck prefix first, `tech…/ms-hot-stone`, down to
/// `…/ms-hot-stone`, so the card id stays whole and `knead card` still takes what is shown;
/// anything else is cut at the end.
pub fn shorten_name(text: &str, width: usize) -> String {
    let text = &*terminal_safe(text);
    if text.width() <= width {
        return text.to_owned();
    }
    let (mark, key) = match text.strip_prefix("! ") {
        Some(key) => ("! ", key),
        None => ("", text),
    };
    if let Some((deck, card)) = key.rsplit_once('/') {
        // Room for the mark, at least `…` for the deck, and `/`.
        let fixed = mark.width() + card.width() + 1;
        if fixed < width {
            let deck = truncate(deck, width - fixed);
            return format!("{mark}{deck}/{card}");
        }
    }
    truncate(text, width)
}

/// `text` wrapped at word boundaries into lines of at most `width` columns, each starting with
/// `indent`: [`crate::text::wrap`], the one wrapping every screen uses.
pub fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    crate::text::wrap(text, width, indent)
}

/// `items` laid out left to right, `separator` between them, on as many lines as `width`
/// needs; lines after the first start with `indent`. An item wider than a line is cut.
pub fn flow(items: &[String], width: usize, indent: &str, separator: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for item in items {
        let item = &*terminal_safe(item);
        let start = if lines.is_empty() { "" } else { indent };
        if line.is_empty() {
            line = format!(
                "{start}{}",
                truncate(item, width.saturating_sub(start.width()))
            );
        } else if line.width() + separator.width() + item.width() <= width {
            line.push_str(separator);
            line.push_str(item);
        } else {
            lines.push(std::mem::take(&mut line));
            line = format!(
                "{indent}{}",
                truncate(item, width.saturating_sub(indent.width()))
            );
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The y-axis width, each column's width and how many values fit.
fn column_layout(values: &[u64], width: usize) -> (usize, usize, usize) {
    let max = values.iter().copied().max().unwrap_or(0);
    let prefix = max.to_string().len() + 2;
    let room = width.saturating_sub(prefix).max(1);
    let column_width = (room / values.len().max(1)).clamp(1, 3);
    (prefix, column_width, values.len().min(room / column_width))
}

/// How many of `values` a [`column_chart`] of `width` shows (the first ones).
pub fn columns_shown(values: &[u64], width: usize) -> usize {
    column_layout(values, width).2
}

/// A column chart: one column per value, `height` rows of eighth blocks (the largest value
/// fills them; any value above zero shows at least an eighth), a y axis labelled with the
/// largest value and 0, and `x_labels` (index of the value, text) under their columns where
/// they fit without overlapping. Values that do not fit `width` are left out: the chart keeps
/// the first ones.
pub fn column_chart(
    values: &[u64],
    x_labels: &[(usize, String)],
    width: usize,
    height: usize,
) -> Vec<String> {
    let (prefix, column_width, shown) = column_layout(values, width);
    let shown = &values[..shown];
    let max = values.iter().copied().max().unwrap_or(0);
    let label_width = prefix - 2;
    let bar_width = if column_width > 1 {
        column_width - 1
    } else {
        1
    };
    let levels = height as u64 * 8;
    let eighths: Vec<u64> = shown
        .iter()
        .map(|&value| match (value, max) {
            (0, _) | (_, 0) => 0,
            _ => ((u128::from(value) * u128::from(levels) + u128::from(max) / 2) / u128::from(max))
                .max(1) as u64,
        })
        .collect();
    let mut lines = Vec::new();
    for row in 0..height {
        let floor = (height - 1 - row) as u64 * 8;
        let (label, axis) = if row == 0 {
            (max.to_string(), '┤')
        } else {
            (String::new(), '│')
        };
        let mut line = format!("{label:>label_width$} {axis}");
        for &filled in &eighths {
            let block = EIGHTHS[filled.saturating_sub(floor).min(8) as usize];
            line.extend(std::iter::repeat_n(block, bar_width));
            if column_width > 1 {
                line.push(' ');
            }
        }
        lines.push(line.trim_end().to_owned());
    }
    lines.push(format!(
        "{:>label_width$} └{}",
        0,
        "─".repeat(shown.len() * column_width)
    ));
    let mut label_line = " ".repeat(prefix);
    for (index, text) in x_labels {
        let at = prefix + index * column_width;
        if *index < shown.len() && at >= label_line.width() && at + text.width() <= width {
            label_line.push_str(&" ".repeat(at - label_line.width()));
            label_line.push_str(text);
            label_line.push(' ');
        }
    }
    let label_line = label_line.trim_end();
    if !label_line.is_empty() {
        lines.push(label_line.to_owned());
    }
    lines
}

/// The Monday of the week `day` is in.
fn monday_of(day: Date) -> Date {
    let offset = i64::from(day.weekday().to_monday_zero_offset());
    add_days(day, -offset)
}

/// The first day a calendar of `weeks` weeks ending with the week of `today` shows.
pub fn calendar_start(today: Date, weeks: usize) -> Date {
    let back = 7 * (weeks.max(1) as i64 - 1);
    add_days(monday_of(today), -back)
}

/// Which shade (index into [`SHADES`]) a count gets when the busiest day has `max`.
fn shade_level(count: u64, max: u64) -> usize {
    if count == 0 || max == 0 {
        0
    } else {
        (count * 4).div_ceil(max).clamp(1, 4) as usize
    }
}

/// A review calendar: one row per weekday (Monday first), one column per week, the last
/// column the week of `today` (later days left blank); each day shaded by its count
/// relative to the busiest day, month names over the weeks they begin in, and a legend
/// giving each shade's range of counts.
pub fn heatmap(counts: &[(Date, u64)], today: Date, weeks: usize, width: usize) -> Vec<String> {
    let by_day: HashMap<Date, u64> = counts.iter().copied().collect();
    let start = calendar_start(today, weeks);
    let max = counts
        .iter()
        .filter(|(day, _)| *day >= start && *day <= today)
        .map(|(_, count)| *count)
        .max()
        .unwrap_or(0);
    let label = 4;
    let cell = if label + weeks * 3 <= width {
        3
    } else if label + weeks * 2 <= width {
        2
    } else {
        1
    };
    let shade_width = if cell == 1 { 1 } else { cell - 1 };
    let week_start = |week: usize| add_days(start, 7 * week as i64);

    let mut months = " ".repeat(label);
    for week in 0..weeks {
        let monday = week_start(week);
        let sunday = add_days(monday, 6);
        let first_of_month = if sunday.day() <= 7 {
            Some(sunday.month())
        } else if week == 0 {
            Some(monday.month())
        } else {
            None
        };
        if let Some(month) = first_of_month {
            let at = label + week * cell;
            let name = MONTHS[(month - 1) as usize];
            if at >= months.width() && at + name.width() <= width {
                months.push_str(&" ".repeat(at - months.width()));
                months.push_str(name);
            }
        }
    }
    let mut lines = vec![months.trim_end().to_owned()];
    for (row, weekday) in WEEKDAYS.iter().enumerate() {
        let mut line = format!("{weekday} ");
        for week in 0..weeks {
            let day = add_days(week_start(week), row as i64);
            let shade = if day > today {
                ' '
            } else {
                SHADES[shade_level(by_day.get(&day).copied().unwrap_or(0), max)]
            };
            line.extend(std::iter::repeat_n(shade, shade_width));
            if cell > 1 {
                line.push(' ');
            }
        }
        lines.push(line.trim_end().to_owned());
    }
    let mut legend = vec![format!("{} 0", SHADES[0])];
    for level in 1..=4u64 {
        // Counts c with ceil(4c / max) == level.
        let low = (level - 1) * max / 4 + 1;
        let high = level * max / 4;
        if low <= high {
            let range = if low == high {
                low.to_string()
            } else {
                format!("{low}-{high}")
            };
            legend.push(format!("{} {range}", SHADES[level as usize]));
        }
    }
    lines.extend(flow(&legend, width, "", "   "));
    lines
}

/// A table: a left-aligned first column (names) and right-aligned columns after it, two
/// spaces apart (one when two do not fit). When it still does not fit `width`, names are
/// shortened with `…` (to no fewer than 12 columns); when even that does not fit, each row
/// becomes its name on one line and its `HEADER value` pairs on indented lines below.
pub fn table(header: &[&str], rows: &[Vec<String>], width: usize) -> Vec<String> {
    table_left_aligned(header, 1, rows, width)
}

/// [`table`] with its first `left_aligned` columns (at least the first) aligned left.
pub fn table_left_aligned(
    header: &[&str],
    left_aligned: usize,
    rows: &[Vec<String>],
    width: usize,
) -> Vec<String> {
    const MIN_NAME: usize = 12;
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|c| terminal_safe(c).into_owned()).collect())
        .collect();
    let rows = &rows;
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (column, cell) in row.iter().enumerate().take(columns) {
            widths[column] = widths[column].max(cell.width());
        }
    }
    let rest_with = |gap: usize| widths[1..].iter().map(|w| w + gap).sum::<usize>();
    let gap = if widths[0] + rest_with(2) <= width {
        2
    } else {
        1
    };
    let rest = rest_with(gap);
    let name_width = widths[0].min(width.saturating_sub(rest));
    let cell = |row: &[String], column: usize| row.get(column).cloned().unwrap_or_default();
    if name_width >= widths[0].min(MIN_NAME) {
        let line = |cells: Vec<String>| {
            let mut line = shorten_name(&cells[0], name_width);
            line.push_str(&" ".repeat(name_width - line.width()));
            for (column, text) in cells.iter().enumerate().skip(1) {
                let pad = widths[column] - text.width();
                if column < left_aligned {
                    line.push_str(&" ".repeat(gap));
                    line.push_str(text);
                    line.push_str(&" ".repeat(pad));
                } else {
                    line.push_str(&" ".repeat(gap + pad));
                    line.push_str(text);
                }
            }
            line.trim_end().to_owned()
        };
        let mut lines = vec![line(header.iter().map(|h| h.to_string()).collect())];
        lines.extend(
            rows.iter()
                .map(|row| line((0..columns).map(|c| cell(row, c)).collect())),
        );
        return lines;
    }
    let mut lines = Vec::new();
    for row in rows {
        lines.push(truncate(&cell(row, 0), width));
        let pairs: Vec<String> = (1..columns)
            .map(|c| format!("{} {}", header[c], cell(row, c)))
            .collect();
        let pair_lines = flow(&pairs, width.saturating_sub(2), "", "   ");
        lines.extend(pair_lines.into_iter().map(|line| format!("  {line}")));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shortened_card_key_keeps_its_card_id_whole() {
        let key = "autoimmune-conditions/sle-definition";
        assert_eq!(shorten_name(key, 40), key);
        assert_eq!(shorten_name(key, 22), "autoim…/sle-definition");
        assert_eq!(shorten_name(key, 16), "…/sle-definition");
        assert_eq!(shorten_name(&format!("! {key}"), 18), "! …/sle-definition");
        // No room for the card id: cut at the end, as any other name.
        assert_eq!(shorten_name(key, 10), "autoimmun…");
        assert_eq!(shorten_name("technique-suitability", 10), "technique…");
    }

    proptest::proptest! {
        /// Whatever the key and the width: the name fits, and a card id that fits is kept
        /// whole after a deck prefix `knead card` resolves (the deck id's start, then `…`).
        #[test]
        fn a_shortened_key_fits_and_keeps_a_card_id_that_fits(
            deck in "[a-z][a-z-]{0,30}",
            card in "[a-z][a-z0-9-]{0,20}",
            critical: bool,
            width in 1usize..60,
        ) {
            let mark = if critical { "! " } else { "" };
            let key = format!("{mark}{deck}/{card}");
            let shown = shorten_name(&key, width);
            proptest::prop_assert!(shown.width() <= width, "{shown:?} wider than {width}");
            if mark.len() + card.len() + 1 < width {
                let (prefix, shown_card) = shown.rsplit_once('/').unwrap();
                proptest::prop_assert_eq!(shown_card, card.as_str());
                let prefix = prefix.strip_prefix(mark).unwrap();
                let start = prefix.strip_suffix('…').unwrap_or(prefix);
                proptest::prop_assert!(deck.starts_with(start), "{shown:?}");
            }
        }
    }

    fn fits(lines: &[String], width: usize) {
        for line in lines {
            assert!(
                line.width() <= width,
                "{} > {width}: {line:?}",
                line.width()
            );
            assert_eq!(line.trim_end(), line, "trailing spaces: {line:?}");
        }
    }

    #[test]
    fn truncation_counts_display_columns_and_marks_the_cut() {
        assert_eq!(truncate("Sjögren's syndrome", 9), "Sjögren'…");
        assert_eq!(truncate("short", 9), "short");
        assert_eq!(width_of(&truncate("Sjögren's syndrome", 9)), 9);
    }

    #[test]
    fn columns_scale_to_the_largest_value_and_never_hide_a_small_one() {
        let lines = column_chart(&[8, 4, 1, 0], &[(0, "a".into()), (2, "c".into())], 11, 2);
        assert_eq!(
            lines,
            ["8 ┤█", "  │█ █ ▂", "0 └────────", "   a   c"].map(String::from)
        );
    }

    #[test]
    fn columns_that_do_not_fit_are_left_out_from_the_end() {
        let values: Vec<u64> = (1..=50).collect();
        let lines = column_chart(&values, &[], 30, 3);
        fits(&lines, 30);
        assert_eq!(lines[3], format!(" 0 └{}", "─".repeat(26)));
    }

    #[test]
    fn tables_shorten_names_then_stack_rows_when_narrow() {
        let rows = vec![
            vec![
                "autoimmune-conditions".into(),
                "94% (52)".into(),
                "90% (1830)".into(),
            ],
            vec!["lupus".into(), "—".into(), "71% (14)".into()],
        ];
        let wide = table(&["DECK", "7 DAYS", "ALL"], &rows, 80);
        assert_eq!(
            wide,
            [
                "DECK                     7 DAYS         ALL",
                "autoimmune-conditions  94% (52)  90% (1830)",
                "lupus                         —    71% (14)",
            ]
            .map(String::from)
        );
        let shortened = table(&["DECK", "7 DAYS", "ALL"], &rows, 36);
        fits(&shortened, 36);
        assert_eq!(shortened[1], "autoimmune-cond… 94% (52) 90% (1830)");
        let stacked = table(&["DECK", "7 DAYS", "ALL"], &rows, 24);
        fits(&stacked, 24);
        assert_eq!(
            stacked,
            [
                "autoimmune-conditions",
                "  7 DAYS 94% (52)",
                "  ALL 90% (1830)",
                "lupus",
                "  7 DAYS —",
                "  ALL 71% (14)",
            ]
            .map(String::from)
        );
    }

    #[test]
    fn a_heatmap_legend_gives_each_shade_its_counts() {
        let today: Date = "2026-11-21".parse().unwrap();
        let counts = [
            ("2026-11-21", 8),
            ("2026-11-20", 1),
            ("2026-11-16", 5),
            ("2026-11-09", 2),
        ]
        .map(|(d, c)| (d.parse().unwrap(), c));
        let lines = heatmap(&counts, today, 2, 40);
        assert_eq!(
            lines,
            [
                "    Nov",
                "Mon ░░ ▓▓",
                "Tue ·· ··",
                "Wed ·· ··",
                "Thu ·· ··",
                "Fri ·· ░░",
                "Sat ·· ██",
                "Sun ··",
                "· 0   ░ 1-2   ▒ 3-4   ▓ 5-6   █ 7-8",
            ]
            .map(String::from)
        );
    }

    #[test]
    fn deck_text_is_escaped_before_it_is_measured() {
        let hostile = "Title\u{200B}\u{202E} \x1b]0;PWNED\x07 and \x1b[2J more words to wrap";
        let mut lines = wrap(hostile, 30, "  ");
        lines.extend(table(
            &["DECK", "ALL"],
            &[vec![hostile.to_owned(), "1".to_owned()]],
            30,
        ));
        lines.extend(flow(&[hostile.to_owned(), "x".to_owned()], 30, "", ", "));
        lines.push(truncate(hostile, 12));
        fits(&lines, 30);
        let all = lines.join("\n");
        assert!(crate::text::is_terminal_safe(&all), "{all:?}");
        assert!(all.contains("Title<U+200B><U+202E>"), "{all}");
    }

    #[test]
    fn flowing_items_wraps_between_them() {
        let items: Vec<String> = ["one", "two", "three"].map(String::from).to_vec();
        assert_eq!(flow(&items, 9, "  ", ", "), ["one, two", "  three"]);
    }
}
