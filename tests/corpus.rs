//! The broken-deck corpus: each file in tests/corpus is a mistake instructors really make, and
//! `knead check` must say exactly what is wrong, where, and how to fix it. The expected output
//! is pinned beside each case (`*.stdout`); after a deliberate change to a message, regenerate
//! with `TRYCMD=overwrite cargo test --test corpus` and review the diff.

#[test]
fn knead_check_explains_every_broken_deck() {
    trycmd::TestCases::new()
        .register_bin("knead", trycmd::cargo::cargo_bin!("knead"))
        .case("tests/corpus/*.toml");
}
