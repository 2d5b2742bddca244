//! The review log reader on any bytes: never a panic, and never an answer made up.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(entries) = knead::store::parse_log(bytes) {
        // Each answer read comes from a line of its own.
        let lines = bytes.split(|&b| b == b'\n').count();
        assert!(entries.len() <= lines);
    }
});
