//! Outgoing e-mail to residents (receipts, requests for information, answers, apologies) over
//! plain SMTP (RFC 5321) to the agency's mail relay, for example Postfix on the same network,
//! which delivers onward with TLS. Ý Dân ships no TLS stack of its own: a relay is what
//! government networks use anyway, and it keeps the server small. Messages are UTF-8 text,
//! encoded so that any relay carries Vietnamese intact; addresses are checked so that nothing a
//! resident types can add a header.

use base64::Engine;
use chrono::{DateTime, Utc};
use std::time::Duration;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
};

/// Where and as whom to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// Sender address, e.g. `khongtraloi@example.gov.vn`.
    pub from: String,
    /// Sender's display name.
    pub from_name: String,
    /// Name given in EHLO.
    pub hello: String,
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3).ok_or("bad %-escape")?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| "bad %-escape")?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "not UTF-8".to_owned())
}

impl SmtpConfig {
    /// Reads `smtp://host[:port]?from=address[&name=Display%20name][&hello=name]`.
    pub fn parse(url: &str) -> Result<SmtpConfig, String> {
        let rest = url.trim().strip_prefix("smtp://").ok_or("must start with smtp://")?;
        let (authority, query) = rest.split_once('?').unwrap_or((rest, ""));
        let authority = authority.trim_end_matches('/');
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| format!("bad port {p:?}"))?),
            None => (authority, 25),
        };
        if host.is_empty() || port == 0 {
            return Err("a host and a port are needed".into());
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
            match k {
                "from" => cfg.from = v,
                "name" => cfg.from_name = v,
                "hello" => cfg.hello = v,
                other => return Err(format!("unknown setting {other:?}")),
            }
        }
        check_address(&cfg.from).map_err(|_| "`from=` must be one e-mail address".to_owned())?;
        if cfg.from_name.contains(['\r', '\n']) || cfg.hello.contains(['\r', '\n', ' ']) {
            return Err("bad name".into());
        }
        Ok(cfg)
    }
}

/// One message to one resident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

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
    /// A permanent failure (5xx, a bad address) is not retried; the rest is.
    pub fn is_permanent(&self) -> bool {
        match self {
            MailError::Rejected { code, .. } => *code >= 500,
            MailError::BadAddress(_) => true,
            _ => false,
        }
    }
}

/// One plain address: a single '@', nothing that could break out of a header or a command.
fn check_address(a: &str) -> Result<(), MailError> {
    let ok = a.len() <= 254
        && a.matches('@').count() == 1
        && !a.starts_with('@')
        && !a.ends_with('@')
        && a.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | ',' | ';' | '"' | '\\' | '(' | ')'));
    if ok { Ok(()) } else { Err(MailError::BadAddress(a.chars().take(80).collect())) }
}

