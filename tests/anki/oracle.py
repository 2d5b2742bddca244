"""Anki's own backend (the PyPI `anki` package) as the oracle for knead's packages.

    oracle.py import PACKAGE [PACKAGE...]
        Imports each package in turn into one fresh collection and prints, as JSON, what
        each import did (notes added, updated) and the collection after the last one: every
        note with its GUID, note type, fields, tags, and its cards' ordinals and decks.

    oracle.py make PACKAGE
        Builds a collection with Anki's API the way a student's looks (Basic, Basic (and
        reversed card), Cloze with an empty Back Extra and two deletions, a custom note type
        with Front, Back and Why fields) and exports it as a current package (.apkg, the
        zstd-compressed collection.anki21b).

    oracle.py reviewed PACKAGE
        Builds a collection of a Basic, a reversed and a Cloze note whose cards Anki's
        scheduler answers (one graduates, is moved to today by hand and answered again; one
        graduates and lapses into relearning; one stays in a learning step; one graduates and
        is suspended; one stays new), exports it with scheduling as a current package, and
        prints, as JSON, each card as Anki holds it: note, ordinal, type, queue, interval, ease
        factor, reps, lapses, its review log ids, and the day it is due.

    oracle.py text PACKAGE OUT.txt
        Imports the package into a fresh collection and exports every note as Anki's
        "Notes in Plain Text" (with HTML, GUID, note type, deck and tags columns).

Run by tests/anki_oracle.rs with the interpreter named in KNEAD_ANKI_PYTHON.
"""

import datetime
import json
import os
import sys
import tempfile

from anki.collection import (
    Collection,
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)


def fresh_collection() -> Collection:
    folder = tempfile.mkdtemp()
    return Collection(os.path.join(folder, "collection.anki2"))


def describe(col: Collection) -> list:
    notes = []
    for nid in sorted(col.find_notes("")):
        note = col.get_note(nid)
        cards = sorted(note.cards(), key=lambda c: c.ord)
        notes.append(
            {
                "guid": note.guid,
                "note_type": note.note_type()["name"],
                "fields": dict(note.items()),
                "tags": sorted(note.tags),
                "cards": [card.ord for card in cards],
                "decks": [col.decks.name(card.did) for card in cards],
            }
        )
    return notes


def import_packages(paths: list) -> dict:
    col = fresh_collection()
    imports = []
    for path in paths:
        request = ImportAnkiPackageRequest(
            package_path=path,
            options=ImportAnkiPackageOptions(
                with_scheduling=False, with_deck_configs=False
            ),
        )
        log = col.import_anki_package(request).log
        imports.append(
            {
                "found": log.found_notes,
                "new": len(log.new),
                "updated": len(log.updated),
                "duplicate": len(log.duplicate),
                "conflicting": len(log.conflicting),
            }
        )
    problems, _ok = col.fix_integrity()
    result = {
        "imports": imports,
        "notes": describe(col),
        "card_count": col.card_count(),
        "integrity": problems,
    }
    col.close()
    return result


def add(col: Collection, note_type_name: str, deck_id: int, fields: dict, tags: list):
    note_type = col.models.by_name(note_type_name)
    note = col.new_note(note_type)
    for name, value in fields.items():
        note[name] = value
    note.tags = tags
    col.add_note(note, deck_id)
    return note


def make(path: str) -> None:
    col = fresh_collection()
    deck_id = col.decks.id("Massage::Pathology")
    add(col, "Basic", deck_id, {"Front": "What is SLE?", "Back": "An autoimmune disease"}, ["Lupus"])
    add(
        col,
        "Basic (and reversed card)",
        deck_id,
        {"Front": "Raynaud's", "Back": "Fingers blanch in the cold"},
        [],
    )
    add(
        col,
        "Cloze",
        deck_id,
        {"Text": "SLE is {{c1::autoimmune}} and {{c2::chronic}}.", "Back Extra": ""},
        [],
    )
    custom = col.models.copy(col.models.by_name("Basic"), add=False)
    custom["name"] = "Massage 3 fields"
    col.models.add_field(custom, col.models.new_field("Why"))
    col.models.add(custom)
    add(
        col,
        "Massage 3 fields",
        deck_id,
        {"Front": "Fever?", "Back": "Refer", "Why": "Massage spreads infection"},
        ["red_flag"],
    )
    col.export_anki_package(
        out_path=path,
        options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False
        ),
        limit=None,
    )
    col.close()


