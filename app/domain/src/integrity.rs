//! Integrity flags: signs that a rating may not be a citizen's honest opinion. Flagged ratings
//! are stored and shown, but left out of indices by default (domain notes §6, §7).

use chrono::{Datelike, NaiveDateTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Why a rating was flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Many ratings from one device or address at one counter within minutes.
    Burst,
    /// Given while the counter was closed (tablets and counter QR codes only).
    OutsideHours,
    /// From a network registered as the staff's own.
    StaffNetwork,
    /// The same answers as the previous ratings at the counter, many times in a row.
    IdenticalStreak,
    /// Another rating already exists for the same dossier.
    RepeatedDossier,
    /// More ratings at one counter within a day from one source (an IPv4 address or an IPv6
    /// /64) than the daily cap allows: the ones past the cap are kept but not counted.
    SourceCap,
}

impl Flag {
    pub const ALL: [Flag; 6] = [
        Flag::Burst,
        Flag::OutsideHours,
        Flag::StaffNetwork,
        Flag::IdenticalStreak,
        Flag::RepeatedDossier,
        Flag::SourceCap,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Flag::Burst => "burst",
            Flag::OutsideHours => "outside_hours",
            Flag::StaffNetwork => "staff_network",
            Flag::IdenticalStreak => "identical_streak",
            Flag::RepeatedDossier => "repeated_dossier",
            Flag::SourceCap => "source_cap",
        }
    }

    pub fn parse(raw: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.as_str() == raw)
    }
}

/// How many ratings from one source at one counter within `BURST_MINUTES` make a burst.
pub const BURST_COUNT: u64 = 5;
pub const BURST_MINUTES: i64 = 10;
/// How many identical ratings in a row at a counter make a streak.
pub const STREAK_LENGTH: usize = 10;
/// The same on a kiosk, whose one question has only three answers: ten "very satisfied" in a
/// row happens honestly there, thirty hardly ever does.
pub const KIOSK_STREAK_LENGTH: usize = 30;
/// Anonymous ratings one source may send to one counter within `RATE_LIMIT_MINUTES` before
/// the next is refused (429).
pub const RATE_LIMIT_COUNT: u64 = 10;
pub const RATE_LIMIT_MINUTES: i64 = 10;
/// Anonymous ratings one counter takes from all sources together within `RATE_LIMIT_MINUTES`
/// before the next is refused: a flood from many addresses (a carrier's NAT, a botnet) is met
/// at the counter, not by flagging everyone who shares an address. A busy counter serves a
/// citizen every few minutes; this is several times the busiest hour.
pub const COUNTER_RATE_LIMIT: u64 = 120;
/// Default daily cap: counted (unflagged) ratings one source can add at one counter within 24
/// hours, whatever doors it uses (`--source-daily-cap`).
pub const DEFAULT_SOURCE_DAILY_CAP: u64 = 10;
/// Longest a tablet's queued press may wait before it is refused.
pub const KIOSK_MAX_QUEUE_HOURS: i64 = 7 * 24;

/// The source of a request for the per-source checks: an IPv4 address as it is, an IPv6
/// address cut to its /64 (one household or phone gets a whole /64 and may rotate inside it),
/// an IPv4-mapped IPv6 address as the IPv4 one. `None` for text that is not an address.
pub fn source_of(ip: &str) -> Option<String> {
    use std::net::IpAddr;
    match ip.trim().parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => Some(v4.to_string()),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => Some(v4.to_string()),
            None => {
                let s = v6.segments();
                Some(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
            }
        },
    }
}

/// A set of flags, stored as comma-separated codes ("" for none).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flags(pub BTreeSet<Flag>);

impl Flags {
    pub fn to_db(&self) -> String {
        self.0.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(",")
    }

    pub fn from_db(raw: &str) -> Flags {
        Flags(raw.split(',').filter_map(|c| Flag::parse(c.trim())).collect())
    }

    pub fn insert(&mut self, flag: Flag) {
        self.0.insert(flag);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Which ratings an index counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Every rating without a flag (the default).
    #[default]
    Unflagged,
    /// Every rating, flagged or not.
    All,
    /// Only ratings through a receipt's ticket.
    Verified,
}

impl Basis {
    pub const ALL: [Basis; 3] = [Basis::Unflagged, Basis::All, Basis::Verified];

    pub const fn as_str(self) -> &'static str {
        match self {
            Basis::Unflagged => "unflagged",
            Basis::All => "all",
            Basis::Verified => "verified",
        }
    }

    pub fn parse(raw: &str) -> Option<Basis> {
        Basis::ALL.into_iter().find(|b| b.as_str() == raw)
    }
}

/// Weekly opening hours of a counter, e.g. `Mon-Fri 07:30-11:30,13:30-17:00; Sat 07:30-11:30`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpeningHours {
    /// Per weekday (Monday first): opening intervals in minutes after midnight.
    days: [Vec<(u32, u32)>; 7],
}

/// Usual hours of a public administrative service centre: weekdays and Saturday morning.
pub const DEFAULT_OPENING_HOURS: &str = "Mon-Fri 07:00-17:30; Sat 07:00-11:30";

