//! Anki's "Notes in Plain Text": reading such a file, and writing a knead deck as one.
//!
//! Written files are tab-separated with `#html:true`, one Basic note per card:
//!
//! ```text
//! #separator:tab
//! #html:true
//! #notetype:Basic
//! #deck:<deck title>
//! #guid column:1
//! #tags column:4
//! knead:<deck id>/<card id>  <front>  <back>  <tags>
//! ```
//!
//! The GUID ties each note to its card, so importing a corrected deck again updates the notes
//! in place. The back is the answer, then a `Why:` and a `Source:` section, each in a
//! `<div class=knead-...>`; a safety-critical card's front starts with a
//! `knead-critical` div. Card text is HTML-escaped, so it can never contain those markers,
//! and reading the file back recovers every part exactly.

use std::collections::{BTreeSet, HashMap};

use crate::deck::diagnostic::Diagnostic;
use crate::deck::{Card, Deck};
use crate::limits::{MAX_CARDS, MAX_TAGS};

use super::apkg::convert;
use super::table::{self, Record, SourceFile};
use super::{BOM, Located, Parsed, Row, clean, cloze_parts, face, html, split_located};

/// Whether an Anki note type name is one that makes a reverse card.
fn is_reversed(note_type: &str) -> bool {
    note_type.to_ascii_lowercase().contains("reverse")
}

/// How a note's GUID marks it as a knead card: `knead:<deck id>/<card id>`.
pub const GUID_PREFIX: &str = "knead:";

/// The Anki note GUID of a card.
pub fn guid(deck_id: &str, card_id: &str) -> String {
    format!("{GUID_PREFIX}{deck_id}/{card_id}")
}

const CRITICAL_CLASS: &str = "knead-critical";
const WHY_CLASS: &str = "knead-why";
const SOURCE_CLASS: &str = "knead-source";

/// The deck as an Anki "Notes in Plain Text" file. Retired cards are left out: they are not
/// to be studied.
pub fn to_anki(deck: &Deck) -> String {
    let title = deck.title.replace(['\r', '\n'], " ");
    let mut out = format!(
        "#separator:tab\n#html:true\n#notetype:Basic\n#deck:{title}\n#guid column:1\n#tags column:4\n"
    );
    // The csv writer quotes any field holding a tab, a quote or a line break (Anki reads a
    // field that starts with `"` as quoted).
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .comment(Some(b'#'))
        .from_writer(Vec::new());
    for card in deck
        .cards
        .iter()
        .filter(|card| card.common().retired.is_none())
    {
        let common = card.common();
        let tags: Vec<String> = common
            .tags
            .iter()
            .filter_map(|t| super::normalise_tag(t))
            .collect();
        writer
            .write_record([
                guid(&deck.id, common.id),
                front_html(card),
                back_html(card),
                tags.join(" "),
            ])
            .expect("writing to memory cannot fail");
    }
    let rows = writer.into_inner().expect("writing to memory cannot fail");
    out.push_str(&String::from_utf8(rows).expect("the fields are UTF-8"));
    out
}

fn front_html(card: &Card) -> String {
    let question = html::from_text(&face(card).question);
    if card.common().critical {
        format!("<div class={CRITICAL_CLASS}><b>SAFETY-CRITICAL</b></div>{question}")
    } else {
        question
    }
}

fn back_html(card: &Card) -> String {
    let mut back = match card {
        // The full text, with what was hidden in bold.
        Card::Cloze(cloze) => cloze_parts(&cloze.text)
            .into_iter()
            .map(|(hidden, text)| {
                let text = html::from_text(text);
                if hidden {
                    format!("<b>{text}</b>")
                } else {
                    text
                }
            })
            .collect(),
        _ => html::from_text(&face(card).answer),
    };
    let common = card.common();
    for (class, label, text) in [
        (WHY_CLASS, "Why", common.why),
        (SOURCE_CLASS, "Source", common.source),
    ] {
        if let Some(text) = text {
            back.push_str(&format!(
                "<div class={class}><br><b>{label}:</b> {}</div>",
                html::from_text(text)
            ));
        }
    }
    back
}

/// Removes the first `<div class=CLASS>...</div>` from `field` and returns its content. The
/// class is written unquoted (so the field needs no CSV quoting); Anki's editor quotes it when
/// a note is edited.
fn take_section(field: &mut String, class: &str) -> Option<String> {
    let (start, open) = [
        format!("<div class={class}>"),
        format!("<div class=\"{class}\">"),
    ]
    .into_iter()
    .find_map(|open| Some((field.find(&open)?, open)))?;
    let content_start = start + open.len();
    let content_end = field[content_start..]
        .find("</div>")
        .map_or(field.len(), |at| content_start + at);
    let content = field[content_start..content_end].to_owned();
    let end = (content_end + "</div>".len()).min(field.len());
    field.replace_range(start..end, "");
    Some(content)
}

