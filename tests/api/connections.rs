//! Connection limits of the listener (issue 12): one address cannot take every connection
//! slot, and a client that asks for an answer and never reads it loses its connection.

use axum::{Router, routing::get};
use server::listen::{Limits, serve};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Serves a tiny page at `/` and 64 MB at `/big` with `limits`; returns the address.
async fn start(limits: Limits) -> std::net::SocketAddr {
    let router = Router::new()
        .route("/", get(|| async { "xin chào" }))
        .route("/big", get(|| async { vec![b'x'; 64 * 1024 * 1024] }));
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
