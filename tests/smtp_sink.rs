//! A real SMTP server on loopback for the tests: it accepts any number of connections, speaks
//! enough of RFC 5321 for a standard client (EHLO/HELO, MAIL, RCPT, DATA with dot-stuffing,
//! RSET, NOOP, QUIT) and keeps every message it receives.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// One message as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The raw message (headers and body).
    pub data: String,
}

fn b64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(value) {
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

impl Received {
    fn split(&self) -> (&str, &str) {
        self.data.split_once("\r\n\r\n").unwrap_or((&self.data, ""))
    }

    /// The subject, with RFC 2047 encoded words decoded.
    pub fn subject(&self) -> String {
        let (headers, _) = self.split();
        let unfolded = headers.replace("\r\n ", " ");
        let raw = unfolded.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap_or("");
        raw.split_whitespace()
            .map(|w| match w.strip_prefix("=?UTF-8?B?").and_then(|w| w.strip_suffix("?=")) {
                Some(b64) => String::from_utf8_lossy(&b64_decode(b64)).into_owned(),
                None => format!("{w} "),
            })
            .collect::<String>()
            .trim()
            .to_owned()
    }

    /// The body, decoded when it is base64.
    pub fn body(&self) -> String {
        let (headers, body) = self.split();
        if headers.contains("Content-Transfer-Encoding: base64") {
            String::from_utf8_lossy(&b64_decode(body)).into_owned()
        } else {
            body.to_owned()
        }
    }
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the SMTP sink");
        let addr = listener.local_addr().unwrap();
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let store = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (r, mut w) = stream.into_split();
                    let mut r = BufReader::new(r);
                    let _ = w.write_all(b"220 ydan-test-sink ESMTP\r\n").await;
                    let (mut from, mut to) = (String::new(), Vec::new());
                    loop {
                        let mut line = String::new();
                        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                            break;
                        }
                        let cmd = line.trim_end().to_owned();
                        let upper = cmd.to_ascii_uppercase();
                        let reply: &str = if upper.starts_with("EHLO") {
                            "250-ydan-test-sink\r\n250 8BITMIME"
                        } else if upper.starts_with("HELO") || upper == "NOOP" {
                            "250 ok"
                        } else if upper.starts_with("MAIL FROM:") {
                            from = cmd[10..].trim_matches(['<', '>', ' ']).to_owned();
                            "250 ok"
                        } else if upper.starts_with("RCPT TO:") {
                            to.push(cmd[8..].trim_matches(['<', '>', ' ']).to_owned());
                            "250 ok"
                        } else if upper == "RSET" {
                            from.clear();
                            to.clear();
                            "250 ok"
                        } else if upper == "DATA" {
                            let _ = w.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await;
                            let mut data = String::new();
                            loop {
                                let mut l = String::new();
                                if r.read_line(&mut l).await.unwrap_or(0) == 0 {
                                    return;
                                }
                                if l == ".\r\n" {
                                    break;
                                }
                                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                            }
                            let message = Received {
                                from: from.clone(),
                                to: std::mem::take(&mut to),
                                data: data.trim_end_matches("\r\n").to_owned(),
                            };
                            store.lock().unwrap().push(message);
                            "250 queued"
                        } else if upper == "QUIT" {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            "500 unknown command"
                        };
                        if w.write_all(format!("{reply}\r\n").as_bytes()).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        SmtpSink { addr, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until a message to `to` whose subject contains `subject_part` arrived.
    pub async fn wait_for(&self, to: &str, subject_part: &str, timeout: Duration) -> Option<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(m) =
                self.received().into_iter().find(|m| m.to.iter().any(|t| t == to) && m.subject().contains(subject_part))
            {
                return Some(m);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The URL the server is configured with.
    pub fn url(&self) -> String {
        format!("smtp://{}?from=khongtraloi@ydan.test", self.addr)
    }
}
