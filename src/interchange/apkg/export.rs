//! Writing knead decks as an Anki package (`.apkg`) that Anki imports directly.
//!
//! The package is the legacy layout every Anki since 2.1 imports: a zip holding
//! `collection.anki2` (an SQLite collection at schema 11, note types and decks as JSON in the
//! `col` row) and `media`, the JSON map of media files (empty: knead cards have none).
//!
//! Two note types carry the cards:
//! - **knead** (fields Front, Back, Why, Source, Knead) for Basic, Choice, TrueFalse and
//!   Scenario cards, one Anki card each. A Choice card's options are a list that the front
//!   template shuffles with a few lines of JavaScript each time the card is shown, as knead
//!   does; its back is the right option's text.
//! - **knead Cloze** (fields Text, Back Extra, Why, Source, Knead): deletion *n* of a knead
//!   Cloze is written `{{cn::...}}`, so each deletion is its own Anki card, as in knead.
//!
//! The Knead field holds the card as knead wrote it (RON), not shown by the templates: it
//! gives back a Choice, TrueFalse or Scenario card exactly when the package is imported into
//! knead again, as long as the shown fields were not edited in Anki.
//!
//! Each note's GUID is `knead:<deck>/<card>`, so importing a corrected deck again updates the
//! notes in place. Tags are kept; a safety-critical card is also tagged `knead::critical`.

use std::io::{Cursor, Write};

use rusqlite::{Connection, params};
use serde_json::{Value, json};
use zip::write::SimpleFileOptions;

use crate::deck::{Card, Deck};
use crate::error::Error;
use crate::interchange::{cloze_parts, face, guid, html, normalise_tag};

/// The Anki tag every safety-critical card gets (Anki's `::` makes it a child of `knead`).
pub const CRITICAL_TAG: &str = "knead::critical";

/// The note types' names, as Anki shows them and as an import recognises them.
pub const NOTE_TYPE: &str = "knead";
pub const CLOZE_NOTE_TYPE: &str = "knead Cloze";
/// The note types' ids, the same in every package: Anki matches an imported note to the one
/// it has by GUID only when their note types are the same, so a corrected deck updates its
/// notes in place instead of conflicting with them. (Timestamps in milliseconds, as Anki's
/// own ids are: 2026-01-01.)
const NOTE_TYPE_ID: i64 = 1_767_225_600_000;
const CLOZE_NOTE_TYPE_ID: i64 = 1_767_225_600_001;

/// The field that holds the card's RON.
pub const KNEAD_FIELD: &str = "Knead";

pub(super) const FIELDS: [&str; 5] = ["Front", "Back", "Why", "Source", KNEAD_FIELD];
const CLOZE_FIELDS: [&str; 5] = ["Text", "Back Extra", "Why", "Source", KNEAD_FIELD];

/// The Cloze note type's shown fields, as an import compares them with the Knead field's card.
pub(super) const CLOZE_FIELDS_FOR_MATCH: [&str; 4] = ["Text", "Back Extra", "Why", "Source"];

/// The shown fields (all but Knead) of the note a card becomes.
pub(super) fn shown_fields(card: &Card) -> [String; 4] {
    let [a, b, c, d, _] = note_of(card).fields;
    [a, b, c, d]
}

/// Shuffles a Choice card's options each time the front is shown.
const SHUFFLE_SCRIPT: &str = r#"<script>
(function () {
  for (const list of document.querySelectorAll("ul.knead-options")) {
    const items = Array.from(list.children);
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    items.forEach((item) => list.appendChild(item));
  }
})();
</script>"#;

const EXTRAS: &str = "{{#Why}}<div class=knead-why><br><b>Why:</b> {{Why}}</div>{{/Why}}\n\
     {{#Source}}<div class=knead-source><br><b>Source:</b> {{Source}}</div>{{/Source}}";

const CSS: &str = ".card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background-color: white; }\n\
     .cloze { font-weight: bold; color: blue; }\n\
     .nightMode .cloze { color: lightblue; }\n\
     .knead-why, .knead-source { font-size: 16px; }";

/// The fields of the note a card becomes, as Anki HTML, and how many Anki cards it makes.
struct Note {
    cloze: bool,
    fields: [String; 5],
    cards: usize,
}

