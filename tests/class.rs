//! A simulated class: twenty students' data directories answer a deck through real study
//! sessions, each hands in `knead report`, and `knead class` must name the planted problems:
//! a card whose wrong option most students pick, and a card the weaker students do better on.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{journal, knead, open_store};
use knead::store::Access;
use knead::study::collection::{Collection, load_file};
use knead::study::session::{Limits, Question, Response, Session, auto_grade};
use serde_json::Value;

const TODAY: &str = "2026-03-02";

const DECK: &str = r#"Deck(id: "class-quiz", title: "Class quiz", version: 3, cards: [
    Choice(id: "confusing", prompt: "Which sign calls for referral?", options: ["Calf pain with swelling", "Mild soreness after exercise", "Tight shoulders"], answer: 0, why: "A possible DVT.", tags: ["red-flags"]),
    Choice(id: "inverted", prompt: "Which is an autoimmune disease?", options: ["Lupus", "Fibromyalgia", "Osteoarthritis"], answer: 0, tags: ["autoimmune"]),
    TrueFalse(id: "tf-one", statement: "Fever is a reason to postpone massage.", answer: true, tags: ["red-flags"]),
    TrueFalse(id: "tf-two", statement: "Deep pressure is always safe over a flare.", answer: false, tags: ["autoimmune"]),
    TrueFalse(id: "tf-three", statement: "Raynaud's attacks are set off by cold.", answer: true, tags: ["autoimmune"]),
    Scenario(id: "scenario", client: "Client on blood thinners with new bruising", technique: "Deep tissue", verdict: Refer, why: "Unexplained bruising on anticoagulants.", source: "Textbook", critical: true, tags: ["red-flags"]),
])"#;

/// What student `n` answers to card `card`: strong students (0-9) know the material, weak
/// ones (10-19) do not; the planted cards break that pattern.
fn plan(n: usize, card: &str) -> &'static str {
    let strong = n < 10;
    match card {
        // Most of the class, strong or weak, is pulled by the same wrong option.
        "confusing" if [0, 1, 2, 10, 11].contains(&n) => "Calf pain with swelling",
        "confusing" => "Mild soreness after exercise",
        // The weaker students get it right; most strong ones fall for "Fibromyalgia".
        "inverted" if strong && n < 7 => "Fibromyalgia",
        "inverted" => "Lupus",
        "tf-one" | "tf-three" if strong || n.is_multiple_of(3) => "right",
        "tf-two" | "scenario" if strong => "right",
        _ => "wrong",
    }
}

fn study_as_student(n: usize, deck: &Path, dir: &Path) {
    let loaded = load_file(deck, dir).unwrap();
    let collection = Collection::new(vec![loaded]).unwrap();
    let (store, _) = open_store(dir, Access::Exclusive);
    let mut session = Session::new(
        collection,
        store,
        TODAY.parse().unwrap(),
        Limits::default(),
        Some(n as u64),
    );
    let mut answered = BTreeSet::new();
    while let Some(shown) = session.next_card() {
        let card = shown.key.split('/').nth(1).unwrap().to_owned();
        // A wrong answer comes back as a drill: answer that one right.
        let want = if answered.insert(card.clone()) {
            plan(n, &card)
        } else {
            "right"
        };
        let response = match &shown.question {
            Question::Choice {
                options, correct, ..
            } => Response::Option(match want {
                "right" => *correct,
                text => options.iter().position(|o| o == text).unwrap(),
            }),
            Question::TrueFalse { answer, .. } => Response::Bool(*answer == (want == "right")),
            Question::Scenario { correct, .. } => Response::Verdict(if want == "right" {
                *correct
            } else {
                knead::deck::Verdict::Suitable
            }),
            Question::Recall { .. } => unreachable!("the deck has no recall cards"),
        };
        let right = shown.question.is_correct(response);
        session
            .answer_with(
                auto_grade(right, None),
                Some(response),
                Duration::from_millis(4_000 + 100 * n as u64),
                "2026-03-02T10:00:00Z".parse().unwrap(),
            )
            .unwrap();
    }
    session.finish().unwrap();
}

/// Twenty students study the deck and hand in reports; returns the report files.
fn simulate_class(work: &Path, deck: &Path) -> Vec<PathBuf> {
    (0..20)
        .map(|n| {
            let dir = work.join(format!("student-{n}"));
            study_as_student(n, deck, &dir);
            let file = work.join(format!("report-{n}.json"));
            let output = knead(&dir, TODAY)
                .args(["report", "--class", "ce-lupus-2026", "--deck"])
                .arg(deck)
                .args(["--pseudonym", &format!("student {n}"), "-o"])
                .arg(&file)
                .output()
                .unwrap();
            assert!(output.status.success(), "{output:?}");
            file
        })
        .collect()
}