/// A section's text without its `Why:`/`Source:` label.
fn section_text(content: &str, label: &str) -> String {
    let text = html::to_text(content).text;
    let text = text.trim_start();
    clean(text.strip_prefix(label).unwrap_or(text))
}

/// The separators Anki names in `#separator:`, in the order knead tries them on a file
/// without that header.
const SEPARATORS: [(&str, u8); 6] = [
    ("tab", b'\t'),
    ("pipe", b'|'),
    ("semicolon", b';'),
    ("colon", b':'),
    ("comma", b','),
    ("space", b' '),
];

/// The header lines of an Anki file.
#[derive(Debug, Default)]
struct Headers {
    separator: Option<u8>,
    html: Option<bool>,
    /// The `#columns:` value and where it is; split once the separator is known.
    columns: Option<Located>,
    tags: Vec<Located>,
    guid_column: Option<(usize, Located)>,
    tags_column: Option<usize>,
    deck_column: Option<(usize, Located)>,
    notetype_column: Option<usize>,
    deck: Option<String>,
    /// The `#notetype:` value.
    notetype: Option<Located>,
    /// Where the notes start.
    data_start: usize,
}

fn read_headers(file: &SourceFile) -> Result<(Headers, Vec<Diagnostic>), Vec<Diagnostic>> {
    let path = file.path;
    let bytes = file.bytes;
    let mut headers = Headers::default();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut position = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    let mut first = true;
    while position < bytes.len() {
        let end = bytes[position..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |at| position + at);
        let line = String::from_utf8_lossy(&bytes[position..end]);
        let line = line.strip_suffix('\r').unwrap_or(&line);
        let line_start = position;
        if first && let Some(tags) = line.strip_prefix("tags:") {
            headers.tags = split_located(file, line_start + 5, tags, char::is_whitespace);
        } else if let Some(header) = line.strip_prefix('#') {
            if let Some((key, value)) = header.split_once(':') {
                let value_start = line_start + 1 + key.len() + 1;
                let located = Located {
                    text: value.to_owned(),
                    at: value_start..value_start + value.len().max(1),
                };
                let key_at = line_start..line_start + 1 + key.len();
                match read_header(&mut headers, key.trim().to_ascii_lowercase().as_str(), located) {
                    Ok(true) => {}
                    Ok(false) => warnings.push(
                        Diagnostic::warning("K217", path, format!("`#{}` is not an Anki header knead knows; it is ignored", key.trim()))
                            .with_mark(file.mark(key_at, "unknown header"))
                            .with_help("the headers knead reads are #separator, #html, #columns, #tags, #deck, #notetype and #guid/#tags/#deck/#notetype column"),
                    ),
                    Err((at, message, help)) => problems.push(
                        Diagnostic::error("K209", path, message)
                            .with_mark(file.mark(at, "cannot use this value"))
                            .with_help(help),
                    ),
                }
            }
        } else {
            break;
        }
        first = false;
        position = (end + 1).min(bytes.len());
    }
    headers.data_start = position;
    if problems.is_empty() {
        Ok((headers, warnings))
    } else {
        Err(problems)
    }
}

type HeaderError = (std::ops::Range<usize>, String, String);

/// Records one `#key:value` header; `Ok(false)` for a key knead does not know.
fn read_header(headers: &mut Headers, key: &str, value: Located) -> Result<bool, HeaderError> {
    let trimmed = value.text.trim();
    let column = || -> Result<usize, HeaderError> {
        trimmed
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                (
                    value.at.clone(),
                    format!("`#{key}:{}` is not a column number", value.text),
                    "columns are counted from 1: `#guid column:1`".to_owned(),
                )
            })
    };
    match key {
        "separator" => {
            let named = SEPARATORS
                .iter()
                .find(|(name, _)| trimmed.eq_ignore_ascii_case(name))
                .map(|(_, byte)| *byte);
            let literal = [value.text.as_str(), trimmed].into_iter().find_map(|text| {
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if c.is_ascii() && !matches!(c, '"' | '\n' | '\r') => {
                        Some(c as u8)
                    }
                    _ => None,
                }
            });
            headers.separator = Some(named.or(literal).ok_or_else(|| {
                (
                    value.at.clone(),
                    format!("`{}` is not a separator", value.text),
                    "write Tab, Comma, Semicolon, Space, Pipe or Colon, or the character itself: `#separator:,`".to_owned(),
                )
            })?);
        }
        "html" => {
            headers.html = Some(match trimmed.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err((
                        value.at.clone(),
                        format!("`#html:{}` is neither true nor false", value.text),
                        "write `#html:true` when fields hold HTML, `#html:false` when they are plain text".to_owned(),
                    ));
                }
            })
        }
        "columns" => headers.columns = Some(value),
        "tags" => {
            let start = value.at.start;
            headers.tags = value
                .text
                .split_whitespace()
                .map(|tag| {
                    // Where the tag is in the value (a search would cost one pass per tag).
                    let at = start + (tag.as_ptr() as usize - value.text.as_ptr() as usize);
                    Located {
                        text: tag.to_owned(),
                        at: at..at + tag.len(),
                    }
                })
                .collect();
        }
        "deck" => headers.deck = Some(trimmed.to_owned()).filter(|d| !d.is_empty()),
        "notetype" => headers.notetype = Some(value),
        "guid column" => headers.guid_column = Some((column()?, value)),
        "tags column" => headers.tags_column = Some(column()?),
        "deck column" => headers.deck_column = Some((column()?, value)),
        "notetype column" => headers.notetype_column = Some(column()?),
        _ => return Ok(false),
    }
    Ok(true)
}