/// RFC 2047 encoded words (UTF-8, base64), each at most 75 characters, on folded lines.
fn encode_header(text: &str) -> String {
    if text.is_ascii() && !text.contains("=?") {
        return text.replace(['\r', '\n'], " ");
    }
    let clean = text.replace(['\r', '\n'], " ");
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in clean.chars() {
        // 45 bytes of UTF-8 become 60 base64 characters: 72 with the "=?UTF-8?B?" and "?=".
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words
        .iter()
        .map(|w| format!("=?UTF-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(w.as_bytes())))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// The message as sent (headers and base64 body, CRLF line ends).
pub fn message_text(cfg: &SmtpConfig, mail: &Mail, now: DateTime<Utc>) -> Result<String, MailError> {
    check_address(&cfg.from)?;
    check_address(&mail.to)?;
    let mut id = [0u8; 12];
    getrandom::fill(&mut id).map_err(|e| MailError::Protocol(e.to_string()))?;
    let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let domain = cfg.from.rsplit('@').next().unwrap_or("localhost");
    let body = base64::engine::general_purpose::STANDARD.encode(mail.body.replace("\r\n", "\n").replace('\n', "\r\n"));
    let mut lines = vec![
        format!("Date: {}", now.to_rfc2822()),
        format!("From: {} <{}>", encode_header(&cfg.from_name), cfg.from),
        format!("To: <{}>", mail.to),
        format!("Subject: {}", encode_header(&mail.subject)),
        format!("Message-ID: <{id}@{domain}>"),
        "MIME-Version: 1.0".into(),
        "Content-Type: text/plain; charset=utf-8".into(),
        "Content-Transfer-Encoding: base64".into(),
        String::new(),
    ];
    lines.extend(body.as_bytes().chunks(76).map(|c| String::from_utf8_lossy(c).into_owned()));
    Ok(lines.join("\r\n") + "\r\n")
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

struct Session {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Session {
    /// Reads one reply (several lines when they are "250-…"), returns its code and text.
    async fn reply(&mut self) -> Result<(u16, String), MailError> {
        let mut text = String::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(REPLY_TIMEOUT, self.reader.read_line(&mut line))
                .await
                .map_err(|_| MailError::Timeout)?
                .map_err(|e| MailError::Connect(e.to_string()))?;
            if n == 0 || line.len() < 3 {
                return Err(MailError::Protocol(format!("closed or short reply {line:?}")));
            }
            let code: u16 = line[..3].parse().map_err(|_| MailError::Protocol(line.trim().to_owned()))?;
            text.push_str(line.get(4..).unwrap_or("").trim_end());
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok((code, text));
            }
            text.push(' ');
        }
    }

    async fn send(&mut self, line: &str) -> Result<(), MailError> {
        tokio::time::timeout(REPLY_TIMEOUT, self.writer.write_all(format!("{line}\r\n").as_bytes()))
            .await
            .map_err(|_| MailError::Timeout)?
            .map_err(|e| MailError::Connect(e.to_string()))
    }

    /// Sends a command and expects a reply in `ok` (e.g. 200..300).
    async fn command(&mut self, line: &str, ok: std::ops::Range<u16>) -> Result<(u16, String), MailError> {
        self.send(line).await?;
        let (code, text) = self.reply().await?;
        if ok.contains(&code) { Ok((code, text)) } else { Err(MailError::Rejected { code, reply: text }) }
    }
}

/// Sends one message through the relay.
pub async fn send(cfg: &SmtpConfig, mail: &Mail) -> Result<(), MailError> {
    let text = message_text(cfg, mail, Utc::now())?;
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((cfg.host.as_str(), cfg.port)))
        .await
        .map_err(|_| MailError::Timeout)?
        .map_err(|e| MailError::Connect(e.to_string()))?;
    let (r, w) = stream.into_split();
    let mut s = Session { reader: BufReader::new(r), writer: w };
    let (code, greeting) = s.reply().await?;
    if code != 220 {
        return Err(MailError::Rejected { code, reply: greeting });
    }
    if s.command(&format!("EHLO {}", cfg.hello), 200..300).await.is_err() {
        s.command(&format!("HELO {}", cfg.hello), 200..300).await?;
    }
    s.command(&format!("MAIL FROM:<{}>", cfg.from), 200..300).await?;
    s.command(&format!("RCPT TO:<{}>", mail.to), 200..300).await?;
    s.command("DATA", 354..355).await?;
    // Dot-stuffing: a line starting with '.' gets another one.
    let mut data = String::with_capacity(text.len() + 8);
    for line in text.split("\r\n") {
        if line.starts_with('.') {
            data.push('.');
        }
        data.push_str(line);
        data.push_str("\r\n");
    }
    let data = data.trim_end_matches("\r\n").to_owned();
    s.send(&format!("{data}\r\n.")).await?;
    let (code, reply) = s.reply().await?;
    if !(200..300).contains(&code) {
        return Err(MailError::Rejected { code, reply });
    }
    let _ = s.command("QUIT", 200..300).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tokio::net::TcpListener;

    fn cfg(port: u16) -> SmtpConfig {
        SmtpConfig::parse(&format!("smtp://127.0.0.1:{port}?from=khongtraloi@ydan.test&name=%C3%9D%20D%C3%A2n"))
            .unwrap()
    }

    #[test]
    fn settings_are_read_from_a_url() {
        let c = cfg(2525);
        assert_eq!(
            (c.host.as_str(), c.port, c.from.as_str(), c.from_name.as_str()),
            ("127.0.0.1", 2525, "khongtraloi@ydan.test", "Ý Dân")
        );
        assert_eq!(SmtpConfig::parse("smtp://relay?from=a@b.vn").unwrap().port, 25);
        assert!(SmtpConfig::parse("smtp://relay:25").is_err(), "from is needed");
        assert!(SmtpConfig::parse("smtp://relay:99999?from=a@b.vn").is_err());
        assert!(SmtpConfig::parse("http://relay?from=a@b.vn").is_err());
        assert!(SmtpConfig::parse("smtp://relay?from=a@b.vn&bcc=x@y.vn").is_err());
    }

    #[test]
    fn addresses_cannot_inject_headers() {
        let mail = |to: &str| Mail { to: to.into(), subject: "s".into(), body: "b".into() };
        for bad in ["a@b.vn\r\nBcc: x@y.vn", "a@b.vn, x@y.vn", "<a@b.vn>", "a b@c.vn", "no-at-sign", "a@@b.vn"] {
            assert!(message_text(&cfg(25), &mail(bad), Utc::now()).unwrap_err().is_permanent(), "{bad}");
        }
        let text = message_text(
            &cfg(25),
            &Mail { to: "a@b.vn".into(), subject: "x\r\nBcc: y@z.vn".into(), body: "b".into() },
            Utc::now(),
        )
        .unwrap();
        assert!(!text.contains("\r\nBcc:"));
    }

    fn decode_words(header: &str) -> String {
        header
            .split_whitespace()
            .map(|w| {
                let inner = w.strip_prefix("=?UTF-8?B?").and_then(|w| w.strip_suffix("?=")).unwrap();
                String::from_utf8(base64::engine::general_purpose::STANDARD.decode(inner).unwrap()).unwrap()
            })
            .collect()
    }

    #[test]
    fn vietnamese_subjects_and_bodies_survive() {
        let subject = "Đã có trả lời cho phản ánh PAKN.20261122.0001 của ông/bà về đường giao thông nông thôn";
        let body = "Kính gửi ông/bà,\n.dòng bắt đầu bằng dấu chấm\nTrân trọng.";
        let text = message_text(
            &cfg(25),
            &Mail { to: "a@b.vn".into(), subject: subject.into(), body: body.into() },
            Utc::now(),
        )
        .unwrap();
        let header: String = text.split("\r\n\r\n").next().unwrap().to_owned();
        let subject_line = header.split("\r\nSubject: ").nth(1).unwrap().split("\r\nMessage-ID").next().unwrap();
        for word in subject_line.split_whitespace() {
            assert!(word.len() <= 75, "{word}");
        }
        assert_eq!(decode_words(subject_line), subject);
        let encoded: String = text.split("\r\n\r\n").nth(1).unwrap().split("\r\n").collect();
        let decoded = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap()).unwrap();
        assert_eq!(decoded, body.replace('\n', "\r\n"));
    }

    /// A scripted relay: answers each command with the next reply of `script`.
    async fn relay(script: Vec<&'static str>) -> (u16, tokio::task::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (r, mut w) = stream.into_split();
            let mut r = BufReader::new(r);
            let mut seen = Vec::new();
            w.write_all(b"220 relay ready\r\n").await.unwrap();
            let mut in_data = false;
            let mut replies = script.into_iter();
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).await.unwrap() == 0 {
                    break;
                }
                seen.push(line.trim_end().to_owned());
                if in_data {
                    if line == ".\r\n" {
                        in_data = false;
                    } else {
                        continue;
                    }
                }
                let Some(reply) = replies.next() else { break };
                if reply.starts_with("354") {
                    in_data = true;
                }
                w.write_all(format!("{reply}\r\n").as_bytes()).await.unwrap();
                if reply.starts_with("221") || reply.starts_with('5') && !reply.starts_with("500") {
                    break;
                }
            }
            seen
        });
        (port, handle)
    }

    #[tokio::test]
    async fn a_message_goes_through_a_relay() {
        let (port, seen) =
            relay(vec!["250-relay\r\n250 8BITMIME", "250 ok", "250 ok", "354 go", "250 queued", "221 bye"]).await;
        let mail = Mail { to: "dan@example.vn".into(), subject: "Xin chào".into(), body: ".hi".into() };
        send(&cfg(port), &mail).await.unwrap();
        let seen = seen.await.unwrap();
        assert_eq!(seen[0], "EHLO localhost");
        assert_eq!(seen[1], "MAIL FROM:<khongtraloi@ydan.test>");
        assert_eq!(seen[2], "RCPT TO:<dan@example.vn>");
        assert!(seen.iter().any(|l| l == "."));
    }

    #[tokio::test]
    async fn refusals_are_permanent_or_temporary() {
        let (port, _) = relay(vec!["250 hi", "250 ok", "550 no such user"]).await;
        let err = send(&cfg(port), &Mail { to: "x@example.vn".into(), subject: "s".into(), body: "b".into() })
            .await
            .unwrap_err();
        assert!(matches!(err, MailError::Rejected { code: 550, .. }) && err.is_permanent());
        let (port, _) = relay(vec!["250 hi", "451 try later"]).await;
        let err = send(&cfg(port), &Mail { to: "x@example.vn".into(), subject: "s".into(), body: "b".into() })
            .await
            .unwrap_err();
        assert!(matches!(err, MailError::Rejected { code: 451, .. }) && !err.is_permanent());
        // Nobody listening: temporary.
        let closed = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
        let err = send(&cfg(closed), &Mail { to: "x@example.vn".into(), subject: "s".into(), body: "b".into() })
            .await
            .unwrap_err();
        assert!(!err.is_permanent());
    }
}
