//! Counter-level anomalies: a day on which a counter's share of *all-top* ratings (every
//! answered rating question at the top of its scale: 5 of 5, the happiest face, "yes") stands
//! far above the counter's own recent days. Rating stuffing that slips past the per-rating
//! integrity flags (one phone per visit, many phones, or staff pressing the tablet between
//! citizens) shows up here: the stuffed ratings are nearly always all-top, so the day's share
//! jumps while nothing about any single rating looks wrong.
//!
//! Pure arithmetic; the service that counts the ratings is `services::anomalies`.

use serde::{Deserialize, Serialize};

/// Ratings a counter needs today before its share is judged. Below 20 a share moves too much
/// by chance alone (one rating is 5 points) to tell anyone anything.
pub const MIN_TODAY: u32 = 20;
/// Days before today that make up the baseline: eight weeks, so that every weekday appears
/// eight times and a seasonal drift of a few months does not enter.
pub const BASELINE_DAYS: u32 = 56;
/// Ratings a past day needs to enter the baseline: a day with 1–4 ratings has a share of 0,
/// 25, 33, 50… per cent by construction, which says little and would inflate the spread.
pub const MIN_DAY_RATINGS: u32 = 5;
/// Baseline days (with [`MIN_DAY_RATINGS`]) needed before a counter is judged at all: a new or
/// rarely used counter has no "normal" to stand out from.
pub const MIN_BASELINE_DAYS: u32 = 7;
/// The smallest spread the z-score divides by (5 percentage points): a counter whose daily
/// share has barely moved for eight weeks would otherwise alert on any small change.
pub const SD_FLOOR: f64 = 0.05;
/// How far above the baseline, in spreads, today's share must be. Three standard deviations
/// is exceeded by chance on about one day in 700 (normal tail), i.e. about once in two years
/// at a counter open every working day; lower thresholds would soon teach staff to ignore
/// the alert.
pub const Z_THRESHOLD: f64 = 3.0;

/// One day's ratings at a counter: how many, and how many of them were all-top.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub n: u32,
    pub all_top: u32,
}

impl DayCount {
    /// Adds one rating.
    pub fn add(&mut self, all_top: bool) {
        self.n += 1;
        self.all_top += u32::from(all_top);
    }

    /// The share of all-top ratings (0–1); `None` without ratings.
    pub fn share(&self) -> Option<f64> {
        (self.n > 0).then(|| f64::from(self.all_top) / f64::from(self.n))
    }
}

/// What the judgement rests on: shown in the alert so that its reader can weigh it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Today's ratings and their share of all-top ratings (0–1).
    pub today_n: u32,
    pub today_share: f64,
    /// Mean and sample standard deviation of the daily shares over the baseline days (0–1).
    pub baseline_mean: f64,
    pub baseline_sd: f64,
    /// Past days that entered the baseline (each with at least [`MIN_DAY_RATINGS`]).
    pub baseline_days: u32,
    /// How many spreads today's share is above the baseline mean.
    pub z: f64,
}

impl Evidence {
    pub fn is_anomaly(&self) -> bool {
        self.today_n >= MIN_TODAY && self.z >= Z_THRESHOLD
    }
}

/// The evidence for `today` against the `past` days (any order; days with fewer than
/// [`MIN_DAY_RATINGS`] ratings are left out), or `None` when there is not enough to judge:
/// fewer than [`MIN_TODAY`] ratings today, or fewer than [`MIN_BASELINE_DAYS`] usable past days.
///
/// `z = (today's share − baseline mean) / spread`, where the spread is the largest of
/// - the baseline's standard deviation of daily shares (how much this counter's days vary),
/// - [`SD_FLOOR`] (a counter whose days hardly vary must still move 15 points to alert),
/// - the chance spread of today's own share, √(mean·(1 − mean) / today's n): the baseline's
///   spread reflects the size of past days, and at a busy counter (100 ratings a day, spread
///   ≈ 5 points) an early-morning check on 20 ratings would otherwise cross 3 "spreads" by
///   chance about one morning in eight. This term only ever lowers z.
pub fn evidence(today: DayCount, past: &[DayCount]) -> Option<Evidence> {
    if today.n < MIN_TODAY {
        return None;
    }
    let shares: Vec<f64> = past.iter().filter(|d| d.n >= MIN_DAY_RATINGS).filter_map(DayCount::share).collect();
    let days = u32::try_from(shares.len()).unwrap_or(u32::MAX);
    if days < MIN_BASELINE_DAYS {
        return None;
    }
    let k = f64::from(days);
    let mean = shares.iter().sum::<f64>() / k;
    let sd = (shares.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (k - 1.0)).sqrt();
    let share = today.share()?;
    let chance = (mean * (1.0 - mean) / f64::from(today.n)).sqrt();
    let spread = sd.max(SD_FLOOR).max(chance);
    Some(Evidence {
        today_n: today.n,
        today_share: share,
        baseline_mean: mean,
        baseline_sd: sd,
        baseline_days: days,
        z: (share - mean) / spread,
    })
}

