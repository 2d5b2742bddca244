//! Delimited text (spreadsheet CSV, Anki's notes in plain text) read record by record with the
//! byte position of every field, so a rejected row can be shown with a caret under the field.
//!
//! The `csv` crate does the reading (quoting, doubled quotes, embedded newlines, CRLF); it
//! reports where each record starts but not where its fields start, so those are found by
//! walking the record's raw bytes with the same quoting rules.

use std::ops::Range;

use crate::deck::diagnostic::{Diagnostic, Lines, Mark, thousands};
use crate::limits::{self, MAX_COLUMNS, MAX_FIELD_BYTES};

/// A file being imported: its name for messages, its bytes, and where its lines start.
pub(crate) struct SourceFile<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
    lines: Lines<'a>,
}

impl<'a> SourceFile<'a> {
    pub fn new(path: &'a str, bytes: &'a [u8]) -> Self {
        SourceFile {
            path,
            bytes,
            lines: Lines::of_bytes(bytes),
        }
    }

    /// Marks `range` (byte offsets into the file), clipped to the line it starts on. The file
    /// may hold invalid UTF-8 (that is one of the things reported), so the line is shown
    /// lossily and the columns are counted in what is shown.
    pub fn mark(&self, range: Range<usize>, label: impl Into<String>) -> Mark {
        self.lines.mark(range, label)
    }
}

/// One record: its fields and where they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    /// Byte range of the record in the file, line ending included.
    pub span: Range<usize>,
    /// The fields, up to one past [`MAX_COLUMNS`]: a longer row is refused, and nothing is
    /// kept of the fields beyond.
    pub fields: Vec<RawField>,
    /// How many fields the record has, those not kept included.
    pub field_count: usize,
    /// Where a quote opens that is never closed: the record then runs to the end of the file.
    pub unclosed_quote: Option<usize>,
}

impl Record {
    /// K214 when a quote in the record never closes (the same in CSV and Anki files).
    pub fn unclosed_quote_problem(&self, file: &SourceFile) -> Option<Vec<Diagnostic>> {
        let quote = self.unclosed_quote?;
        Some(vec![
            Diagnostic::error("K214", file.path, "this quote is never closed")
                .with_mark(file.mark(quote..quote + 1, "opens a quoted field that runs to the end of the file"))
                .with_help("close the quoted field with \"; a quote inside a quoted field is written twice: \"\""),
        ])
    }

    /// K220 for a record with more than [`MAX_COLUMNS`] fields, K221 for a field longer than
    /// [`MAX_FIELD_BYTES`].
    pub fn limit_problem(&self, file: &SourceFile) -> Option<Vec<Diagnostic>> {
        if self.field_count > MAX_COLUMNS {
            let at = self
                .fields
                .get(MAX_COLUMNS)
                .map_or(self.span.start..self.span.start + 1, RawField::at);
            return Some(vec![
                Diagnostic::error(
                    "K220",
                    file.path,
                    format!(
                        "this row has {} fields, more than the {MAX_COLUMNS} a row may have",
                        thousands(self.field_count)
                    ),
                )
                .with_mark(file.mark(at, format!("field {} starts here", MAX_COLUMNS + 1)))
                .with_help("check that the file is separated by the character its rows use, and that every quoted field is closed"),
            ]);
        }
        let (index, field) = self
            .fields
            .iter()
            .enumerate()
            .find(|(_, field)| field.len > MAX_FIELD_BYTES)?;
        Some(vec![
            Diagnostic::error(
                "K221",
                file.path,
                format!(
                    "field {} is {} bytes long, more than the {} a field may hold",
                    index + 1,
                    thousands(field.len),
                    limits::size_text(MAX_FIELD_BYTES)
                ),
            )
            .with_mark(file.mark(field.at(), "this field is too long"))
            .with_help("one fact per card: split the text into several rows, and keep background reading in the source"),
        ])
    }

    /// Whether every field is empty or white space (a row a spreadsheet leaves between others).
    pub fn is_blank(&self) -> bool {
        self.field_count == self.fields.len() && self.fields.iter().all(RawField::is_blank)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawField {
    /// Byte offset of the field's first character (its opening quote, if quoted).
    pub start: usize,
    /// The field's content, unquoted; not yet checked to be UTF-8. Empty for a field longer
    /// than [`MAX_FIELD_BYTES`], which is refused.
    pub bytes: Vec<u8>,
    /// The content's length in bytes.
    pub len: usize,
}

impl RawField {
    /// Where to point at this field: its first character (or the spot, if it is empty).
    pub fn at(&self) -> Range<usize> {
        self.start..self.start + 1
    }

    fn is_blank(&self) -> bool {
        self.bytes.len() == self.len && self.bytes.iter().all(u8::is_ascii_whitespace)
    }
}

/// Reads the records of `bytes[from..]` separated by `delimiter`, one at a time. Blank lines
/// are skipped (as the csv crate does); rows may have any number of fields.
pub(crate) fn records(bytes: &[u8], from: usize, delimiter: u8) -> Records<'_> {
    Records {
        reader: reader(&bytes[from..], delimiter),
        data: &bytes[from..],
        from,
        delimiter,
        record: csv::ByteRecord::new(),
    }
}

fn reader(data: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(data)
}

pub(crate) struct Records<'a> {
    reader: csv::Reader<&'a [u8]>,
    data: &'a [u8],
    from: usize,
    delimiter: u8,
    /// The csv crate's record, reused: one buffer for every record.
    record: csv::ByteRecord,
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        // Reading from memory with `flexible` set has no error case: any bytes form records.
        if !self
            .reader
            .read_byte_record(&mut self.record)
            .unwrap_or(false)
        {
            return None;
        }
        let (from, record) = (self.from, &self.record);
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let end = self.reader.position().byte() as usize;
        let kept = record.len().min(MAX_COLUMNS + 1);
        let layout = field_layout(&self.data[start..end], self.delimiter, kept);
        let fields = record
            .iter()
            .take(kept)
            .enumerate()
            .map(|(index, content)| RawField {
                start: from + start + layout.starts.get(index).copied().unwrap_or(0),
                bytes: if content.len() > MAX_FIELD_BYTES {
                    Vec::new()
                } else {
                    content.to_vec()
                },
                len: content.len(),
            })
            .collect();
        Some(Record {
            span: from + start..from + end,
            fields,
            field_count: record.len(),
            unclosed_quote: layout.unclosed_quote.map(|at| from + start + at),
        })
    }
}

