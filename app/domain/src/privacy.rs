//! Personal numbers that residents type into free text, masked before the text is shown
//! publicly (Open311, `/cong-khai`); the officers handling a case still read it in full.
//!
//! Masked: Vietnamese phone numbers (`0` then nine digits whose first is not `0`; `84` or `+84`
//! then the same nine digits), with optional single spaces, dots or dashes between digits; and
//! identity numbers written as one run of digits: 12 (căn cước công dân) or 9 (chứng minh nhân
//! dân). Every digit of a match becomes `•`; separators and `+` stay, so the text still reads.
//! Left alone: years, dates, house numbers, tracking codes, amounts grouped in thousands
//! (`150.000`, `84.500.000.000`), and digits that continue a longer number.

/// What a masked digit becomes.
pub const MASK: char = '•';

const SEPARATORS: [char; 3] = [' ', '.', '-'];

/// The text with every phone and identity number masked digit by digit.
pub fn mask_personal_numbers(text: &str) -> String {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        if may_start(&chars, i)
            && let Some(end) = phone_at(&chars, i).or_else(|| identity_at(&chars, i))
        {
            for c in &mut out[i..end] {
                if c.is_ascii_digit() {
                    *c = MASK;
                }
            }
            i = end;
            continue;
        }
        i += 1;
    }
    out.into_iter().collect()
}

fn digit(chars: &[char], i: usize) -> bool {
    chars.get(i).is_some_and(char::is_ascii_digit)
}

/// A number may start at `i` unless it continues one before it (`12345`, `1.234`).
fn may_start(chars: &[char], i: usize) -> bool {
    if !(digit(chars, i) || chars[i] == '+') {
        return false;
    }
    match i.checked_sub(1).map(|p| chars[p]) {
        None => true,
        Some(p) if p.is_ascii_digit() || p == '+' => false,
        Some('.') => !(i >= 2 && digit(chars, i - 2)),
        Some(_) => true,
    }
}

/// A number may end before `end` unless another digit follows it (`…9`, `….9`).
fn may_end(chars: &[char], end: usize) -> bool {
    !(digit(chars, end) || (chars.get(end) == Some(&'.') && digit(chars, end + 1)))
}

/// Reads `n` digits from `i`, allowing one separator between two digits; returns the digits
/// read and the position after the last one.
fn read_digits(chars: &[char], mut i: usize, n: usize) -> Option<(String, usize)> {
    let mut digits = String::with_capacity(n);
    while digits.len() < n {
        let c = *chars.get(i)?;
        if c.is_ascii_digit() {
            digits.push(c);
        } else if digits.is_empty() || !SEPARATORS.contains(&c) || !digit(chars, i + 1) {
            return None;
        }
        i += 1;
    }
    Some((digits, i))
}

/// A phone number starting at `i`: the position after it.
fn phone_at(chars: &[char], i: usize) -> Option<usize> {
    let plus = chars[i] == '+';
    let from = if plus { i + 1 } else { i };
    if !digit(chars, from) {
        return None;
    }
    let national = |digits: &str, skip: usize| digits.as_bytes().get(skip).is_some_and(|b| *b != b'0');
    let mut found = None;
    if !plus
        && chars[from] == '0'
        && let Some((digits, end)) = read_digits(chars, from, 10)
        && national(&digits, 1)
        && may_end(chars, end)
    {
        found = Some(end);
    }
    if found.is_none()
        && let Some((digits, end)) = read_digits(chars, from, 11)
        && digits.starts_with("84")
        && national(&digits, 2)
        && may_end(chars, end)
        && (plus || !grouped_in_thousands(&chars[from..end]))
    {
        found = Some(end);
    }
    found
}

/// `84.500.000.000`: an amount, not a phone number.
fn grouped_in_thousands(chars: &[char]) -> bool {
    let text: String = chars.iter().collect();
    let groups: Vec<&str> = text.split('.').collect();
    groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
}

