//! The CSV reader on any bytes: never a panic; what it imports is a deck knead loads.
#![no_main]

use knead::interchange::{self, Format, ImportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    for skip_invalid in [false, true] {
        let options = ImportOptions {
            deck_id: "fuzz".into(),
            title: None,
            skip_invalid,
        };
        if let Ok(imported) = interchange::import(bytes, "fuzz.csv", Format::Csv, &options) {
            let loaded = knead::deck::parse(&imported.ron, "out.ron");
            assert!(loaded.is_ok(), "{loaded:?}");
        }
    }
});
