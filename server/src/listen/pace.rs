//! The pace a request body must keep. A body gets `grace` to start, plus one second for every
//! `min_rate` bytes that have arrived, and never more than `max` in all; a body that falls
//! behind is cut, and the client gets 408 with the reason and the connection closed. The rule
//! and its defaults (20 seconds, 500 bytes a second) are those of Apache's `mod_reqtimeout`.
//! A timer that restarts with every chunk (as a per-read timeout does) would let a client
//! holding a connection send one byte every few seconds for as long as the request may last.

use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use hyper::body::{Body as _, Frame, SizeHint};
use std::{
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};
use tokio::time::{Instant, Sleep};

/// See the module's text.
#[derive(Clone, Copy, Debug)]
pub struct BodyPace {
    pub grace: Duration,
    /// Bytes a second; each such amount received earns one more second.
    pub min_rate: u32,
    pub max: Duration,
}

impl BodyPace {
    /// How long after its start a body that has sent `received` bytes may wait for more.
    pub fn allowance(&self, received: u64) -> Duration {
        let earned = Duration::from_millis(received.saturating_mul(1000) / u64::from(self.min_rate.max(1)));
        (self.grace + earned).min(self.max)
    }
}

/// Middleware: gives every request that has a body the pace's clock, and answers 408 in place
/// of whatever the handler made of a body cut short.
pub async fn enforce(pace: BodyPace, req: Request, next: Next) -> Response {
    if req.body().is_end_stream() {
        return next.run(req).await;
    }
    let late = Arc::new(AtomicBool::new(false));
    let flag = late.clone();
    let req = req.map(|body| Body::new(Paced::new(body, pace, flag)));
    let res = next.run(req).await;
    if late.load(Ordering::Relaxed) { too_slow() } else { res }
}

fn too_slow() -> Response {
    let mut res = (
        StatusCode::REQUEST_TIMEOUT,
        "Dữ liệu gửi lên đến quá chậm nên máy chủ đã ngừng nhận; chưa có gì được lưu. Xin gửi lại khi mạng ổn định hơn.\n\
         The request arrived too slowly and was not received; nothing was stored. Please send it again on a steadier connection.\n",
    )
        .into_response();
    res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

/// A body on the pace's clock. Only the time the server spends waiting for the client counts:
/// while a handler does something else (waits for room to take photos, say) the client cannot
/// send more than the socket's buffers hold, and that wait is not its fault.
struct Paced {
    inner: Body,
    pace: BodyPace,
    received: u64,
    /// Time spent waiting for the client, before the current wait.
    waited: Duration,
    /// When the current wait began.
    waiting_since: Option<Instant>,
    timer: Option<Pin<Box<Sleep>>>,
    /// The timer's deadline is out of date (a frame arrived since it was set).
    stale: bool,
    late: Arc<AtomicBool>,
}

impl Paced {
    fn new(inner: Body, pace: BodyPace, late: Arc<AtomicBool>) -> Paced {
        Paced { inner, pace, received: 0, waited: Duration::ZERO, waiting_since: None, timer: None, stale: false, late }
    }
}

impl hyper::body::Body for Paced {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let since = *this.waiting_since.get_or_insert_with(Instant::now);
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Pending => {
                let deadline = since + this.pace.allowance(this.received).saturating_sub(this.waited);
                let timer = this.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if std::mem::take(&mut this.stale) {
                    timer.as_mut().reset(deadline);
                }
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        this.late.store(true, Ordering::Relaxed);
                        Poll::Ready(Some(Err(axum::Error::new("the request body arrived too slowly"))))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
            done => {
                this.waited += since.elapsed();
                this.waiting_since = None;
                this.stale = true;
                if let Poll::Ready(Some(Ok(frame))) = &done
                    && let Some(data) = frame.data_ref()
                {
                    this.received += data.len() as u64;
                }
                done
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_earns_a_second_for_every_500_bytes_up_to_the_cap() {
        let pace = BodyPace { grace: Duration::from_secs(20), min_rate: 500, max: Duration::from_secs(300) };
        assert_eq!(pace.allowance(0), Duration::from_secs(20));
        assert_eq!(pace.allowance(499), Duration::from_millis(20_998));
        assert_eq!(pace.allowance(5_000), Duration::from_secs(30));
        // Three photos on 3G at 50 KB/s keep well ahead; the whole body still has at most the cap.
        assert_eq!(pace.allowance(10_000_000), Duration::from_secs(300));
        assert_eq!(pace.allowance(u64::MAX), Duration::from_secs(300));
        // The server's own cap leaves the largest form (about 15 MiB) room at 50 KB/s.
        let cap = crate::listen::Limits::default().body_pace.max;
        assert!(cap.as_secs() > 16 * 1024 * 1024 / 50_000, "{cap:?}");
    }
}
