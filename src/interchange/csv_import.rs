//! A spreadsheet saved as CSV: a header row naming the columns, then one card per row.
//!
//! Columns are found by name (any order, any case): `front` and `back` are required; `why`,
//! `source`, `tags`, `id` and `critical` are optional. The separator is the one of `,` `;`
//! and tab that the header row uses most (spreadsheets in some locales save with `;`).

use crate::deck::diagnostic::Diagnostic;
use crate::deck::suggestion;
use crate::limits::MAX_CARDS;

use super::table::{self, Record, SourceFile};
use super::{BOM, Located, Parsed, Row, clean, split_located};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Front,
    Back,
    Why,
    Source,
    Tags,
    Id,
    Critical,
}

const COLUMNS: [(&str, Column); 7] = [
    ("front", Column::Front),
    ("back", Column::Back),
    ("why", Column::Why),
    ("source", Column::Source),
    ("tags", Column::Tags),
    ("id", Column::Id),
    ("critical", Column::Critical),
];

const NAMES: [&str; 7] = ["front", "back", "why", "source", "tags", "id", "critical"];

pub(crate) fn read(file: &SourceFile) -> Result<Parsed, Vec<Diagnostic>> {
    let from = if file.bytes.starts_with(BOM) {
        BOM.len()
    } else {
        0
    };
    let delimiter = sniff_delimiter(&file.bytes[from..]);
    let mut records = table::records(file.bytes, from, delimiter);
    let Some(header) = records.next() else {
        return Ok(Parsed::default());
    };
    if let Some(problem) = header.limit_problem(file) {
        return Err(problem);
    }
    let columns = read_header(file, &header)?;
    let mut rows = Vec::new();
    for record in records.filter(|record| !record.is_blank()) {
        if rows.len() == MAX_CARDS {
            return Err(vec![super::too_many_rows(file, &record)]);
        }
        rows.push(read_row(file, &columns, &record, delimiter));
    }
    Ok(Parsed {
        rows,
        ..Parsed::default()
    })
}

fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| {
            let count = first_line.iter().filter(|&&b| b == d).count();
            // Ties go to the comma, the first candidate.
            (count, d == b',')
        })
        .unwrap_or(b',')
}

fn read_header(file: &SourceFile, header: &Record) -> Result<Vec<Column>, Vec<Diagnostic>> {
    let path = file.path;
    let mut problems = Vec::new();
    let mut columns = Vec::new();
    for field in &header.fields {
        let name = String::from_utf8_lossy(&field.bytes).trim().to_lowercase();
        let known = COLUMNS.iter().find(|(n, _)| *n == name).map(|(_, c)| *c);
        match known {
            Some(column) if columns.contains(&column) => problems.push(
                Diagnostic::error("K201", path, format!("column `{name}` is named twice"))
                    .with_mark(file.mark(field.at(), "second column with this name"))
                    .with_help("keep one column of each name"),
            ),
            Some(column) => columns.push(column),
            None => problems.push(
                Diagnostic::error("K201", path, format!("unknown column `{name}`"))
                    .with_mark(file.mark(field.at(), "not a column knead knows"))
                    .with_help(format!(
                        "{}; the first row must name the columns",
                        suggestion(&name, &NAMES, "the columns are")
                    )),
            ),
        }
    }
    for (required, name) in [(Column::Front, "front"), (Column::Back, "back")] {
        if problems.is_empty() && !columns.contains(&required) {
            problems.push(
                Diagnostic::error("K202", path, format!("there is no `{name}` column"))
                    .with_mark(file.mark(header.span.start..header.span.start, "header row"))
                    .with_help("the first row names the columns: front, back, and optionally why, source, tags, id, critical"),
            );
        }
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems)
    }
}

