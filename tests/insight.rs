//! `knead stats`, `knead card` and exam mode through the real binary, across simulated weeks.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Output;

use common::{Plain, fixture, knead};
use jiff::Span;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use knead::sm2::{self, Grade};
use knead::store::{Access, LogEntry, ReviewKind};
use knead::study::collection::Scope;
use knead::study::exam::{self, ExamPlan};
use serde_json::Value;

const TODAY: &str = "2026-11-21";
/// The study items of tests/fixtures/tagged.ron that the seeded history answers
/// (`tagged/never-seen` stays new).
const SEEDED: [&str; 6] = [
    "tagged/sle-what",
    "tagged/sle-women",
    "tagged/ssc-skin#1",
    "tagged/ssc-skin#2",
    "tagged/ssc-pressure",
    "tagged/dvt-calf",
];

fn day(text: &str) -> Date {
    text.parse().unwrap()
}

fn add(on: Date, days: i64) -> Date {
    on.checked_add(Span::new().days(days)).unwrap()
}

fn install(data: &Path, name: &str) {
    let output = knead(data, TODAY)
        .arg("add")
        .arg(fixture(name))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
}

fn run(data: &Path, today: &str, args: &[&str]) -> Output {
    knead(data, today).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json(data: &Path, today: &str, args: &[&str]) -> Value {
    serde_json::from_str(&stdout(&run(data, today, args))).unwrap()
}

/// Six weeks of answers to the tagged deck, written through the library and the same on every
/// run: most days studied (every fifth missed), the safety-critical card failed every time (a
/// leech), one lupus card often failed, a drill after each grade below 4 and a few cram
/// answers. Returns every entry written.
fn seed(data: &Path) -> Vec<LogEntry> {
    install(data, "tagged.ron");
    let today = day(TODAY);
    let (mut store, _) = common::open_store(data, Access::Exclusive);
    let mut written = Vec::new();
    for offset in (0..=42i64).rev() {
        if offset % 5 == 2 {
            continue;
        }
        let on = add(today, -offset);
        let at = on
            .at(18, 0, 0, 0)
            .to_zoned(TimeZone::UTC)
            .unwrap()
            .timestamp();
        let mut entries = Vec::new();
        for (n, key) in SEEDED.iter().enumerate() {
            let before = store.get(key).cloned();
            if before.as_ref().is_some_and(|p| p.due > on) {
                continue;
            }
            let grade = match *key {
                "tagged/dvt-calf" => 1,
                "tagged/sle-women" => [2, 4, 1, 3][offset as usize % 4],
                _ => [5, 4, 3, 4, 5, 2][(offset as usize + n) % 6],
            };
            let state = sm2::review(
                before.map(|p| p.sm2_state()).unwrap_or_default(),
                Grade::try_from(grade).unwrap(),
            );
            let review = LogEntry {
                at,
                day: on,
                item: key.to_string(),
                kind: ReviewKind::Review,
                grade,
                took_ms: 2_000 + 500 * n as u64 + offset as u64 * 10,
                repetitions: state.repetitions,
                interval_days: state.interval_days,
                easiness: state.easiness,
                due: add(on, i64::from(state.interval_days)),
                rev: 0,
                from: None,
                chose: None,
                first: false,
            };
            if grade < 4 {
                entries.push(LogEntry {
                    kind: ReviewKind::Drill,
                    grade: 4,
                    took_ms: 1_500,
                    ..review.clone()
                });
                entries.insert(entries.len() - 1, review);
            } else {
                entries.push(review);
            }
        }
        store.record_all(&entries).unwrap();
        written.extend(entries);
        if offset % 7 == 0 {
            let crammed: Vec<LogEntry> = [("tagged/sle-what", 5), ("tagged/ssc-pressure", 2)]
                .iter()
                .map(|&(key, grade)| {
                    let p = store.get(key).unwrap();
                    LogEntry {
                        at,
                        day: on,
                        item: key.to_owned(),
                        kind: ReviewKind::Cram,
                        grade,
                        took_ms: 3_000,
                        repetitions: p.repetitions,
                        interval_days: p.interval_days,
                        easiness: p.easiness,
                        due: p.due,
                        rev: 0,
                        from: None,
                        chose: None,
                        first: false,
                    }
                })
                .collect();
            store.record_all(&crammed).unwrap();
            written.extend(crammed);
        }
    }
    store.write_snapshot().unwrap();
    written
}

fn age(entry: &LogEntry) -> i64 {
    i64::from((day(TODAY) - entry.day).get_days())
}

fn reviews_where(written: &[LogEntry], keep: impl Fn(&LogEntry) -> bool) -> (u64, u64) {
    let reviews: Vec<&LogEntry> = written
        .iter()
        .filter(|e| e.kind == ReviewKind::Review && keep(e))
        .collect();
    let passed = reviews.iter().filter(|e| e.grade >= 3).count();
    (reviews.len() as u64, passed as u64)
}

fn counts(rate: &Value) -> (u64, u64) {
    (
        rate["reviews"].as_u64().unwrap(),
        rate["passed"].as_u64().unwrap(),
    )
}

#[test]
fn stats_count_exactly_what_the_log_holds() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let written = seed(data);
    let stats = json(data, TODAY, &["stats", "--json", "--deck", "tagged"]);

    assert_eq!(stats["scope"]["decks"], serde_json::json!(["tagged"]));
    assert_eq!(
        (stats["cards"].as_u64(), stats["introduced"].as_u64()),
        (Some(7), Some(6))
    );
    let today = &stats["studied_today"];
    let (reviewed, correct) = reviews_where(&written, |e| age(e) == 0);
    assert!(reviewed > 0);
    assert_eq!(today["reviewed"].as_u64(), Some(reviewed));
    assert_eq!(today["correct"].as_u64(), Some(correct));
    let time: u64 = written
        .iter()
        .filter(|e| age(e) == 0)
        .map(|e| e.took_ms)
        .sum();
    assert_eq!(today["time_ms"].as_u64(), Some(time));
    assert_eq!(today["crammed"].as_u64(), Some(2));
    assert_eq!(
        stats["streak_days"].as_u64(),
        Some(2),
        "21st and 20th; the 19th was missed"
    );

    let retention = &stats["retention"];
    assert_eq!(
        counts(&retention["overall"]["all"]),
        reviews_where(&written, |_| true)
    );
    assert_eq!(
        counts(&retention["overall"]["last_7_days"]),
        reviews_where(&written, |e| age(e) < 7)
    );
    assert_eq!(
        counts(&retention["overall"]["last_30_days"]),
        reviews_where(&written, |e| age(e) < 30)
    );
    let tags: Vec<&str> = retention["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["lupus", "pressure", "red-flag", "scleroderma"]);
    let lupus = &retention["tags"][0]["all"];
    assert_eq!(
        counts(lupus),
        reviews_where(&written, |e| e.item.starts_with("tagged/sle-"))
    );

    let weakest = stats["weakest_cards"].as_array().unwrap();
    assert_eq!(weakest[0]["key"], "tagged/dvt-calf");
    assert_eq!(weakest[0]["rate"].as_f64(), Some(0.0));
    let rates: Vec<f64> = weakest
        .iter()
        .map(|c| c["rate"].as_f64().unwrap())
        .collect();
    assert!(rates.windows(2).all(|w| w[0] <= w[1]), "{rates:?}");
    assert!(rates.iter().all(|&r| r < 1.0));
    assert_eq!(stats["weakest_tags"][0]["tag"], "red-flag");

    let leeches = stats["leeches"].as_array().unwrap();
    assert_eq!(leeches[0]["key"], "tagged/dvt-calf");
    assert_eq!(leeches[0]["critical"], true);

    let cram = counts(&stats["cram"]["all"]);
    let crammed = written.iter().filter(|e| e.kind == ReviewKind::Cram);
    assert_eq!(
        cram,
        (
            crammed.clone().count() as u64,
            crammed.filter(|e| e.grade >= 3).count() as u64
        )
    );

    let calendar = stats["calendar"].as_array().unwrap();
    assert_eq!(
        calendar.first().unwrap()["day"],
        "2026-08-31",
        "a Monday, 11 weeks back"
    );
    assert_eq!(calendar.last().unwrap()["day"], TODAY);
    let answers: u64 = calendar
        .iter()
        .map(|d| d["answers"].as_u64().unwrap())
        .sum();
    assert_eq!(answers, written.len() as u64);

    let (store, _) = common::open_store(data, Access::ReadOnly);
    let forecast = stats["forecast"].as_array().unwrap();
    assert_eq!(forecast.len(), 30);
    for (offset, due) in forecast.iter().enumerate() {
        let on = add(day(TODAY), offset as i64);
        let expected = store
            .items()
            .values()
            .filter(|p| p.due == on || (offset == 0 && p.due < on))
            .count();
        assert_eq!(due["due"].as_u64(), Some(expected as u64), "{on}");
    }
    assert!(stats["exam"].is_null());
}

/// Six weeks of answers and a small exam plan (3 cards a day) over `scope`.
fn seed_with_exam(data: &Path, scope: Scope) {
    seed(data);
    let plan = ExamPlan {
        date: day("2026-12-05"),
        scope,
        max_per_day: 3,
    };
    exam::save(data, &common::test_device(), &plan).unwrap();
}

#[test]
fn stats_text_is_pinned_at_80_and_40_columns() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    seed_with_exam(
        data,
        Scope {
            decks: vec!["tagged".into()],
            tags: vec![],
        },
    );
    for width in [80, 40] {
        let text = stdout(&run(
            data,
            TODAY,
            &["stats", "--deck", "tagged", "--width", &width.to_string()],
        ));
        for line in text.lines() {
            assert!(
                line.chars().count() <= width,
                "wider than {width}: {line:?}"
            );
            assert_eq!(line, line.trim_end());
        }
        let path = format!("snapshots/stats-{width}.txt");
        snapbox::assert_data_eq!(text, snapbox::Data::read_from(&snapshot(&path), None));
    }
}

