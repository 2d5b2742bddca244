//! Reading an Anki package: the zip, the collection inside it (legacy SQLite or the current
//! zstd-compressed one), its note types, decks, notes and cards. Nothing here decides what a
//! note becomes in knead (see `convert`).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::deck::diagnostic::{Diagnostic, thousands};
use crate::limits::{self, MAX_PACKAGE_COLLECTION_BYTES, MAX_PACKAGE_ENTRIES};

/// A note type as the conversion needs it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct NoteType {
    pub name: String,
    pub cloze: bool,
    /// Field names, in order.
    pub fields: Vec<String>,
    /// Each template's question format, by ordinal.
    pub questions: Vec<String>,
}

impl NoteType {
    /// Image Occlusion note types draw their question on an image: nothing of it is text.
    pub fn is_image_occlusion(&self) -> bool {
        self.questions
            .iter()
            .any(|q| q.contains("image-occlusion:"))
    }
}

/// A note with what it needs from its cards.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Note {
    pub id: i64,
    pub guid: String,
    pub note_type: i64,
    pub tags: Vec<String>,
    /// Field HTML, in the note type's order.
    pub fields: Vec<String>,
    /// The template ordinals (cloze numbers less one for a Cloze) the note has cards for.
    pub card_ords: Vec<u32>,
    /// The deck of its first card.
    pub deck: i64,
}

/// Everything read from a collection.
#[derive(Debug, Default)]
pub(crate) struct Collection {
    pub note_types: HashMap<i64, NoteType>,
    /// Deck names, levels joined by `::`.
    pub decks: HashMap<i64, String>,
    pub notes: Vec<Note>,
    /// Scheduling, read only for an import with progress.
    pub progress: Option<Progress>,
}

/// The scheduling part of a collection.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    /// When the collection was created (`col.crt`, seconds since 1970): review cards' `due`
    /// counts days from that day.
    pub created: i64,
    pub cards: Vec<CardRow>,
    /// Review log rows, oldest first.
    pub revlog: Vec<RevlogRow>,
}

/// An Anki card's scheduling (the `cards` table).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CardRow {
    pub id: i64,
    pub note: i64,
    pub ord: u32,
    /// 0 new, 1 learning, 2 review, 3 relearning.
    pub kind: i64,
    /// -1 suspended, -2/-3 buried, 0 new, 1 learning, 2 review, 3 day-learning, 4 preview.
    pub queue: i64,
    pub due: i64,
    pub interval: i64,
    /// Ease factor in permille (2500 is 2.5).
    pub factor: i64,
    pub reps: i64,
    pub lapses: i64,
    /// The due day before the card was moved into a filtered deck (0 when it was not).
    pub original_due: i64,
    /// The card holds an FSRS memory state (stability, difficulty) in its `data`.
    pub fsrs: bool,
}

/// One review (the `revlog` table).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RevlogRow {
    pub id: i64,
    pub card: i64,
    pub ease: i64,
    pub interval: i64,
    pub factor: i64,
    /// 0 learning, 1 review, 2 relearning, 3 filtered, 4 manual.
    pub kind: i64,
}

/// Which collection file a package holds, newest first: a current Anki writes a placeholder
/// `collection.anki2` ("please update Anki") beside the real `collection.anki21b`.
const COLLECTIONS: [(&str, bool); 3] = [
    ("collection.anki21b", true),
    ("collection.anki21", false),
    ("collection.anki2", false),
];

fn unreadable(path: &str, why: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        "K225",
        path,
        format!("this is not an Anki package knead can read: {why}"),
    )
    .with_help("export it again from Anki with File > Export, as \"Anki Deck Package (.apkg)\" or \"Anki Collection Package (.colpkg)\"")
}

fn too_large(path: &str, what: String) -> Diagnostic {
    Diagnostic::error("K226", path, what).with_help(
        "export fewer decks from Anki at a time (File > Export, one deck), without media",
    )
}

