//! Time buckets of the pre-aggregated counts (`index_rollup`, `activity_rollup`,
//! `hour_rollup`): Vietnam days `YYYYMMDD`, months `YYYYMM` and quarters `YYYYQ`. Each is an
//! integer that sorts in time order, so a run of buckets is one `BETWEEN`.
//!
//! A period is read as whole quarters where it covers them, whole months where it covers
//! them, and single days only at its ragged edges; data after today does not exist yet, so a
//! month or quarter that holds today counts as whole.

use super::period::Period;
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Grain {
    Day = 1,
    Month = 2,
    Quarter = 3,
}

impl Grain {
    pub const ALL: [Grain; 3] = [Grain::Day, Grain::Month, Grain::Quarter];

    pub fn id(self) -> i16 {
        self as i16
    }

    /// The bucket of this grain holding `day`.
    pub fn bucket(self, day: NaiveDate) -> i32 {
        let (y, m) = (day.year(), day.month() as i32);
        match self {
            Grain::Day => y * 10_000 + m * 100 + day.day() as i32,
            Grain::Month => y * 100 + m,
            Grain::Quarter => y * 10 + (m - 1) / 3 + 1,
        }
    }

    /// The first day of the bucket, if `bucket` is a valid one of this grain.
    pub fn first_day(self, bucket: i32) -> Option<NaiveDate> {
        match self {
            Grain::Day => NaiveDate::from_ymd_opt(bucket / 10_000, (bucket / 100 % 100) as u32, (bucket % 100) as u32),
            Grain::Month => NaiveDate::from_ymd_opt(bucket / 100, (bucket % 100) as u32, 1),
            Grain::Quarter => {
                let q = bucket % 10;
                (1..=4).contains(&q).then(|| NaiveDate::from_ymd_opt(bucket / 10, (q as u32 - 1) * 3 + 1, 1)).flatten()
            }
        }
    }

    /// The last day of the bucket holding `day`.
    pub fn last_day(self, day: NaiveDate) -> NaiveDate {
        let months = match self {
            Grain::Day => return day,
            Grain::Month => 1,
            Grain::Quarter => 3,
        };
        self.first_day(self.bucket(day))
            .and_then(|first| first.checked_add_months(Months::new(months)))
            .and_then(|next| next.pred_opt())
            .unwrap_or(day)
    }

    /// The grain and first day of a bucket, told apart by its number of digits (8: a day,
    /// 6: a month, 5: a quarter).
    pub fn of_bucket(bucket: i32) -> Option<(Grain, NaiveDate)> {
        let grain = match bucket {
            10_000_000..=99_999_999 => Grain::Day,
            100_000..=999_999 => Grain::Month,
            10_000..=99_999 => Grain::Quarter,
            _ => return None,
        };
        Some((grain, grain.first_day(bucket)?))
    }

    fn starts_at(self, day: NaiveDate) -> bool {
        self.first_day(self.bucket(day)) == Some(day)
    }
}

/// A run of consecutive buckets of one grain, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub grain: Grain,
    pub from: i32,
    pub to: i32,
}

/// The fewest runs of buckets that together hold exactly the days of `period` (and, when it
/// reaches `today`, the rest of today's month or quarter, which holds nothing yet).
pub fn runs(period: &Period, today: NaiveDate) -> Vec<Run> {
    runs_up_to(period, today, Grain::Quarter)
}

/// Like `runs`, with buckets no coarser than `coarsest`: a trend by month must not read a
/// quarter's bucket, which cannot be split into its months.
pub fn runs_up_to(period: &Period, today: NaiveDate, coarsest: Grain) -> Vec<Run> {
    let reach = if period.to >= today { Grain::Quarter.last_day(period.to) } else { period.to };
    let mut out: Vec<Run> = Vec::new();
    let mut day = period.from;
    while day <= period.to {
        let grain = [Grain::Quarter, Grain::Month]
            .into_iter()
            .filter(|g| *g <= coarsest)
            .find(|g| g.starts_at(day) && g.last_day(day) <= reach)
            .unwrap_or(Grain::Day);
        let bucket = grain.bucket(day);
        match out.last_mut() {
            Some(run) if run.grain == grain => run.to = bucket,
            _ => out.push(Run { grain, from: bucket, to: bucket }),
        }
        let Some(next) = grain.last_day(day).checked_add_days(Days::new(1)) else { break };
        day = next;
    }
    out
}