fn snapshot(relative: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(relative)
}

#[test]
fn the_width_comes_from_columns_when_not_a_terminal_and_defaults_to_80() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let widest = |columns: Option<&str>| {
        let mut command = knead(dir.path(), TODAY);
        command
            .env_remove("COLUMNS")
            .args(["stats", "--deck", "tagged"]);
        if let Some(columns) = columns {
            command.env("COLUMNS", columns);
        }
        let text = stdout(&command.output().unwrap());
        text.lines().map(|l| l.chars().count()).max().unwrap()
    };
    let default = widest(None);
    assert!(default > 60 && default <= 80, "{default}");
    assert!(widest(Some("44")) <= 44);
}

/// Every field path of a JSON value (`a.b`, `list[].c`), array elements merged.
fn paths(value: &Value, prefix: &str, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                into.insert(path.clone());
                paths(inner, &path, into);
            }
        }
        Value::Array(items) => {
            for item in items {
                paths(item, &format!("{prefix}[]"), into);
            }
        }
        _ => {}
    }
}

#[test]
fn json_layouts_are_stable_and_documented() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    seed_with_exam(data, Scope::default());
    let doc = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/stats-json.md"))
        .unwrap();

    let stats = json(data, TODAY, &["stats", "--json"]);
    let mut found = BTreeSet::new();
    paths(&stats, "", &mut found);
    let windows = |p: &str| -> Vec<String> {
        ["last_7_days", "last_30_days", "all"]
            .iter()
            .flat_map(|w| ["", ".reviews", ".passed", ".rate"].map(|f| format!("{p}.{w}{f}")))
            .collect()
    };
    let mut expected: BTreeSet<String> = [
        "schema",
        "today",
        "scope",
        "scope.decks",
        "scope.tags",
        "cards",
        "introduced",
        "studied_today",
        "studied_today.reviewed",
        "studied_today.correct",
        "studied_today.correct_rate",
        "studied_today.time_ms",
        "studied_today.new",
        "studied_today.still_due",
        "studied_today.drilled",
        "studied_today.crammed",
        "streak_days",
        "forecast",
        "forecast[].day",
        "forecast[].due",
        "calendar",
        "calendar[].day",
        "calendar[].answers",
        "retention",
        "retention.overall",
        "retention.decks",
        "retention.decks[].name",
        "retention.tags",
        "retention.tags[].name",
        "weakest_cards",
        "weakest_cards[].key",
        "weakest_cards[].reviews",
        "weakest_cards[].passed",
        "weakest_cards[].rate",
        "weakest_cards[].lapses",
        "weakest_cards[].easiness",
        "weakest_cards[].critical",
        "weakest_tags",
        "weakest_tags[].tag",
        "weakest_tags[].reviews",
        "weakest_tags[].passed",
        "weakest_tags[].rate",
        "leeches",
        "leeches[].key",
        "leeches[].critical",
        "leeches[].lapses",
        "leeches[].floor_reviews",
        "leeches[].easiness",
        "leeches[].due",
        "cram",
        "exam",
        "exam.date",
        "exam.scope",
        "exam.scope.decks",
        "exam.scope.tags",
        "exam.max_per_day",
        "exam.today",
        "exam.days_left",
        "exam.final_week_start",
        "exam.cards",
        "exam.introduced",
        "exam.seen_in_final_week",
        "exam.final_week_days_left",
        "exam.to_see",
        "exam.needed_per_day",
        "exam.feasible",
        "exam.new",
        "exam.days_before_final_week",
        "exam.problems",
        "exam.expected_per_day",
        "exam.expected_per_day[].day",
        "exam.expected_per_day[].cards",
    ]
    .map(String::from)
    .into();
    for windowed in [
        "retention.overall",
        "retention.decks[]",
        "retention.tags[]",
        "cram",
    ] {
        expected.extend(windows(windowed));
    }
    assert_eq!(
        found, expected,
        "knead stats --json changed: raise stats::SCHEMA and update docs/stats-json.md"
    );
    assert_eq!(stats["schema"], 1);

    let card = json(data, TODAY, &["card", "tagged/ssc-skin", "--json"]);
    let mut found = BTreeSet::new();
    paths(&card, "", &mut found);
    let mut expected: BTreeSet<String> = [
        "schema",
        "deck",
        "deck_title",
        "card",
        "kind",
        "retired",
        "prompt",
        "options",
        "answer",
        "why",
        "source",
        "tags",
        "critical",
        "items",
        "items[].key",
        "items[].prompt",
        "items[].answer",
        "items[].progress",
        "items[].leech",
        "items[].history",
    ]
    .map(String::from)
    .into();
    for field in [
        "repetitions",
        "interval_days",
        "easiness",
        "due",
        "introduced",
        "last_reviewed",
        "reviews",
        "lapses",
        "rev",
        "floor_reviews",
    ] {
        expected.insert(format!("items[].progress.{field}"));
    }
    for field in [
        "at",
        "day",
        "item",
        "kind",
        "grade",
        "took_ms",
        "repetitions",
        "interval_days",
        "easiness",
        "due",
    ] {
        expected.insert(format!("items[].history[].{field}"));
    }
    assert_eq!(
        found, expected,
        "knead card --json changed: raise card_info::SCHEMA and update docs/stats-json.md"
    );

    for path in expected.iter().chain(&found) {
        let field = path.rsplit(['.', ']']).next().unwrap();
        assert!(
            doc.contains(&format!("`{field}`")),
            "docs/stats-json.md does not describe `{field}`"
        );
    }
}