/// Reads the collection in the package at `file` (`path`: how it is named in messages).
/// With `with_progress`, its cards' scheduling and review log too.
pub(crate) fn read_package(
    file: File,
    path: &str,
    with_progress: bool,
) -> Result<Collection, Diagnostic> {
    let mut archive = zip::ZipArchive::new(file).map_err(|e| unreadable(path, e))?;
    if archive.len() > MAX_PACKAGE_ENTRIES {
        return Err(too_large(
            path,
            format!(
                "the package holds {} files, more than the {} knead reads",
                thousands(archive.len()),
                thousands(MAX_PACKAGE_ENTRIES)
            ),
        ));
    }
    let Some((name, compressed)) = COLLECTIONS
        .into_iter()
        .find(|(name, _)| archive.index_for_name(name).is_some())
    else {
        return Err(unreadable(
            path,
            "it holds no collection.anki2, collection.anki21 or collection.anki21b",
        ));
    };
    let dir = tempfile::tempdir().map_err(|e| unreadable(path, e))?;
    let db_path = dir.path().join("collection.sqlite");
    {
        let entry = archive.by_name(name).map_err(|e| unreadable(path, e))?;
        let mut out = File::create(&db_path).map_err(|e| unreadable(path, e))?;
        let written = if compressed {
            let decoder = zstd::stream::read::Decoder::new(entry)
                .map_err(|e| unreadable(path, format!("{name}: {e}")))?;
            copy_at_most(decoder, &mut out, MAX_PACKAGE_COLLECTION_BYTES as u64)
        } else {
            copy_at_most(entry, &mut out, MAX_PACKAGE_COLLECTION_BYTES as u64)
        }
        .map_err(|e| unreadable(path, format!("{name}: {e}")))?;
        if written > MAX_PACKAGE_COLLECTION_BYTES as u64 {
            return Err(too_large(
                path,
                format!(
                    "its collection unpacks to more than the {} knead reads",
                    limits::size_text(MAX_PACKAGE_COLLECTION_BYTES)
                ),
            ));
        }
    }
    read_collection(&db_path, with_progress).map_err(|e| unreadable(path, format!("{name}: {e}")))
}

/// Copies up to one byte past `limit`, so a zip or zstd bomb stops there.
fn copy_at_most(reader: impl Read, out: &mut impl io::Write, limit: u64) -> io::Result<u64> {
    io::copy(&mut reader.take(limit + 1), out)
}

/// Reads an Anki collection file (schema 11 with note types and decks as JSON, or schema 18
/// with tables for them).
pub(crate) fn read_collection(
    db_path: &Path,
    with_progress: bool,
) -> Result<Collection, rusqlite::Error> {
    let db = Connection::open_with_flags(
        db_path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // The file is untrusted: no functions with side effects from its schema, and every page
    // checked as it is read.
    db.execute_batch("pragma trusted_schema = off; pragma cell_size_check = on;")?;
    // Current collections index names with Anki's own case-insensitive collation; SQLite
    // refuses to read those tables without one of that name.
    db.create_collation("unicase", |a, b| {
        a.chars()
            .flat_map(char::to_lowercase)
            .cmp(b.chars().flat_map(char::to_lowercase))
    })?;
    let has_notetypes: bool = db.query_row(
        "select count(*) > 0 from sqlite_master where type = 'table' and name = 'notetypes'",
        [],
        |row| row.get(0),
    )?;
    let mut collection = Collection::default();
    if has_notetypes {
        read_schema_18(&db, &mut collection)?;
    } else {
        read_schema_11(&db, &mut collection)?;
    }
    let mut cards: HashMap<i64, (Vec<u32>, i64)> = HashMap::new();
    let mut statement = db.prepare("select nid, ord, did from cards order by nid, ord")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let entry = cards
            .entry(row.get(0)?)
            .or_insert_with(|| (Vec::new(), row.get(2).unwrap_or_default()));
        entry.0.push(row.get(1)?);
    }
    let mut statement = db.prepare("select id, guid, mid, tags, flds from notes order by id")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let tags: String = row.get(3)?;
        let fields: String = row.get(4)?;
        let (card_ords, deck) = cards.remove(&id).unwrap_or_default();
        collection.notes.push(Note {
            id,
            guid: row.get(1)?,
            note_type: row.get(2)?,
            tags: tags.split_whitespace().map(str::to_owned).collect(),
            fields: fields.split('\x1f').map(str::to_owned).collect(),
            card_ords,
            deck,
        });
    }
    if with_progress {
        collection.progress = Some(read_progress(&db)?);
    }
    Ok(collection)
}

