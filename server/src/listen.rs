//! Accepting connections with limits, so that slow or idle clients cannot starve the server:
//! at most `max_connections` at once (further clients wait in the kernel's queue until one
//! closes) and at most `per_address` from one address (IPv4, or an IPv6 /64; further ones get
//! 429 and are closed), the request head must arrive within `header_timeout` (also the longest
//! a kept-alive connection may sit idle between requests), the body must keep `body_pace` (see
//! [`pace`]), a request is answered within `request_timeout` or gets 408, and a client that stops reading
//! its answer for `write_stall` is disconnected. Built on hyper's own HTTP/1 connection (the
//! same one `axum::serve` uses), with its header timer switched on.

pub mod pace;

use axum::{Router, extract::ConnectInfo};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use std::{
    collections::HashMap,
    future::Future,
    io,
    net::IpAddr,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf},
    net::TcpListener,
    sync::Semaphore,
    time::Sleep,
};

/// The limits on connections and requests.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: usize,
    /// Connections one address may hold at once; 0: no cap (behind proxies of your own, whose
    /// address every connection has, the proxies cap per client instead).
    pub per_address: usize,
    pub header_timeout: Duration,
    pub body_pace: pace::BodyPace,
    pub request_timeout: Duration,
    /// How long an answer may wait for a client that does not read it.
    pub write_stall: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // Well under the usual 65,536 open files, with room for the database and exports.
            max_connections: 8_192,
            // An office or a school behind one address opens a few connections per browser.
            per_address: 256,
            header_timeout: Duration::from_secs(10),
            body_pace: pace::BodyPace {
                grace: Duration::from_secs(20),
                min_rate: 500,
                // The largest form (three photos, about 15 MiB) on a slow 3G line (about 50 KB/s)
                // takes about five and a half minutes: ten leave room for a worse line.
                max: Duration::from_secs(600),
            },
            request_timeout: Duration::from_secs(630),
            // A phone on a bad line stalls for seconds, not half a minute.
            write_stall: Duration::from_secs(30),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then lets open requests finish
/// (at most 15 seconds).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    use tower_http::timeout::TimeoutLayer;
    crate::memory::give_large_blocks_back();
    let body_pace = limits.body_pace;
    let router = router
        .layer(axum::middleware::from_fn(move |req, next| pace::enforce(body_pace, req, next)))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, limits.request_timeout));
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let holds = Holds::new(limits.per_address);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => slot,
        };
        let Ok(slot) = slot else { break };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of file descriptors, or the client left before we took it: keep going.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(held) = holds.take(peer.ip()) else {
            // Answered without reading the request; the slot is free again at once.
            drop(slot);
            tokio::spawn(async move {
                let mut stream = stream;
                let refusal = b"HTTP/1.1 429 Too Many Requests\r\nretry-after: 10\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                let _ = tokio::time::timeout(Duration::from_secs(2), stream.write_all(refusal)).await;
            });
            continue;
        };
        let service = tower::ServiceExt::map_request(router.clone(), move |mut req: axum::http::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req
        });
        let (header_timeout, write_stall) = (limits.header_timeout, limits.write_stall);
        tokio::spawn(async move {
            let _slot = slot;
            let _held = held;
            let _ = stream.set_nodelay(true);
            let served = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(StallGuard::new(stream, write_stall)), TowerToHyperService::new(service))
                .await;
            if let Err(e) = served {
                tracing::debug!(error = %e, "connection closed");
            }
        });
    }
    // Every slot back means every connection closed.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(15), slots.acquire_many(all)).await;
    Ok(())
}

/// Connections held per address (an IPv6 address counts by its /64, as the rating limits do).
#[derive(Clone)]
struct Holds {
    cap: usize,
    held: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One connection's place in its address's count, given back when the connection closes.
struct Held {
    holds: Holds,
    key: IpAddr,
}

impl Holds {
    fn new(cap: usize) -> Holds {
        Holds { cap, held: Arc::default() }
    }

    fn key(ip: IpAddr) -> IpAddr {
        match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let s = v6.segments();
                    IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
                }
            },
            v4 => v4,
        }
    }

    /// A place for one more connection from `ip`, or `None` when it holds its share.
    fn take(&self, ip: IpAddr) -> Option<Held> {
        let key = Holds::key(ip);
        if self.cap > 0 {
            let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
            let n = held.entry(key).or_insert(0);
            if *n >= self.cap {
                return None;
            }
            *n += 1;
        }
        Some(Held { holds: self.clone(), key })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if self.holds.cap == 0 {
            return;
        }
        let mut held = self.holds.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = held.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.key);
            }
        }
    }
}

/// A connection whose writes fail once the client has read nothing for `stall`, so a client
/// that asks for a page and never reads it cannot hold its connection for long.
struct StallGuard<S> {
    inner: S,
    stall: Duration,
    waiting: Option<Pin<Box<Sleep>>>,
}

impl<S> StallGuard<S> {
    fn new(inner: S, stall: Duration) -> Self {
        StallGuard { inner, stall, waiting: None }
    }

    /// Called when the client is not taking what is written: times out after `stall`.
    fn stalled(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let stall = self.stall;
        let timer = self.waiting.get_or_insert_with(|| Box::pin(tokio::time::sleep(stall)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading")),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for StallGuard<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for StallGuard<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Pending => self.stalled(cx).map(Err),
            done => {
                self.waiting = None;
                done
            }
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write_vectored(cx, bufs) {
            Poll::Pending => self.stalled(cx).map(Err),
            done => {
                self.waiting = None;
                done
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.inner).poll_flush(cx) {
            Poll::Pending => self.stalled(cx).map(Err),
            done => {
                self.waiting = None;
                done
            }
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
