//! Study days: calendar days in local time that roll over at 04:00, as Anki's do, so a
//! session past midnight still counts for the evening it started in.

use jiff::Zoned;
use jiff::civil::Date;

/// The hour (local time) at which a new study day begins.
pub const ROLLOVER_HOUR: i64 = 4;

/// The study day that the local time `now` belongs to.
pub fn study_day(now: &Zoned) -> Date {
    // Compare wall-clock hours rather than subtracting four hours of elapsed time: on a
    // daylight-saving day the two differ by an hour.
    if i64::from(now.hour()) < ROLLOVER_HOUR {
        now.date().yesterday().unwrap_or(now.date())
    } else {
        now.date()
    }
}

/// Today's study day, from the system clock and time zone.
pub fn today() -> Date {
    study_day(&Zoned::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Zoned {
        text.parse().unwrap()
    }

    #[test]
    fn the_day_rolls_over_at_four_in_the_morning() {
        let day = |t| study_day(&at(t)).to_string();
        assert_eq!(day("2026-11-21T03:59:59[Europe/Berlin]"), "2026-11-20");
        assert_eq!(day("2026-11-21T04:00:00[Europe/Berlin]"), "2026-11-21");
        assert_eq!(day("2026-11-21T23:59:59[Europe/Berlin]"), "2026-11-21");
    }

    #[test]
    fn daylight_saving_changes_do_not_shift_the_rollover() {
        // Europe/Berlin springs forward 02:00 -> 03:00 on 2026-03-29 and falls back on 2026-10-25.
        let day = |t| study_day(&at(t)).to_string();
        assert_eq!(day("2026-03-29T03:30:00[Europe/Berlin]"), "2026-03-28");
        assert_eq!(day("2026-03-29T04:00:00[Europe/Berlin]"), "2026-03-29");
        assert_eq!(day("2026-10-25T03:59:00[Europe/Berlin]"), "2026-10-24");
        assert_eq!(day("2026-10-25T04:00:00[Europe/Berlin]"), "2026-10-25");
    }
}