/// The cards' scheduling and the review log (the same tables in schemas 11 and 18).
fn read_progress(db: &Connection) -> Result<Progress, rusqlite::Error> {
    let created = db.query_row("select crt from col", [], |row| row.get(0))?;
    let mut cards = Vec::new();
    let mut statement = db.prepare(
        "select id, nid, ord, type, queue, due, ivl, factor, reps, lapses, odue, data from cards order by id",
    )?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        cards.push(CardRow {
            id: row.get(0)?,
            note: row.get(1)?,
            ord: row.get(2)?,
            kind: row.get(3)?,
            queue: row.get(4)?,
            due: row.get(5)?,
            interval: row.get(6)?,
            factor: row.get(7)?,
            reps: row.get(8)?,
            lapses: row.get(9)?,
            original_due: row.get(10)?,
            fsrs: row
                .get::<_, Option<String>>(11)?
                .and_then(|data| serde_json::from_str::<serde_json::Value>(&data).ok())
                .is_some_and(|data| data.get("s").is_some()),
        });
    }
    let mut revlog = Vec::new();
    let mut statement =
        db.prepare("select id, cid, ease, ivl, factor, type from revlog order by id")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        revlog.push(RevlogRow {
            id: row.get(0)?,
            card: row.get(1)?,
            ease: row.get(2)?,
            interval: row.get(3)?,
            factor: row.get(4)?,
            kind: row.get(5)?,
        });
    }
    Ok(Progress {
        created,
        cards,
        revlog,
    })
}

fn read_schema_11(db: &Connection, collection: &mut Collection) -> Result<(), rusqlite::Error> {
    let (models, decks): (String, String) =
        db.query_row("select models, decks from col", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
    let bad_json = |e: serde_json::Error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    };
    let models: HashMap<String, serde_json::Value> =
        serde_json::from_str(&models).map_err(bad_json)?;
    for model in models.values() {
        let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
        let list = |key: &str| -> Vec<serde_json::Value> {
            let mut items = model[key].as_array().cloned().unwrap_or_default();
            items.sort_by_key(|item| item["ord"].as_i64().unwrap_or_default());
            items
        };
        collection.note_types.insert(
            model["id"]
                .as_i64()
                .or_else(|| model["id"].as_str()?.parse().ok())
                .unwrap_or_default(),
            NoteType {
                name: text(&model["name"]),
                cloze: model["type"].as_i64() == Some(1),
                fields: list("flds").iter().map(|f| text(&f["name"])).collect(),
                questions: list("tmpls").iter().map(|t| text(&t["qfmt"])).collect(),
            },
        );
    }
    let decks: HashMap<String, serde_json::Value> =
        serde_json::from_str(&decks).map_err(bad_json)?;
    for (id, deck) in decks {
        if let Ok(id) = id.parse() {
            collection
                .decks
                .insert(id, deck["name"].as_str().unwrap_or_default().to_owned());
        }
    }
    Ok(())
}