/// The evidence when today is an anomaly, else `None`.
pub fn check(today: DayCount, past: &[DayCount]) -> Option<Evidence> {
    evidence(today, past).filter(Evidence::is_anomaly)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: u32, all_top: u32) -> DayCount {
        DayCount { n, all_top }
    }

    /// Eight weeks alternating 40% and 60% all-top on 30 ratings a day: mean 50%, sd ≈ 10.1.
    fn steady() -> Vec<DayCount> {
        (0..56).map(|i| if i % 2 == 0 { day(30, 12) } else { day(30, 18) }).collect()
    }

    #[test]
    fn a_day_of_perfect_ratings_far_above_the_counters_habit_is_an_anomaly() {
        let e = check(day(25, 25), &steady()).expect("an anomaly");
        assert_eq!((e.today_n, e.baseline_days), (25, 56));
        assert!((e.today_share - 1.0).abs() < 1e-12);
        assert!((e.baseline_mean - 0.5).abs() < 1e-12);
        assert!((e.baseline_sd - 0.1009).abs() < 1e-3, "{}", e.baseline_sd);
        // 0.5 / max(0.1009, 0.05, √(0.25/25) = 0.1) ≈ 4.95.
        assert!((e.z - 0.5 / e.baseline_sd).abs() < 1e-9, "{}", e.z);
    }

    #[test]
    fn an_ordinary_or_slightly_better_day_is_not() {
        assert!(check(day(30, 15), &steady()).is_none(), "the usual share");
        assert!(check(day(30, 24), &steady()).is_none(), "80%: z ≈ 2.97, just below 3");
        let e = evidence(day(30, 24), &steady()).unwrap();
        assert!(e.z > 2.9 && e.z < Z_THRESHOLD, "{}", e.z);
        // A worse day is never an anomaly of this kind.
        assert!(evidence(day(30, 0), &steady()).unwrap().z < 0.0);
    }

    #[test]
    fn fewer_than_20_ratings_today_are_not_judged() {
        assert_eq!(evidence(day(19, 19), &steady()), None);
        assert!(check(day(20, 20), &steady()).is_some(), "20 is enough");
    }

    #[test]
    fn the_baseline_needs_seven_days_with_five_ratings() {
        // Six usable days, plus many days with too few ratings to count.
        let mut past = vec![day(10, 5); 6];
        past.extend(vec![day(4, 0); 40]);
        past.extend(vec![day(0, 0); 10]);
        assert_eq!(evidence(day(40, 40), &past), None);
        past.push(day(5, 2));
        let e = check(day(40, 40), &past).expect("seven days are enough");
        assert_eq!(e.baseline_days, 7);
        // Days with fewer than five ratings are left out of the mean too.
        assert!((e.baseline_mean - (6.0 * 0.5 + 0.4) / 7.0).abs() < 1e-12);
    }

    #[test]
    fn a_counter_that_never_varies_still_needs_a_real_jump() {
        // Exactly 50% every day: sd 0, so the floor (and today's chance spread) decide.
        let flat = vec![day(200, 100); 56];
        // 200 ratings at 60%: chance spread √(0.25/200) ≈ 0.035, floor 0.05 → z = 2.
        let e = evidence(day(200, 120), &flat).unwrap();
        assert_eq!(e.baseline_sd, 0.0);
        assert!((e.z - 2.0).abs() < 1e-9, "{}", e.z);
        assert!(!e.is_anomaly());
        // 70%: z = 4.
        assert!(check(day(200, 140), &flat).is_some());
        // 20 ratings at 70% is what chance gives now and then: the chance spread
        // √(0.25/20) ≈ 0.112 applies, z ≈ 1.8.
        let e = evidence(day(20, 14), &flat).unwrap();
        assert!((e.z - 0.2 / (0.25f64 / 20.0).sqrt()).abs() < 1e-9, "{}", e.z);
        assert!(!e.is_anomaly());
    }

    #[test]
    fn a_counter_that_is_always_perfect_cannot_stand_out() {
        let perfect = vec![day(30, 30); 56];
        let e = evidence(day(50, 50), &perfect).unwrap();
        assert_eq!(e.z, 0.0);
        assert!(check(day(50, 50), &perfect).is_none());
    }
}