/// A file without `#html:` holds HTML if anything in it looks like a tag.
fn looks_like_html(data: &[u8]) -> bool {
    data.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/'))
        && data.contains(&b'>')
}

pub(crate) fn read(file: &SourceFile) -> Result<Parsed, Vec<Diagnostic>> {
    let path = file.path;
    let (headers, mut warnings) = read_headers(file)?;
    if headers.tags.len() > MAX_TAGS {
        let at = headers.tags[0].at.start..headers.tags[MAX_TAGS].at.end;
        return Err(vec![
            Diagnostic::error(
                "K224",
                path,
                format!(
                    "the `#tags` header names {} tags, more than the {MAX_TAGS} a card may have (it tags every card)",
                    headers.tags.len()
                ),
            )
            .with_mark(file.mark(at, "too many tags"))
            .with_help("keep the few tags that name what the whole file is about; tag the notes themselves in a tags column"),
        ]);
    }
    let data = &file.bytes[headers.data_start..];
    let separator = headers.separator.unwrap_or_else(|| {
        let sample = &data[..data.len().min(8 * 1024)];
        SEPARATORS
            .iter()
            .map(|(_, byte)| *byte)
            .find(|byte| sample.contains(byte))
            .unwrap_or(b'\t')
    });
    let is_html = headers.html.unwrap_or_else(|| looks_like_html(data));
    let labels: Option<Vec<String>> = headers.columns.as_ref().map(|columns| {
        let record = table::records(columns.text.as_bytes(), 0, separator).next();
        record.map_or_else(Vec::new, |r| {
            r.fields
                .iter()
                .map(|f| String::from_utf8_lossy(&f.bytes).trim().to_owned())
                .collect()
        })
    });

    // Rows of one Anki export all have the same number of columns; the usual count is the
    // one a broken row (an unquoted tab) differs from. Counted in a first pass that keeps no
    // field, over the rows that can be imported.
    let is_comment = |start: usize| file.bytes.get(start) == Some(&b'#');
    let expected = labels.as_ref().map(Vec::len).unwrap_or_else(|| {
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for (_, count) in table::field_counts(file.bytes, headers.data_start, separator)
            .filter(|(start, _)| !is_comment(*start))
            .take(MAX_CARDS)
        {
            *counts.entry(count).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by_key(|&(len, count)| (count, len))
            .map_or(0, |(len, _)| len)
    });
    let layout = Layout {
        guid: headers.guid_column.as_ref().map(|(n, _)| *n),
        tags: headers.tags_column,
        deck: headers.deck_column.as_ref().map(|(n, _)| *n),
        notetype: headers.notetype_column,
        expected,
        from_columns_header: labels.is_some(),
        labels: labels
            .iter()
            .flatten()
            .map(|l| l.to_ascii_lowercase())
            .collect(),
        is_html,
        separator,
    };

    let mut foreign_guids = 0;
    let mut decks = BTreeSet::new();
    // How many rows, and where the first is.
    let mut formatted: (usize, Option<usize>) = (0, None);
    let mut merged: (usize, Option<usize>) = (0, None);
    let mut reversed: (usize, Option<usize>) = (0, None);
    let mut rows = Vec::new();
    for record in table::records(file.bytes, headers.data_start, separator) {
        if is_comment(record.span.start) {
            warnings.push(
                Diagnostic::warning(
                    "K217",
                    path,
                    "this line starts with `#`: Anki reads it as a comment, so it is not imported",
                )
                .with_mark(file.mark(record.span.start..record.span.start + 1, "comment"))
                .with_help("if it is a note, put its first field in double quotes: \"#1 sign\""),
            );
            continue;
        }
        if rows.len() == MAX_CARDS {
            return Err(vec![super::too_many_rows(file, &record)]);
        }
        rows.push(read_row(file, &layout, &record, &mut warnings).map(|row| {
            foreign_guids += usize::from(row.foreign_guid);
            decks.extend(row.deck);
            for (flag, seen) in [
                (row.formatted, &mut formatted),
                (row.merged, &mut merged),
                (row.reversed, &mut reversed),
            ] {
                if flag {
                    seen.0 += 1;
                    seen.1.get_or_insert(row.row.at.start);
                }
            }
            row.row
        }));
    }
    let first_row = |at: Option<usize>| at.map_or(0..0, |at| at..at + 1);
    if let Some(notetype) = headers.notetype.as_ref().filter(|n| is_reversed(&n.text)) {
        warnings.push(
            Diagnostic::warning("K217", path, format!("the notes are of type `{}`: knead makes the forward card of each, not the reverse", notetype.text.trim()))
                .with_mark(file.mark(notetype.at.clone(), "reversed note type"))
                .with_help("export the deck from Anki as a package (.apkg) and import that: it makes a card per direction"),
        );
    } else if reversed.0 > 0 {
        warnings.push(
            Diagnostic::warning("K217", path, format!("{} of a reversed note type: knead makes the forward card of each, not the reverse", crate::text::count(reversed.0, "note")))
                .with_mark(file.mark(first_row(reversed.1), "the first"))
                .with_help("export the deck from Anki as a package (.apkg) and import that: it makes a card per direction"),
        );
    }
    if formatted.0 > 0 {
        warnings.push(
            Diagnostic::warning("K232", path, format!("{} had formatting (bold, italics, colour, lists) that knead keeps as plain text", crate::text::count(formatted.0, "note")))
                .with_mark(file.mark(first_row(formatted.1), "the first"))
                .with_help("knead cards are plain text; check the imported cards where emphasis carried meaning"),
        );
    }
    if merged.0 > 0 {
        warnings.push(
            Diagnostic::warning("K217", path, format!("this file was exported without HTML: in {} the why, source or safety-critical mark is merged into the question or answer", crate::text::count(merged.0, "note")))
                .with_mark(file.mark(first_row(merged.1), "the first"))
                .with_help("export again from Anki with \"Include HTML and media references\" ticked (or as a package, .apkg): knead then gives back why, source and critical"),
        );
    }
    if foreign_guids > 0
        && let Some((column, header)) = &headers.guid_column
    {
        warnings.push(
            Diagnostic::warning("K217", path, format!("{foreign_guids} note(s) carry Anki's own GUIDs in column {column}; knead does not keep them"))
                .with_mark(file.mark(header.at.clone(), "GUID column"))
                .with_help("these cards get ids made from their fronts; importing knead's own Anki export into Anki later adds new notes rather than updating these"),
        );
    }
    if decks.len() > 1
        && let Some((_, header)) = &headers.deck_column
    {
        warnings.push(
            Diagnostic::warning("K217", path, format!("the notes come from {} Anki decks; they all go into this one knead deck", decks.len()))
                .with_mark(file.mark(header.at.clone(), "deck column"))
                .with_help("to keep them apart, export each Anki deck on its own and import each with its own --id"),
        );
    }
    Ok(Parsed {
        rows,
        warnings,
        title: headers.deck,
        shared_tags: headers.tags,
    })
}

struct Layout {
    guid: Option<usize>,
    tags: Option<usize>,
    deck: Option<usize>,
    notetype: Option<usize>,
    expected: usize,
    from_columns_header: bool,
    /// The `#columns` names, lowercase, by column (1-based column n is `labels[n - 1]`).
    labels: Vec<String>,
    is_html: bool,
    separator: u8,
}

impl Layout {
    fn is_meta(&self, column: usize) -> bool {
        [self.guid, self.tags, self.deck, self.notetype].contains(&Some(column))
    }
}

struct AnkiRow {
    row: Row,
    foreign_guid: bool,
    deck: Option<String>,
    /// Its fields had formatting (bold, lists...) that becomes plain text.
    formatted: bool,
    /// Its back reads like knead's why/source sections flattened by a no-HTML export.
    merged: bool,
    /// Its note type (column) is a reversed one.
    reversed: bool,
}

fn read_row(
    file: &SourceFile,
    layout: &Layout,
    record: &Record,
    warnings: &mut Vec<Diagnostic>,
) -> Result<AnkiRow, Vec<Diagnostic>> {
    let path = file.path;
    if let Some(problem) = record.unclosed_quote_problem(file) {
        return Err(problem);
    }
    if let Some(problem) = record.limit_problem(file) {
        return Err(problem);
    }
    let count = record.fields.len();
    let row_start = record.span.start..record.span.start + 1;
    let separator = match layout.separator {
        b'\t' => "tab".to_owned(),
        b' ' => "space".to_owned(),
        other => format!("`{}`", other as char),
    };
    for (header, column) in [
        ("guid column", layout.guid),
        ("tags column", layout.tags),
        ("deck column", layout.deck),
        ("notetype column", layout.notetype),
    ] {
        if let Some(column) = column.filter(|c| *c > count) {
            return Err(vec![
                Diagnostic::error("K203", path, format!("the `#{header}:{column}` header points past this row's {count} field(s)"))
                    .with_mark(file.mark(row_start, "row here"))
                    .with_help(format!("Anki would read another field in its place and shift every field; give the row all its fields, separated by {separator}")),
            ]);
        }
    }
    if count != layout.expected {
        let others = if layout.from_columns_header {
            format!("the `#columns` header names {}", layout.expected)
        } else {
            format!("the other rows have {}", layout.expected)
        };
        let at = record
            .fields
            .get(layout.expected)
            .map_or(row_start, |f| f.at());
        return Err(vec![
            Diagnostic::error("K203", path, format!("this row has {count} field(s); {others}"))
                .with_mark(file.mark(at, "row here"))
                .with_help(format!("a field that contains the separator ({separator}) or a line break must be in double quotes")),
        ]);
    }

    let mut problems = Vec::new();
    let mut texts = Vec::new();
    for field in &record.fields {
        match std::str::from_utf8(&field.bytes) {
            Ok(text) => texts.push(text),
            Err(error) => {
                let bad = field.start
                    + usize::from(file.bytes.get(field.start) == Some(&b'"'))
                    + error.valid_up_to();
                problems.push(
                    Diagnostic::error("K206", path, "this field is not UTF-8 text")
                        .with_mark(file.mark(bad..bad + 1, "this byte is not UTF-8"))
                        .with_help("export from Anki again (it writes UTF-8), or convert the file to UTF-8 in a text editor"),
                );
                texts.push("");
            }
        }
    }
    let meta = |column: Option<usize>| column.map(|c| (texts[c - 1], &record.fields[c - 1]));
    let mut row = Row {
        at: record.span.clone(),
        ..Row::default()
    };
    let mut foreign_guid = false;
    if let Some((guid, field)) = meta(layout.guid) {
        match guid.trim().strip_prefix(GUID_PREFIX) {
            Some(key) => {
                let card = key.rsplit('/').next().unwrap_or(key);
                row.id = Some(Located {
                    text: card.to_owned(),
                    at: field.at(),
                });
            }
            None => foreign_guid = !guid.trim().is_empty(),
        }
    }
    let deck = meta(layout.deck).map(|(deck, _)| deck.trim().to_owned());
    let mut fields: Vec<usize> = (1..=count).filter(|c| !layout.is_meta(*c)).collect();
    // As Anki does for a two-field note type such as Basic: a third column is the tags.
    let tags_column = layout
        .tags
        .or_else(|| (fields.len() == 3).then(|| fields.remove(2)));
    if let Some(column) = tags_column {
        let field = &record.fields[column - 1];
        row.tags = split_located(file, field.start, texts[column - 1], char::is_whitespace);
    }

    // `#columns` names say which field is which; otherwise the first two are front and back.
    let named = |names: &[&str]| {
        fields.iter().position(|c| {
            layout
                .labels
                .get(c - 1)
                .is_some_and(|label| names.contains(&label.as_str()))
        })
    };
    let why_index = named(&["why", "explanation"]);
    let source_index = named(&["source", "reference"]);
    let front_index = named(&["front", "text", "question"]);
    let back_index = named(&["back", "back extra", "extra", "answer"]);
    let mut used: Vec<usize> = [why_index, source_index, front_index, back_index]
        .into_iter()
        .flatten()
        .collect();
    let next_unused = |used: &mut Vec<usize>| {
        let index = (0..fields.len()).find(|i| !used.contains(i))?;
        used.push(index);
        Some(index)
    };
    let front_index = front_index.or_else(|| next_unused(&mut used)).unwrap_or(0);
    let back_index = back_index.or_else(|| next_unused(&mut used)).unwrap_or(1);
    let field_at = |index: usize| {
        fields
            .get(index)
            .map_or(row_start.clone(), |c| record.fields[c - 1].at())
    };
    let raw = |index: usize| fields.get(index).map_or("", |c| texts[*c - 1]);
    let mut sounds = 0;
    let mut without_sounds = |index: usize| {
        let (kept, found) = convert::strip_sounds(raw(index));
        sounds += found;
        kept
    };
    let mut front = without_sounds(front_index);
    let mut back = without_sounds(back_index);
    let mut named_why = why_index.map(&mut without_sounds);
    let mut named_source = source_index.map(&mut without_sounds);
    let is_cloze = convert::has_cloze(&front);
    let mut formatted = false;
    let reversed = meta(layout.notetype).is_some_and(|(kind, _)| is_reversed(kind));
    if layout.is_html {
        // Knead's own sections come out of the HTML before the rest becomes text.
        row.critical = take_section(&mut front, CRITICAL_CLASS).is_some();
        row.why = take_section(&mut back, WHY_CLASS)
            .map(|s| section_text(&s, "Why:"))
            .filter(|t| !t.is_empty());
        row.source = take_section(&mut back, SOURCE_CLASS)
            .map(|s| section_text(&s, "Source:"))
            .filter(|t| !t.is_empty());
        // knead's own export marks deletions and labels in bold: not the author's formatting.
        formatted = row.id.is_none() && [&front, &back].iter().any(|f| convert::has_formatting(f));
        for text in named_why.iter_mut().chain(named_source.iter_mut()) {
            *text = html::to_text(text).text;
        }
        for (index, text) in [(front_index, &mut front), (back_index, &mut back)] {
            if index == front_index && is_cloze {
                // Its deletions are read before its HTML becomes text (below).
                continue;
            }
            let found = html::to_text(text);
            for image in &found.images {
                warnings.push(
                    Diagnostic::warning(
                        "K217",
                        path,
                        format!("the image `{image}` is left out: knead cards hold text only"),
                    )
                    .with_mark(file.mark(field_at(index), "field with an image"))
                    .with_help(
                        "describe what the image shows in the card's text if the card needs it",
                    ),
                );
            }
            *text = found.text;
        }
    }
    if is_cloze {
        let mut findings = Vec::new();
        match convert::cloze_field(&front, layout.is_html, &mut findings) {
            Some(text) => {
                front = text;
                row.cloze = true;
            }
            None => problems.push(
                Diagnostic::error("K229", path, "this Cloze note's text cannot be a knead Cloze: a deletion is empty, or the text has braces of its own")
                    .with_mark(file.mark(field_at(front_index), "Cloze text"))
                    .with_help("give each {{c1::...}} deletion some text, and write no other `{{` or `}}` in the note"),
            ),
        }
        for finding in findings {
            let message = match finding {
                convert::Finding::Hints(n) => format!(
                    "{} left out: knead shows a deletion as [...]",
                    crate::text::count(n, "Cloze hint")
                ),
                convert::Finding::SharedNumbers(_) => {
                    "deletions sharing a number are asked one at a time in knead, not together"
                        .to_owned()
                }
                convert::Finding::Nested => {
                    "a deletion inside another is kept as part of the outer one".to_owned()
                }
                _ => continue,
            };
            warnings.push(
                Diagnostic::warning("K231", path, message)
                    .with_mark(file.mark(field_at(front_index), "Cloze text")),
            );
        }
    }
    if sounds > 0 {
        warnings.push(
            Diagnostic::warning(
                "K230",
                path,
                format!(
                    "{} removed: knead cards hold text only",
                    crate::text::count(sounds, "sound")
                ),
            )
            .with_mark(file.mark(row_start.clone(), "note with sound"))
            .with_help("describe what the recording says in the card's text if the card needs it"),
        );
    }
    // A no-HTML export flattens knead's why and source sections into the answer.
    let merged = !layout.is_html
        && (back.contains("Why:")
            || back.contains("Source:")
            || front.starts_with("SAFETY-CRITICAL"));
    row.front = Located {
        text: clean(&front),
        at: field_at(front_index),
    };
    row.back = Located {
        text: clean(&back),
        at: field_at(back_index),
    };
    if row.why.is_none() {
        row.why = named_why.map(|t| clean(&t)).filter(|t| !t.is_empty());
    }
    if row.source.is_none() {
        row.source = named_source.map(|t| clean(&t)).filter(|t| !t.is_empty());
    }
    for (index, &column) in fields.iter().enumerate() {
        if used.contains(&index) || index == front_index || index == back_index {
            continue;
        }
        let field = &record.fields[column - 1];
        if !texts[column - 1].trim().is_empty() {
            warnings.push(
                Diagnostic::warning("K212", path, format!("the text of field {column} is left out: knead has no place for it"))
                    .with_mark(file.mark(field.at(), "left out"))
                    .with_help("name the fields in a `#columns:` header (Front, Back, Why, Source), or export the deck from Anki as a package (.apkg), whose fields knead maps by name"),
            );
        }
    }
    if problems.is_empty() {
        Ok(AnkiRow {
            row,
            foreign_guid,
            deck,
            formatted,
            merged,
            reversed,
        })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::{self, Basic};
    use crate::error::Error;
    use crate::interchange::{Format, ImportOptions, Imported, import};

    fn anki(text: &str) -> Result<Imported, Vec<Diagnostic>> {
        let options = ImportOptions {
            deck_id: "t".to_owned(),
            ..ImportOptions::default()
        };
        import(text.as_bytes(), "t.txt", Format::Anki, &options).map_err(|e| match e {
            Error::Deck(errors) => errors.diagnostics,
            other => panic!("{other}"),
        })
    }

    fn basic(imported: &Imported, index: usize) -> &Basic {
        match &imported.deck.cards[index] {
            Card::Basic(basic) => basic,
            other => panic!("{other:?}"),
        }
    }

    fn codes(problems: &[Diagnostic]) -> Vec<(&str, String)> {
        problems.iter().map(|d| (d.code, d.location())).collect()
    }

    fn warning_codes(imported: &Imported) -> Vec<&str> {
        imported.warnings.iter().map(|d| d.code).collect()
    }

    #[test]
    fn cloze_notes_become_cloze_cards_with_an_empty_back_extra() {
        let imported = anki(
            "#separator:tab\n#html:true\n#notetype:Cloze\n\
             SLE is {{c1::autoimmune::a kind}} and {{c2::chronic}}.\t\n\
             Steroids thin the {{c1::skin}}.\tAnd bones.\n",
        )
        .unwrap();
        let texts: Vec<_> = imported
            .deck
            .cards
            .iter()
            .map(|card| match card {
                Card::Cloze(c) => (c.id.as_str(), c.text.as_str(), c.why.as_deref()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            texts,
            [
                (
                    "sle-is-autoimmune-and-chronic",
                    "SLE is {{autoimmune}} and {{chronic}}.",
                    None
                ),
                (
                    "steroids-thin-the-skin",
                    "Steroids thin the {{skin}}.",
                    Some("And bones.")
                ),
            ]
        );
        assert_eq!(warning_codes(&imported), ["K231"]);
        assert_eq!(imported.warnings[0].location(), "t.txt:4:1");
        let problems =
            anki("#separator:tab\n#html:false\nempty {{c1::}} deletion\t\n").unwrap_err();
        assert_eq!(problems[0].code, "K229");
    }

    #[test]
    fn columns_names_map_why_and_source() {
        let imported = anki(
            "#separator:tab\n#html:false\n#columns:Source\tFront\tBack\tWhy\n\
             LFA 2020\tFever?\tRefer\tMassage spreads infection\n",
        )
        .unwrap();
        let card = basic(&imported, 0);
        assert_eq!(
            (card.front.as_str(), card.back.as_str()),
            ("Fever?", "Refer")
        );
        assert_eq!(card.why.as_deref(), Some("Massage spreads infection"));
        assert_eq!(card.source.as_deref(), Some("LFA 2020"));
        assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    }

    #[test]
    fn sounds_reversed_notes_formatting_and_a_no_html_export_are_reported() {
        let imported = anki(
            "#separator:tab\n#html:true\n#notetype:Basic (and reversed card)\n\
             <b>SLE</b> [sound:sle.mp3]\tlupus\n\
             <i>RA</i>\tarthritis\n",
        )
        .unwrap();
        assert_eq!(basic(&imported, 0).front, "SLE");
        let found: Vec<_> = imported
            .warnings
            .iter()
            .map(|d| (d.code, d.location()))
            .collect();
        assert_eq!(
            found,
            [
                ("K217", "t.txt:3:11".to_owned()),
                ("K230", "t.txt:4:1".to_owned()),
                ("K232", "t.txt:4:1".to_owned()),
            ]
        );
        assert!(
            imported.warnings[2]
                .message
                .starts_with("2 notes had formatting")
        );
        let flattened = anki(
            "#separator:tab\n#html:false\n\
             Fever?\tRefer Why: infection spreads Source: LFA\n\
             Rash?\tLook\n",
        )
        .unwrap();
        assert_eq!(warning_codes(&flattened), ["K217"]);
        assert!(
            flattened.warnings[0]
                .message
                .contains("exported without HTML: in 1 note")
        );
    }

    #[test]
    fn every_bundled_deck_comes_back_from_its_anki_file() {
        for loaded in crate::study::collection::bundled().unwrap() {
            let original = loaded.deck;
            let text = to_anki(&original);
            let options = ImportOptions {
                deck_id: original.id.clone(),
                ..ImportOptions::default()
            };
            let back = import(text.as_bytes(), "a.txt", Format::Anki, &options).unwrap();
            assert_eq!(back.deck.title, original.title);
            // Retired cards are not exported: they are not studied.
            let studied: Vec<&Card> = original
                .cards
                .iter()
                .filter(|c| c.common().retired.is_none())
                .collect();
            assert_eq!(back.deck.cards.len(), studied.len());
            for (card, again) in studied.into_iter().zip(&back.deck.cards) {
                let Card::Basic(again) = again else { panic!() };
                let common = card.common();
                let face = face(card);
                assert_eq!(again.id, common.id);
                assert_eq!((&again.front, &again.back), (&face.question, &face.answer));
                assert_eq!(again.why.as_deref(), common.why);
                assert_eq!(again.source.as_deref(), common.source);
                assert_eq!(again.tags, common.tags);
                assert_eq!(again.critical, common.critical);
                if let Card::Basic(original) = card {
                    // Revision history and links to other cards are the deck author's
                    // bookkeeping; Anki's text format has no place for them.
                    let studied = Basic {
                        rev: 0,
                        change: None,
                        replaces: Vec::new(),
                        contrast: Vec::new(),
                        ..original.clone()
                    };
                    assert_eq!(*again, studied);
                }
            }
            assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        }
    }

    #[test]
    fn the_written_file_has_anki_headers_and_one_row_per_card() {
        let deck = deck::parse(
            r#"Deck(id: "d", title: "Lupus\nbasics", cards: [
                Basic(id: "q", front: "\"Butterfly\" rash?", back: "a <b> & c\td", tags: ["lupus", "red-flag"], critical: true, source: "S"),
                Basic(id: "old", front: "x", back: "y", retired: "wrong"),
            ])"#,
            "d.ron",
        )
        .unwrap();
        assert_eq!(
            to_anki(&deck),
            "#separator:tab\n#html:true\n#notetype:Basic\n#deck:Lupus basics\n#guid column:1\n#tags column:4\n\
             knead:d/q\t\"<div class=knead-critical><b>SAFETY-CRITICAL</b></div>\"\"Butterfly\"\" rash?\"\t\
             \"a &lt;b&gt; &amp; c\td<div class=knead-source><br><b>Source:</b> S</div>\"\tlupus red-flag\n"
        );
    }

    #[test]
    fn separators_by_name_or_character_and_html_off() {
        let piped = anki("#separator:Pipe\n#html:false\nq <b>1</b>|a &amp; b\n").unwrap();
        assert_eq!(basic(&piped, 0).front, "q <b>1</b>");
        assert_eq!(basic(&piped, 0).back, "a &amp; b");
        let literal = anki("#separator:;\nq;a\n").unwrap();
        assert_eq!(basic(&literal, 0).back, "a");
        let guessed = anki("#html:true\nq<br>two\ta\n").unwrap();
        assert_eq!(basic(&guessed, 0).front, "q\ntwo");
    }

    #[test]
    fn unusable_headers_are_errors_unknown_ones_warnings() {
        let problems = anki("#separator:wavy\n#html:maybe\n#guid column:0\nq\ta\n").unwrap_err();
        assert_eq!(
            codes(&problems),
            [
                ("K209", "t.txt:1:12".to_owned()),
                ("K209", "t.txt:2:7".to_owned()),
                ("K209", "t.txt:3:14".to_owned()),
            ]
        );
        let fine = anki("#separator:tab\n#colour:red\n# a comment\nq\ta\n").unwrap();
        assert_eq!(codes(&fine.warnings), [("K217", "t.txt:2:1".to_owned())]);
    }

    #[test]
    fn a_guid_column_past_the_row_is_caught_not_shifted() {
        let problems =
            anki("#separator:tab\n#guid column:3\nq\tA\tknead:t/a\nq2\tA2\n").unwrap_err();
        assert_eq!(problems[0].code, "K203");
        assert_eq!(problems[0].location(), "t.txt:4:1");
        assert!(
            problems[0]
                .message
                .contains("`#guid column:3` header points past this row's 2 field(s)")
        );
    }

    #[test]
    fn rows_with_another_column_count_than_the_rest_are_rejected() {
        let problems = anki("#separator:tab\nq1\ta1\nq2\ta2\nq3\ta\t3\tx\n").unwrap_err();
        assert_eq!(problems[0].code, "K203");
        assert_eq!(
            problems[0].message,
            "this row has 4 field(s); the other rows have 2"
        );
        assert_eq!(problems[0].location(), "t.txt:4:6");
        let declared = anki("#separator:tab\n#columns:Front\tBack\tExtra\nq1\ta1\n").unwrap_err();
        assert!(
            declared[0]
                .message
                .contains("the `#columns` header names 3"),
            "{}",
            declared[0]
        );
    }

    #[test]
    fn a_third_field_is_the_tags_as_anki_reads_it_and_more_fields_are_reported() {
        let tagged = anki("#separator:tab\nq\ta\tLupus::SLE other\n").unwrap();
        assert_eq!(basic(&tagged, 0).tags, ["lupus-sle", "other"]);
        // A custom note type's third field: the card is kept, the field's loss reported.
        let extra = anki("#separator:tab\n#tags column:5\nq\ta\textra\t\tt\n").unwrap();
        assert_eq!(codes(&extra.warnings), [("K212", "t.txt:3:5".to_owned())]);
        assert_eq!(basic(&extra, 0).back, "a");
        let empty_extra = anki("#separator:tab\n#tags column:5\nq\ta\t\t\tt\n").unwrap();
        assert_eq!(basic(&empty_extra, 0).tags, ["t"]);
    }

    #[test]
    fn sections_edited_in_anki_are_still_found() {
        let edited = anki(
            "#separator:tab\n#html:true\n#guid column:1\n\
             knead:d/sle\t<div class=\"knead-critical\"><b>SAFETY-CRITICAL</b></div>What is SLE?\t\
             <div>Autoimmune</div><div class=\"knead-why\"><br><strong>Why:</strong>&nbsp;It attacks</div>\
             <div class=\"knead-source\"><br><b>Source:</b> LFA</div>\n",
        )
        .unwrap();
        let card = basic(&edited, 0);
        assert_eq!(card.id, "sle");
        assert_eq!(
            (card.front.as_str(), card.back.as_str()),
            ("What is SLE?", "Autoimmune")
        );
        assert_eq!(card.why.as_deref(), Some("It attacks"));
        assert_eq!(card.source.as_deref(), Some("LFA"));
        assert!(card.critical);
    }

    #[test]
    fn comment_lines_among_notes_are_reported() {
        let imported = anki("#separator:tab\nq\ta\n#1 sign\tb\n").unwrap();
        assert_eq!(imported.deck.cards.len(), 1);
        assert_eq!(
            codes(&imported.warnings),
            [("K217", "t.txt:3:1".to_owned())]
        );
    }
}
