//! Identifiers that travel in URLs and on printed posters.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Letters of a counter code: lowercase, without `0 1 i l o`, which are easy to misread when a
/// citizen types the code from a poster.
pub const COUNTER_CODE_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// Length of a newly issued counter code: 31^10 ≈ 8·10^14 codes (about 49 bits), too many to
/// guess, short enough for a small QR code and a printed link.
pub const COUNTER_CODE_LEN: usize = 10;

/// The public code of a counter (quầy), printed in its QR link `/s/{code}`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CounterCode(String);

impl CounterCode {
    /// Accepts what a citizen's phone may send: surrounding spaces and capitals are forgiven.
    pub fn parse(raw: &str) -> Option<CounterCode> {
        let code = raw.trim().to_ascii_lowercase();
        let ok = (4..=32).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        ok.then_some(CounterCode(code))
    }

    /// Builds a fresh code from random bytes (one byte per letter). Rejection sampling keeps
    /// every letter equally likely; returns `None` if the bytes ran out first.
    pub fn from_random_bytes(bytes: &[u8]) -> Option<CounterCode> {
        let n = COUNTER_CODE_ALPHABET.len() as u8;
        let limit = u8::MAX - (u8::MAX % n); // bytes at or above this would bias the draw
        let code: String = bytes
            .iter()
            .filter(|&&b| b < limit)
            .take(COUNTER_CODE_LEN)
            .map(|&b| COUNTER_CODE_ALPHABET[(b % n) as usize] as char)
            .collect();
        (code.len() == COUNTER_CODE_LEN).then_some(CounterCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CounterCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The official code of an administrative unit (mã đơn vị), e.g. `H22` or `H22.10`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgencyCode(String);

impl AgencyCode {
    pub fn parse(raw: &str) -> Option<AgencyCode> {
        let code = raw.trim();
        let ok =
            (1..=40).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        ok.then(|| AgencyCode(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A dossier code (mã hồ sơ), TT 01/2018/TT-VPCP Art. 19: `V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX`,
/// e.g. `H15.50.05.13-261008-0975`: the receiving unit's code (TT 10/2016/TT-BTTTT, dot-separated
/// groups), the receipt date, and the day's sequence number (4 digits; 6–7 when the dossier came
/// from a ministry portal).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DossierCode(String);

impl DossierCode {
    /// Accepts spaces around it and lowercase letters (typed from a receipt); rejects anything
    /// that does not have the three parts, a real date, and a numeric sequence.
    pub fn parse(raw: &str) -> Option<DossierCode> {
        let code = raw.trim().to_ascii_uppercase();
        let mut parts = code.split('-');
        let (unit, date, seq) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let groups: Vec<&str> = unit.split('.').collect();
        let unit_ok = (1..=5).contains(&groups.len())
            && groups.iter().all(|g| (2..=4).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_alphanumeric()));
        let date_ok = date.len() == 6
            && date.bytes().all(|b| b.is_ascii_digit())
            && chrono::NaiveDate::parse_from_str(&format!("20{date}"), "%Y%m%d").is_ok();
        let seq_ok = matches!(seq.len(), 4 | 6 | 7) && seq.bytes().all(|b| b.is_ascii_digit());
        (unit_ok && date_ok && seq_ok).then_some(DossierCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Kinds of administrative unit in the 2025 two-level structure (domain notes §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    Province,
    Department,
    Commune,
    ServiceCentre,
    Other,
}

impl AgencyKind {
    pub const ALL: [AgencyKind; 5] = [
        AgencyKind::Province,
        AgencyKind::Department,
        AgencyKind::Commune,
        AgencyKind::ServiceCentre,
        AgencyKind::Other,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            AgencyKind::Province => "province",
            AgencyKind::Department => "department",
            AgencyKind::Commune => "commune",
            AgencyKind::ServiceCentre => "service_centre",
            AgencyKind::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<AgencyKind> {
        AgencyKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_codes_are_normalised_and_checked() {
        assert_eq!(CounterCode::parse(" AbC234xyz9 ").unwrap().as_str(), "abc234xyz9");
        for bad in ["", "abc", "ab cd efgh", "quầy1234", "../etc/passwd", &"a".repeat(33)] {
            assert!(CounterCode::parse(bad).is_none(), "{bad:?} accepted");
        }
    }

    #[test]
    fn fresh_counter_codes_use_only_the_unambiguous_alphabet() {
        let bytes: Vec<u8> = (0..=255).collect();
        let code = CounterCode::from_random_bytes(&bytes).unwrap();
        assert_eq!(code.as_str().len(), COUNTER_CODE_LEN);
        assert!(code.as_str().bytes().all(|b| COUNTER_CODE_ALPHABET.contains(&b)));
        assert!(CounterCode::parse(code.as_str()).is_some());
    }

    #[test]
    fn biased_bytes_are_rejected_and_short_input_gives_no_code() {
        // 248..=255 would favour the first letters; they are skipped.
        assert!(CounterCode::from_random_bytes(&[250; 64]).is_none());
        assert!(CounterCode::from_random_bytes(&[1, 2, 3]).is_none());
    }

    #[test]
    fn agency_codes_allow_official_punctuation_only() {
        assert!(AgencyCode::parse("H22.10_a-b").is_some());
        assert!(AgencyCode::parse("H22/10").is_none());
        assert!(AgencyCode::parse("").is_none());
    }

    #[test]
    fn dossier_codes_follow_tt_01_2018() {
        for ok in [
            "H15.50.05.13-261008-0975",
            " h15.50.05.13-261008-0975 ",
            "000.00.00.H15-250701-0001",
            "G22.12-240229-1234567",
        ] {
            assert!(DossierCode::parse(ok).is_some(), "{ok}");
        }
        assert_eq!(DossierCode::parse("h15.50-261008-0975").unwrap().as_str(), "H15.50-261008-0975");
        for bad in [
            "",
            "H15.50.05.13-261008",        // no sequence
            "H15.50.05.13-261308-0975",   // month 13
            "H15.50.05.13-250229-0975",   // 2025 is not a leap year
            "H15.50.05.13-261008-97",     // short sequence
            "H15.50.05.13-261008-09A5",   // letter in the sequence
            "H15/50-261008-0975",         // wrong separator
            "H15.50.05.13-261008-0975-1", // extra part
            "H.50-261008-0975",           // one-letter group
        ] {
            assert!(DossierCode::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn agency_kinds_round_trip() {
        for kind in AgencyKind::ALL {
            assert_eq!(AgencyKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AgencyKind::parse("district"), None);
    }
}