/// How a trend is cut: by month, quarter or year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Step {
    #[default]
    Month,
    Quarter,
    Year,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Month => "month",
            Step::Quarter => "quarter",
            Step::Year => "year",
        }
    }

    pub fn parse(raw: &str) -> Option<Step> {
        [Step::Month, Step::Quarter, Step::Year].into_iter().find(|s| s.as_str() == raw)
    }

    /// Its length in months.
    pub fn months(self) -> u32 {
        match self {
            Step::Month => 1,
            Step::Quarter => 3,
            Step::Year => 12,
        }
    }

    /// The first day of the step holding `day`.
    pub fn start(self, day: NaiveDate) -> NaiveDate {
        let m0 = (day.month0() / self.months()) * self.months();
        NaiveDate::from_ymd_opt(day.year(), m0 + 1, 1).unwrap_or(day)
    }

    /// A short label: `2026-11`, `2026-Q4` or `2026`.
    pub fn label(self, start: NaiveDate) -> String {
        match self {
            Step::Month => format!("{}-{:02}", start.year(), start.month()),
            Step::Quarter => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
            Step::Year => start.year().to_string(),
        }
    }

    /// The `count` whole steps ending with the one holding `last` (cut at `last`).
    pub fn periods(self, last: NaiveDate, count: u32) -> Vec<Period> {
        let start = self.start(last);
        (0..count)
            .rev()
            .filter_map(|k| {
                let from = start.checked_sub_months(Months::new(self.months() * k))?;
                let end = from.checked_add_months(Months::new(self.months()))?.pred_opt()?;
                Some(Period { from, to: end.min(last) })
            })
            .collect()
    }

    /// The steps that overlap `period`, each cut to it: the points of a trend.
    pub fn split(self, period: &Period) -> Vec<Period> {
        let mut out = Vec::new();
        let mut start = self.start(period.from);
        while start <= period.to {
            let Some(next) = start.checked_add_months(Months::new(self.months())) else { break };
            let end = next.pred_opt().unwrap_or(next);
            out.push(Period { from: start.max(period.from), to: end.min(period.to) });
            start = next;
        }
        out
    }

    /// The coarsest bucket that never straddles two steps.
    pub fn grain(self) -> Grain {
        match self {
            Step::Month => Grain::Month,
            Step::Quarter | Step::Year => Grain::Quarter,
        }
    }

    /// The step before the one holding `day`, cut to the same length so far (for comparisons
    /// of an unfinished month with the last).
    pub fn previous(self, period: &Period) -> Option<Period> {
        let from = period.from.checked_sub_months(Months::new(self.months()))?;
        let to = period.to.checked_sub_months(Months::new(self.months()))?;
        Some(Period { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn days_of(runs: &[Run]) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        for r in runs {
            let mut b = r.grain.first_day(r.from).unwrap();
            let end = r.grain.last_day(r.grain.first_day(r.to).unwrap());
            while b <= end {
                out.push(b);
                b = b.succ_opt().unwrap();
            }
        }
        out
    }

    #[test]
    fn buckets_sort_in_time_order() {
        assert_eq!(Grain::Day.bucket(d("2026-11-22")), 20261122);
        assert_eq!(Grain::Month.bucket(d("2026-11-22")), 202611);
        assert_eq!(Grain::Quarter.bucket(d("2026-11-22")), 20264);
        assert_eq!(Grain::Quarter.last_day(d("2026-11-22")), d("2026-12-31"));
        assert_eq!(Grain::Month.last_day(d("2024-02-10")), d("2024-02-29"));
        assert_eq!(Grain::Quarter.first_day(20265), None);
    }

    #[test]
    fn a_period_is_whole_quarters_months_and_edge_days() {
        let today = d("2026-11-22");
        let p = Period { from: d("2025-11-23"), to: d("2026-11-22") };
        let r = runs(&p, today);
        assert_eq!(
            r,
            vec![
                Run { grain: Grain::Day, from: 20251123, to: 20251130 },
                Run { grain: Grain::Month, from: 202512, to: 202512 },
                Run { grain: Grain::Quarter, from: 20261, to: 20264 },
            ]
        );
        // Ragged at both ends, in the past.
        let p = Period { from: d("2026-01-30"), to: d("2026-05-02") };
        let r = runs(&p, today);
        assert_eq!(
            r,
            vec![
                Run { grain: Grain::Day, from: 20260130, to: 20260131 },
                Run { grain: Grain::Month, from: 202602, to: 202604 },
                Run { grain: Grain::Day, from: 20260501, to: 20260502 },
            ]
        );
        // Every day exactly once, whatever the period.
        for (from, to) in [("2024-02-28", "2024-03-01"), ("2025-01-01", "2026-12-31"), ("2026-11-22", "2026-11-22")] {
            let p = Period { from: d(from), to: d(to) };
            let days = days_of(&runs(&p, d("2027-06-01")));
            assert_eq!(days.first(), Some(&p.from));
            assert_eq!(days.last(), Some(&p.to));
            assert_eq!(days.len() as i64, (p.to - p.from).num_days() + 1);
        }
    }

    #[test]
    fn runs_can_stop_at_months_and_buckets_name_their_grain() {
        let today = d("2026-11-22");
        let p = Period { from: d("2026-01-01"), to: d("2026-06-30") };
        assert_eq!(runs_up_to(&p, today, Grain::Month), vec![Run { grain: Grain::Month, from: 202601, to: 202606 }]);
        assert_eq!(runs(&p, today), vec![Run { grain: Grain::Quarter, from: 20261, to: 20262 }]);
        assert_eq!(runs_up_to(&p, today, Grain::Day).len(), 1);
        assert_eq!(Grain::of_bucket(20261122), Some((Grain::Day, d("2026-11-22"))));
        assert_eq!(Grain::of_bucket(202611), Some((Grain::Month, d("2026-11-01"))));
        assert_eq!(Grain::of_bucket(20264), Some((Grain::Quarter, d("2026-10-01"))));
        assert_eq!(Grain::of_bucket(20265), None);
        assert_eq!(Grain::of_bucket(7), None);
    }

    #[test]
    fn trends_are_whole_steps_cut_at_the_last_day() {
        let p = Step::Month.periods(d("2026-11-22"), 3);
        assert_eq!(p.len(), 3);
        assert_eq!((p[0].from, p[0].to), (d("2026-09-01"), d("2026-09-30")));
        assert_eq!((p[2].from, p[2].to), (d("2026-11-01"), d("2026-11-22")));
        let q = Step::Quarter.periods(d("2026-11-22"), 2);
        assert_eq!((q[0].from, q[0].to), (d("2026-07-01"), d("2026-09-30")));
        assert_eq!(Step::Quarter.label(q[1].from), "2026-Q4");
        assert_eq!(Step::Year.label(Step::Year.start(d("2026-11-22"))), "2026");
        let parts = Step::Quarter.split(&Period { from: d("2025-11-15"), to: d("2026-04-10") });
        assert_eq!(parts.len(), 3);
        assert_eq!((parts[0].from, parts[0].to), (d("2025-11-15"), d("2025-12-31")));
        assert_eq!((parts[2].from, parts[2].to), (d("2026-04-01"), d("2026-04-10")));
        assert_eq!(Step::Year.split(&Period { from: d("2024-03-01"), to: d("2026-11-22") }).len(), 3);
        let prev = Step::Month.previous(&p[2]).unwrap();
        assert_eq!((prev.from, prev.to), (d("2026-10-01"), d("2026-10-22")));
    }
}
