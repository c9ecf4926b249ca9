//! Working days in Vietnam. The law and agencies count the deadline of a citizen's feedback case
//! (PAKN) in working days: Monday to Friday, minus public holidays and compensatory days off, plus
//! the Saturdays the government declares as working days ("làm bù"). Administrators edit the
//! holiday table in the database, so the calendar is data; this module only counts, free of I/O.
//!
//! Days are Vietnam's calendar days (UTC+7, no daylight saving). A deadline is the end of its day,
//! 23:59:59 in Vietnam, so an officer has the whole working day to answer.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::period::VN_OFFSET_SECONDS;
pub use super::period::vn_date;

/// How far the deadline search walks before giving up: about ten years of days. Only a calendar
/// that marks years on end as days off reaches it.
const MAX_SEARCH_DAYS: u32 = 3_660;

/// One special day: a day off on a weekday (holiday / compensatory day off) or a working weekend day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialDay {
    pub date: NaiveDate,
    /// `true`: nobody works although it is a weekday; `false`: offices open although it is a weekend day.
    pub off: bool,
    pub name_vi: String,
    pub name_en: String,
    /// The official notice the day comes from; `None`: the Labour Code's rule (2019, art. 112)
    /// applied our way, pending the year's notice for civil servants.
    pub notice: Option<String>,
}

/// The calendar the product counts deadlines with: the usual week plus the special days.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    /// Special dates; the value is `true` for a day off.
    special: BTreeMap<NaiveDate, bool>,
}

impl Calendar {
    /// Builds the calendar from `(date, off)` pairs, as read from the holiday table. When a date
    /// appears twice, the later entry wins.
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, bool)>) -> Calendar {
        Calendar { special: days.into_iter().collect() }
    }

    /// Builds the calendar from the special days an administrator maintains.
    pub fn from_special_days<'a>(days: impl IntoIterator<Item = &'a SpecialDay>) -> Calendar {
        Calendar::new(days.into_iter().map(|d| (d.date, d.off)))
    }

    /// Whether offices work on `d`: a special day decides; otherwise Monday to Friday.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.special.get(&d) {
            Some(off) => !off,
            None => is_weekday(d),
        }
    }

    /// The deadline `n` working days after the instant `from` (UTC): counting starts the next working day
    /// after the local (Vietnam) date of `from`; the deadline is the END of the n-th working day, i.e. 23:59:59
    /// Vietnam time of that day, returned in UTC. n = 0 → end of the local day of `from` (even if not a working day).
    ///
    /// A case received on Friday evening with a 2-day deadline is due at the end of Tuesday. If the
    /// calendar has no working day for about ten years, the search stops there and returns the end
    /// of the last day it looked at.
    pub fn add_working_days(&self, from: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let mut day = vn_date(from);
        let mut counted = 0;
        let mut walked = 0;
        while counted < n && walked < MAX_SEARCH_DAYS {
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
            walked += 1;
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        end_of_vn_day(day).unwrap_or(from)
    }

    /// Working days strictly after the local date of `from` up to and including the local date of `to`
    /// (0 when `to` is on the same local day or before). Used for "days taken to answer".
    pub fn working_days_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
        u32::try_from(self.count_dates(vn_date(from), vn_date(to))).unwrap_or(u32::MAX)
    }

    /// [`Self::working_days_between`] for two Vietnam dates (when the database has grouped the
    /// instants by day already).
    pub fn working_days_between_dates(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        u32::try_from(self.count_dates(from, to)).unwrap_or(u32::MAX)
    }

    /// Working days left until `deadline` seen at `now`: positive = days left (counting today if it is a working
    /// day and the deadline is not passed), 0 = due today, negative = that many working days overdue.
    ///
    /// Precisely, for the officer's case list:
    /// - deadline passed: minus the working days after the deadline's day up to today, at least 1
    ///   (a case due on Friday is already "1 day overdue" on Saturday);
    /// - deadline later today: 0;
    /// - deadline on a later day: the working days from today (if a working day) up to the day
    ///   before the deadline's day, at least 1 (on Saturday, a case due on Monday has 1 day left).
    pub fn working_days_left(&self, now: DateTime<Utc>, deadline: DateTime<Utc>) -> i64 {
        let today = vn_date(now);
        let due = vn_date(deadline);
        if now > deadline {
            return -self.count_dates(due, today).max(1);
        }
        if due <= today {
            return 0;
        }
        // Working days in [today, due) = those in (today, due] + today − due.
        let left =
            self.count_dates(today, due) + i64::from(self.is_working_day(today)) - i64::from(self.is_working_day(due));
        left.max(1)
    }

    /// Working days in `(after, upto]`, computed by whole weeks and the special days in range, so
    /// it costs the same for a week as for a decade.
    fn count_dates(&self, after: NaiveDate, upto: NaiveDate) -> i64 {
        if upto <= after {
            return 0;
        }
        let span = (upto - after).num_days();
        let mut count = span / 7 * 5;
        let mut day = after;
        for _ in 0..span % 7 {
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
            if is_weekday(day) {
                count += 1;
            }
        }
        let Some(first) = after.succ_opt() else { return count };
        for (&date, &off) in self.special.range(first..=upto) {
            match (is_weekday(date), off) {
                (true, true) => count -= 1,
                (false, false) => count += 1,
                _ => {}
            }
        }
        count
    }
}