#[test]
fn stats_before_any_answer_and_scope_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let text = stdout(&run(data, TODAY, &["stats", "--width", "40"]));
    assert!(text.contains("reviewed 0 · correct 0 (—)"), "{text}");
    assert!(text.contains("nothing scheduled"), "{text}");
    let stats = json(data, TODAY, &["stats", "--json"]);
    assert_eq!(stats["studied_today"]["reviewed"], 0);
    assert_eq!(stats["retention"]["overall"]["all"]["rate"], Value::Null);

    install(data, "tagged.ron");
    let wrong_deck = run(data, TODAY, &["stats", "--deck", "taged"]);
    assert_eq!(wrong_deck.status.code(), Some(2));
    let stderr = String::from_utf8(wrong_deck.stderr).unwrap();
    assert!(stderr.contains("error: no deck `taged`"), "{stderr}");
    assert!(stderr.contains("help: did you mean `tagged`?"), "{stderr}");
    let wrong_tag = run(data, TODAY, &["stats", "--tag", "scleroderm"]);
    assert_eq!(wrong_tag.status.code(), Some(2));
    let stderr = String::from_utf8(wrong_tag.stderr).unwrap();
    assert!(
        stderr.contains("help: did you mean `scleroderma`?"),
        "{stderr}"
    );
}

