//! Outgoing e-mail to citizens: the receipt for their feedback, requests for more information,
//! the agency's answer, apologies. Messages go over plain SMTP (RFC 5321) to the agency's own
//! mail relay on the local network, for example Postfix on port 25 or 587, which delivers them
//! onward with TLS. Ý Dân deliberately ships no TLS stack (and no SMTP authentication): a relay
//! is what government networks use anyway, it keeps the server small, and the relay is where
//! the mail administrators configure encryption, signing and rate limits.
//!
//! Messages are UTF-8 plain text, encoded (RFC 2047 headers, base64 body) so that any relay
//! carries Vietnamese intact. Addresses are checked before anything is sent, so that nothing a
//! citizen types into the "e-mail" field can add a header or a recipient.

use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use chrono::{DateTime, FixedOffset, Utc};
use std::time::Duration;
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{
        TcpStream,
        tcp::{OwnedReadHalf, OwnedWriteHalf},
    },
};

/// The agency's mail relay and the sender citizens see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpConfig {
    /// Host name or IP address of the relay.
    pub host: String,
    pub port: u16,
    /// Sender address, e.g. `khongtraloi@example.gov.vn`.
    pub from: String,
    /// Sender's display name, e.g. "UBND tỉnh – Ý Dân".
    pub from_name: String,
    /// Name given in EHLO.
    pub hello: String,
}

/// Decodes `%XX` escapes (RFC 3986: `+` stays `+`, so `from=a+pakn@…` works); raw UTF-8 passes.
fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |j: usize| bytes.get(j).and_then(|b| (*b as char).to_digit(16));
            match (hex(i + 1), hex(i + 2)) {
                (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
                _ => return Err(format!("bad %-escape in {s:?}")),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{s:?} is not UTF-8 once decoded"))
}

impl SmtpConfig {
    /// Reads `smtp://host[:port]?from=address[&name=Display%20name][&hello=name]`, for example
    /// `smtp://relay.example.gov.vn:25?from=khongtraloi@example.gov.vn&name=%C3%9D%20D%C3%A2n`.
    /// The port defaults to 25, the display name to "Ý Dân", the EHLO name to "localhost";
    /// IPv6 relays are written in brackets (`smtp://[fd00::25]:25?…`).
    pub fn parse(url: &str) -> Result<SmtpConfig, String> {
        let url = url.trim();
        let rest = match (url.get(..7), url.get(7..)) {
            (Some(scheme), Some(rest)) if scheme.eq_ignore_ascii_case("smtp://") => rest,
            _ => return Err("the mail relay must be given as smtp://host:port?from=address".into()),
        };
        let (authority, query) = rest.split_once('?').unwrap_or((rest, ""));
        let authority = authority.strip_suffix('/').unwrap_or(authority);
        if authority.contains('@') {
            return Err("no user name or password: the relay must accept Ý Dân by its network address".into());
        }
        if authority.contains('/') || query.contains('#') {
            return Err("the relay URL takes no path and no fragment".into());
        }
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (ip, after) = bracketed.split_once(']').ok_or("unclosed '[' in the host")?;
            ip.parse::<std::net::Ipv6Addr>().map_err(|_| format!("{ip:?} is not an IPv6 address"))?;
            match after {
                "" => (ip, None),
                _ => (ip, Some(after.strip_prefix(':').ok_or("bad port after the IPv6 address")?)),
            }
        } else {
            let (host, port) = match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            };
            if !host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
                return Err(format!("{host:?} is not a host name"));
            }
            (host, port)
        };
        let port = match port {
            None => 25,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|n| *n != 0 && p.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| format!("bad port {p:?}"))?,
        };
        if host.is_empty() {
            return Err("the relay's host is missing".into());
        }
        let mut cfg = SmtpConfig {
            host: host.into(),
            port,
            from: String::new(),
            from_name: "Ý Dân".into(),
            hello: "localhost".into(),
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v)?;
            match percent_decode(k)?.as_str() {
                "from" => cfg.from = v,
                "name" => cfg.from_name = v,
                "hello" => cfg.hello = v,
                other => return Err(format!("unknown setting {other:?} (known: from, name, hello)")),
            }
        }
        if cfg.from.is_empty() {
            return Err("`from=` (the sender address) is required".into());
        }
        check_address(&cfg.from)
            .map_err(|_| format!("`from=` must be one plain e-mail address, not {:?}", cfg.from))?;
        if cfg.from_name.chars().any(char::is_control) {
            return Err("`name=` must not contain control characters".into());
        }
        if cfg.hello.is_empty() || !cfg.hello.chars().all(|c| c.is_ascii_graphic()) {
            return Err("`hello=` must be a host name (ASCII, no spaces)".into());
        }
        Ok(cfg)
    }
}

