//! A person's contact details: the one rule for an e-mail address, used wherever one is
//! accepted (a resident's contact, alert recipients) and again before sending, so that an
//! address accepted at intake is never refused when the message goes out; phone numbers; and
//! the check of a contact given on a feedback form or a survey.

use super::cases::clean_text;
use crate::error::{ErrorCode, FieldError};

/// Months after a case ended before its contact details are erased, unless configured.
pub const DEFAULT_RETENTION_MONTHS: u32 = 24;

/// Longest name a person may give.
pub const MAX_NAME: usize = 100;

/// Longest address (RFC 5321: a path of 256 octets, less the angle brackets).
pub const MAX_ADDRESS: usize = 254;

/// A plain address `local@domain`: one '@', printable ASCII only, nothing that could end a
/// header line, open a second address, a comment or a quoted string, or break out of `<…>` in
/// an SMTP command; a local part of 1–64 characters and a domain of at least two non-empty
/// labels.
pub fn is_valid_email(a: &str) -> bool {
    let Some((local, domain)) = a.split_once('@') else {
        return false;
    };
    let plain = a.chars().all(|c| {
        c.is_ascii_graphic() && !matches!(c, '<' | '>' | ',' | ';' | ':' | '"' | '\\' | '(' | ')' | '[' | ']')
    });
    plain
        && a.len() <= MAX_ADDRESS
        && (1..=64).contains(&local.len())
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
}

/// A person's contact details as typed: (name, phone, e-mail), cleaned, and the problems
/// found. Giving any of them needs the consent to use them.
#[allow(clippy::type_complexity)]
pub fn check_contact(
    name: &str,
    phone: &str,
    email: &str,
    consent: bool,
) -> ((Option<String>, Option<String>, Option<String>), Vec<FieldError>) {
    let mut errors = Vec::new();
    let n = clean_text(name).replace('\n', " ");
    if n.chars().count() > MAX_NAME {
        errors.push(FieldError::new("name", ErrorCode::TextTooLong).with_arg("max", MAX_NAME));
    }
    let contact_name = Some(n).filter(|n| !n.is_empty());
    let mut clean = (None, None);
    let p = phone.trim();
    if !p.is_empty() {
        match clean_phone(p) {
            Some(p) => clean.0 = Some(p),
            None => errors.push(FieldError::new("phone", ErrorCode::InvalidPhone)),
        }
    }
    let e = email.trim();
    if !e.is_empty() {
        if is_valid_email(e) {
            clean.1 = Some(e.to_lowercase());
        } else {
            errors.push(FieldError::new("email", ErrorCode::InvalidEmail));
        }
    }
    if (contact_name.is_some() || !p.is_empty() || !e.is_empty()) && !consent {
        errors.push(FieldError::new("consent", ErrorCode::ConsentRequired));
    }
    ((contact_name, clean.0, clean.1), errors)
}

/// Digits only (spaces, dots and dashes dropped, a leading +84 kept as 84): 9 to 11 digits.
pub fn clean_phone(p: &str) -> Option<String> {
    let digits: String = p.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
    let digits = digits.strip_prefix('+').unwrap_or(&digits).to_owned();
    (digits.bytes().all(|b| b.is_ascii_digit()) && (9..=11).contains(&digits.len())).then_some(digits)
}

/// `text` with every e-mail address in it replaced by `…`: for the answers of a mail relay, which
/// repeat the recipient's address, before they are stored or logged.
pub fn mask_email_addresses(text: &str) -> String {
    fn flush(word: &mut String, out: &mut String) {
        if word.contains('@') {
            out.push('…');
        } else {
            out.push_str(word);
        }
        word.clear();
    }
    let (mut out, mut word) = (String::with_capacity(text.len()), String::new());
    for ch in text.chars() {
        if ch.is_whitespace() || "<>()[],;\"'`".contains(ch) {
            flush(&mut word, &mut out);
            out.push(ch);
        } else {
            word.push(ch);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_addresses_pass_and_anything_that_could_inject_or_bounce_does_not() {
        for good in ["an.nguyen@example.vn", "nguyen.van-an+pakn@mail.b.vn", "a@b.vn"] {
            assert!(is_valid_email(good), "{good:?}");
        }
        let long_local = format!("{}@b.vn", "a".repeat(65));
        let long = format!("a@{}.vn", "b".repeat(260));
        for bad in [
            "a@b.vn\r\nBcc: x@y.vn",
            "a@b.vn, x@y.vn",
            "a@b.vn;x@y.vn",
            "<a@b.vn>",
            "a b@c.vn",
            "no-at-sign",
            "a@@b.vn",
            "a@b@c.vn",
            "@b.vn",
            "a@",
            "a@.vn",
            "a@b.",
            "a@b..vn",
            "a@localhost",
            "\"a\"@b.vn",
            "a:b@c.vn",
            "a(comment)@c.vn",
            "a@[127.0.0.1]",
            "nguyễn@b.vn",
            "",
            long_local.as_str(),
            long.as_str(),
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
    }

    #[test]
    fn phone_numbers_keep_their_digits_and_a_contact_needs_consent() {
        assert_eq!(clean_phone("0912 345.678").as_deref(), Some("0912345678"));
        assert_eq!(clean_phone("+84 912-345-678").as_deref(), Some("84912345678"));
        assert_eq!(clean_phone("0912"), None);
        assert_eq!(clean_phone("09123x5678"), None);
        let ((name, phone, email), problems) = check_contact(" An ", "", "An@Example.VN", true);
        assert_eq!((name.as_deref(), phone, email.as_deref()), (Some("An"), None, Some("an@example.vn")));
        assert!(problems.is_empty());
        let (_, problems) = check_contact("", "0912345678", "", false);
        assert_eq!(problems.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(), ["consent"]);
    }

    #[test]
    fn addresses_in_a_relays_answer_are_masked() {
        assert_eq!(
            mask_email_addresses(
                "the mail relay refused: 550 5.1.1 <an.nguyen@example.vn>: Recipient address rejected"
            ),
            "the mail relay refused: 550 5.1.1 <…>: Recipient address rejected"
        );
        assert_eq!(mask_email_addresses("not a usable e-mail address: a:b@c.vn"), "not a usable e-mail address: …");
        assert_eq!(mask_email_addresses("421 4.7.0 try again later"), "421 4.7.0 try again later");
    }
}