fn note_of(card: &Card) -> Note {
    let common = card.common();
    let extra = |text: Option<&str>| text.map(html::from_text).unwrap_or_default();
    let ron = html::from_text(&card_ron(card));
    match card {
        Card::Cloze(cloze) => {
            let mut number = 0;
            let text = cloze_parts(&cloze.text)
                .into_iter()
                .map(|(hidden, text)| {
                    let text = html::from_text(text);
                    if hidden {
                        // Anki reads `::` in a deletion as the start of a hint; `:&#58;`
                        // shows the same and is not one.
                        let text = text.replace("::", ":&#58;");
                        number += 1;
                        format!("{{{{c{number}::{text}}}}}")
                    } else {
                        text
                    }
                })
                .collect();
            Note {
                cloze: true,
                fields: [
                    text,
                    String::new(),
                    extra(common.why),
                    extra(common.source),
                    ron,
                ],
                cards: number.max(1),
            }
        }
        _ => {
            let (front, back) = front_and_back(card);
            Note {
                cloze: false,
                fields: [front, back, extra(common.why), extra(common.source), ron],
                cards: 1,
            }
        }
    }
}

/// The Front and Back fields of a card of the knead note type. A Choice lists its options
/// (shuffled by the template) and answers with the right one's text.
pub(super) fn front_and_back(card: &Card) -> (String, String) {
    match card {
        Card::Choice(choice) => {
            let options: String = choice
                .options
                .iter()
                .map(|option| format!("<li>{}</li>", html::from_text(option)))
                .collect();
            let right = choice
                .options
                .get(choice.answer)
                .map(|o| html::from_text(o))
                .unwrap_or_default();
            (
                format!(
                    "{}<ul class=knead-options>{options}</ul>",
                    html::from_text(&choice.prompt)
                ),
                right,
            )
        }
        _ => {
            let face = face(card);
            (
                html::from_text(&face.question),
                html::from_text(&face.answer),
            )
        }
    }
}

/// The card as RON, on one line, as the Knead field holds it.
pub(super) fn card_ron(card: &Card) -> String {
    ron::Options::default()
        .with_default_extension(
            ron::extensions::Extensions::IMPLICIT_SOME
                | ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES,
        )
        .to_string(card)
        .expect("a card always serialises")
}

/// Anki's note checksum: the first 8 hex digits of the SHA-1 of the sort field's text.
fn checksum(sort_field: &str) -> i64 {
    let text = html::to_text(sort_field).text;
    let digest = sha1_smol::Sha1::from(text.as_bytes()).digest().bytes();
    i64::from(u32::from_be_bytes([
        digest[0], digest[1], digest[2], digest[3],
    ]))
}

fn field_json(names: &[&str]) -> Value {
    Value::Array(
        names
            .iter()
            .enumerate()
            .map(|(ord, name)| {
                json!({"name": name, "ord": ord, "sticky": false, "rtl": false,
                       "font": "Arial", "size": 20, "media": []})
            })
            .collect(),
    )
}

fn template_json(name: &str, qfmt: &str, afmt: &str) -> Value {
    json!({"name": name, "ord": 0, "qfmt": qfmt, "afmt": afmt, "did": null,
           "bqfmt": "", "bafmt": ""})
}

fn note_type_json(id: i64, cloze: bool, now: i64) -> Value {
    let (name, fields, template) = if cloze {
        (
            CLOZE_NOTE_TYPE,
            &CLOZE_FIELDS,
            template_json(
                "Cloze",
                "{{cloze:Text}}",
                &format!(
                    "{{{{cloze:Text}}}}\n{{{{#Back Extra}}}}<br>{{{{Back Extra}}}}{{{{/Back Extra}}}}\n{EXTRAS}"
                ),
            ),
        )
    } else {
        (
            NOTE_TYPE,
            &FIELDS,
            template_json(
                "Card 1",
                &format!("{{{{Front}}}}\n{SHUFFLE_SCRIPT}"),
                &format!("{{{{Front}}}}\n<hr id=answer>\n{{{{Back}}}}\n{EXTRAS}"),
            ),
        )
    };
    json!({
        "id": id, "name": name, "type": i32::from(cloze), "mod": now, "usn": -1, "sortf": 0,
        "did": 1, "tmpls": [template], "flds": field_json(fields), "css": CSS,
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}", "latexsvg": false,
        "req": [[0, "any", [0]]], "tags": [], "vers": [],
    })
}

fn deck_json(id: i64, name: &str, description: &str, now: i64) -> Value {
    json!({
        "id": id, "name": name, "mod": now, "usn": -1, "desc": description, "dyn": 0,
        "conf": 1, "collapsed": false, "browserCollapsed": false,
        "newToday": [0, 0], "revToday": [0, 0], "lrnToday": [0, 0], "timeToday": [0, 0],
        "extendNew": 0, "extendRev": 0,
    })
}

