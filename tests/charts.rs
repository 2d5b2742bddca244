//! The text charts pinned at the two widths knead promises to stay readable at: 80 and 40
//! columns. Regenerate a snapshot after a deliberate change with `SNAPSHOTS=overwrite`.

use std::path::Path;

use jiff::Span;
use jiff::civil::Date;
use knead::insight::chart;

/// A busy 30-day forecast (a backlog today, weekly peaks, a quiet tail) and twelve weeks of
/// answers across three months (a missed week, a busy exam run-up), the same every run.
fn charts(width: usize) -> String {
    let today: Date = "2026-11-21".parse().unwrap();
    let forecast: Vec<u64> = (0..30u64)
        .map(|d| match d {
            0 => 148,
            _ if d % 7 == 3 => 90 + d,
            _ => (d * 37 % 41) + d / 3,
        })
        .collect();
    let labels: Vec<(usize, String)> = (0..30)
        .step_by(7)
        .map(|d| {
            let day = today.checked_add(Span::new().days(d as i64)).unwrap();
            (d, format!("{:02}-{:02}", day.month(), day.day()))
        })
        .collect();
    let start = chart::calendar_start(today, 12);
    let answers: Vec<(Date, u64)> = (0..84i64)
        .map(|d| start.checked_add(Span::new().days(d)).unwrap())
        .filter(|day| *day <= today)
        .map(|day| {
            let n = i64::from((today - day).get_days());
            let count = match n {
                21..=27 => 0,
                0..=6 => 120 - n as u64 * 7,
                _ if n % 6 == 5 => 0,
                _ => (n as u64 * 13) % 70,
            };
            (day, count)
        })
        .collect();
    let mut lines = chart::column_chart(&forecast, &labels, width, 8);
    lines.push(String::new());
    lines.extend(chart::heatmap(&answers, today, 12, width));
    lines.join("\n") + "\n"
}

fn snapshot(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name)
}

#[test]
fn charts_at_80_and_40_columns() {
    for width in [80, 40] {
        let text = charts(width);
        for line in text.lines() {
            assert!(line.chars().count() <= width, "{line:?}");
        }
        let expected = snapshot(&format!("charts-{width}.txt"));
        snapbox::assert_data_eq!(text, snapbox::Data::read_from(&expected, None));
    }
}