fn write_deck(work: &Path) -> PathBuf {
    let deck = work.join("class-quiz.ron");
    std::fs::write(&deck, DECK).unwrap();
    deck
}

#[test]
fn the_journal_records_the_option_chosen_in_deck_order_and_marks_the_first_answer() {
    let work = tempfile::tempdir().unwrap();
    let deck = write_deck(work.path());
    let dir = work.path().join("student");
    study_as_student(5, &deck, &dir);
    let text = journal(&dir);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("class-quiz/confusing"))
        .collect();
    // Wrong first ("Mild soreness...", option 1 in the deck, whatever order it was shown in),
    // then the drill, answered right and not marked first.
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains("chose: Some(Option(1))"), "{}", lines[0]);
    assert!(lines[0].contains("first: true"), "{}", lines[0]);
    assert!(lines[1].contains("chose: Some(Option(0))"), "{}", lines[1]);
    assert!(!lines[1].contains("first"), "{}", lines[1]);
    let scenario = text.lines().find(|l| l.contains("scenario")).unwrap();
    assert!(
        scenario.contains("chose: Some(Verdict(Refer))"),
        "{scenario}"
    );
    let tf = text.lines().find(|l| l.contains("tf-two")).unwrap();
    assert!(tf.contains("chose: Some(Bool(false))"), "{tf}");
    // Lines with the new fields read back (the progress is there).
    let (store, _) = open_store(&dir, Access::ReadOnly);
    assert_eq!(store.items().len(), 6);
}

#[test]
fn a_report_holds_only_what_the_readme_says() {
    let work = tempfile::tempdir().unwrap();
    let deck = write_deck(work.path());
    let dir = work.path().join("student");
    study_as_student(12, &deck, &dir);
    let file = work.path().join("r.json");
    let output = knead(&dir, TODAY)
        .args(["report", "--class", "ce-1", "--deck"])
        .arg(&deck)
        .arg("-o")
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let report: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(
        keys(&report),
        [
            "class",
            "decks",
            "format",
            "knead",
            "made",
            "pseudonym",
            "version"
        ]
    );
    assert_eq!(report["made"], TODAY);
    assert!(
        report["pseudonym"]
            .as_str()
            .unwrap()
            .starts_with("student-")
    );
    assert_eq!(report["decks"][0]["version"], 3);
    let allowed: BTreeSet<&str> = [
        "item",
        "seen",
        "first_right",
        "first_chose",
        "lapses",
        "reviews",
        "interval_days",
        "leech",
        "median_ms",
    ]
    .into();
    for item in report["decks"][0]["items"].as_array().unwrap() {
        for key in keys(item) {
            assert!(allowed.contains(key.as_str()), "{key} in {item}");
        }
    }
    let confusing = &report["decks"][0]["items"][0];
    assert_eq!(confusing["first_right"], false);
    assert_eq!(confusing["first_chose"], serde_json::json!({"Option": 1}));
    assert_eq!(confusing["median_ms"], 5_200);

    // The deck was studied from its file, so it must be named.
    let unnamed = knead(&dir, TODAY)
        .args(["report", "--class", "ce-1"])
        .output()
        .unwrap();
    assert_eq!(unnamed.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unnamed.stderr).contains("--deck FILE"),
        "{unnamed:?}"
    );
    // Once installed, it is found: only the decks studied are reported, bundled ones not.
    assert!(
        knead(&dir, TODAY)
            .arg("add")
            .arg(&deck)
            .status()
            .unwrap()
            .success()
    );
    let found = knead(&dir, TODAY)
        .args(["report", "--class", "ce-1"])
        .output()
        .unwrap();
    assert!(found.status.success(), "{found:?}");
    let found: Value = serde_json::from_slice(&found.stdout).unwrap();
    assert_eq!(found["decks"].as_array().unwrap().len(), 1);
    assert_eq!(found["decks"][0]["id"], "class-quiz");

    let bad = knead(&dir, TODAY)
        .args(["report", "--class", "<b>x</b>", "--deck"])
        .arg(&deck)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("class code"));
}

