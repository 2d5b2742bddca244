//! Facts derived from a learner's answers over time, shared by reports and the session summary.

use jiff::civil::Date;

use crate::store::{ItemProgress, StudyDays};

/// Consecutive study days ending today, or ending yesterday while today has no answers yet (a
/// streak is not broken until the day is over). `study_days` is the store's count of answers
/// per day, so the summary and `knead stats` read one definition of a day studied.
pub fn streak(study_days: &StudyDays, today: Date) -> u32 {
    let mut day = if study_days.contains_key(&today) {
        today
    } else {
        match today.yesterday() {
            Ok(yesterday) => yesterday,
            Err(_) => return 0,
        }
    };
    let mut days = 0;
    while study_days.contains_key(&day) {
        days += 1;
        match day.yesterday() {
            Ok(before) => day = before,
            Err(_) => break,
        }
    }
    days
}

/// When a card counts as a leech: it keeps slipping, so more reviews will not fix it (the
/// wording may be unclear, or the student needs to read the explanation again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeechRule {
    /// Reviews graded below 3, over the card's life.
    pub lapses: u32,
    /// Consecutive reviews leaving the easiness at the SM-2 floor of 1.3.
    pub floor_reviews: u32,
}

impl Default for LeechRule {
    fn default() -> Self {
        LeechRule {
            lapses: 8,
            floor_reviews: 4,
        }
    }
}

impl LeechRule {
    pub fn is_leech(&self, progress: &ItemProgress) -> bool {
        progress.lapses >= self.lapses || progress.floor_reviews >= self.floor_reviews
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(list: &[&str]) -> StudyDays {
        list.iter().map(|d| (d.parse().unwrap(), 1)).collect()
    }

    #[test]
    fn a_streak_counts_back_from_today_or_yesterday() {
        let today: Date = "2026-11-21".parse().unwrap();
        assert_eq!(streak(&days(&[]), today), 0);
        assert_eq!(
            streak(&days(&["2026-11-19", "2026-11-20", "2026-11-21"]), today),
            3
        );
        assert_eq!(streak(&days(&["2026-11-19", "2026-11-20"]), today), 2);
        assert_eq!(streak(&days(&["2026-11-18", "2026-11-19"]), today), 0);
        assert_eq!(
            streak(&days(&["2026-11-17", "2026-11-19", "2026-11-21"]), today),
            1
        );
    }

    #[test]
    fn leeches_are_lapse_prone_or_stuck_at_the_floor() {
        let progress = |lapses, floor_reviews| ItemProgress {
            repetitions: 0,
            interval_days: 1,
            easiness: 1.3,
            due: "2026-11-21".parse().unwrap(),
            introduced: "2026-10-01".parse().unwrap(),
            last_reviewed: "2026-11-20".parse().unwrap(),
            reviews: 12,
            lapses,
            rev: 0,
            floor_reviews,
        };
        let rule = LeechRule::default();
        assert!(!rule.is_leech(&progress(7, 3)));
        assert!(rule.is_leech(&progress(8, 0)));
        assert!(rule.is_leech(&progress(0, 4)));
    }
}