/// Monday to Friday.
fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// 23:59:59 in Vietnam on `d`, in UTC; `None` only at the edge of the representable dates.
fn end_of_vn_day(d: NaiveDate) -> Option<DateTime<Utc>> {
    d.and_hms_opt(23, 59, 59)?.checked_sub_signed(Duration::seconds(i64::from(VN_OFFSET_SECONDS))).map(|t| t.and_utc())
}

/// Builds one seed entry; the dates are literals checked by the tests.
fn special(y: i32, m: u32, d: u32, off: bool, name_vi: &str, name_en: &str) -> Option<SpecialDay> {
    Some(SpecialDay {
        date: NaiveDate::from_ymd_opt(y, m, d)?,
        off,
        name_vi: name_vi.into(),
        name_en: name_en.into(),
        notice: None,
    })
}

/// A weekday off, named in Vietnamese and English.
fn off(y: i32, m: u32, d: u32, (vi, en): (&str, &str)) -> Option<SpecialDay> {
    special(y, m, d, true, vi, en)
}

/// A Saturday worked, named in Vietnamese and English.
fn work(y: i32, m: u32, d: u32, (vi, en): (&str, &str)) -> Option<SpecialDay> {
    special(y, m, d, false, vi, en)
}

/// Marks seed entries as coming from `notice`.
fn per_notice(notice: &str, days: impl IntoIterator<Item = Option<SpecialDay>>) -> Vec<Option<SpecialDay>> {
    days.into_iter().map(|d| d.map(|d| SpecialDay { notice: Some(notice.to_owned()), ..d })).collect()
}

/// The notices behind the seeded days.
pub const NOTICE_2025: &str =
    "Thông báo nghỉ Tết Âm lịch, lễ 30/4–1/5 và Quốc khánh năm 2025 đối với cán bộ, công chức, viên chức";
pub const NOTICE_2026_NEW_YEAR: &str = "Thông báo 12729/VPCP-KGVX ngày 25/12/2025 (nghỉ Tết Dương lịch 2026)";
pub const NOTICE_2026_TET: &str = "Thông báo nghỉ Tết Bính Ngọ 2026 đối với cán bộ, công chức, viên chức";

/// A correction of the calendar by an official notice, applied once to every database (new and
/// existing) when a server starts, replacing whatever the table held for those days.
#[derive(Clone, Debug)]
pub struct CalendarRevision {
    /// Stable name, remembered by each database once applied.
    pub id: &'static str,
    pub days: Vec<SpecialDay>,
}

/// Every revision, oldest first.
pub fn calendar_revisions() -> Vec<CalendarRevision> {
    vec![CalendarRevision {
        // New Year 2026: Thu 1 – Sun 4 Jan, Fri 2 Jan off in exchange for Sat 10 Jan.
        id: "2026-new-year-12729-VPCP-KGVX",
        days: per_notice(
            NOTICE_2026_NEW_YEAR,
            [
                off(2026, 1, 1, NEW_YEAR),
                off(2026, 1, 2, NEW_YEAR_SWAP),
                work(2026, 1, 10, ("Làm bù cho ngày nghỉ 2/1", "Working Saturday (makes up for 2 January)")),
            ],
        )
        .into_iter()
        .flatten()
        .collect(),
    }]
}