fn deck_config_json(now: i64) -> Value {
    json!({"1": {
        "id": 1, "name": "Default", "mod": now, "usn": -1, "maxTaken": 60, "autoplay": true,
        "timer": 0, "replayq": true, "dyn": false,
        "new": {"bury": false, "delays": [1.0, 10.0], "initialFactor": 2500,
                "ints": [1, 4, 0], "order": 1, "perDay": 20},
        "lapse": {"delays": [10.0], "leechAction": 1, "leechFails": 8, "minInt": 1, "mult": 0.0},
        "rev": {"bury": false, "ease4": 1.3, "ivlFct": 1.0, "maxIvl": 36500, "perDay": 200,
                "hardFactor": 1.2},
    }})
}

const SCHEMA: &str = "
create table col (id integer primary key, crt integer not null, mod integer not null,
    scm integer not null, ver integer not null, dty integer not null, usn integer not null,
    ls integer not null, conf text not null, models text not null, decks text not null,
    dconf text not null, tags text not null);
create table notes (id integer primary key, guid text not null, mid integer not null,
    mod integer not null, usn integer not null, tags text not null, flds text not null,
    sfld integer not null, csum integer not null, flags integer not null, data text not null);
create table cards (id integer primary key, nid integer not null, did integer not null,
    ord integer not null, mod integer not null, usn integer not null, type integer not null,
    queue integer not null, due integer not null, ivl integer not null, factor integer not null,
    reps integer not null, lapses integer not null, left integer not null, odue integer not null,
    odid integer not null, flags integer not null, data text not null);
create table revlog (id integer primary key, cid integer not null, usn integer not null,
    ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null,
    time integer not null, type integer not null);
create table graves (usn integer not null, oid integer not null, type integer not null);
create index ix_notes_usn on notes (usn);
create index ix_cards_usn on cards (usn);
create index ix_revlog_usn on revlog (usn);
create index ix_cards_nid on cards (nid);
create index ix_cards_sched on cards (did, queue, due);
create index ix_revlog_cid on revlog (cid);
create index ix_notes_csum on notes (csum);
";

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exported {
    pub bytes: Vec<u8>,
    pub notes: usize,
    /// Anki cards: one per note, one per deletion for a Cloze.
    pub cards: usize,
    /// Retired cards, left out.
    pub retired: usize,
}

/// The decks as an Anki package, one Anki deck per knead deck, named by its title. `now_ms` is
/// the time of the export in milliseconds (Anki's ids and modification times come from it).
pub fn to_apkg(decks: &[Deck], now_ms: i64) -> Result<Exported, Error> {
    let internal = |e: rusqlite::Error| Error::Io {
        action: "build the Anki collection in",
        path: "a temporary file".into(),
        source: std::io::Error::other(e),
    };
    let dir = tempfile::tempdir().map_err(|source| Error::Io {
        action: "create a temporary folder in",
        path: std::env::temp_dir(),
        source,
    })?;
    let path = dir.path().join("collection.anki2");
    let db = Connection::open(&path).map_err(internal)?;
    let now = now_ms / 1000;
    let (basic_id, cloze_id) = (NOTE_TYPE_ID, CLOZE_NOTE_TYPE_ID);
    let mut exported = Exported::default();
    let mut deck_entries = serde_json::Map::new();
    deck_entries.insert("1".into(), deck_json(1, "Default", "", now));
    db.execute_batch(SCHEMA).map_err(internal)?;
    db.execute_batch("begin").map_err(internal)?;
    let mut next_id = now_ms;
    for (index, deck) in decks.iter().enumerate() {
        // Deck ids after the note types' (a deck and a note type may share an id, but
        // tests read clearer when they do not).
        let deck_id = now_ms + 2 + index as i64;
        deck_entries.insert(
            deck_id.to_string(),
            deck_json(
                deck_id,
                &anki_deck_name(&deck.title),
                &deck.description,
                now,
            ),
        );
        for card in &deck.cards {
            if card.common().retired.is_some() {
                exported.retired += 1;
                continue;
            }
            let note = note_of(card);
            next_id += 1;
            let note_id = next_id;
            let mut tags: Vec<String> = card
                .common()
                .tags
                .iter()
                .filter_map(|t| normalise_tag(t))
                .collect();
            if card.common().critical {
                tags.push(CRITICAL_TAG.to_owned());
            }
            let tags = if tags.is_empty() {
                String::new()
            } else {
                format!(" {} ", tags.join(" "))
            };
            let sort_text = html::to_text(&note.fields[0]).text;
            db.execute(
                "insert into notes values (?1, ?2, ?3, ?4, -1, ?5, ?6, ?7, ?8, 0, '')",
                params![
                    note_id,
                    guid(&deck.id, card.id()),
                    if note.cloze { cloze_id } else { basic_id },
                    now,
                    tags,
                    note.fields.join("\x1f"),
                    sort_text,
                    checksum(&note.fields[0]),
                ],
            )
            .map_err(internal)?;
            exported.notes += 1;
            for ord in 0..note.cards {
                next_id += 1;
                db.execute(
                    "insert into cards values (?1, ?2, ?3, ?4, ?5, -1, 0, 0, ?6, 0, 0, 0, 0, 0, 0, 0, 0, '')",
                    params![next_id, note_id, deck_id, ord as i64, now, exported.notes as i64],
                )
                .map_err(internal)?;
                exported.cards += 1;
            }
        }
    }
    let models = json!({
        basic_id.to_string(): note_type_json(basic_id, false, now),
        cloze_id.to_string(): note_type_json(cloze_id, true, now),
    });
    let conf = json!({"nextPos": exported.notes + 1, "estTimes": true, "activeDecks": [1],
                      "sortType": "noteFld", "timeLim": 0, "sortBackwards": false,
                      "addToCur": true, "curDeck": 1, "newSpread": 0, "dueCounts": true,
                      "curModel": basic_id.to_string(), "collapseTime": 1200});
    db.execute(
        "insert into col values (1, ?1, ?2, ?3, 11, 0, 0, 0, ?4, ?5, ?6, ?7, '{}')",
        params![
            // The collection's creation day: Anki counts review days from it.
            now - now.rem_euclid(86_400),
            now_ms,
            now_ms,
            conf.to_string(),
            models.to_string(),
            Value::Object(deck_entries).to_string(),
            deck_config_json(now).to_string(),
        ],
    )
    .map_err(internal)?;
    db.execute_batch("commit").map_err(internal)?;
    db.close().map_err(|(_, e)| internal(e))?;
    let collection = std::fs::read(&path).map_err(|source| Error::Io {
        action: "read",
        path: path.clone(),
        source,
    })?;

    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let write = |zip: &mut zip::ZipWriter<Cursor<Vec<u8>>>, name: &str, bytes: &[u8]| {
        zip.start_file(name, options)
            .map_err(std::io::Error::other)
            .and_then(|()| zip.write_all(bytes))
            .map_err(|source| Error::Io {
                action: "write the package entry",
                path: name.into(),
                source,
            })
    };
    write(&mut zip, "collection.anki2", &collection)?;
    write(&mut zip, "media", b"{}")?;
    exported.bytes = zip
        .finish()
        .map_err(|e| Error::Io {
            action: "finish",
            path: "the package".into(),
            source: std::io::Error::other(e),
        })?
        .into_inner();
    Ok(exported)
}

