// Parses a GIFT file with gift-pegjs, a GIFT grammar written independently of knead, and
// prints what it understood as JSON: one line per question with its type, name, stem and
// answers. tests/gift.rs compares that with the deck the file was exported from.
"use strict";
const fs = require("fs");
const gift = require("gift-pegjs");

const path = process.argv[2];
if (!path) {
  console.error("usage: node check.js FILE.gift");
  process.exit(2);
}
let parsed;
try {
  parsed = gift.parse(fs.readFileSync(path, "utf8"));
} catch (error) {
  const at = error.location ? ` at line ${error.location.start.line}, column ${error.location.start.column}` : "";
  console.error(`gift-pegjs could not parse ${path}${at}: ${error.message}`);
  process.exit(1);
}
const text = (t) => (t == null ? null : t.text);
const summary = parsed.map((q) => {
  const out = { type: q.type, title: q.title ?? null };
  if (q.type === "Category") {
    return out;
  }
  out.stem = text(q.stem);
  out.globalFeedback = text(q.globalFeedback);
  if (q.type === "TF") {
    out.isTrue = q.isTrue;
    out.feedback = [text(q.trueFeedback), text(q.falseFeedback)];
  } else if (q.choices) {
    out.choices = q.choices.map((c) => ({
      text: text(c.text),
      isCorrect: c.isCorrect,
      feedback: text(c.feedback),
    }));
  }
  return out;
});
process.stdout.write(JSON.stringify(summary));
