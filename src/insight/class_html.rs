//! The class report as one self-contained HTML page: inline CSS and SVG bar charts, no
//! script, nothing fetched, so an instructor can open it offline or post it as it is. Cards
//! are listed hardest first. All text from decks and reports is HTML-escaped.

use std::fmt::Write;

use crate::deck::Deck;
use crate::insight::class::{CardResult, ClassSummary, GroupRetention};

/// How many cards the chart shows (the table lists them all).
const CHART_CARDS: usize = 30;

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2430;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d5dae1}
.meta{color:#5a6472}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{padding:.35rem .5rem;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.fix{background:#fff6e5;border-left:4px solid #d98b00;padding:.5rem 1rem;margin:.5rem 0}
.fix ul{margin:.2rem 0}.q{color:#5a6472;font-size:.9em}svg text{font:12px system-ui,sans-serif;fill:#1d2430}
@media print{body{margin:0}}
";

/// The page.
pub fn to_html(summary: &ClassSummary, decks: &[Deck]) -> String {
    let mut page = String::new();
    let title = format!("Class report: {}", summary.classes.join(", "));
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    let deck_names: Vec<String> = decks
        .iter()
        .map(|d| format!("{} (version {})", d.title, d.version))
        .collect();
    let _ = writeln!(
        page,
        "<p class=\"meta\">{} student{} &middot; {} &middot; made by knead {}</p>",
        summary.students,
        if summary.students == 1 { "" } else { "s" },
        escape(&deck_names.join(", ")),
        env!("CARGO_PKG_VERSION")
    );

    page.push_str("<h2 id=\"to-fix\">Cards to fix</h2>\n");
    if summary.to_fix.is_empty() {
        page.push_str("<p>No card stands out.</p>\n");
    }
    for fix in &summary.to_fix {
        let question = summary
            .cards
            .iter()
            .find(|c| c.deck == fix.deck && c.item == fix.item)
            .map(|c| c.question.as_str())
            .unwrap_or("");
        let _ = write!(
            page,
            "<div class=\"fix\"><strong>{}/{}</strong> <span class=\"q\">{}</span><ul>",
            escape(&fix.deck),
            escape(&fix.item),
            escape(question)
        );
        for reason in &fix.reasons {
            let _ = write!(page, "<li>{}</li>", escape(&reason.text()));
        }
        page.push_str("</ul></div>\n");
    }

    page.push_str("<h2 id=\"chart\">First-try correct, hardest first</h2>\n");
    page.push_str(&bar_chart(
        summary
            .cards
            .iter()
            .take(CHART_CARDS)
            .map(|c| (format!("{}/{}", c.deck, c.item), c.first_right_percent)),
        "First-try correct per card",
    ));

    page.push_str("<h2 id=\"cards\">Every card</h2>\n");
    let _ = writeln!(
        page,
        "<p class=\"meta\">Discrimination: {}. Below 0.2 is poor; below 0, students who do worse overall do better on the card.</p>",
        escape(summary.discrimination_method)
    );
    page.push_str("<table id=\"cards-table\">\n<thead><tr><th>Card</th><th>Question</th><th>Met</th><th>First try</th><th>Most chosen wrong option</th><th>Median time</th><th>Leeches</th><th>Discrimination</th></tr></thead>\n<tbody>\n");
    for card in &summary.cards {
        page.push_str(&card_row(card));
    }
    page.push_str("</tbody>\n</table>\n");

    for (id, heading, groups) in [
        ("decks", "Retention by deck", &summary.decks),
        ("tags", "Retention by tag", &summary.tags),
    ] {
        if groups.is_empty() {
            continue;
        }
        let _ = writeln!(page, "<h2 id=\"{id}\">{heading}</h2>");
        page.push_str(&bar_chart(
            groups.iter().map(|g| (g.name.clone(), g.retention_percent)),
            heading,
        ));
        let _ = writeln!(
            page,
            "<table id=\"{id}-table\">\n<thead><tr><th>Name</th><th>Retention</th><th>Reviews</th><th>Students</th></tr></thead>\n<tbody>"
        );
        for group in groups.iter() {
            page.push_str(&group_row(group));
        }
        page.push_str("</tbody>\n</table>\n");
    }
    page.push_str("</body>\n</html>\n");
    page
}

fn card_row(card: &CardResult) -> String {
    format!(
        "<tr><td>{}/{}</td><td class=\"q\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
        escape(&card.deck),
        escape(&card.item),
        escape(&card.question),
        card.met,
        percent(card.first_right_percent),
        card.wrong_choice
            .as_ref()
            .map_or(String::new(), |w| format!(
                "{} ({}%)",
                escape(&w.option),
                w.percent
            )),
        card.median_ms
            .map_or("—".into(), |ms| crate::text::duration(
                std::time::Duration::from_millis(ms)
            )),
        card.leeches,
        card.discrimination
            .map_or("—".into(), |d| format!("{d:.2}")),
    )
}

fn group_row(group: &GroupRetention) -> String {
    format!(
        "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
        escape(&group.name),
        percent(group.retention_percent),
        group.reviews,
        group.students
    )
}

fn percent(value: Option<u64>) -> String {
    value.map_or("—".into(), |p| format!("{p}%"))
}

/// A horizontal bar chart of percentages, one bar per row, as inline SVG.
fn bar_chart(rows: impl Iterator<Item = (String, Option<u64>)>, label: &str) -> String {
    const ROW: usize = 22;
    const LABEL: usize = 260;
    const BAR: usize = 400;
    let rows: Vec<(String, Option<u64>)> = rows.collect();
    let height = rows.len() * ROW + 8;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"{}\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\" xmlns=\"http://www.w3.org/2000/svg\">\n",
        escape(label),
        LABEL + BAR + 60,
        LABEL + BAR + 60
    );
    for (index, (name, value)) in rows.iter().enumerate() {
        let y = index * ROW + 4;
        let short: String = name.chars().take(38).collect();
        let width = value.map_or(0, |p| p as usize * BAR / 100);
        let colour = match value {
            Some(p) if *p < 50 => "#c0392b",
            Some(p) if *p < 80 => "#d98b00",
            _ => "#2e7d4f",
        };
        let _ = writeln!(
            svg,
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"{LABEL}\" y=\"{y}\" width=\"{BAR}\" height=\"16\" fill=\"#eef1f4\"/><rect x=\"{LABEL}\" y=\"{y}\" width=\"{width}\" height=\"16\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            y + 13,
            escape(&short),
            LABEL + BAR + 6,
            y + 13,
            percent(*value)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Text as HTML shows it, quotes escaped too (it also goes into attributes).
fn escape(text: &str) -> String {
    htmlize::escape_attribute(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deck_text_cannot_become_markup() {
        assert_eq!(
            escape("<script>alert(\"x\")</script> & 'y'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 'y'"
        );
    }
}