/// An identity number starting at `i` (one run of 9 or 12 digits): the position after it.
fn identity_at(chars: &[char], i: usize) -> Option<usize> {
    let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let end = i + run;
    (matches!(run, 9 | 12) && may_end(chars, end)).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> String {
        mask_personal_numbers(s)
    }

    #[test]
    fn mobile_numbers_are_masked_however_they_are_written() {
        assert_eq!(m("0912345678"), "••••••••••");
        assert_eq!(m("gọi 0912345678 nhé"), "gọi •••••••••• nhé");
        assert_eq!(m("SĐT: 0912.345.678."), "SĐT: ••••.•••.•••.");
        assert_eq!(m("0912 345 678"), "•••• ••• •••");
        assert_eq!(m("0912-345-678"), "••••-•••-•••");
        assert_eq!(m("091 234 5678"), "••• ••• ••••");
        assert_eq!(m("+84912345678"), "+•••••••••••");
        assert_eq!(m("+84 912 345 678"), "+•• ••• ••• •••");
        assert_eq!(m("84912345678"), "•••••••••••");
        assert_eq!(m("84-912-345-678"), "••-•••-•••-•••");
        assert_eq!(m("(0912345678)"), "(••••••••••)");
        assert_eq!(m("ĐT:0912345678,0987654321"), "ĐT:••••••••••,••••••••••");
        // Landlines have eleven digits (`02x` and eight): not recognised.
        assert_eq!(m("024 3825 1234"), "024 3825 1234");
    }

    #[test]
    fn identity_numbers_are_masked() {
        assert_eq!(m("CCCD 001203004567"), "CCCD ••••••••••••");
        assert_eq!(m("CCCD số 001203004567."), "CCCD số ••••••••••••.");
        assert_eq!(m("CMND 123456789"), "CMND •••••••••");
        assert_eq!(m("cmnd:023456789;"), "cmnd:•••••••••;");
        // Both in one text.
        assert_eq!(m("CCCD 079201001234, ĐT 0987654321"), "CCCD ••••••••••••, ĐT ••••••••••");
    }

    #[test]
    fn ordinary_numbers_stay() {
        for text in [
            "Năm 2025 đã báo, nay là 2026.",
            "Phí 150.000 đồng, lệ phí 1.500.000 đ",
            "Tổng 84.500.000.000 đồng",
            "Số tiền 150.000.000 đồng",
            "Nhà số 12/3 ngõ 45, tổ 7",
            "Ngày 07/12/2026 lúc 08:30",
            "Ngày 2026-12-07",
            "Mã PAKN.20261122.0001",
            "Diện tích 1.234,5 m²",
            "Hai số: 12345678 và 1234567890",
            "Dài 0,5 km, cao 3.5 m",
            "0000000000",
            "Số 0012345678",
            "Mười một chữ số 12345678901",
            "Mười ba chữ số 1234567890123",
            "",
            "Không có số nào",
        ] {
            assert_eq!(m(text), text, "{text}");
        }
    }

    #[test]
    fn digits_that_continue_a_longer_number_are_not_masked() {
        assert_eq!(m("09123456789"), "09123456789", "eleven digits from 0");
        assert_eq!(m("1.0912345678"), "1.0912345678");
        assert_eq!(m("0912345678.5"), "0912345678.5");
        assert_eq!(m("1234567890123"), "1234567890123");
        // A phone followed by an ordinary number after a space is still masked.
        assert_eq!(m("gọi 0912 345 678 2 lần"), "gọi •••• ••• ••• 2 lần");
    }

    #[test]
    fn letters_and_length_are_kept() {
        let text = "Ông Nguyễn Văn A, CCCD 001203004567, sđt 0912.345.678, nhà 12.";
        let masked = m(text);
        assert_eq!(masked.chars().count(), text.chars().count());
        assert_eq!(masked, "Ông Nguyễn Văn A, CCCD ••••••••••••, sđt ••••.•••.•••, nhà 12.");
        assert_eq!(m(&masked), masked, "masking twice changes nothing");
    }
}
