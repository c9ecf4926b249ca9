//! Reporting periods. Citizens and agencies count days in Vietnam's time (UTC+7, no daylight
//! saving), while responses are stored with UTC timestamps; this module converts between them.

use crate::error::{AppError, ErrorCode, FieldError};
use chrono::{DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Vietnam's offset from UTC, in seconds.
pub const VN_OFFSET_SECONDS: i32 = 7 * 3600;

/// Vietnam's time zone (Indochina Time), checked at compile time.
const VN: FixedOffset = match FixedOffset::east_opt(VN_OFFSET_SECONDS) {
    Some(offset) => offset,
    None => panic!("UTC+7 is a valid offset"),
};

pub fn vn_offset() -> FixedOffset {
    VN
}

/// The calendar date in Vietnam at instant `at`.
pub fn vn_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&vn_offset()).date_naive()
}

/// The longest period the public pages answer at once: a year (any calendar year, four
/// quarters, or the default twelve months up to today all fit). Longer periods are shortened
/// (`Period::capped_for_public`) so that an anonymous view never reads more than a year of cases.
pub const PUBLIC_MAX_DAYS: u64 = 366;

/// An inclusive range of calendar days in Vietnam's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The twelve calendar months up to and including `today`'s month (so far): the default
    /// view of every report. Whole months keep reports comparable and cheap to compute.
    pub fn last_twelve_months(today: NaiveDate) -> Period {
        let from = today.with_day(1).and_then(|d| d.checked_sub_months(Months::new(11))).unwrap_or(today);
        Period { from, to: today }
    }

    /// Reads `from` and `to` (`YYYY-MM-DD`, both optional) as a request gives them. A missing
    /// `to` is today; a missing `from` is a year before `to`.
    pub fn parse(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Period, AppError> {
        let mut fields = Vec::new();
        let mut read = |name: &str, raw: Option<&str>| match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match parse_date(s) {
                Some(d) => Some(d),
                None => {
                    fields.push(FieldError::new(name, ErrorCode::InvalidDate));
                    None
                }
            },
        };
        let from_date = read("from", from);
        let to_date = read("to", to);
        if !fields.is_empty() {
            return Err(AppError { code: ErrorCode::InvalidDate, fields, detail: None });
        }
        let to = to_date.unwrap_or(today);
        let from = from_date.unwrap_or_else(|| Period::last_twelve_months(to).from);
        if from > to {
            return Err(AppError {
                code: ErrorCode::InvalidPeriod,
                fields: vec![FieldError::new("from", ErrorCode::InvalidPeriod)],
                detail: None,
            });
        }
        Ok(Period { from, to })
    }

    /// The period an anonymous reader may ask for at once: at most [`PUBLIC_MAX_DAYS`] days,
    /// ending no later than `today`. A longer period keeps its end and starts
    /// `PUBLIC_MAX_DAYS − 1` days before it. Returns the period and whether it was shortened.
    pub fn capped_for_public(self, today: NaiveDate) -> (Period, bool) {
        let to = self.to.min(today);
        let earliest = to.checked_sub_days(Days::new(PUBLIC_MAX_DAYS - 1)).unwrap_or(to);
        let from = self.from.max(earliest).min(to);
        let capped = Period { from, to };
        (capped, capped != self)
    }

    /// First instant of the period, in UTC.
    pub fn start_utc(&self) -> DateTime<Utc> {
        midnight_utc(self.from)
    }

    /// First instant after the period, in UTC (the end is exclusive).
    pub fn end_utc(&self) -> DateTime<Utc> {
        midnight_utc(self.to.checked_add_days(Days::new(1)).unwrap_or(self.to))
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start_utc() <= at && at < self.end_utc()
    }
}

/// Midnight in Vietnam on `day`, as a UTC instant.
fn midnight_utc(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(chrono::NaiveTime::MIN);
    match vn_offset().from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        // A fixed offset has no gaps or folds; keep the type checker satisfied.
        _ => Utc.from_utc_datetime(&local),
    }
}

/// Strict `YYYY-MM-DD` within years 2000–2100, the span any report could sensibly cover.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    (2000..=2100).contains(&d.year()).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn public_periods_are_capped_at_a_year_ending_today_at_the_latest() {
        let today = d("2026-12-07");
        let year = Period { from: d("2025-12-07"), to: d("2026-12-06") };
        assert_eq!(year.capped_for_public(today), (year, false), "366 days pass");
        let leap = Period { from: d("2024-01-01"), to: d("2024-12-31") };
        assert_eq!(leap.capped_for_public(today), (leap, false), "a leap year passes");
        let century = Period { from: d("2000-01-01"), to: d("2099-12-31") };
        let (p, capped) = century.capped_for_public(today);
        assert!(capped);
        assert_eq!((p.from, p.to), (d("2025-12-07"), today));
        assert_eq!((p.to - p.from).num_days() + 1, PUBLIC_MAX_DAYS as i64);
        let future = Period { from: d("2030-01-01"), to: d("2030-02-01") };
        assert_eq!(future.capped_for_public(today), (Period { from: today, to: today }, true));
        let default = Period::last_twelve_months(today);
        assert!(!default.capped_for_public(today).1, "the default view is never shortened");
    }

    #[test]
    fn days_start_at_midnight_in_vietnam() {
        let p = Period { from: d("2026-01-01"), to: d("2026-01-31") };
        assert_eq!(p.start_utc().to_rfc3339(), "2025-12-31T17:00:00+00:00");
        assert_eq!(p.end_utc().to_rfc3339(), "2026-01-31T17:00:00+00:00");
        let just_inside = "2026-01-31T16:59:59Z".parse::<DateTime<Utc>>().unwrap();
        let just_outside = "2026-01-31T17:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert!(p.contains(just_inside) && !p.contains(just_outside));
        assert_eq!(vn_date(just_outside), d("2026-02-01"));
    }

    #[test]
    fn missing_bounds_default_to_the_last_twelve_months() {
        let today = d("2026-11-22");
        let p = Period::parse(None, None, today).unwrap();
        assert_eq!((p.from, p.to), (d("2025-12-01"), today));
        let p = Period::parse(None, Some("2026-03-31"), today).unwrap();
        assert_eq!(p.from, d("2025-04-01"));
    }

    #[test]
    fn from_after_to_is_refused() {
        let err = Period::parse(Some("2026-05-02"), Some("2026-05-01"), d("2026-11-22")).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidPeriod);
        assert!(Period::parse(Some("2026-05-01"), Some("2026-05-01"), d("2026-11-22")).is_ok());
    }

    #[test]
    fn malformed_dates_name_the_field() {
        let err = Period::parse(Some("2026-13-01"), Some("01/02/2026"), d("2026-11-22")).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidDate);
        let fields: Vec<&str> = err.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["from", "to"]);
        for bad in ["2026-1-01", "1999-12-31", "2026-02-30", "x"] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }
}
