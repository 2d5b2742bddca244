//! The deck loader on any bytes: never a panic; a deck that loads passes its own checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(deck) = knead::deck::parse(text, "fuzz.ron") {
        // What knead writes back (export, import) must load again.
        let again = knead::deck::parse(&knead::deck::to_ron(&deck), "again.ron");
        assert!(again.is_ok(), "{again:?}");
    }
    for strictness in [
        knead::deck::checks::Strictness::Normal,
        knead::deck::checks::Strictness::Strict,
    ] {
        for diagnostic in knead::deck::check_source(text, "fuzz.ron", strictness).diagnostics {
            let _ = diagnostic.render(false);
        }
    }
});