/// How a year of the calendar stands: its special days, and how many of them still follow the
/// Labour Code's rule pending the year's notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearBasis {
    pub year: i32,
    pub days: usize,
    pub by_default: usize,
}

/// [`YearBasis`] of every year that has special days, in order, from `(date, has a notice)`.
pub fn year_bases(days: impl IntoIterator<Item = (NaiveDate, bool)>) -> Vec<YearBasis> {
    let mut years: BTreeMap<i32, YearBasis> = BTreeMap::new();
    for (date, noticed) in days {
        let y = years.entry(date.year()).or_insert(YearBasis { year: date.year(), days: 0, by_default: 0 });
        y.days += 1;
        y.by_default += usize::from(!noticed);
    }
    years.into_values().collect()
}

const NEW_YEAR: (&str, &str) = ("Tết Dương lịch", "New Year's Day");
const NEW_YEAR_SWAP: (&str, &str) =
    ("Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/1)", "New Year holiday (swapped with Saturday 10 January)");
const TET: (&str, &str) = ("Tết Nguyên đán", "Lunar New Year (Tết)");
const HUNG_KINGS: (&str, &str) = ("Giỗ Tổ Hùng Vương (10/3 âm lịch)", "Hùng Kings' Commemoration Day");
const HUNG_KINGS_MAKEUP: (&str, &str) =
    ("Nghỉ bù Giỗ Tổ Hùng Vương", "Compensatory day off for Hùng Kings' Commemoration Day");
const REUNIFICATION: (&str, &str) = ("Ngày Chiến thắng 30/4", "Reunification Day (30 April)");
const LABOUR: (&str, &str) = ("Ngày Quốc tế Lao động 1/5", "International Labour Day (1 May)");
const LABOUR_MAKEUP: (&str, &str) =
    ("Nghỉ bù Ngày Quốc tế Lao động 1/5", "Compensatory day off for International Labour Day");
const NATIONAL_DAY: (&str, &str) = ("Quốc khánh 2/9", "National Day (2 September)");
const NATIONAL_DAY_EXTRA: (&str, &str) = ("Nghỉ Quốc khánh (ngày liền kề 2/9)", "National Day holiday (adjacent day)");

