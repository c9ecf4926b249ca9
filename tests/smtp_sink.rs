//! A real SMTP server on loopback standing in for the agency's mail relay, so that the tests can
//! read the receipts and answers citizens are sent. It accepts any number of connections at once
//! (one task each), speaks enough of RFC 5321 for a standard client (EHLO/HELO, MAIL, several
//! RCPT, DATA with dot-stuffing, RSET, NOOP, VRFY, HELP, QUIT; pipelined commands too) and keeps
//! every message it receives. It relays nothing and accepts any address.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

/// One message as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    /// The envelope sender (MAIL FROM).
    pub from: String,
    /// The envelope recipients (RCPT TO), in order.
    pub to: Vec<String>,
    /// The raw message (headers, blank line, body) with dot-stuffing undone, as the client sent
    /// it, up to and including the CRLF before the final ".".
    pub data: String,
}

/// Decodes base64, skipping line breaks and anything else outside the alphabet; padding ends a
/// group.
fn b64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        if c == b'=' {
            // The end of a group: drop the leftover bits.
            (buf, bits) = (0, 0);
            continue;
        }
        let Some(v) = value(c) else { continue };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    out
}

/// Decodes quoted-printable (RFC 2045), soft line breaks included; `underscore` is the RFC 2047
/// "Q" rule that `_` stands for a space.
fn qp_decode(s: &str, underscore: bool) -> Vec<u8> {
    let b = s.as_bytes();
    let hex = |i: usize| b.get(i).and_then(|c| (*c as char).to_digit(16));
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'=' if b.get(i + 1..i + 3) == Some(b"\r\n") => i += 3,
            b'=' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' => match (hex(i + 1), hex(i + 2)) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                _ => {
                    out.push(b'=');
                    i += 1;
                }
            },
            b'_' if underscore => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// One RFC 2047 encoded word at the start of `s`: its text as UTF-8 bytes and its length.
fn encoded_word(s: &str) -> Option<(Vec<u8>, usize)> {
    let inner = s.strip_prefix("=?")?;
    let (charset, rest) = inner.split_once('?')?;
    let (encoding, rest) = rest.split_once('?')?;
    let end = rest.find("?=")?;
    let text = &rest[..end];
    if text.contains(char::is_whitespace) || charset.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match encoding {
        "B" | "b" => b64_decode(text),
        "Q" | "q" => qp_decode(text, true),
        _ => return None,
    };
    // `charset*language` (RFC 2231); Latin-1 is widened to UTF-8, UTF-8 and ASCII pass.
    let charset = charset.split('*').next().unwrap_or("").to_ascii_lowercase();
    let bytes = match charset.as_str() {
        "iso-8859-1" | "latin1" => bytes.iter().map(|&b| char::from(b)).collect::<String>().into_bytes(),
        _ => bytes,
    };
    Some((bytes, s.len() - rest.len() + end + 2))
}

/// Decodes a header value: encoded words become text, whitespace between two encoded words is
/// dropped (RFC 2047 §6.2), and adjacent words are joined before UTF-8 decoding, so that a
/// character split across two words survives.
fn decode_header(value: &str) -> String {
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut gap = "";
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        if let Some((bytes, len)) = encoded_word(rest) {
            pending.extend(bytes);
            rest = &rest[len..];
            let text = rest.trim_start();
            gap = &rest[..rest.len() - text.len()];
            rest = text;
            continue;
        }
        if !pending.is_empty() {
            out.push_str(&String::from_utf8_lossy(&std::mem::take(&mut pending)));
            out.push_str(gap);
        }
        gap = "";
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.push_str(&String::from_utf8_lossy(&pending));
    out.trim().to_owned()
}

impl Received {
    /// The header block (unfolded, one header a line) and the body.
    fn parts(&self) -> (String, &str) {
        let (headers, body) = match self.data.split_once("\r\n\r\n") {
            Some(parts) => parts,
            None => self.data.split_once("\n\n").unwrap_or((&self.data, "")),
        };
        let unfolded = headers.replace("\r\n", "\n").replace("\n ", " ").replace("\n\t", "\t");
        (unfolded, body)
    }

