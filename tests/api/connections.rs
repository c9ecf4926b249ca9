//! Connection limits of the listener (issue 12): one address cannot take every connection
//! slot, a client that asks for an answer and never reads it loses its connection, and a body
//! that trickles in is cut once it falls behind the minimum pace.

use axum::{
    Router,
    body::Bytes,
    routing::{get, post},
};
use server::listen::{Limits, serve};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Serves a tiny page at `/` and 64 MB at `/big` with `limits`; returns the address.
async fn start(limits: Limits) -> std::net::SocketAddr {
    let router = Router::new()
        .route("/", get(|| async { "xin chào" }))
        .route("/big", get(|| async { vec![b'x'; 64 * 1024 * 1024] }))
        .route("/echo", post(|body: Bytes| async move { format!("{} bytes", body.len()) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { serve(listener, router, limits, std::future::pending()).await.ok() });
    addr
}

/// The status line of a `GET path` sent on a new connection (empty if the server closed it).
async fn status_of_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let _ = s.write_all(format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_at_most_its_share_of_connections() {
    let limits = Limits { per_address: 3, header_timeout: Duration::from_secs(60), ..Limits::default() };
    let addr = start(limits).await;
    // Three idle connections: the address's whole share.
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let refused = status_of_get(addr, "/").await;
    assert!(refused.starts_with("HTTP/1.1 429"), "{refused:?}");
    // One closes: the address may connect again.
    drop(idle.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let status = status_of_get(addr, "/").await;
        if status.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "the freed place was never given back: {status:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_its_answer_is_disconnected() {
    let limits = Limits { per_address: 1, write_stall: Duration::from_secs(1), ..Limits::default() };
    let addr = start(limits).await;
    // Asks for 64 MB and reads none of it: the socket's buffers fill and the answer stalls.
    let mut stalled = TcpStream::connect(addr).await.unwrap();
    stalled.write_all(b"GET /big HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(status_of_get(addr, "/").await.starts_with("HTTP/1.1 429"), "the stalled client holds the only place");
    // Within a few seconds the server gives up on it and the place is free again.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = status_of_get(addr, "/").await;
        if status.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "the stalled client kept its connection: {status:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    drop(stalled);
}

/// Sends a POST whose body of `total` bytes goes out `chunk` bytes every `every`; returns the
/// whole answer (empty if none came within `wait`) and when it came.
async fn trickle(
    addr: std::net::SocketAddr,
    total: usize,
    chunk: usize,
    every: Duration,
    wait: Duration,
) -> (String, Duration) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let head = format!(
        "POST /echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/octet-stream\r\ncontent-length: {total}\r\nconnection: close\r\n\r\n"
    );
    wr.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let writer = tokio::spawn(async move {
        let mut sent = 0;
        while sent < total {
            let n = chunk.min(total - sent);
            if wr.write_all(&vec![b'x'; n]).await.is_err() {
                break;
            }
            sent += n;
            tokio::time::sleep(every).await;
        }
        wr
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(wait, rd.read_to_end(&mut answer)).await;
    let took = started.elapsed();
    writer.abort();
    (String::from_utf8_lossy(&answer).into_owned(), took)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_trickles_in_is_cut_once_it_falls_behind_the_minimum_pace() {
    let addr = start(Limits::default()).await;
    // One byte a second: each byte restarted a per-chunk timer, so the connection was held until
    // the 5½-minute request timeout. Now the body has 20 seconds, plus one for every 500 bytes.
    let (answer, took) = trickle(addr, 100_000, 1, Duration::from_secs(1), Duration::from_secs(40)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "no 408 within 40 s: {answer:?}");
    assert!(answer.to_lowercase().contains("connection: close"), "{answer}");
    assert!(answer.contains("quá chậm"), "says why, in Vietnamese: {answer}");
    assert!(took >= Duration::from_secs(19) && took < Duration::from_secs(30), "cut after {took:?}");

    // A small body on a slow line (200 bytes a second, slower than the pace but inside the
    // first 20 seconds) arrives whole.
    let (answer, _) = trickle(addr, 1_000, 100, Duration::from_millis(500), Duration::from_secs(20)).await;
    assert!(answer.starts_with("HTTP/1.1 200") && answer.contains("1000 bytes"), "{answer:?}");
}
