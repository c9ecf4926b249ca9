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
    fn agency_kinds_round_trip() {
        for kind in AgencyKind::ALL {
            assert_eq!(AgencyKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AgencyKind::parse("district"), None);
    }
}
