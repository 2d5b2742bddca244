#!/usr/bin/env python3
"""Writes one hostile input for knead's stress run (tools/stress/run.sh).

    gen.py KIND N OUT

KIND is one of:
  wide-csv      a CSV whose header row has N columns (and one data row as wide)
  bad-ids       a deck on one line with N cards whose ids are not slugs
  cloze         a deck with one Cloze card holding N deletions
  same-front    a CSV of N rows that all have the same front (ids made unique with -2, -3, ...)
  tiny-cards    a deck of N small valid cards, one per line
  tiny-rows     a CSV of N two-column rows
  long-field    a CSV with one row whose back is N bytes long
  many-tags     a deck of N cards with 32 tags each (the most a card may have)
  cloze-deck    a deck of N Cloze cards with 50 deletions each (the most a card may have)
  empty-fronts  a CSV of N rows without a front (one diagnostic each)
  look-alikes   a deck of N cards in groups of 100 that look alike (near-duplicate pairs)
  bad-replaces  a deck of N cards each replacing a card that does not exist
  carried-on    a deck of N retired cards and N cards each replacing one of them
  zero-width    a deck of N cards each holding 60 zero-width spaces (one warning each)
  wordy-cards   a deck of N cards of about 200 bytes of words drawn from 5,000 (the curriculum
                checks compare every card's words)
"""
import random
import sys


def main():
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(out, "w", encoding="utf-8") as f:
        if kind == "wide-csv":
            f.write(",".join(["front", "back"] + [f"c{i}" for i in range(n - 2)]) + "\n")
            f.write(",".join(["q", "a"] + ["x"] * (n - 2)) + "\n")
        elif kind == "bad-ids":
            cards = ",".join(
                f'Basic(id:"Bad Id {i}",front:"q{i}",back:"a{i}",why:"w",source:"s")'
                for i in range(n)
            )
            f.write(f'Deck(id:"stress",title:"Stress",cards:[{cards}])\n')
        elif kind == "cloze":
            text = " ".join(f"word {{{{d{i}}}}}" for i in range(n))
            f.write(
                'Deck(\n    id: "stress",\n    title: "Stress",\n    cards: [\n'
                f'        Cloze(id: "many", text: "{text}", why: "w", source: "s"),\n'
                "    ],\n)\n"
            )
        elif kind == "same-front":
            f.write("front,back\n")
            for i in range(n):
                f.write(f"What is SLE?,answer {i}\n")
        elif kind == "tiny-cards":
            f.write('Deck(\n    id: "stress",\n    title: "Stress",\n    cards: [\n')
            for i in range(n):
                f.write(f'        Basic(id: "c{i}", front: "q{i}", back: "a{i}", why: "w", source: "s"),\n')
            f.write("    ],\n)\n")
        elif kind == "tiny-rows":
            f.write("front,back\n")
            for i in range(n):
                f.write(f"q{i},a{i}\n")
        elif kind == "long-field":
            f.write("front,back\n")
            f.write("q," + "a" * n + "\n")
        elif kind == "wordy-cards":
            rng = random.Random(n)
            vocabulary = [f"w{rng.randrange(10**6)}x" for _ in range(5000)]
            words = lambda k: " ".join(rng.choice(vocabulary) for _ in range(k))
            f.write('Deck(\n    id: "stress",\n    title: "Stress",\n    cards: [\n')
            for i in range(n):
                f.write(f'        Basic(id: "c{i}", front: "{words(14)}", back: "{words(8)}", why: "w", source: "s"),\n')
            f.write("    ],\n)\n")
        elif kind == "look-alikes":
            f.write('Deck(\n    id: "stress",\n    title: "Stress",\n    cards: [\n')
            for i in range(n):
                g = i // 100
                f.write(f'        Basic(id: "c{i}", front: "g{g}a g{g}b g{g}c g{g}d u{i}", back: "a", why: "w", source: "s"),\n')
            f.write("    ],\n)\n")
        elif kind == "bad-replaces":
            f.write('Deck(\n    id: "stress",\n    title: "Stress",\n    cards: [\n')
            for i in range(n):
                f.write(f'        Basic(id: "c{i}", front: "q{i}", back: "a", why: "w", source: "s", replaces: ["gone-{i}"]),\n')
            f.write("    ],\n)\n")
        elif kind == "carried-on":
            f.write('Deck(\n    id: "stress",\n    title: "Stress",\n    cards: [\n')
            for i in range(n):
                f.write(f'        Basic(id: "old-{i}", front: "old question {i}", back: "a", why: "w", source: "s", retired: "replaced"),\n')
            for i in range(n):
                f.write(f'        Basic(id: "new-{i}", front: "new question {i}", back: "a", why: "w", source: "s", replaces: ["old-{i}"]),\n')
            f.write("    ],\n)\n")
        elif kind == "zero-width":
            hidden = "\u200b" * 60
            f.write('Deck(\n    id: "stress",\n    title: "Stress",\n    cards: [\n')
            for i in range(n):
                f.write(f'        Basic(id: "c{i}", front: "q{i}{hidden}", back: "a", why: "w", source: "s"),\n')
            f.write("    ],\n)\n")
        elif kind == "many-tags":
            tags = ",".join(f'"t{t}"' for t in range(32))
            f.write('Deck(\n    id: "stress",\n    title: "Stress",\n    cards: [\n')
            for i in range(n):
                f.write(f'        Basic(id: "c{i}", front: "q{i}", back: "a", why: "w", source: "s", tags: [{tags}]),\n')
            f.write("    ],\n)\n")
        elif kind == "cloze-deck":
            text = " ".join(f"w {{{{d{d}}}}}" for d in range(50))
            f.write('Deck(\n    id: "stress",\n    title: "Stress",\n    cards: [\n')
            for i in range(n):
                f.write(f'        Cloze(id: "c{i}", text: "{text}", why: "w", source: "s"),\n')
            f.write("    ],\n)\n")
        elif kind == "empty-fronts":
            f.write("front,back\n")
            for i in range(n):
                f.write(f",answer {i}\n")
        else:
            sys.exit(f"unknown kind {kind}")


if __name__ == "__main__":
    main()
