// Writes SM-2 test vectors for knead to stdout, computed by the npm package `supermemo`
// (a line-for-line port of SuperMemo's own SM-2 code), so knead's scheduler is checked
// against an implementation it shares no code with.
// Run: npm ci && npm run generate
import { supermemo } from "supermemo";

// A fixed linear congruential generator keeps the vectors identical on every run.
let seed = 20261121;
function next() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

// Grades weighted like real study: mostly passes, some lapses, a few blackouts.
function randomGrade() {
  const r = next();
  if (r < 0.05) return 0;
  if (r < 0.12) return 1;
  if (r < 0.2) return 2;
  if (r < 0.4) return 3;
  if (r < 0.75) return 4;
  return 5;
}

const cases = [];
// Every single grade from a new card, and every pair.
for (let a = 0; a <= 5; a++) {
  cases.push([a]);
  for (let b = 0; b <= 5; b++) cases.push([a, b]);
}
// Long runs that reach the easiness floor and grow large intervals.
cases.push(Array(12).fill(5));
cases.push(Array(10).fill(0));
cases.push(Array(10).fill(3));
cases.push([5, 5, 5, 5, 1, 4, 4, 4, 4, 4]);
// Random sequences.
for (let i = 0; i < 300; i++) {
  const length = 1 + Math.floor(next() * 20);
  cases.push(Array.from({ length }, randomGrade));
}

const CAP = 36500; // knead's interval cap; keep vectors below it so they test SM-2 itself
const out = [];
for (const grades of cases) {
  let item = { interval: 0, repetition: 0, efactor: 2.5 };
  const states = [];
  for (const grade of grades) {
    item = supermemo(item, grade);
    states.push({ repetitions: item.repetition, interval_days: item.interval, easiness: item.efactor });
  }
  if (states.every((s) => s.interval_days <= CAP)) out.push({ grades, states });
}

process.stdout.write(
  JSON.stringify({ generator: "supermemo@2.0.23 (npm)", cases: out }, null, 1) + "\n",
);