#[test]
fn card_shows_how_it_is_studied_its_state_and_its_whole_history() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let written = seed(data);

    let text = stdout(&run(
        data,
        TODAY,
        &["card", "tagged/ssc-skin", "--width", "120"],
    ));
    assert!(
        text.starts_with("tagged/ssc-skin (Cloze) in Tagged deck\n"),
        "{text}"
    );
    assert!(text.contains("Deletion 1: Scleroderma hardens the [...] and can narrow the fingers' blood vessels. (skin)"), "{text}");
    assert!(text.contains("Deletion 2:"), "{text}");
    assert!(text.contains("Why: Why scleroderma"), "{text}");
    assert!(text.contains("Tags: scleroderma"), "{text}");
    assert!(text.contains("DATE        KIND    GRADE"), "{text}");

    let card = json(data, TODAY, &["card", "tagged/ssc-skin#2", "--json"]);
    assert_eq!(card["kind"], "Cloze");
    assert_eq!(card["answer"], "skin; fingers' blood vessels");
    let items = card["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let (store, _) = common::open_store(data, Access::ReadOnly);
    for item in items {
        let key = item["key"].as_str().unwrap();
        let history = item["history"].as_array().unwrap();
        let expected: Vec<&LogEntry> = written.iter().filter(|e| e.item == key).collect();
        assert_eq!(history.len(), expected.len(), "{key}");
        let last = history.last().unwrap();
        assert_eq!(
            last["grade"].as_u64(),
            Some(u64::from(expected.last().unwrap().grade))
        );
        let progress = store.get(key).unwrap();
        assert_eq!(item["progress"]["due"], progress.due.to_string());
        assert_eq!(
            item["progress"]["easiness"].as_f64(),
            Some(progress.easiness)
        );
    }

    let leech = stdout(&run(
        data,
        TODAY,
        &["card", "tagged/dvt-calf", "--width", "40"],
    ));
    assert!(leech.contains("safety-critical"), "{leech}");
    assert!(leech.contains("a leech"), "{leech}");
    assert!(leech.lines().all(|l| l.chars().count() <= 40), "{leech}");
    let new = stdout(&run(data, TODAY, &["card", "tagged/never-seen"]));
    assert!(new.contains("Not studied yet."), "{new}");

    let misspelt = run(data, TODAY, &["card", "tagged/dvt-calv"]);
    assert_eq!(misspelt.status.code(), Some(2));
    let stderr = String::from_utf8(misspelt.stderr).unwrap();
    assert!(
        stderr.contains("error: deck `tagged` has no card `dvt-calv`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: did you mean `dvt-calf`?"),
        "{stderr}"
    );
    let no_slash = run(data, TODAY, &["card", "tagged"]);
    assert_eq!(no_slash.status.code(), Some(2));
    assert!(
        String::from_utf8(no_slash.stderr)
            .unwrap()
            .contains("help: name the deck id and the card id with a slash")
    );
}