    /// The raw value of the first header called `name` (any case), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (headers, _) = self.parts();
        headers.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }

    /// The subject as the citizen reads it, RFC 2047 encoded words decoded ("" without one).
    pub fn subject(&self) -> String {
        self.header("Subject").map(|s| decode_header(&s)).unwrap_or_default()
    }

    /// The body as the citizen reads it: decoded from base64 or quoted-printable when the message
    /// says so, as is otherwise; line ends as `\n`. Multipart messages come back undecoded.
    pub fn body(&self) -> String {
        let (_, body) = self.parts();
        let encoding = self.header("Content-Transfer-Encoding").unwrap_or_default().to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "base64" => b64_decode(body),
            "quoted-printable" => qp_decode(body, false),
            _ => body.as_bytes().to_vec(),
        };
        String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
    }
}

/// The SMTP server. Stops accepting when dropped.
pub struct SmtpSink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    accept: JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Longest command or text line accepted (RFC 5321 asks for 1000 at least).
const MAX_LINE: u64 = 64 * 1024;

/// Reads one line (with its line end) as text; `None` at the end of the connection.
async fn read_line(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<String> {
    let mut raw = Vec::new();
    match r.take(MAX_LINE).read_until(b'\n', &mut raw).await {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(String::from_utf8_lossy(&raw).into_owned()),
    }
}

/// The address in `<…>` (or up to the first space when a client leaves the brackets off);
/// parameters such as `SIZE=1234` or `BODY=8BITMIME` are ignored.
fn path(arg: &str) -> Option<String> {
    let arg = arg.trim_start();
    match arg.strip_prefix('<') {
        Some(rest) => rest.split_once('>').map(|(a, _)| a.to_owned()),
        None => arg.split_whitespace().next().map(str::to_owned),
    }
}

/// The text after a `MAIL FROM:` / `RCPT TO:` keyword, whatever its case.
fn after<'a>(line: &'a str, keyword: &str) -> Option<&'a str> {
    line.get(..keyword.len()).filter(|k| k.eq_ignore_ascii_case(keyword)).and_then(|_| line.get(keyword.len()..))
}

/// One client, from greeting to QUIT. Messages accepted with 250 are published when the client
/// ends the conversation (before the 221 that answers QUIT, or when it hangs up): so when a test
/// sees a message, the sender is done with it and has had its 250, and whatever it does
/// next (the outbox marking the message sent) follows within moments.
async fn session(stream: TcpStream, store: Arc<Mutex<Vec<Received>>>) {
    let mut accepted = Vec::new();
    let _ = conversation(stream, &store, &mut accepted).await;
    store.lock().unwrap().append(&mut accepted);
}

async fn conversation(
    stream: TcpStream,
    store: &Mutex<Vec<Received>>,
    accepted: &mut Vec<Received>,
) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 ydan-test-sink ESMTP ready\r\n").await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    while let Some(line) = read_line(&mut r).await {
        let cmd = line.trim_end_matches(['\r', '\n']);
        let verb = cmd.split(' ').next().unwrap_or("").to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => {
                (from, to) = (None, Vec::new());
                "250-ydan-test-sink\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-SMTPUTF8\r\n250 HELP".into()
            }
            "HELO" => {
                (from, to) = (None, Vec::new());
                "250 ydan-test-sink".into()
            }
            "MAIL" => match after(cmd, "MAIL FROM:").and_then(path) {
                None => "501 5.5.4 syntax: MAIL FROM:<address>".into(),
                Some(_) if from.is_some() => "503 5.5.1 sender already given".into(),
                Some(address) => {
                    (from, to) = (Some(address), Vec::new());
                    "250 2.1.0 ok".into()
                }
            },
            "RCPT" => match after(cmd, "RCPT TO:").and_then(path) {
                None => "501 5.5.4 syntax: RCPT TO:<address>".into(),
                Some(_) if from.is_none() => "503 5.5.1 need MAIL first".into(),
                Some(address) => {
                    to.push(address);
                    "250 2.1.5 ok".into()
                }
            },
            "DATA" if from.is_none() || to.is_empty() => "503 5.5.1 need MAIL and RCPT first".into(),
            "DATA" => {
                w.write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n").await?;
                let mut data = String::new();
                loop {
                    let Some(line) = read_line(&mut r).await else { return Ok(()) };
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                let message = Received { from: from.take().unwrap_or_default(), to: std::mem::take(&mut to), data };
                accepted.push(message);
                "250 2.0.0 queued".into()
            }
            "RSET" => {
                (from, to) = (None, Vec::new());
                "250 2.0.0 ok".into()
            }
            "NOOP" => "250 2.0.0 ok".into(),
            "VRFY" => "252 2.1.5 cannot verify, will try".into(),
            "HELP" => "214 EHLO HELO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT".into(),
            "QUIT" => {
                store.lock().unwrap().append(accepted);
                w.write_all(b"221 2.0.0 bye\r\n").await?;
                return w.shutdown().await;
            }
            _ => "500 5.5.2 command not recognized".into(),
        };
        w.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
    Ok(())
}