#[test]
fn the_class_report_names_the_planted_cards_and_the_option_that_pulls() {
    let work = tempfile::tempdir().unwrap();
    let deck = write_deck(work.path());
    let files = simulate_class(work.path(), &deck);

    let output = knead(work.path(), TODAY)
        .arg("class")
        .args(&files)
        .arg("--deck")
        .arg(&deck)
        .arg("--json")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["students"], 20);
    assert_eq!(summary["cards"][0]["item"], "confusing", "hardest first");
    let confusing = &summary["cards"][0];
    assert_eq!(confusing["first_right_percent"], 25);
    assert_eq!(
        confusing["wrong_choice"]["option"],
        "Mild soreness after exercise"
    );
    assert_eq!(confusing["wrong_choice"]["percent"], 75);

    let to_fix = summary["to_fix"].as_array().unwrap();
    let reasons = |item: &str| -> Vec<String> {
        to_fix
            .iter()
            .find(|f| f["item"] == item)
            .unwrap_or_else(|| panic!("{item} is to fix: {to_fix:?}"))["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["reason"].as_str().unwrap().to_owned())
            .collect()
    };
    // Strong and weak students alike fall for it, so it discriminates poorly too.
    assert_eq!(
        reasons("confusing")[..2],
        ["most_wrong", "distractor_pulls"]
    );
    assert_eq!(reasons("inverted"), ["low_discrimination"]);
    let inverted = summary["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["item"] == "inverted")
        .unwrap();
    assert!(
        inverted["discrimination"].as_f64().unwrap() < 0.0,
        "{inverted}"
    );
    // The cards that follow the class's overall results are not listed.
    for fine in ["tf-two", "scenario"] {
        assert!(
            to_fix.iter().all(|f| f["item"] != fine),
            "{fine}: {to_fix:?}"
        );
    }
    let tags: Vec<&str> = summary["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["autoimmune", "red-flags"]);
    assert!(summary["decks"][0]["retention_percent"].as_u64().is_some());

    // The text report says the same.
    let text = knead(work.path(), TODAY)
        .arg("class")
        .args(&files)
        .arg("--deck")
        .arg(&deck)
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("class-quiz/confusing\n    - most students wrong: 25% right on first try\n    - a wrong option pulls students: \"Mild soreness after exercise\" chosen by 75% on first try"), "{text}");
    assert!(
        text.contains("class-quiz/inverted\n    - negative discrimination"),
        "{text}"
    );
}

#[test]
fn reports_for_another_deck_version_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let deck = write_deck(work.path());
    let dir = work.path().join("student");
    study_as_student(1, &deck, &dir);
    let file = work.path().join("r.json");
    assert!(
        knead(&dir, TODAY)
            .args(["report", "--class", "ce-1", "--deck"])
            .arg(&deck)
            .arg("-o")
            .arg(&file)
            .status()
            .unwrap()
            .success()
    );
    let newer = work.path().join("newer.ron");
    std::fs::write(&newer, DECK.replace("version: 3", "version: 4")).unwrap();
    let output = knead(work.path(), TODAY)
        .arg("class")
        .arg(&file)
        .arg("--deck")
        .arg(&newer)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(
            "reports on version 3 of the deck `class-quiz`, but the deck here is version 4"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: results from different versions"),
        "{stderr}"
    );
}

/// Whether Debian's chromium is here: CI must have it (`.ci/run` installs it); a developer's
/// machine may not, and then the browser test says so and does nothing.
fn chromium_available() -> bool {
    let found = std::process::Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must render the class report in a real browser: chromium is missing (`.ci/run` installs Debian's chromium)"
        );
        eprintln!("note: skipped: chromium is missing (apt-get install chromium to run this test)");
    }
    found
}