/// Where each record of `bytes[from..]` starts (in the file) and how many fields it has,
/// without keeping any field.
pub(crate) fn field_counts(
    bytes: &[u8],
    from: usize,
    delimiter: u8,
) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut reader = reader(&bytes[from..], delimiter);
    let mut record = csv::ByteRecord::new();
    std::iter::from_fn(move || {
        reader
            .read_byte_record(&mut record)
            .unwrap_or(false)
            .then(|| {
                let start = record.position().map_or(0, |p| p.byte() as usize);
                (from + start, record.len())
            })
    })
}

struct Layout {
    starts: Vec<usize>,
    unclosed_quote: Option<usize>,
}

/// Field start offsets within one raw record (of its first `fields` fields), following
/// csv-core's rules: a quote opens a quoted field only at the start of a field; inside one,
/// `""` is a literal quote.
fn field_layout(raw: &[u8], delimiter: u8, fields: usize) -> Layout {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut starts = vec![0];
    let mut state = State::FieldStart;
    let mut opened = 0;
    for (i, &b) in raw.iter().enumerate() {
        let ends_record = b == b'\n' || b == b'\r';
        state = match state {
            State::Quoted if b == b'"' => State::QuoteInQuoted,
            State::Quoted => State::Quoted,
            State::QuoteInQuoted if b == b'"' => State::Quoted,
            State::FieldStart if b == b'"' => {
                opened = i;
                State::Quoted
            }
            _ if b == delimiter => {
                if starts.len() == fields {
                    break;
                }
                starts.push(i + 1);
                State::FieldStart
            }
            _ if ends_record => break,
            _ => State::Unquoted,
        };
    }
    Layout {
        starts,
        unclosed_quote: (state == State::Quoted).then_some(opened),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(record: &Record) -> Vec<String> {
        record
            .fields
            .iter()
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
            .collect()
    }

    #[test]
    fn fields_are_located_through_quotes_and_embedded_newlines() {
        let text = "a,b\n\"x, \"\"y\"\"\",\"two\nlines\",z\nlast,\"\"\n";
        let found: Vec<Record> = records(text.as_bytes(), 0, b',').collect();
        assert_eq!(found.len(), 3);
        assert_eq!(contents(&found[1]), ["x, \"y\"", "two\nlines", "z"]);
        let starts: Vec<_> = found[1].fields.iter().map(|f| f.start).collect();
        assert_eq!(starts, [4, 15, 27]);
        assert_eq!(&text[27..28], "z");
        assert_eq!(contents(&found[2]), ["last", ""]);
        assert!(found.iter().all(|r| r.unclosed_quote.is_none()));
    }

    #[test]
    fn a_quote_never_closed_is_found_where_it_opens() {
        let text = "front,back\nok,\"never closed\nrest,of file\n";
        let found: Vec<Record> = records(text.as_bytes(), 0, b',').collect();
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].unclosed_quote, Some(14));
        assert_eq!(found[1].fields.len(), 2);
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_literal() {
        let found: Vec<Record> = records(b"He said \"hi\"\tback\n", 0, b'\t').collect();
        assert_eq!(contents(&found[0]), ["He said \"hi\"", "back"]);
        assert_eq!(found[0].fields[1].start, 13);
    }

    #[test]
    fn reading_from_an_offset_keeps_file_positions() {
        let text = "#header\nfront\tback\n";
        let found: Vec<Record> = records(text.as_bytes(), 8, b'\t').collect();
        assert_eq!(found[0].fields[1].start, 14);
        assert_eq!(found[0].span, 8..19);
    }

    #[test]
    fn marks_show_invalid_utf8_lossily_with_the_right_line_and_column() {
        let bytes = b"front,back\ncaf\xe9,\xe9t\xe9\r\n";
        let file = SourceFile::new("t.csv", bytes);
        let mark = file.mark(16..17, "here");
        assert_eq!((mark.line, mark.col), (2, 6));
        assert_eq!(mark.line_text, "caf\u{fffd},\u{fffd}t\u{fffd}");
    }
}