impl SmtpSink {
    /// Starts listening on `127.0.0.1`, on a free port.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the SMTP sink");
        let addr = listener.local_addr().unwrap();
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let store = received.clone();
        let accept = tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        tokio::spawn(session(stream, store.clone()));
                    }
                    // Out of file descriptors, say: try again shortly.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        });
        SmtpSink { addr, received, accept }
    }

    /// Every message received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (looking every 50 ms, at most `timeout`) until a message to `to` whose subject
    /// contains `subject_part` has arrived, and returns it; `None` if none came in time.
    pub async fn wait_for(&self, to: &str, subject_part: &str, timeout: Duration) -> Option<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let found = self
                .received()
                .into_iter()
                .find(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)) && m.subject().contains(subject_part));
            if found.is_some() || tokio::time::Instant::now() >= deadline {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The `--smtp` URL for this sink: `smtp://127.0.0.1:PORT?from=khongtraloi@ydan.test`.
    pub fn url(&self) -> String {
        format!("smtp://{}?from=khongtraloi@ydan.test", self.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use services::mail::{self, Mail, SmtpConfig};

    #[test]
    fn encoded_words_and_bodies_are_decoded() {
        let m = |data: &str| Received { from: String::new(), to: vec![], data: data.into() };
        // "Đã có trả lời" split inside "ả" (0xE1 0xBA 0xA3) across two words.
        let mail = m(
            "To: <a@b.vn>\r\nsubject: =?UTF-8?B?xJDDoyBjw7MgdHLh?=\r\n =?utf-8?b?uqMgbOG7nWk=?= (PAKN.1)\r\nContent-Transfer-Encoding: BASE64\r\n\r\nS8OtbmggZ+G7rWkNCg==\r\n",
        );
        assert_eq!(mail.subject(), "Đã có trả lời (PAKN.1)");
        assert_eq!(mail.body(), "Kính gửi\n");
        let mail = m(
            "Subject: Re: =?UTF-8?Q?Tr=C3=A2n_tr=E1=BB=8Dng?= and =?ISO-8859-1?Q?caf=E9?=\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nXin ch=C3=A0o=\r\n b=E1=BA=A1n\r\n",
        );
        assert_eq!(mail.subject(), "Re: Trân trọng and café");
        assert_eq!(mail.body(), "Xin chào bạn\n");
        let mail = m("Subject: plain  =?x?B?bad word?=\r\n\r\nbody\r\n.line\r\n");
        assert_eq!(mail.subject(), "plain  =?x?B?bad word?=");
        assert_eq!(mail.body(), "body\n.line\n");
        assert_eq!(m("no headers").subject(), "");
        assert_eq!(b64_decode("SGk=SGk="), b"HiHi");
    }

    /// Talks to the sink line by line.
    struct Client {
        r: BufReader<tokio::net::tcp::OwnedReadHalf>,
        w: tokio::net::tcp::OwnedWriteHalf,
    }

    impl Client {
        async fn connect(sink: &SmtpSink) -> Client {
            let (r, w) = TcpStream::connect(sink.addr).await.unwrap().into_split();
            let mut c = Client { r: BufReader::new(r), w };
            assert!(c.reply().await.starts_with("220 "));
            c
        }

        async fn reply(&mut self) -> String {
            let mut all = String::new();
            loop {
                let line = read_line(&mut self.r).await.unwrap();
                all.push_str(&line);
                if line.as_bytes().get(3) != Some(&b'-') {
                    return all;
                }
            }
        }

        async fn say(&mut self, line: &str) -> String {
            self.w.write_all(format!("{line}\r\n").as_bytes()).await.unwrap();
            self.reply().await
        }
    }

    #[tokio::test]
    async fn the_sink_speaks_smtp() {
        let sink = SmtpSink::start().await;
        let mut c = Client::connect(&sink).await;
        assert!(c.say("DATA").await.starts_with("503 "));
        assert!(c.say("RCPT TO:<a@b.vn>").await.starts_with("503 "));
        assert!(c.say("FOO").await.starts_with("500 "));
        let ehlo = c.say("EHLO client.test").await;
        assert!(
            ehlo.starts_with("250-") && ehlo.lines().count() > 1 && ehlo.lines().last().unwrap().starts_with("250 ")
        );
        assert!(c.say("helo client.test").await.starts_with("250 "));
        assert!(c.say("NOOP").await.starts_with("250 "));
        assert!(c.say("MAIL FROM:<x@y.vn>").await.starts_with("250 "));
        assert!(c.say("RSET").await.starts_with("250 "));
        assert!(c.say("mail from: <khongtraloi@ydan.test> BODY=8BITMIME").await.starts_with("250 "));
        assert!(c.say("RCPT TO:<an@example.vn>").await.starts_with("250 "));
        assert!(c.say("rcpt to:<binh@example.vn> NOTIFY=NEVER").await.starts_with("250 "));
        assert!(c.say("DATA").await.starts_with("354 "));
        c.w.write_all(b"Subject: hi\r\n\r\n..dot\r\nline\r\n.\r\n").await.unwrap();
        assert!(c.reply().await.starts_with("250 "));
        // Pipelined, and a second message on the same connection.
        c.w.write_all(b"MAIL FROM:<a@b.vn>\r\nRCPT TO:<c@d.vn>\r\nDATA\r\n").await.unwrap();
        for code in ["250 ", "250 ", "354 "] {
            assert!(c.reply().await.starts_with(code));
        }
        c.w.write_all(b"Subject: two\r\n\r\n.\r\n").await.unwrap();
        assert!(c.reply().await.starts_with("250 "));
        assert!(c.say("QUIT").await.starts_with("221 "));
        assert!(read_line(&mut c.r).await.is_none(), "closed after QUIT");

        let got = sink.received();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].from, "khongtraloi@ydan.test");
        assert_eq!(got[0].to, ["an@example.vn", "binh@example.vn"]);
        assert_eq!(got[0].data, "Subject: hi\r\n\r\n.dot\r\nline\r\n");
        assert_eq!((got[0].subject(), got[0].body()), ("hi".into(), ".dot\nline\n".into()));
        assert_eq!(
            (got[1].from.as_str(), got[1].to.as_slice(), got[1].subject()),
            ("a@b.vn", &["c@d.vn".to_owned()][..], "two".into())
        );
    }

    /// The server's own client and the sink, together: what a citizen would read.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_server_mails_citizens_through_the_sink() {
        let sink = SmtpSink::start().await;
        let cfg = SmtpConfig::parse(&format!("{}&name=UBND%20x%C3%A3%20An%20B%C3%ACnh", sink.url())).unwrap();
        assert_eq!((cfg.host.as_str(), cfg.port), ("127.0.0.1", sink.addr.port()));
        let subject = "Đã có trả lời cho phản ánh PAKN.20261122.0001 của ông/bà về đèn tín hiệu giao thông";
        let body = "Kính gửi ông/bà,\n.Dòng bắt đầu bằng dấu chấm.\n\nTrân trọng.\n";
        let sends = (0..5).map(|i| {
            let cfg = cfg.clone();
            let mail = Mail { to: format!("dan{i}@example.vn"), subject: format!("{subject} #{i}"), body: body.into() };
            tokio::spawn(async move { mail::send(&cfg, &mail).await })
        });
        for send in sends.collect::<Vec<_>>() {
            send.await.unwrap().unwrap();
        }
        for i in 0..5 {
            let m = sink
                .wait_for(&format!("dan{i}@example.vn"), &format!("#{i}"), Duration::from_secs(5))
                .await
                .expect("delivered");
            assert_eq!(m.from, "khongtraloi@ydan.test");
            assert_eq!(m.subject(), format!("{subject} #{i}"));
            assert_eq!(m.body(), body);
            assert_eq!(decode_header(&m.header("From").unwrap()), "UBND xã An Bình <khongtraloi@ydan.test>");
        }
        assert_eq!(sink.received().len(), 5);
        assert!(sink.wait_for("nobody@example.vn", "", Duration::from_millis(120)).await.is_none());

        // A citizen's address that tries to add a recipient never reaches the sink.
        let evil = Mail { to: "a@b.vn>\r\nRCPT TO:<x@y.vn".into(), subject: "s".into(), body: "b".into() };
        assert!(mail::send(&cfg, &evil).await.unwrap_err().is_permanent());
        assert_eq!(sink.received().len(), 5);
    }
}
