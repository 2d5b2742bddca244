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

    oracle.py text PACKAGE OUT.txt
        Imports the package into a fresh collection and exports every note as Anki's
        "Notes in Plain Text" (with HTML, GUID, note type, deck and tags columns).

Run by tests/anki_oracle.rs with the interpreter named in KNEAD_ANKI_PYTHON.
"""

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
    elif command == "text":
        export_text(paths[0], paths[1])
    else:
        sys.exit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