/// Chromium, headless, on `page`, with `extra` arguments; returns (stdout, console lines).
/// `timeout` only guards against a hung browser.
fn chromium(page: &Path, profile: &Path, extra: &[&str]) -> (String, Vec<String>) {
    let output = std::process::Command::new("timeout")
        .args([
            "300",
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--enable-logging=stderr", "--v=0"])
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(output.status.success(), "chromium failed: {output:?}");
    let console = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    (String::from_utf8(output.stdout).unwrap(), console)
}

#[test]
fn the_html_report_renders_in_a_real_browser_hardest_card_first() {
    if !chromium_available() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let deck = write_deck(work.path());
    let files = simulate_class(work.path(), &deck);
    let page = work.path().join("class.html");
    let output = knead(work.path(), TODAY)
        .arg("class")
        .args(&files)
        .arg("--deck")
        .arg(&deck)
        .arg("--html")
        .arg(&page)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: nothing to fetch, nothing to run.
    for fetch in ["<script", "src=", "href=", "<link", "@import", "url("] {
        assert!(!html.contains(fetch), "{fetch} in the page");
    }

    let profile = work.path().join("chromium-profile");
    let (dom, console) = chromium(&page, &profile, &["--dump-dom"]);
    assert!(console.is_empty(), "console messages: {console:?}");
    for table in [
        "id=\"cards-table\"",
        "id=\"decks-table\"",
        "id=\"tags-table\"",
    ] {
        assert!(dom.contains(table), "{table} in the rendered page");
    }
    assert!(dom.contains("<svg"), "charts are drawn");
    let rows = &dom[dom.find("id=\"cards-table\"").unwrap()..];
    let first_row = &rows[rows.find("<tbody>").unwrap()..];
    let first_row = &first_row[..first_row.find("</tr>").unwrap()];
    assert!(
        first_row.contains("class-quiz/confusing"),
        "hardest card first: {first_row}"
    );
    let fix = &dom[dom.find("id=\"to-fix\"").unwrap()..];
    assert!(
        fix.contains("Mild soreness after exercise"),
        "the lure is named"
    );

    let screenshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/class-report.png");
    std::fs::create_dir_all(screenshot.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&screenshot);
    chromium(
        &page,
        &profile,
        &[
            &format!("--screenshot={}", screenshot.display()),
            "--window-size=1200,1600",
        ],
    );
    let png = std::fs::read(&screenshot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG"),
        "a screenshot for a person to look at"
    );

    // The console check can fail: a page with a script error is caught.
    let broken = work.path().join("broken.html");
    std::fs::write(
        &broken,
        "<html><body><script>undefinedThing()</script></body></html>",
    )
    .unwrap();
    let (_, console) = chromium(&broken, &profile, &["--dump-dom"]);
    assert!(
        console.iter().any(|l| l.contains("undefinedThing")),
        "{console:?}"
    );
}

#[test]
fn plain_mode_study_records_the_options_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = knead(dir.path(), TODAY);
    command
        .args(["study", "--new-order", "deck", "--seed", "3", "--deck"])
        .arg(common::fixture("mini.ron"));
    let mut session = common::Plain::spawn(command);
    let mut wrong_given = BTreeSet::new();
    // 6 items; the Choice, TrueFalse and Scenario are answered wrong once, then drilled.
    for _ in 0..9 {
        let card = session.expect_question();
        let kind = if card.contains("Your answer (1-") {
            "choice"
        } else if card.contains("True or false? (t/f") {
            "tf"
        } else if card.contains("Verdict (1 Suitable") {
            "scenario"
        } else {
            "recall"
        };
        let wrong = kind != "recall" && wrong_given.insert(kind);
        let option = |text: &str| {
            card.lines()
                .find(|l| l.contains(text))
                .and_then(|l| l.trim().split('.').next())
                .expect("options listed")
                .to_owned()
        };
        match (kind, wrong) {
            ("recall", _) => {
                session.send("");
                session.expect("Grade your recall 0-5");
                session.send("4");
            }
            ("choice", true) => session.send(&option("Wrong B")),
            ("choice", false) => session.send(&option("Right option")),
            ("tf", true) => session.send("t"),
            ("tf", false) => session.send("f"),
            ("scenario", true) => session.send("1"),
            (_, _) => session.send("4"),
        }
        // A drill changes no schedule, so a right drill answer is not asked how easy it was.
        let drill = card.contains("again, to fix it in memory");
        if kind != "recall" && !wrong && !drill {
            session.expect("How easy was it?");
            session.send("");
        }
    }
    let (code, output) = session.finish();
    assert_eq!(code, 0, "{output}");
    let text = journal(dir.path());
    let line = |item: &str, first: bool| -> String {
        text.lines()
            .filter(|l| l.contains(&format!("item: \"mini/{item}\"")))
            .find(|l| l.contains("first: true") == first)
            .unwrap_or_else(|| panic!("{item} in {text}"))
            .to_owned()
    };
    assert!(
        line("c1", true).contains("chose: Some(Option(2))"),
        "{text}"
    );
    assert!(
        line("c1", false).contains("chose: Some(Option(0))"),
        "{text}"
    );
    assert!(
        line("t1", true).contains("chose: Some(Bool(true))"),
        "{text}"
    );
    assert!(
        line("s1", true).contains("chose: Some(Verdict(Suitable))"),
        "{text}"
    );
    assert!(!line("b1", true).contains("chose"), "{text}");
}