impl OpeningHours {
    pub fn parse(raw: &str) -> Option<OpeningHours> {
        const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let day = |s: &str| NAMES.iter().position(|n| *n == s.trim().to_ascii_lowercase());
        let minutes = |s: &str| -> Option<u32> {
            let (h, m) = s.trim().split_once(':')?;
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
        };
        let mut days: [Vec<(u32, u32)>; 7] = Default::default();
        for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (which, times) = part.split_once(' ')?;
            let (first, last) = match which.split_once('-') {
                Some((a, b)) => (day(a)?, day(b)?),
                None => (day(which)?, day(which)?),
            };
            if first > last {
                return None;
            }
            let mut intervals = Vec::new();
            for range in times.split(',') {
                let (a, b) = range.split_once('-')?;
                let (a, b) = (minutes(a)?, minutes(b)?);
                if a >= b {
                    return None;
                }
                intervals.push((a, b));
            }
            for day in days.iter_mut().take(last + 1).skip(first) {
                day.extend(intervals.iter().copied());
            }
        }
        Some(OpeningHours { days })
    }

    /// Whether the counter is open at a local (Vietnam) time, allowing `grace_minutes` after
    /// closing (a citizen may rate on the way out).
    pub fn is_open(&self, local: NaiveDateTime, grace_minutes: u32) -> bool {
        let day = match local.weekday() {
            Weekday::Mon => 0,
            Weekday::Tue => 1,
            Weekday::Wed => 2,
            Weekday::Thu => 3,
            Weekday::Fri => 4,
            Weekday::Sat => 5,
            Weekday::Sun => 6,
        };
        let m = local.hour() * 60 + local.minute();
        self.days[day].iter().any(|(a, b)| *a <= m && m < b + grace_minutes)
    }
}

/// Whether `ip` lies in the network `cidr` (`203.113.10.0/24`, `2001:db8::/32`, or a single
/// address). Malformed networks contain nothing.
pub fn cidr_contains(cidr: &str, ip: &str) -> bool {
    use std::net::IpAddr;
    let Ok(ip) = ip.trim().parse::<IpAddr>() else { return false };
    let (net, bits) = match cidr.trim().split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()),
        None => (cidr.trim(), None),
    };
    let Ok(net) = net.parse::<IpAddr>() else { return false };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let bits = bits.unwrap_or(32);
            if bits > 32 {
                return false;
            }
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let bits = bits.unwrap_or(128);
            if bits > 128 {
                return false;
            }
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

/// Whether a network is written in a form `cidr_contains` understands.
pub fn valid_cidr(cidr: &str) -> bool {
    let probe = cidr.trim().split('/').next().unwrap_or("");
    cidr_contains(cidr, probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn flags_round_trip_through_the_database_text() {
        let mut f = Flags::default();
        assert_eq!(f.to_db(), "");
        f.insert(Flag::StaffNetwork);
        f.insert(Flag::Burst);
        assert_eq!(f.to_db(), "burst,staff_network");
        assert_eq!(Flags::from_db("burst,staff_network,unknown"), f);
        assert!(Flags::from_db("").is_empty());
    }

    #[test]
    fn opening_hours_are_read_and_applied() {
        let h = OpeningHours::parse("Mon-Fri 07:30-11:30,13:30-17:00; Sat 07:30-11:30").unwrap();
        assert!(h.is_open(at("2026-11-23 08:00"), 0)); // Monday morning
        assert!(!h.is_open(at("2026-11-23 12:00"), 0)); // lunch
        assert!(h.is_open(at("2026-11-23 11:50"), 30)); // just after the morning closes
        assert!(!h.is_open(at("2026-11-28 14:00"), 0)); // Saturday afternoon
        assert!(!h.is_open(at("2026-11-29 09:00"), 60)); // Sunday
        assert!(OpeningHours::parse(DEFAULT_OPENING_HOURS).is_some());
        for bad in ["Mon 17:00-07:00", "Xyz 07:00-08:00", "Mon-Fri", "Fri-Mon 07:00-08:00", "Mon 25:00-26:00"] {
            assert!(OpeningHours::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn networks_contain_their_addresses() {
        assert!(cidr_contains("203.113.10.0/24", "203.113.10.77"));
        assert!(!cidr_contains("203.113.10.0/24", "203.113.11.1"));
        assert!(cidr_contains("10.0.0.5", "10.0.0.5"));
        assert!(cidr_contains("0.0.0.0/0", "8.8.8.8"));
        assert!(cidr_contains("2001:db8::/32", "2001:db8:1::1"));
        assert!(!cidr_contains("2001:db8::/32", "203.113.10.1"));
        assert!(!cidr_contains("203.113.10.0/33", "203.113.10.1"));
        assert!(valid_cidr("192.168.0.0/16") && !valid_cidr("192.168.0.0/40") && !valid_cidr("mạng cơ quan"));
    }

    #[test]
    fn a_source_is_an_ipv4_address_or_an_ipv6_64() {
        assert_eq!(source_of("203.113.10.77").as_deref(), Some("203.113.10.77"));
        assert_eq!(source_of(" 203.113.10.77 ").as_deref(), Some("203.113.10.77"));
        assert_eq!(source_of("::ffff:203.113.10.77").as_deref(), Some("203.113.10.77"));
        let a = source_of("2001:db8:1:2:aaaa::1").unwrap();
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_eq!(source_of("2001:db8:1:2:ffff:ffff:ffff:fffe").unwrap(), a, "same /64, same source");
        assert_ne!(source_of("2001:db8:1:3::1").unwrap(), a, "the next /64 is another source");
        assert_eq!(source_of("không phải địa chỉ"), None);
        assert_eq!(source_of(""), None);
    }

    #[test]
    fn bases_round_trip() {
        for b in Basis::ALL {
            assert_eq!(Basis::parse(b.as_str()), Some(b));
        }
    }
}