/// One message to one citizen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    /// The citizen's address, as they typed it.
    pub to: String,
    pub subject: String,
    /// Plain text, UTF-8 (Vietnamese welcome), any line ends.
    pub body: String,
}

/// Why a message did not go out.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("cannot reach the mail relay: {0}")]
    Connect(String),
    #[error("the mail relay refused: {code} {reply}")]
    Rejected { code: u16, reply: String },
    #[error("unexpected answer from the mail relay: {0}")]
    Protocol(String),
    #[error("the mail relay did not answer in time")]
    Timeout,
    #[error("not a usable e-mail address: {0}")]
    BadAddress(String),
}

impl MailError {
    /// A permanent failure (a 5xx refusal, an unusable address) is not retried: the outbox marks
    /// the message failed. Everything else (no connection, 4xx "try later", a timeout, a
    /// confused relay) is temporary and the outbox tries again later.
    pub fn is_permanent(&self) -> bool {
        match self {
            MailError::Rejected { code, .. } => (500..600).contains(code),
            MailError::BadAddress(_) => true,
            MailError::Connect(_) | MailError::Protocol(_) | MailError::Timeout => false,
        }
    }
}

/// The address passes the one rule of `domain::contact` (which also keeps it from breaking a
/// header line or an SMTP command).
fn check_address(a: &str) -> Result<(), MailError> {
    if domain::contact::is_valid_email(a) {
        Ok(())
    } else {
        Err(MailError::BadAddress(a.chars().take(80).collect::<String>().escape_debug().to_string()))
    }
}

/// Longest header line we produce when we can choose (RFC 5322 recommends 78).
const LINE: usize = 78;
/// UTF-8 bytes per encoded word: 39 bytes are 52 base64 characters, 64 with `=?UTF-8?B?` and
/// `?=`, well under the 75 of RFC 2047 and short enough for "Subject: " on the same line.
const WORD_BYTES: usize = 39;