fn read_row(
    file: &SourceFile,
    columns: &[Column],
    record: &Record,
    delimiter: u8,
) -> Result<Row, Vec<Diagnostic>> {
    let path = file.path;
    if let Some(problem) = record.unclosed_quote_problem(file) {
        return Err(problem);
    }
    if let Some(problem) = record.limit_problem(file) {
        return Err(problem);
    }
    if record.fields.len() != columns.len() {
        let names: Vec<_> = columns.iter().map(|c| name(*c)).collect();
        let at = record
            .fields
            .get(columns.len())
            .map_or(record.span.start..record.span.start + 1, |f| f.at());
        let separator = if delimiter == b'\t' {
            "tab".to_owned()
        } else {
            format!("`{}`", delimiter as char)
        };
        return Err(vec![
            Diagnostic::error(
                "K203",
                path,
                format!(
                    "this row has {} fields; the header has {} ({})",
                    record.field_count,
                    columns.len(),
                    names.join(", ")
                ),
            )
            .with_mark(file.mark(at, "row here"))
            .with_help(format!(
                "put a field that contains the separator {separator} in double quotes (\"Fever, chills\"); leave a field empty rather than leaving it out"
            )),
        ]);
    }
    let mut row = Row {
        at: record.span.clone(),
        ..Row::default()
    };
    let mut problems = Vec::new();
    for (field, column) in record.fields.iter().zip(columns) {
        let text = match std::str::from_utf8(&field.bytes) {
            Ok(text) => clean(text),
            Err(error) => {
                let bad = field.start
                    + usize::from(file.bytes.get(field.start) == Some(&b'"'))
                    + error.valid_up_to();
                problems.push(
                    Diagnostic::error("K206", path, format!("the {} field is not UTF-8 text", name(*column)))
                        .with_mark(file.mark(bad..bad + 1, "this byte is not UTF-8"))
                        .with_help("save the spreadsheet as \"CSV UTF-8\" (in LibreOffice, choose the character set \"Unicode (UTF-8)\")"),
                );
                continue;
            }
        };
        let located = Located {
            text,
            at: field.at(),
        };
        match column {
            Column::Front => row.front = located,
            Column::Back => row.back = located,
            Column::Why => row.why = Some(located.text).filter(|t| !t.is_empty()),
            Column::Source => row.source = Some(located.text).filter(|t| !t.is_empty()),
            Column::Id => row.id = Some(located).filter(|id| !id.text.is_empty()),
            Column::Tags => row.tags = split_tags(file, field.start, &located.text),
            Column::Critical => match yes_or_no(&located.text) {
                Some(critical) => row.critical = critical,
                None => problems.push(
                    Diagnostic::error("K215", path, format!("`{}` is not yes or no", located.text))
                        .with_mark(file.mark(located.at, "critical?"))
                        .with_help("write yes (or true, 1, x) for a safety-critical card; leave it empty or write no otherwise"),
                ),
            },
        }
    }
    // An empty front or back still points at its column.
    for (column, target) in [
        (Column::Front, &mut row.front),
        (Column::Back, &mut row.back),
    ] {
        if let Some(index) = columns.iter().position(|c| *c == column) {
            target.at = record.fields[index].at();
        }
    }
    if problems.is_empty() {
        Ok(row)
    } else {
        Err(problems)
    }
}

fn name(column: Column) -> &'static str {
    COLUMNS
        .iter()
        .find(|(_, c)| *c == column)
        .map_or("?", |(n, _)| n)
}

fn yes_or_no(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "x" => Some(true),
        "" | "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// Tags are separated by commas or semicolons when the cell has any (so a tag may be
/// several words, later joined with '-'), otherwise by spaces as in Anki.
fn split_tags(file: &SourceFile, field_start: usize, text: &str) -> Vec<Located> {
    if text.contains([',', ';']) {
        split_located(file, field_start, text, |c| c == ',' || c == ';')
    } else {
        split_located(file, field_start, text, char::is_whitespace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Parsed, Vec<Diagnostic>> {
        read(&SourceFile::new("t.csv", text.as_bytes()))
    }

    #[test]
    fn columns_are_found_by_name_in_any_order() {
        let parsed = parse("Tags,Back,FRONT\nlupus,An autoimmune disease,What is SLE?\n").unwrap();
        let row = parsed.rows[0].as_ref().unwrap();
        assert_eq!(row.front.text, "What is SLE?");
        assert_eq!(row.back.text, "An autoimmune disease");
        assert_eq!(row.tags[0].text, "lupus");
        assert_eq!(row.why, None);
    }

    #[test]
    fn semicolons_are_used_when_the_header_uses_them() {
        let parsed = parse("front;back\nA, with comma;B\n").unwrap();
        assert_eq!(parsed.rows[0].as_ref().unwrap().front.text, "A, with comma");
    }

    #[test]
    fn a_misspelt_column_gets_a_suggestion() {
        let problems = parse("front,bakc\na,b\n").unwrap_err();
        assert_eq!(problems[0].code, "K201");
        assert!(
            problems[0]
                .help
                .as_deref()
                .unwrap()
                .contains("did you mean `back`")
        );
        assert_eq!(problems[0].location(), "t.csv:1:7");
        let missing = parse("front,why\na,b\n").unwrap_err();
        assert_eq!(missing[0].code, "K202");
    }

    #[test]
    fn tags_split_on_commas_or_semicolons_else_spaces() {
        let text = "front,back,tags\na,b,\"Red flag, lupus\"\nc,d,red-flag lupus\n";
        let file = SourceFile::new("t.csv", text.as_bytes());
        let parsed = read(&file).unwrap();
        let tags = |i: usize| -> Vec<String> {
            parsed.rows[i]
                .as_ref()
                .unwrap()
                .tags
                .iter()
                .map(|t| t.text.clone())
                .collect()
        };
        assert_eq!(tags(0), ["Red flag", "lupus"]);
        assert_eq!(tags(1), ["red-flag", "lupus"]);
        let lupus = &parsed.rows[0].as_ref().unwrap().tags[1];
        assert_eq!(&text[lupus.at.clone()], "lupus");
    }

    #[test]
    fn blank_rows_are_skipped_and_bad_rows_located() {
        let text = "front,back,critical\n,,\nonly one\nq,a,maybe\nq,\"a\n";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.rows.len(), 3);
        let codes: Vec<_> = parsed
            .rows
            .iter()
            .map(|r| r.as_ref().unwrap_err()[0].location() + " " + r.as_ref().unwrap_err()[0].code)
            .collect();
        assert_eq!(
            codes,
            ["t.csv:3:1 K203", "t.csv:4:5 K215", "t.csv:5:3 K214"]
        );
    }
}
