//! Study days: calendar days in local time that roll over at 04:00, as Anki's do, so a
//! session past midnight still counts for the evening it started in.
//!
//! The clock and the time zone come from the system, and neither may stop knead. A clock that
//! reads outside the range of dates knead can represent (after 9999-12-30, before -9999) is
//! clamped to that range, with a note. A `TZ` naming a FIFO, a device (`TZ=:/dev/zero`, which
//! would be read without end), a folder or a file too large to be a time zone, or any time
//! zone that cannot be read, falls back to UTC, with a note. `KNEAD_CLOCK` (seconds since
//! 1970) stands in for the system clock, so tests can set a clock no machine should have.

use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

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

/// `day` moved by `days` (negative goes back), saturating at the ends of the calendar jiff can
/// represent: SM-2 intervals are capped far below that, so saturation only ever meets a
/// damaged value, and a date is still better than a panic there.
pub fn add_days(day: Date, days: i64) -> Date {
    jiff::Span::new()
        .try_days(days)
        .ok()
        .and_then(|span| day.checked_add(span).ok())
        .unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

/// Today's study day, from the system clock and time zone (see [`now`] and [`zone`]).
pub fn today() -> Date {
    study_day(&now().to_zoned(zone()))
}

/// Stands in for the system clock: seconds since 1970-01-01T00:00:00Z (negative before).
pub const CLOCK_ENV: &str = "KNEAD_CLOCK";

/// The largest time-zone file read: real ones are a few kilobytes.
const MAX_ZONE_FILE: u64 = 1024 * 1024;

/// Notes about the clock and the time zone not yet shown to the learner.
static NOTES: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn note(text: String) {
    let mut notes = NOTES.lock().unwrap_or_else(|e| e.into_inner());
    if !notes.contains(&text) {
        notes.push(text);
    }
}

/// What knead had to make do with (a clock out of range, an unusable time zone), each said
/// once: the notes not taken before.
pub fn take_notes() -> Vec<String> {
    std::mem::take(&mut *NOTES.lock().unwrap_or_else(|e| e.into_inner()))
}

/// The system clock (or [`CLOCK_ENV`]) as read now.
fn system_time() -> SystemTime {
    let Some(seconds) = std::env::var(CLOCK_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
    else {
        return SystemTime::now();
    };
    let offset = Duration::from_secs(seconds.unsigned_abs());
    let shifted = if seconds >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(offset)
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(offset)
    };
    shifted.unwrap_or(SystemTime::UNIX_EPOCH)
}

/// Whether the clock reads a time knead can represent.
pub fn clock_in_range() -> bool {
    Timestamp::try_from(system_time()).is_ok()
}

/// The current time; a clock beyond the representable range is clamped to it, with a note.
pub fn now() -> Timestamp {
    let time = system_time();
    match Timestamp::try_from(time) {
        Ok(now) => now,
        Err(_) => {
            let (now, side) = if time > SystemTime::UNIX_EPOCH {
                (Timestamp::MAX, "after")
            } else {
                (Timestamp::MIN, "before")
            };
            note(format!(
                "the system clock reads a time {side} {}, which knead cannot represent; it uses {} instead. Set the clock, or pass --today YYYY-MM-DD",
                now.to_zoned(TimeZone::UTC).date(),
                now.to_zoned(TimeZone::UTC).date(),
            ));
            now
        }
    }
}

/// The local time zone, worked out once: UTC, with a note, when it cannot be used.
pub fn zone() -> TimeZone {
    static ZONE: OnceLock<TimeZone> = OnceLock::new();
    ZONE.get_or_init(|| {
        let (zone, problem) = local_zone(std::env::var_os("TZ").as_deref());
        if let Some(problem) = problem {
            note(format!(
                "{problem}; knead uses UTC for the time of day (the study day starts at 04:00 UTC)"
            ));
        }
        zone
    })
    .clone()
}

/// The time zone `TZ` (or, without it, the system's) names, or UTC and what is wrong.
fn local_zone(tz: Option<&std::ffi::OsStr>) -> (TimeZone, Option<String>) {
    if let Some(problem) = unusable_zone_file(tz) {
        return (TimeZone::UTC, Some(problem));
    }
    match TimeZone::try_system() {
        Ok(zone) => (zone, None),
        Err(error) => (
            TimeZone::UTC,
            Some(format!("the time zone cannot be read ({error})")),
        ),
    }
}

/// What is wrong with the file `TZ` (or, without it, `/etc/localtime`) names, if it names one
/// that must not be read: jiff reads a time zone file whole.
fn unusable_zone_file(tz: Option<&std::ffi::OsStr>) -> Option<String> {
    // A time zone file is read whole: check what is there before letting jiff read it.
    let file = match tz {
        Some(value) => {
            let value = value.to_string_lossy();
            let path = value.strip_prefix(':').unwrap_or(&value).to_owned();
            Some((format!("TZ={value}"), path))
        }
        None => Some((
            "the system time zone".to_owned(),
            "/etc/localtime".to_owned(),
        )),
    };
    let (what, path) = file?;
    if path.is_empty() {
        return None;
    }
    let metadata = std::fs::metadata(Path::new(&path)).ok()?;
    if let Some(kind) = crate::files::kind_of(&metadata.file_type()) {
        return Some(format!(
            "{what} names {path}, which is {kind}, not a time zone file"
        ));
    }
    (metadata.len() > MAX_ZONE_FILE).then(|| {
        format!(
            "{what} names {path}, which is too large ({} bytes) to be a time zone file",
            metadata.len()
        )
    })
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
    fn the_extremes_of_the_clock_convert_in_every_zone() {
        for zone in [
            TimeZone::UTC,
            TimeZone::get("Pacific/Kiritimati").unwrap(),
            TimeZone::get("Pacific/Niue").unwrap(),
        ] {
            let _ = study_day(&Timestamp::MAX.to_zoned(zone.clone()));
            let _ = study_day(&Timestamp::MIN.to_zoned(zone));
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_time_zone_naming_a_device_or_a_folder_falls_back_to_utc_without_reading_it() {
        for tz in [":/dev/zero", "/dev/zero", ":/", "/tmp"] {
            let problem = unusable_zone_file(Some(std::ffi::OsStr::new(tz))).unwrap();
            assert!(problem.starts_with(&format!("TZ={tz} names ")), "{problem}");
            let (zone, problem) = local_zone(Some(std::ffi::OsStr::new(tz)));
            assert_eq!(zone, TimeZone::UTC, "{tz}");
            assert!(problem.is_some());
        }
        for fine in [
            ":Europe/Berlin",
            "Europe/Berlin",
            "UTC",
            "EST5EDT,M3.2.0,M11.1.0",
        ] {
            assert_eq!(unusable_zone_file(Some(std::ffi::OsStr::new(fine))), None);
        }
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