fn read_schema_18(db: &Connection, collection: &mut Collection) -> Result<(), rusqlite::Error> {
    let mut statement = db.prepare("select id, name, config from notetypes")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let config: Vec<u8> = row.get(2)?;
        collection.note_types.insert(
            row.get(0)?,
            NoteType {
                name: row.get(1)?,
                // NotetypeConfig field 1 is the kind: 0 normal, 1 cloze.
                cloze: protobuf_varint(&config, 1) == Some(1),
                ..NoteType::default()
            },
        );
    }
    let mut statement = db.prepare("select ntid, name from fields order by ntid, ord")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        if let Some(note_type) = collection.note_types.get_mut(&row.get(0)?) {
            note_type.fields.push(row.get(1)?);
        }
    }
    let mut statement = db.prepare("select ntid, config from templates order by ntid, ord")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let config: Vec<u8> = row.get(1)?;
        if let Some(note_type) = collection.note_types.get_mut(&row.get(0)?) {
            // CardTemplateConfig field 1 is the question format.
            let question = protobuf_bytes(&config, 1).unwrap_or_default();
            note_type
                .questions
                .push(String::from_utf8_lossy(question).into_owned());
        }
    }
    let mut statement = db.prepare("select id, name from decks")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let name: String = row.get(1)?;
        // Schema 18 separates deck levels with U+001F.
        collection
            .decks
            .insert(row.get(0)?, name.replace('\x1f', "::"));
    }
    Ok(())
}

/// Protocol-buffer fields of a message, as (number, value): a varint's value, or a
/// length-delimited field's bytes. Stops at the first malformed field.
fn protobuf_fields(mut data: &[u8]) -> impl Iterator<Item = (u64, Result<u64, &[u8]>)> {
    std::iter::from_fn(move || {
        let key = varint(&mut data)?;
        let value = match key & 7 {
            0 => Ok(varint(&mut data)?),
            1 | 5 => {
                let size = if key & 7 == 1 { 8 } else { 4 };
                data = data.get(size..)?;
                Ok(0)
            }
            2 => {
                let len = usize::try_from(varint(&mut data)?).ok()?;
                let bytes = data.get(..len)?;
                data = &data[len..];
                Err(bytes)
            }
            _ => return None,
        };
        Some((key >> 3, value))
    })
}

fn varint(data: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = data.split_first()?;
        *data = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn protobuf_varint(data: &[u8], number: u64) -> Option<u64> {
    protobuf_fields(data).find_map(|(n, v)| (n == number).then_some(v.ok()).flatten())
}

fn protobuf_bytes(data: &[u8], number: u64) -> Option<&[u8]> {
    protobuf_fields(data).find_map(|(n, v)| (n == number).then_some(v.err()).flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacking_stops_one_byte_past_the_limit() {
        // 16 MB of zeros compress to a few KB: a small bomb.
        let bomb = zstd::encode_all(io::repeat(0).take(16 << 20), 3).unwrap();
        assert!(bomb.len() < 16 << 10);
        let decoder = zstd::stream::read::Decoder::new(&bomb[..]).unwrap();
        let mut sink = io::sink();
        assert_eq!(
            copy_at_most(decoder, &mut sink, 1 << 20).unwrap(),
            (1 << 20) + 1
        );
    }

    #[test]
    fn protobuf_fields_are_read_and_malformed_input_stops() {
        // field 1 varint 1; field 3 string "css"; field 2 varint 300
        let message = [0x08, 0x01, 0x1a, 0x03, b'c', b's', b's', 0x10, 0xac, 0x02];
        assert_eq!(protobuf_varint(&message, 1), Some(1));
        assert_eq!(protobuf_bytes(&message, 3), Some(&b"css"[..]));
        assert_eq!(protobuf_varint(&message, 2), Some(300));
        assert_eq!(protobuf_varint(&message, 9), None);
        // A length past the end, and a varint that never ends.
        assert_eq!(protobuf_bytes(&[0x0a, 0x7f, b'x'], 1), None);
        assert_eq!(protobuf_varint(&[0x08, 0xff, 0xff], 1), None);
        assert_eq!(protobuf_varint(&[0x08; 1][..], 1), None);
    }
}