/// Vietnam's public holidays and compensatory days for 2025, 2026 and 2027, as seeded into the database.
///
/// Only weekdays off and working Saturdays are listed: weekends are off already. Entries marked
/// "pending" apply the Labour Code (2019, art. 112) our way until the year's notice for civil
/// servants is published; administrators should check them in the holiday table then.
pub fn vietnam_2025_2027() -> Vec<SpecialDay> {
    let revised: Vec<Option<SpecialDay>> = calendar_revisions().into_iter().flat_map(|r| r.days).map(Some).collect();
    [
        // 2025 — all entries follow the published notice for civil servants: Tết Ất Tỵ from Sat
        // 25 Jan to Sun 2 Feb; 30/4–1/5 joined to the weekend by swapping Fri 2 May with Sat
        // 26 Apr; National Day from Sat 30 Aug to Tue 2 Sep.
        per_notice(
            NOTICE_2025,
            [
                off(2025, 1, 1, NEW_YEAR),
                off(2025, 1, 27, TET),
                off(2025, 1, 28, TET),
                off(2025, 1, 29, TET),
                off(2025, 1, 30, TET),
                off(2025, 1, 31, TET),
                off(2025, 4, 7, HUNG_KINGS),
                work(2025, 4, 26, ("Làm bù cho ngày nghỉ 2/5", "Working Saturday (makes up for 2 May)")),
                off(2025, 4, 30, REUNIFICATION),
                off(2025, 5, 1, LABOUR),
                off(2025, 5, 2, ("Nghỉ hoán đổi (làm bù thứ Bảy 26/4)", "Day off swapped with Saturday 26 April")),
                off(2025, 9, 1, NATIONAL_DAY_EXTRA),
                off(2025, 9, 2, NATIONAL_DAY),
            ],
        ),
        // 2026 — New Year from its notice (the calendar's revisions); Tết Bính Ngọ (Mon 16 to Fri
        // 20 Feb, break from Sat 14 to Sun 22 Feb) from its notice. Labour Code's rule: Hùng
        // Kings' Day falls on Sun 26 Apr, so Mon 27 Apr is off in compensation; 30/4 (Thu) and
        // 1/5 (Fri). Pending the notice: the day joined to National Day (Wed 2 Sep) — we chose
        // Tue 1 Sep.
        revised,
        per_notice(
            NOTICE_2026_TET,
            [
                off(2026, 2, 16, TET),
                off(2026, 2, 17, TET),
                off(2026, 2, 18, TET),
                off(2026, 2, 19, TET),
                off(2026, 2, 20, TET),
            ],
        ),
        vec![
            off(2026, 4, 27, HUNG_KINGS_MAKEUP),
            off(2026, 4, 30, REUNIFICATION),
            off(2026, 5, 1, LABOUR),
            off(2026, 9, 1, NATIONAL_DAY_EXTRA),
            off(2026, 9, 2, NATIONAL_DAY),
        ],
        // 2027 — Labour Code's rule, pending the year's notice for every entry. Fixed by law:
        // New Year's Day (Fri 1 Jan), Hùng Kings' Day (10/3 lunar = Fri 16 Apr), 30/4 (Fri), and
        // Mon 3 May in compensation for 1/5 falling on a Saturday. Our choice: Tết Đinh Mùi
        // (Lunar New Year on Sat 6 Feb) as Thu 4 – Fri 5 Feb and Mon 8 – Wed 10 Feb; Fri 3 Sep
        // joined to National Day (Thu 2 Sep).
        vec![
            off(2027, 1, 1, NEW_YEAR),
            off(2027, 2, 4, TET),
            off(2027, 2, 5, TET),
            off(2027, 2, 8, TET),
            off(2027, 2, 9, TET),
            off(2027, 2, 10, TET),
            off(2027, 4, 16, HUNG_KINGS),
            off(2027, 4, 30, REUNIFICATION),
            off(2027, 5, 3, LABOUR_MAKEUP),
            off(2027, 9, 2, NATIONAL_DAY),
            off(2027, 9, 3, NATIONAL_DAY_EXTRA),
        ],
    ]
    .into_iter()
    .flatten()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn vietnam() -> Calendar {
        Calendar::from_special_days(&vietnam_2025_2027())
    }

    #[test]
    fn weekends_are_off_and_weekdays_work() {
        let cal = Calendar::default();
        assert!(cal.is_working_day(d("2026-03-09"))); // Monday
        assert!(cal.is_working_day(d("2026-03-13"))); // Friday
        assert!(!cal.is_working_day(d("2026-03-14"))); // Saturday
        assert!(!cal.is_working_day(d("2026-03-15"))); // Sunday
    }

    #[test]
    fn holidays_are_off_and_working_saturdays_count() {
        let cal = vietnam();
        assert!(!cal.is_working_day(d("2026-09-02")));
        assert!(!cal.is_working_day(d("2025-01-29")));
        assert!(cal.is_working_day(d("2025-04-26")));
        // Fri 25 Apr 2025 18:00 → Sat 26 Apr (worked) is the first working day.
        assert_eq!(cal.add_working_days(t("2025-04-25T18:00:00+07:00"), 1), t("2025-04-26T23:59:59+07:00"));
        // Mon 28 and Tue 29 Apr follow; then 30/4, 1/5, 2/5 and the weekend are off: Mon 5 May.
        assert_eq!(cal.add_working_days(t("2025-04-25T18:00:00+07:00"), 3), t("2025-04-29T23:59:59+07:00"));
        assert_eq!(cal.add_working_days(t("2025-04-25T18:00:00+07:00"), 4), t("2025-05-05T23:59:59+07:00"));
    }

    #[test]
    fn later_entries_win() {
        let cal = Calendar::new([(d("2026-03-10"), true), (d("2026-03-10"), false)]);
        assert!(cal.is_working_day(d("2026-03-10")));
    }

    #[test]
    fn deadline_across_tet_2026() {
        let cal = vietnam();
        let from = t("2026-02-13T10:00:00+07:00");
        assert_eq!(cal.add_working_days(from, 2), t("2026-02-24T16:59:59Z"));
        assert_eq!(cal.add_working_days(from, 1), t("2026-02-23T23:59:59+07:00"));
    }

    #[test]
    fn zero_days_is_the_end_of_the_local_day() {
        let cal = vietnam();
        // 20:00 UTC on Friday is already Saturday 03:00 in Vietnam.
        assert_eq!(cal.add_working_days(t("2026-03-13T20:00:00Z"), 0), t("2026-03-14T23:59:59+07:00"));
        assert_eq!(cal.add_working_days(t("2026-02-17T09:00:00+07:00"), 0), t("2026-02-17T23:59:59+07:00"));
    }

    #[test]
    fn from_a_sunday_evening() {
        let cal = vietnam();
        let sunday = t("2026-03-15T21:30:00+07:00");
        assert_eq!(cal.add_working_days(sunday, 1), t("2026-03-16T23:59:59+07:00"));
        assert_eq!(cal.add_working_days(sunday, 5), t("2026-03-20T23:59:59+07:00"));
        assert_eq!(cal.add_working_days(sunday, 6), t("2026-03-23T23:59:59+07:00"));
    }

    #[test]
    fn a_calendar_without_working_days_stops() {
        let start = d("2026-01-01");
        let cal = Calendar::new(start.iter_days().take(20_000).map(|day| (day, true)));
        let due = cal.add_working_days(t("2026-01-01T08:00:00+07:00"), 5);
        assert!(due > t("2035-01-01T00:00:00Z") && due < t("2037-01-01T00:00:00Z"));
        assert_eq!(cal.working_days_between(t("2026-01-01T08:00:00+07:00"), due), 0);
    }

    #[test]
    fn working_days_between_counts_after_the_first_day() {
        let cal = vietnam();
        let fri = t("2026-02-13T10:00:00+07:00");
        assert_eq!(cal.working_days_between(fri, t("2026-02-13T23:00:00+07:00")), 0);
        assert_eq!(cal.working_days_between(fri, t("2026-02-20T12:00:00+07:00")), 0);
        assert_eq!(cal.working_days_between(fri, t("2026-02-23T08:00:00+07:00")), 1);
        assert_eq!(cal.working_days_between(fri, t("2026-02-24T08:00:00+07:00")), 2);
        assert_eq!(cal.working_days_between(t("2026-02-24T08:00:00+07:00"), fri), 0);
        // Ordinary weeks: Mon 2 Mar → Mon 16 Mar is ten working days.
        assert_eq!(cal.working_days_between(t("2026-03-02T09:00:00+07:00"), t("2026-03-16T09:00:00+07:00")), 10);
        // 17:30 UTC is already the next day in Vietnam.
        assert_eq!(cal.working_days_between(t("2026-03-02T09:00:00+07:00"), t("2026-03-02T17:30:00Z")), 1);
    }

    #[test]
    fn working_days_left_before_on_and_after_the_deadline() {
        let cal = vietnam();
        let due = t("2026-03-18T23:59:59+07:00"); // Wednesday
        assert_eq!(cal.working_days_left(t("2026-03-16T08:00:00+07:00"), due), 2); // Monday
        assert_eq!(cal.working_days_left(t("2026-03-17T08:00:00+07:00"), due), 1); // Tuesday
        assert_eq!(cal.working_days_left(t("2026-03-18T08:00:00+07:00"), due), 0); // due today
        assert_eq!(cal.working_days_left(t("2026-03-19T08:00:00+07:00"), due), -1);
        assert_eq!(cal.working_days_left(t("2026-03-23T08:00:00+07:00"), due), -3); // Thu, Fri, Mon
        // A weekend before a Monday deadline still leaves a day; a weekend after a Friday one is overdue.
        let monday = t("2026-03-23T23:59:59+07:00");
        assert_eq!(cal.working_days_left(t("2026-03-21T10:00:00+07:00"), monday), 1);
        let friday = t("2026-03-20T23:59:59+07:00");
        assert_eq!(cal.working_days_left(t("2026-03-21T10:00:00+07:00"), friday), -1);
        // Over Tết 2026: on Sat 14 Feb a case due Tue 24 Feb has Monday 23 left, then Tuesday.
        assert_eq!(cal.working_days_left(t("2026-02-14T10:00:00+07:00"), t("2026-02-24T16:59:59Z")), 1);
        assert_eq!(cal.working_days_left(t("2026-02-12T10:00:00+07:00"), t("2026-02-24T16:59:59Z")), 3);
    }

    #[test]
    fn the_seed_is_clean() {
        let seed = vietnam_2025_2027();
        assert_eq!(seed.len(), 13 + 13 + 11);
        let dates: BTreeSet<_> = seed.iter().map(|s| s.date).collect();
        assert_eq!(dates.len(), seed.len(), "duplicate dates in the seed");
        for s in &seed {
            assert!(!s.name_vi.is_empty() && !s.name_en.is_empty());
            assert!((2025..=2027).contains(&s.date.year()));
            if s.off {
                assert!(is_weekday(s.date), "{} is a weekend day marked off", s.date);
            } else {
                assert_eq!(s.date.weekday(), Weekday::Sat, "{} is marked worked but is not a Saturday", s.date);
            }
        }
        let per_year = |y| seed.iter().filter(|s| s.date.year() == y && s.off).count();
        assert_eq!((per_year(2025), per_year(2026), per_year(2027)), (12, 12, 11));
    }

    #[test]
    fn new_year_2026_follows_notice_12729() {
        // Thu 1 – Sun 4 Jan off, Fri 2 Jan swapped with Sat 10 Jan (VPCP notice 12729/VPCP-KGVX).
        let cal = vietnam();
        assert!(!cal.is_working_day(d("2026-01-01")));
        assert!(!cal.is_working_day(d("2026-01-02")));
        assert!(cal.is_working_day(d("2026-01-10")));
        // A case received Wed 31 Dec 2025: the first working day is Mon 5 Jan, the fifth Fri 9 Jan,
        // the sixth Sat 10 Jan.
        let from = t("2025-12-31T10:00:00+07:00");
        assert_eq!(cal.add_working_days(from, 1), t("2026-01-05T23:59:59+07:00"));
        assert_eq!(cal.add_working_days(from, 5), t("2026-01-09T23:59:59+07:00"));
        assert_eq!(cal.add_working_days(from, 6), t("2026-01-10T23:59:59+07:00"));
        assert_eq!(cal.working_days_between(from, t("2026-01-12T09:00:00+07:00")), 7);
        // Every day of the revision says where it comes from, and the seed agrees with it.
        let seed = vietnam_2025_2027();
        for day in calendar_revisions().iter().flat_map(|r| r.days.iter()) {
            assert_eq!(day.notice.as_deref(), Some(NOTICE_2026_NEW_YEAR));
            assert!(seed.contains(day), "{} missing from the seed", day.date);
        }
    }

    #[test]
    fn each_year_says_how_many_days_follow_the_labour_codes_rule() {
        let seed = vietnam_2025_2027();
        let bases = year_bases(seed.iter().map(|s| (s.date, s.notice.is_some())));
        assert_eq!(
            bases,
            vec![
                YearBasis { year: 2025, days: 13, by_default: 0 },
                // 27 Apr, 30 Apr, 1 May, 1–2 Sep: no notice yet.
                YearBasis { year: 2026, days: 13, by_default: 5 },
                YearBasis { year: 2027, days: 11, by_default: 11 },
            ]
        );
    }

    #[test]
    fn adding_then_counting_gives_back_n() {
        let cal = vietnam();
        let mut from = t("2024-12-20T00:30:00Z");
        let end = t("2028-01-10T00:00:00Z");
        while from < end {
            for n in 0..30 {
                let due = cal.add_working_days(from, n);
                assert_eq!(cal.working_days_between(from, due), n, "from {from}, n {n}");
                assert!(cal.is_working_day(vn_date(due)) || n == 0);
                let n = i64::from(n);
                let left = match (n, cal.is_working_day(vn_date(from))) {
                    (0, _) => 0,
                    (_, true) => n,
                    (_, false) => (n - 1).max(1),
                };
                assert_eq!(cal.working_days_left(from, due), left, "from {from}, n {n}");
            }
            from += Duration::hours(13);
        }
    }
}
