//! Numbers as a learner reads them: counts with their noun, honest percentages, durations.
//! Every report and the session summary print these through here, so "199 of 200" reads the
//! same everywhere.

use std::time::Duration;

/// "1 card", "2 cards": `noun` with an `s` unless the count is one.
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", plural_s(n))
}

/// "1 study day", "3 study days" for nouns whose plural is not `noun + s`.
pub fn count_irregular(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The `s` a plural noun takes: "" for one, "s" otherwise.
pub fn plural_s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `part` of `whole` as a whole percentage, never rounded to 100% or 0% unless it is: one
/// failure in 200 reads 99%, not a perfect record, and one success in 300 reads 1%. `None`
/// when `whole` is 0 (nothing to rate).
pub fn percent_value(part: u64, whole: u64) -> Option<u64> {
    if whole == 0 {
        return None;
    }
    let part = part.min(whole);
    let rounded = (part * 100 + whole / 2) / whole;
    Some(match (part, rounded) {
        (p, 100) if p < whole => 99,
        (p, 0) if p > 0 => 1,
        _ => rounded,
    })
}

/// [`percent_value`] as text: "99%", or "—" when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> String {
    percent_value(part, whole).map_or_else(|| "—".into(), |p| format!("{p}%"))
}

/// "42 s", "3 min 05 s", "1 h 02 min".
pub fn duration(time: Duration) -> String {
    let seconds = time.as_secs();
    match (seconds / 3600, seconds % 3600 / 60, seconds % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s:02} s"),
        (h, m, _) => format!("{h} h {m:02} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn percentages_never_round_a_failure_away() {
        assert_eq!(percent(199, 200), "99%");
        assert_eq!(percent(1, 300), "1%");
        assert_eq!(percent(2, 3), "67%");
        assert_eq!(percent(5, 5), "100%");
        assert_eq!(percent(0, 4), "0%");
        assert_eq!(percent(0, 0), "—");
    }

    proptest! {
        /// 100% means no failure and 0% means no success, at any size.
        #[test]
        fn only_a_perfect_record_reads_100(whole in 1u64..1_000_000, part in 0u64..1_000_000) {
            let part = part % (whole + 1);
            let p = percent_value(part, whole).unwrap();
            prop_assert_eq!(p == 100, part == whole);
            prop_assert_eq!(p == 0, part == 0);
            prop_assert!(p <= 100);
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(Duration::from_millis(42_900)), "42 s");
        assert_eq!(duration(Duration::from_secs(185)), "3 min 05 s");
        assert_eq!(duration(Duration::from_secs(3720)), "1 h 02 min");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1, "card"), "1 card");
        assert_eq!(count(0, "card"), "0 cards");
        assert_eq!(
            count_irregular(2, "study day", "study days"),
            "2 study days"
        );
    }
}
