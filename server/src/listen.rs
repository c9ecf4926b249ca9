//! Accepting connections with limits, so that slow or idle clients cannot starve the server:
//! at most `max_connections` at once (further clients wait in the kernel's queue until one
//! closes), the request head must arrive within `header_timeout` (also the longest a kept-alive
//! connection may sit idle between requests), the body within `body_timeout`, and a request is
//! answered within `request_timeout` or gets 408. Built on hyper's own HTTP/1 connection
//! (the same one `axum::serve` uses), with its header timer switched on.

use axum::{Router, extract::ConnectInfo};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use std::{future::Future, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::Semaphore};

/// The limits on connections and requests.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // Well under the usual 65,536 open files, with room for the database and exports.
            max_connections: 8_192,
            header_timeout: Duration::from_secs(10),
            // A resident's three photos on a slow 3G line (about 50 KB/s) take about five minutes.
            body_timeout: Duration::from_secs(300),
            request_timeout: Duration::from_secs(330),
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
    use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
    let router = router
        .layer(RequestBodyTimeoutLayer::new(limits.body_timeout))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, limits.request_timeout));
    let slots = Arc::new(Semaphore::new(limits.max_connections));
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
        let service = tower::ServiceExt::map_request(router.clone(), move |mut req: axum::http::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req
        });
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            let _slot = slot;
            let _ = stream.set_nodelay(true);
            let served = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
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