def answer(col: Collection, card, ease: int) -> None:
    card.load()
    card.start_timer()
    col.sched.answerCard(card, ease)


def due_date(col: Collection, card) -> str:
    """The study day a card is due, as Anki counts it: review cards' `due` is a day number
    (today is `col.sched.today`), learning cards' a time. Days roll over at 04:00, Anki's
    default and knead's."""
    today = (datetime.datetime.now() - datetime.timedelta(hours=4)).date()
    if card.queue in (1, 4):
        moment = datetime.datetime.fromtimestamp(card.due) - datetime.timedelta(hours=4)
        return moment.date().isoformat()
    due = card.odue if card.odid else card.due
    return (today + datetime.timedelta(days=due - col.sched.today)).isoformat()


def reviewed(path: str) -> None:
    col = fresh_collection()
    deck_id = col.decks.id("Lupus")
    basic = add(col, "Basic", deck_id, {"Front": "What is SLE?", "Back": "An autoimmune disease"}, [])
    reversed_note = add(
        col,
        "Basic (and reversed card)",
        deck_id,
        {"Front": "Raynaud's", "Back": "Fingers blanch in the cold"},
        [],
    )
    cloze = add(
        col,
        "Cloze",
        deck_id,
        {"Text": "SLE is {{c1::autoimmune}} and {{c2::chronic}}.", "Back Extra": ""},
        [],
    )
    # Easy graduates a new card at once; moved to today by hand, Good answers it again.
    sle = basic.cards()[0]
    answer(col, sle, 4)
    col.sched.set_due_date([sle.id], "0")
    answer(col, sle, 3)
    # The forward card graduates, then fails: relearning. The reverse card stays new.
    forward = sorted(reversed_note.cards(), key=lambda c: c.ord)[0]
    answer(col, forward, 4)
    col.sched.set_due_date([forward.id], "0")
    answer(col, forward, 1)
    # One deletion learnt (Hard: a learning step), the other graduated and suspended.
    first, second = sorted(cloze.cards(), key=lambda c: c.ord)
    answer(col, first, 2)
    answer(col, second, 4)
    col.sched.suspend_cards([second.id])
    col.export_anki_package(
        out_path=path,
        options=ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False
        ),
        limit=None,
    )
    cards = []
    for note in (basic, reversed_note, cloze):
        for card in sorted(note.cards(), key=lambda c: c.ord):
            card.load()
            cards.append(
                {
                    "note": note.fields[0],
                    "ord": card.ord,
                    "type": card.type,
                    "queue": card.queue,
                    "ivl": card.ivl,
                    "factor": card.factor,
                    "reps": card.reps,
                    "lapses": card.lapses,
                    "revlog": col.db.list("select id from revlog where cid = ? order by id", card.id),
                    "due_date": due_date(col, card),
                }
            )
    col.close()
    print(json.dumps(cards, indent=1))


def export_text(package: str, out: str) -> None:
    col = fresh_collection()
    col.import_anki_package(
        ImportAnkiPackageRequest(package_path=package, options=ImportAnkiPackageOptions())
    )
    col.export_note_csv(
        out_path=out,
        limit=None,
        with_html=True,
        with_tags=True,
        with_deck=True,
        with_notetype=True,
        with_guid=True,
    )
    col.close()


def main() -> None:
    command, *paths = sys.argv[1:]
    if command == "import":
        print(json.dumps(import_packages(paths), indent=1, sort_keys=True))
    elif command == "make":
        make(paths[0])
    elif command == "reviewed":
        reviewed(paths[0])
    elif command == "text":
        export_text(paths[0], paths[1])
    else:
        sys.exit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