/// One plain study session that answers everything asked; returns the answers it logged.
fn study_day(data: &Path, today: &str, extra: &[&str]) -> (usize, String) {
    let mut command = knead(data, today);
    command
        .args(["study", "--seed", "1", "--new", "0"])
        .args(extra);
    Plain::spawn(command).answer_all_correctly()
}

#[test]
fn an_exam_plan_is_followed_day_by_day_until_the_exam() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    install(data, "tagged.ron");
    let start = day(TODAY);
    let exam_day = add(start, 10);
    let week_start = add(exam_day, -7);

    let (asked, out) = study_day(
        data,
        TODAY,
        &[
            "--exam",
            &exam_day.to_string(),
            "--deck",
            "tagged",
            "--max-per-day",
            "2",
        ],
    );
    assert!(
        out.contains("Exam on 2026-12-01 (in 10 days), decks tagged: 7 cards in scope"),
        "{out}"
    );
    assert!(
        out.contains("7 new cards, 3 days before the final week, cap 2: 1 will first be seen in the final week."),
        "{out}"
    );
    assert!(!out.contains("not enough days"), "{out}");
    assert_eq!(asked, 2);

    let mut on = add(start, 1);
    while on < exam_day {
        let (asked, out) = study_day(data, &on.to_string(), &[]);
        assert!(asked <= 2, "{asked} cards on {on}:\n{out}");
        if on == add(start, 4) {
            let stats = json(data, &on.to_string(), &["stats", "--json"]);
            let exam = &stats["exam"];
            assert_eq!(exam["cards"], 7);
            assert_eq!(exam["days_left"], 6);
            assert_eq!(
                exam["introduced"], 7,
                "the last new card is met first in the final week"
            );
            let loads: Vec<u64> = exam["expected_per_day"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["cards"].as_u64().unwrap())
                .collect();
            assert_eq!(loads.len(), 6);
            assert!(loads.iter().all(|&n| n <= 2), "{loads:?}");
            let text = stdout(&run(data, &on.to_string(), &["stats", "--width", "40"]));
            assert!(text.contains("Exam on 2026-12-01 (in 6 days)"), "{text}");
        }
        on = add(on, 1);
    }

    let (store, _) = common::open_store(data, Access::ReadOnly);
    let tagged: Vec<_> = store
        .items()
        .iter()
        .filter(|(k, _)| k.starts_with("tagged/"))
        .collect();
    assert_eq!(tagged.len(), 7);
    for (key, progress) in tagged {
        assert!(
            progress.last_reviewed >= week_start,
            "{key} not seen in the final week: {progress:?}"
        );
        assert!(
            progress.due <= exam_day,
            "{key} due after the exam: {progress:?}"
        );
    }
    drop(store);

    let (_, out) = study_day(data, "2026-12-01", &[]);
    assert!(out.contains("Exam day (2026-12-01)"), "{out}");
    let (_, out) = study_day(data, "2026-12-02", &[]);
    assert!(out.contains("The exam on 2026-12-01 has passed"), "{out}");
    assert_eq!(exam::load(data).unwrap(), None);
}