/// Header text (RFC 5322 unstructured / RFC 2047): plain ASCII stays readable and is folded at
/// spaces; anything else, or anything that could be misread (`=?`, very long words), becomes
/// UTF-8 base64 encoded words, one per folded line. `used` is what precedes it on the first line
/// (e.g. `"Subject: ".len()`). Control characters (CR and LF included) become spaces.
fn header_text(text: &str, used: usize, always_encode: bool) -> String {
    let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let plain = !always_encode
        && clean.is_ascii()
        && !clean.contains("=?")
        && clean.split(' ').all(|w| w.len() + used.max(1) < LINE);
    if plain {
        let mut out = String::with_capacity(clean.len() + 8);
        let mut line = used;
        for (i, word) in clean.split(' ').enumerate() {
            if i > 0 {
                if !word.is_empty() && line + 1 + word.len() > LINE {
                    out.push_str("\r\n");
                    line = 0;
                }
                out.push(' ');
                line += 1;
            }
            out.push_str(word);
            line += word.len();
        }
        return out;
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in clean.chars() {
        if chunk.len() + c.len_utf8() > WORD_BYTES {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words.iter().map(|w| format!("=?UTF-8?B?{}?=", BASE64.encode(w.as_bytes()))).collect::<Vec<_>>().join("\r\n ")
}

/// The `From:` value: the display name always as encoded words (so that no name, even one with
/// commas or angle brackets, can be read as more addresses), then `<address>`.
fn from_header(cfg: &SmtpConfig) -> String {
    let name = cfg.from_name.trim();
    if name.is_empty() {
        return format!("<{}>", cfg.from);
    }
    let phrase = header_text(name, "From: ".len(), true);
    let last_line = match phrase.rsplit_once("\r\n") {
        Some((_, last)) => last.len(),
        None => "From: ".len() + phrase.len(),
    };
    let sep = if last_line + 3 + cfg.from.len() > LINE { "\r\n " } else { " " };
    format!("{phrase}{sep}<{}>", cfg.from)
}

/// The message as handed to the relay: headers, a blank line, the body in base64 with lines of
/// 76, CRLF line ends throughout. Fails with [`MailError::BadAddress`] when the sender or the
/// citizen's address is not one plain address.
pub fn message_text(cfg: &SmtpConfig, mail: &Mail, now: DateTime<Utc>) -> Result<String, MailError> {
    check_address(&cfg.from)?;
    check_address(&mail.to)?;
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).map_err(|e| MailError::Protocol(format!("no randomness for a Message-ID: {e}")))?;
    let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let domain = cfg.from.rsplit('@').next().unwrap_or("localhost");
    // Vietnam's time, as citizens read it.
    let date = match FixedOffset::east_opt(7 * 3600) {
        Some(ict) => now.with_timezone(&ict).to_rfc2822(),
        None => now.to_rfc2822(),
    };
    let body = mail.body.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\r\n");
    let body = BASE64.encode(body.as_bytes());
    let mut text = String::with_capacity(body.len() * 80 / 76 + 600);
    for header in [
        format!("Date: {date}"),
        format!("From: {}", from_header(cfg)),
        format!("To: <{}>", mail.to),
        format!("Subject: {}", header_text(&mail.subject, "Subject: ".len(), false)),
        format!("Message-ID: <{id}@{domain}>"),
        "MIME-Version: 1.0".into(),
        "Content-Type: text/plain; charset=utf-8".into(),
        "Content-Transfer-Encoding: base64".into(),
    ] {
        text.push_str(&header);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    // Base64 is ASCII, so 76-byte chunks are whole characters.
    for chunk in body.as_bytes().chunks(76) {
        text.push_str(&String::from_utf8_lossy(chunk));
        text.push_str("\r\n");
    }
    Ok(text)
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a polite QUIT after a failure may take.
const QUIT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest reply line accepted (RFC 5321 allows 512; relays' banners are shorter).
const MAX_REPLY_LINE: u64 = 4096;
/// Most lines in one multi-line reply.
const MAX_REPLY_LINES: usize = 100;

/// One conversation with the relay.
struct Session {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Session {
    /// Reads one reply, several lines when they are `250-…` continuations, within `limit`;
    /// returns its code and its text (lines joined by spaces).
    async fn reply_within(&mut self, limit: Duration) -> Result<(u16, String), MailError> {
        let mut text = String::new();
        for _ in 0..MAX_REPLY_LINES {
            let mut raw = Vec::new();
            let n = tokio::time::timeout(limit, (&mut self.reader).take(MAX_REPLY_LINE).read_until(b'\n', &mut raw))
                .await
                .map_err(|_| MailError::Timeout)?
                .map_err(|e| MailError::Connect(e.to_string()))?;
            if n == 0 {
                return Err(MailError::Protocol("the relay closed the connection".into()));
            }
            if raw.last() != Some(&b'\n') {
                return Err(MailError::Protocol("reply line too long".into()));
            }
            let line = String::from_utf8_lossy(&raw);
            let line = line.trim_end_matches(['\r', '\n']);
            let bytes = line.as_bytes();
            let code = match bytes.get(..3) {
                Some(d) if d.iter().all(u8::is_ascii_digit) && (b'2'..=b'5').contains(&d[0]) => {
                    u16::from(d[0] - b'0') * 100 + u16::from(d[1] - b'0') * 10 + u16::from(d[2] - b'0')
                }
                _ => return Err(MailError::Protocol(format!("not a reply: {:?}", clip(line)))),
            };
            let more = match bytes.get(3) {
                None | Some(b' ') => false,
                Some(b'-') => true,
                Some(_) => return Err(MailError::Protocol(format!("not a reply: {:?}", clip(line)))),
            };
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(line.get(4..).unwrap_or("").trim());
            if !more {
                return Ok((code, clip(&text)));
            }
        }
        Err(MailError::Protocol("endless multi-line reply".into()))
    }

    async fn reply(&mut self) -> Result<(u16, String), MailError> {
        self.reply_within(REPLY_TIMEOUT).await
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), MailError> {
        tokio::time::timeout(REPLY_TIMEOUT, self.writer.write_all(bytes))
            .await
            .map_err(|_| MailError::Timeout)?
            .map_err(|e| MailError::Connect(e.to_string()))
    }

    /// Sends one command line and reads the reply.
    async fn command(&mut self, line: &str) -> Result<(u16, String), MailError> {
        self.write(format!("{line}\r\n").as_bytes()).await?;
        self.reply().await
    }

    /// Ends the conversation politely; its outcome no longer matters.
    async fn quit(&mut self) {
        if tokio::time::timeout(QUIT_TIMEOUT, self.writer.write_all(b"QUIT\r\n")).await.is_ok() {
            let _ = self.reply_within(QUIT_TIMEOUT).await;
        }
        let _ = self.writer.shutdown().await;
    }
}

/// At most 300 characters of a relay's text, for error messages and the outbox's log.
fn clip(s: &str) -> String {
    s.chars().take(300).collect()
}

/// Success when `wanted`, a refusal for 4xx and 5xx, and a protocol error otherwise (say a 354
/// where a 250 belongs).
fn check_reply((code, reply): (u16, String), wanted: impl Fn(u16) -> bool) -> Result<(), MailError> {
    if wanted(code) {
        Ok(())
    } else if (400..600).contains(&code) {
        Err(MailError::Rejected { code, reply })
    } else {
        Err(MailError::Protocol(format!("{code} {reply}")))
    }
}

fn positive(code: u16) -> bool {
    (200..300).contains(&code)
}

/// The message with CRLF line ends, dot-stuffed (a line starting with '.' gets another one),
/// followed by the lone "." that ends DATA.
fn data_block(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n");
    let mut data = String::with_capacity(text.len() + 16);
    for line in normalized.strip_suffix('\n').unwrap_or(&normalized).split('\n') {
        if line.starts_with('.') {
            data.push('.');
        }
        data.push_str(line);
        data.push_str("\r\n");
    }
    data.push_str(".\r\n");
    data
}

/// The SMTP transaction after the greeting.
async fn transaction(s: &mut Session, cfg: &SmtpConfig, mail: &Mail, text: &str) -> Result<(), MailError> {
    let (code, greeting) = s.reply().await?;
    check_reply((code, greeting), |c| c == 220)?;
    let ehlo = s.command(&format!("EHLO {}", cfg.hello)).await?;
    if (500..600).contains(&ehlo.0) {
        // An old relay that does not know EHLO (RFC 5321 §3.2): greet the old way.
        check_reply(s.command(&format!("HELO {}", cfg.hello)).await?, positive)?;
    } else {
        check_reply(ehlo, positive)?;
    }
    check_reply(s.command(&format!("MAIL FROM:<{}>", cfg.from)).await?, positive)?;
    check_reply(s.command(&format!("RCPT TO:<{}>", mail.to)).await?, positive)?;
    check_reply(s.command("DATA").await?, |c| c == 354)?;
    s.write(data_block(text).as_bytes()).await?;
    check_reply(s.reply().await?, positive)
}

/// Sends one message to one citizen through the relay: connect (10 s), greeting, EHLO (HELO
/// when the relay does not know EHLO), MAIL FROM, RCPT TO, DATA, the message, QUIT. Every reply
/// is awaited at most 30 s. The message is accepted once the relay answers 250 to the final
/// ".": what follows (the relay's own delivery) is the relay's business.
pub async fn send(cfg: &SmtpConfig, mail: &Mail) -> Result<(), MailError> {
    let text = message_text(cfg, mail, Utc::now())?;
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((cfg.host.as_str(), cfg.port)))
        .await
        .map_err(|_| MailError::Timeout)?
        .map_err(|e| MailError::Connect(format!("{}:{}: {e}", cfg.host, cfg.port)))?;
    let (reader, writer) = stream.into_split();
    let mut session = Session { reader: BufReader::new(reader), writer };
    let result = transaction(&mut session, cfg, mail, &text).await;
    match result {
        // The connection still works: say goodbye.
        Ok(()) | Err(MailError::Rejected { .. }) => session.quit().await,
        _ => {}
    }
    result
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use tokio::net::TcpListener;

    fn cfg(port: u16) -> SmtpConfig {
        SmtpConfig::parse(&format!("smtp://127.0.0.1:{port}?from=khongtraloi@ydan.test&name=%C3%9D%20D%C3%A2n"))
            .unwrap()
    }

    fn mail(to: &str, subject: &str, body: &str) -> Mail {
        Mail { to: to.into(), subject: subject.into(), body: body.into() }
    }

    #[test]
    fn settings_are_read_from_a_url() {
        let c = cfg(2525);
        assert_eq!(
            c,
            SmtpConfig {
                host: "127.0.0.1".into(),
                port: 2525,
                from: "khongtraloi@ydan.test".into(),
                from_name: "Ý Dân".into(),
                hello: "localhost".into(),
            }
        );
        let c = SmtpConfig::parse("smtp://relay.example.gov.vn?from=khongtraloi@example.gov.vn").unwrap();
        assert_eq!((c.host.as_str(), c.port, c.from_name.as_str()), ("relay.example.gov.vn", 25, "Ý Dân"));
        // As the README writes it: raw UTF-8 and %20.
        let c = SmtpConfig::parse(
            "SMTP://relay:587/?from=a+pakn@b.vn&name=UBND%20x%C3%A3%20An%20B%C3%ACnh&hello=ydan.b.vn",
        )
        .unwrap();
        assert_eq!(
            (c.port, c.from.as_str(), c.from_name.as_str(), c.hello.as_str()),
            (587, "a+pakn@b.vn", "UBND xã An Bình", "ydan.b.vn")
        );
        assert_eq!(SmtpConfig::parse("smtp://r?from=a@b.vn&name=Ý%20Dân").unwrap().from_name, "Ý Dân");
        let c = SmtpConfig::parse("smtp://[::1]:2525?from=a@b.vn").unwrap();
        assert_eq!((c.host.as_str(), c.port), ("::1", 2525));
        assert_eq!(SmtpConfig::parse("smtp://[fd00::25]?from=a@b.vn").unwrap().port, 25);

        for bad in [
            "smtp://relay:25",
            "smtp://relay:25?name=x",
            "smtp://relay:25?from=",
            "smtp://relay:99999?from=a@b.vn",
            "smtp://relay:0?from=a@b.vn",
            "smtp://relay:+25?from=a@b.vn",
            "smtp://relay:?from=a@b.vn",
            "smtp://relay:x?from=a@b.vn",
            "smtp://:25?from=a@b.vn",
            "http://relay?from=a@b.vn",
            "smtp://relay?from=a@b.vn&bcc=x@y.vn",
            "smtp://user:pw@relay?from=a@b.vn",
            "smtp://relay/path?from=a@b.vn",
            "smtp://[::1?from=a@b.vn",
            "smtp://[nonsense]:25?from=a@b.vn",
            "smtp://relay?from=a@b.vn%0D%0ABcc:x@y.vn",
            "smtp://relay?from=a@b.vn&name=x%0Ay",
            "smtp://relay?from=a@b.vn&name=%E1",
            "smtp://relay?from=a@b.vn&name=%zz",
            "smtp://relay?from=a@b.vn&hello=a%20b",
            "smtp://relay?from=a@b.vn&hello=",
            "smtp://rel ay?from=a@b.vn",
        ] {
            assert!(SmtpConfig::parse(bad).is_err(), "{bad}");
        }
        assert!(SmtpConfig::parse("smtp://relay:25").unwrap_err().contains("from"));
        assert!(SmtpConfig::parse("smtp://relay:99999?from=a@b.vn").unwrap_err().contains("port"));
    }

    #[test]
    fn addresses_cannot_inject_headers() {
        for bad in [
            "a@b.vn\r\nBcc: x@y.vn",
            "a@b.vn\nBcc: x@y.vn",
            "a@b.vn, x@y.vn",
            "a@b.vn;x@y.vn",
            "<a@b.vn>",
            "An <a@b.vn>",
            "a@b.vn>\r\nRCPT TO:<x@y.vn",
            "a b@c.vn",
            "a@b.vn ",
            "no-at-sign",
            "a@@b.vn",
            "a@b@c.vn",
            "@b.vn",
            "a@",
            "a@.vn",
            "a@b..vn",
            "\"a\"@b.vn",
            "nguyễn@b.vn",
            "",
        ] {
            let err = message_text(&cfg(25), &mail(bad, "s", "b"), Utc::now()).unwrap_err();
            assert!(matches!(err, MailError::BadAddress(_)) && err.is_permanent(), "{bad:?}");
        }
        assert!(message_text(&cfg(25), &mail("nguyen.van-an+pakn@mail.b.vn", "s", "b"), Utc::now()).is_ok());

        // Subjects and sender names are text, never headers.
        let mut c = cfg(25);
        c.from_name = "Ban A, B <x@y.vn>\r\nBcc: z@y.vn".into();
        let text = message_text(&c, &mail("a@b.vn", "x\r\nBcc: y@z.vn\nCc: w@z.vn", "b"), Utc::now()).unwrap();
        let headers = text.split("\r\n\r\n").next().unwrap();
        for line in headers.split("\r\n") {
            assert!(!line.starts_with("Bcc") && !line.starts_with("Cc"), "{line}");
        }
        assert_eq!(headers.matches('<').count(), 3, "From, To, Message-ID");
        let from = unfold(header(&text, "From"));
        assert!(from.ends_with(" <khongtraloi@ydan.test>"), "{from}");
        assert_eq!(decode_words(from.trim_end_matches(" <khongtraloi@ydan.test>")), "Ban A, B <x@y.vn>  Bcc: z@y.vn");
    }

    fn header<'a>(text: &'a str, name: &str) -> &'a str {
        let headers = text.split("\r\n\r\n").next().unwrap();
        let start = headers.find(&format!("{name}: ")).unwrap() + name.len() + 2;
        let rest = &headers[start..];
        let end = rest.match_indices("\r\n").find(|(i, _)| !rest[i + 2..].starts_with(' ')).map_or(rest.len(), |m| m.0);
        &rest[..end]
    }

    fn unfold(h: &str) -> String {
        h.replace("\r\n", "")
    }

    /// RFC 2047: encoded words separated by folding whitespace, decoded and concatenated.
    fn decode_words(h: &str) -> String {
        let bytes: Vec<u8> = h
            .split_whitespace()
            .flat_map(|w| {
                let inner = w.strip_prefix("=?UTF-8?B?").and_then(|w| w.strip_suffix("?=")).expect(w);
                BASE64.decode(inner).unwrap()
            })
            .collect();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn vietnamese_subjects_and_bodies_survive() {
        let subject = "Đã có trả lời cho phản ánh PAKN.20261122.0001 của ông/bà về đường giao thông nông thôn 🚧";
        let body = "Kính gửi ông/bà,\n.dòng bắt đầu bằng dấu chấm\r\nTrân trọng.\rHết.\n";
        let text = message_text(&cfg(25), &mail("a@b.vn", subject, body), Utc::now()).unwrap();
        assert!(text.is_ascii());
        for line in text.split("\r\n") {
            assert!(line.len() <= LINE, "{line}");
        }
        assert!(!text.replace("\r\n", "").contains(['\r', '\n']), "bare CR or LF");
        let raw_subject = header(&text, "Subject");
        assert!(raw_subject.contains("\r\n "), "folded");
        for word in raw_subject.split_whitespace() {
            assert!(word.len() <= 75, "{word}");
        }
        assert_eq!(decode_words(raw_subject), subject);
        assert_eq!(decode_words(header(&text, "From").trim_end_matches(" <khongtraloi@ydan.test>")), "Ý Dân");

        let (_, encoded) = text.split_once("\r\n\r\n").unwrap();
        assert!(encoded.split("\r\n").all(|l| l.len() <= 76));
        let decoded = String::from_utf8(BASE64.decode(encoded.replace("\r\n", "")).unwrap()).unwrap();
        assert_eq!(decoded, "Kính gửi ông/bà,\r\n.dòng bắt đầu bằng dấu chấm\r\nTrân trọng.\r\nHết.\r\n");

        for h in ["Date", "To", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"] {
            assert_eq!(text.matches(&format!("\r\n{h}: ")).count() + usize::from(text.starts_with(h)), 1, "{h}");
        }
        assert_eq!(header(&text, "To"), "<a@b.vn>");
        assert!(header(&text, "Message-ID").ends_with("@ydan.test>"));
        let date = DateTime::parse_from_rfc2822(header(&text, "Date")).unwrap();
        assert_eq!(date.offset().local_minus_utc(), 7 * 3600);
        let other = message_text(&cfg(25), &mail("a@b.vn", subject, body), Utc::now()).unwrap();
        assert_ne!(header(&text, "Message-ID"), header(&other, "Message-ID"));
    }

    #[test]
    fn plain_ascii_subjects_stay_readable() {
        let subject = "Receipt for your feedback PAKN.20261122.0001 - we will answer within 10 working days, thank you";
        let text = message_text(&cfg(25), &mail("a@b.vn", subject, ""), Utc::now()).unwrap();
        let raw = header(&text, "Subject");
        assert!(raw.contains("\r\n "), "folded");
        assert_eq!(unfold(raw), subject);
        assert!(text.split("\r\n").all(|l| l.len() <= LINE));
        assert!(text.ends_with("Content-Transfer-Encoding: base64\r\n\r\n"), "an empty body");
        // Text that looks like an encoded word is encoded, so that it reads as typed.
        let text = message_text(&cfg(25), &mail("a@b.vn", "=?UTF-8?B?SGk=?=", ""), Utc::now()).unwrap();
        assert_eq!(decode_words(header(&text, "Subject")), "=?UTF-8?B?SGk=?=");
    }

    #[test]
    fn dots_are_stuffed() {
        assert_eq!(data_block("a\r\n.b\r\n..\r\n"), "a\r\n..b\r\n...\r\n.\r\n");
        assert_eq!(data_block("."), "..\r\n.\r\n");
    }

    /// A scripted relay: `script[0]` is the greeting, then every command gets the next reply;
    /// once the script is spent the relay hangs up (and listens to the end). Returns what the
    /// client said.
    async fn relay(script: Vec<&'static str>) -> (u16, tokio::task::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (r, mut w) = stream.into_split();
            let mut r = BufReader::new(r);
            let mut seen = Vec::new();
            let mut replies = script.into_iter().peekable();
            let greeting = replies.next().unwrap();
            w.write_all(format!("{greeting}\r\n").as_bytes()).await.unwrap();
            if replies.peek().is_none() {
                w.shutdown().await.unwrap();
            }
            let mut in_data = false;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).await.unwrap() == 0 {
                    break;
                }
                assert!(line.ends_with("\r\n"), "{line:?}");
                seen.push(line.trim_end_matches("\r\n").to_owned());
                if in_data {
                    if line != ".\r\n" {
                        continue;
                    }
                    in_data = false;
                }
                if let Some(reply) = replies.next() {
                    in_data = reply.starts_with("354");
                    w.write_all(format!("{reply}\r\n").as_bytes()).await.unwrap();
                    if replies.peek().is_none() {
                        w.shutdown().await.unwrap();
                    }
                }
            }
            seen
        });
        (port, handle)
    }

    #[tokio::test]
    async fn a_message_goes_through_a_relay() {
        let (port, seen) = relay(vec![
            "220-relay.b.vn ESMTP\r\n220 welcome",
            "250-relay.b.vn\r\n250-8BITMIME\r\n250 SIZE 10240000",
            "250 2.1.0 ok",
            "250 2.1.5 ok",
            "354 go ahead",
            "250 2.0.0 queued as 4ABC",
            "221 bye",
        ])
        .await;
        send(&cfg(port), &mail("dan@example.vn", "Xin chào", "Kính gửi ông/bà")).await.unwrap();
        let seen = seen.await.unwrap();
        assert_eq!(
            &seen[..4],
            ["EHLO localhost", "MAIL FROM:<khongtraloi@ydan.test>", "RCPT TO:<dan@example.vn>", "DATA"]
        );
        assert_eq!(&seen[seen.len() - 2..], [".", "QUIT"]);
        let body = seen[seen.iter().position(|l| l.is_empty()).unwrap() + 1..seen.len() - 2].concat();
        assert_eq!(BASE64.decode(body).unwrap(), "Kính gửi ông/bà".as_bytes());
    }

    #[tokio::test]
    async fn old_relays_are_greeted_with_helo() {
        let (port, seen) =
            relay(vec!["220 old", "502 unknown command", "250 hi", "250 ok", "250 ok", "354 go", "250 ok", "221 bye"])
                .await;
        send(&cfg(port), &mail("dan@example.vn", "s", "b")).await.unwrap();
        let seen = seen.await.unwrap();
        assert_eq!(&seen[..3], ["EHLO localhost", "HELO localhost", "MAIL FROM:<khongtraloi@ydan.test>"]);
    }

    #[tokio::test]
    async fn refusals_are_permanent_or_temporary() {
        let (port, seen) = relay(vec!["220 hi", "250 hi", "250 ok", "550 5.1.1 no such user", "221 bye"]).await;
        let err = send(&cfg(port), &mail("x@example.vn", "s", "b")).await.unwrap_err();
        assert!(matches!(&err, MailError::Rejected { code: 550, reply } if reply.contains("no such user")), "{err}");
        assert!(err.is_permanent());
        assert_eq!(seen.await.unwrap().last().unwrap(), "QUIT", "a polite goodbye");

        let (port, _) = relay(vec!["220 hi", "250 hi", "451 4.3.0 try later"]).await;
        let err = send(&cfg(port), &mail("x@example.vn", "s", "b")).await.unwrap_err();
        assert!(matches!(err, MailError::Rejected { code: 451, .. }) && !err.is_permanent(), "{err}");

        let (port, _) = relay(vec!["220 hi", "250 hi", "250 ok", "250 ok", "354 go", "452 4.3.1 disk full"]).await;
        let err = send(&cfg(port), &mail("x@example.vn", "s", "b")).await.unwrap_err();
        assert!(matches!(err, MailError::Rejected { code: 452, .. }) && !err.is_permanent(), "{err}");

        let (port, _) = relay(vec!["554 no service for you"]).await;
        let err = send(&cfg(port), &mail("x@example.vn", "s", "b")).await.unwrap_err();
        assert!(matches!(err, MailError::Rejected { code: 554, .. }), "{err}");

        // EHLO answered "421 closing": no HELO, try again later.
        let (port, seen) = relay(vec!["220 hi", "421 shutting down"]).await;
        let err = send(&cfg(port), &mail("x@example.vn", "s", "b")).await.unwrap_err();
        assert!(matches!(err, MailError::Rejected { code: 421, .. }) && !err.is_permanent(), "{err}");
        assert!(!seen.await.unwrap().iter().any(|l| l.starts_with("HELO")));

        // Nobody listening: temporary.
        let closed = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
        let err = send(&cfg(closed), &mail("x@example.vn", "s", "b")).await.unwrap_err();
        assert!(matches!(err, MailError::Connect(_)) && !err.is_permanent(), "{err}");

        // A bad address never reaches the network.
        let err = send(&cfg(closed), &mail("x@example.vn\r\nDATA", "s", "b")).await.unwrap_err();
        assert!(matches!(err, MailError::BadAddress(_)) && err.is_permanent());
    }

    #[tokio::test]
    async fn confused_relays_are_temporary_failures() {
        for script in [
            vec!["HTTP/1.1 400 Bad Request"],
            vec!["220 hi", "250 hi", "250 ok", "250 ok", "250 ok"],
            vec!["220 hi", "250 hi", "2é0 ok"],
            vec!["220 hi", "250-hi"],
            vec!["220 hi", "250 hi", "250 ok"],
        ] {
            let (port, _) = relay(script.clone()).await;
            let err = send(&cfg(port), &mail("x@example.vn", "s", "b")).await.unwrap_err();
            assert!(matches!(err, MailError::Protocol(_)) && !err.is_permanent(), "{script:?}: {err}");
        }
    }

    #[tokio::test]
    async fn silent_relays_time_out() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let _keep = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(3600)).await;
            drop(stream);
        });
        let (reader, writer) = TcpStream::connect(("127.0.0.1", port)).await.unwrap().into_split();
        let mut s = Session { reader: BufReader::new(reader), writer };
        let err = s.reply_within(Duration::from_millis(100)).await.unwrap_err();
        assert!(matches!(err, MailError::Timeout) && !err.is_permanent());
    }
}