/// A deck title as an Anki deck name: Anki reads `::` as a level of its deck tree, and a
/// name on one line.
fn anki_deck_name(title: &str) -> String {
    title.replace(['\r', '\n'], " ").replace("::", ":")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck;

    #[test]
    fn cloze_deletions_are_numbered_in_order_and_each_is_a_card() {
        let card = Card::Cloze(deck::Cloze {
            id: "c".into(),
            text: "Steroids thin the {{skin}} & cause {{bone loss}}.".into(),
            ..Default::default()
        });
        let note = note_of(&card);
        assert!(note.cloze);
        assert_eq!(
            note.fields[0],
            "Steroids thin the {{c1::skin}} &amp; cause {{c2::bone loss}}."
        );
        assert_eq!(note.cards, 2);
        assert_eq!(note.fields[1], "");
        let card = Card::Cloze(deck::Cloze {
            id: "c".into(),
            text: "Write {{a::b}} and {{x:::y}}.".into(),
            ..Default::default()
        });
        assert_eq!(
            note_of(&card).fields[0],
            "Write {{c1::a:&#58;b}} and {{c2::x:&#58;:y}}."
        );
    }

    #[test]
    fn choice_options_are_a_list_the_template_shuffles() {
        let card = Card::Choice(deck::Choice {
            id: "q".into(),
            prompt: "Pick <one>".into(),
            options: vec!["A".into(), "B".into()],
            answer: 1,
            ..Default::default()
        });
        let (front, back) = front_and_back(&card);
        assert_eq!(
            front,
            "Pick &lt;one&gt;<ul class=knead-options><li>A</li><li>B</li></ul>"
        );
        assert_eq!(back, "B");
        let model = note_type_json(1, false, 0);
        assert!(
            model["tmpls"][0]["qfmt"]
                .as_str()
                .unwrap()
                .contains("ul.knead-options")
        );
    }

    #[test]
    fn the_checksum_is_of_the_text_without_markup() {
        assert_eq!(checksum("<b>What</b> is SLE?"), checksum("What is SLE?"));
        assert_ne!(checksum("What is SLE?"), checksum("What is RA?"));
        assert!(checksum("x") < 1 << 32);
    }
}