#[test]
fn a_cap_too_small_is_said_plainly_and_a_plan_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    install(data, "tagged.ron");
    let (asked, out) = study_day(
        data,
        TODAY,
        &[
            "--exam",
            "2026-11-24",
            "--deck",
            "tagged",
            "--tag",
            "lupus",
            "--tag",
            "scleroderma",
            "--max-per-day",
            "1",
        ],
    );
    assert!(
        out.contains("6 cards, 3 days, cap 1: not enough days. Every card is asked once in the final 3 days, which hold 3 at 1 a day, so 3 will not be asked; --max-per-day 2 fits them all."),
        "{out}"
    );
    assert_eq!(asked, 1);
    let stats = json(data, TODAY, &["stats", "--json"]);
    assert_eq!(stats["exam"]["feasible"], false);
    assert_eq!(
        stats["exam"]["scope"]["decks"],
        serde_json::json!(["tagged"])
    );
    assert_eq!(
        stats["exam"]["scope"]["tags"],
        serde_json::json!(["lupus", "scleroderma"])
    );

    let (_, out) = study_day(data, TODAY, &["--exam", "none"]);
    assert!(out.contains("Exam plan cancelled"), "{out}");
    assert_eq!(exam::load(data).unwrap(), None);
    assert!(json(data, TODAY, &["stats", "--json"])["exam"].is_null());

    let past = run(data, TODAY, &["study", "--plain", "--exam", TODAY]);
    assert_eq!(past.status.code(), Some(2));
    let stderr = String::from_utf8(past.stderr).unwrap();
    assert!(
        stderr.contains("error: the exam date 2026-11-21 is not after today (2026-11-21)"),
        "{stderr}"
    );
    assert!(stderr.contains("help:"), "{stderr}");
    let bad = run(data, TODAY, &["study", "--plain", "--exam", "next friday"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// `knead stats` reads the all-time columns from the snapshot's tallies and only the recent
/// days of the journals (found through the snapshot's index of days). Computed that way or
/// from the whole history, the report is the same: on the seeded day, and on days later enough
/// that the history falls partly and then wholly outside the windows it reads; for every scope.
#[test]
fn stats_from_the_aggregates_are_the_stats_of_the_whole_history() {
    use knead::insight::stats::{self, Input};
    use knead::study::collection::Collection;
    use knead::study::history::LeechRule;

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    seed(data);
    // Some answers after the snapshot, in its unsnapshotted tail. (A `knead` another test is
    // starting may hold a copy of seed's journal descriptor until it execs: wait for it.)
    let device = common::test_device();
    let mut store = None;
    for _ in 0..100 {
        match knead::store::Store::open_with(data, Access::Exclusive, &device) {
            Ok((opened, _)) => {
                store = Some(opened);
                break;
            }
            Err(knead::error::Error::Busy { .. }) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            Err(error) => panic!("{error}"),
        }
    }
    let mut store = store.expect("the lock is free once seed's store is gone");
    let p = store.get("tagged/sle-what").unwrap().clone();
    store
        .record(&LogEntry {
            at: "2026-11-21T20:00:00Z".parse().unwrap(),
            day: day(TODAY),
            item: "tagged/sle-what".into(),
            kind: ReviewKind::Cram,
            grade: 1,
            took_ms: 4_000,
            repetitions: p.repetitions,
            interval_days: p.interval_days,
            easiness: p.easiness,
            due: p.due,
            rev: 0,
            from: None,
            chose: None,
            first: false,
        })
        .unwrap();
    drop(store);
    let (store, _) = common::open_store(data, Access::ReadOnly);
    let whole = knead::store::history(data, &common::test_device()).unwrap();
    let scopes = [
        Scope::default(),
        Scope {
            decks: vec!["tagged".into()],
            tags: Vec::new(),
        },
        Scope {
            decks: Vec::new(),
            tags: vec!["lupus".into()],
        },
    ];
    for later in [0, 20, 45, 120] {
        let today = add(day(TODAY), later);
        let recent = store.entries_since(stats::window_start(today)).unwrap();
        if later == 120 {
            assert!(
                recent.is_empty(),
                "the seeded weeks are all out of the window"
            );
        }
        for scope in &scopes {
            let collection = Collection::standard(data).unwrap().scoped(scope);
            let input = |answers, tallies| Input {
                collection: &collection,
                scope,
                progress: store.items(),
                answers,
                tallies,
                study_days: store.study_days(),
                today,
                leech_rule: LeechRule::default(),
                exam: None,
            };
            let mut answers = stats::Answers::new(&collection, today);
            whole.iter().for_each(|entry| answers.add(entry));
            let from_whole = stats::compute(input(answers, None));
            // What `knead stats` does: the window's days streamed from the journal.
            let answers = store
                .fold_entries_since(
                    stats::window_start(today),
                    stats::Answers::new(&collection, today),
                    stats::Answers::fork,
                    stats::Answers::add,
                    stats::Answers::merge,
                )
                .unwrap();
            let from_aggregates = stats::compute(input(answers, Some(store.tallies())));
            assert!(from_whole.retention.overall.all.reviews > 0);
            assert_eq!(from_aggregates, from_whole, "{later} days on, {scope:?}");
        }
    }
}
