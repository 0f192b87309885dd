//! The HTTP/1.1 connection loop: hyper with a header read timeout (slow and idle clients are
//! closed), a deadline for each request's whole body, and caps on open connections, in all and
//! per client address, so a pile of slow clients cannot starve `/healthz` or the shop.

use axum::body::Body;
use axum::body::Bytes;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use ipnet::IpNet;
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How the loop treats clients.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Time to send a request's headers; also how long an idle keep-alive connection lasts.
    pub header_timeout: Duration,
    /// Time to send a request's whole body.
    pub body_timeout: Duration,
    /// Open connections in all.
    pub max_connections: usize,
    /// Open connections from one address (trusted proxies are not capped).
    pub per_client: usize,
    /// The trusted proxies.
    pub trusted: Vec<IpNet>,
}

/// Serves `app` on `listener` until the future is dropped.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits) -> std::io::Result<()> {
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let per_client = Arc::new(Mutex::new(HashMap::new()));
    loop {
        // At the cap, new connections wait in the kernel's backlog until one closes.
        let Ok(permit) = open.clone().acquire_owned().await else {
            return Ok(());
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors or a connection reset before accept: wait, go on.
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let trusted = limits.trusted.iter().any(|net| net.contains(&peer.ip()));
        let slot = if trusted {
            None
        } else {
            match Slot::take(&per_client, peer.ip(), limits.per_client) {
                Some(slot) => Some(slot),
                None => {
                    tracing::debug!(%peer, "connection refused: too many open from this address");
                    tokio::spawn(refuse(stream, permit));
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let (header_timeout, body_timeout) = (limits.header_timeout, limits.body_timeout);
        tokio::spawn(async move {
            let _held = (permit, slot);
            let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let mut request = request.map(|body| Body::new(Deadline::new(body, body_timeout)));
                request.extensions_mut().insert(ConnectInfo(peer));
                app.clone().oneshot(request)
            });
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            if let Err(e) = http.serve_connection(TokioIo::new(stream), service).await {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
        });
    }
}

/// What a connection over its address's cap is told, before it is closed.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\
    Content-Type: application/json\r\nContent-Length: 82\r\nConnection: close\r\n\r\n\
    {\"error\":\"unavailable\",\"message\":\"too many connections from this address; retry\"}\n";

/// Answers a connection over its address's cap with `503` and closes it: after reading the
/// request's head (a second at most), so that an HTTP client sees an answer to its request
/// rather than an unasked-for one, and without reading a body.
async fn refuse(mut stream: tokio::net::TcpStream, _permit: tokio::sync::OwnedSemaphorePermit) {
    use tokio::io::AsyncWriteExt;
    let _ = tokio::time::timeout(Duration::from_secs(1), read_head(&mut stream)).await;
    let answer = async {
        stream.write_all(BUSY).await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), answer).await;
}

/// Reads up to the end of a request's head (16 KB at most), and drops it.
async fn read_head(stream: &mut tokio::net::TcpStream) {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::new();
    let mut chunk = [0u8; 2048];
    while head.len() < 16 * 1024 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
}

/// One open connection counted against its address; the count drops with it.
struct Slot {
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
    ip: IpAddr,
}

impl Slot {
    fn take(counts: &Arc<Mutex<HashMap<IpAddr, usize>>>, ip: IpAddr, cap: usize) -> Option<Self> {
        let mut map = counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let open = map.entry(ip).or_default();
        if *open >= cap {
            return None;
        }
        *open += 1;
        Some(Self {
            counts: counts.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut map = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(open) = map.get_mut(&self.ip) {
            *open -= 1;
            if *open == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// A request body that must arrive whole before its deadline (a per-read timeout would let a
/// client trickle one byte a second forever).
struct Deadline {
    inner: Incoming,
    deadline: tokio::time::Instant,
    /// Made on the first read that has to wait: most requests (a GET) never read a body.
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// The body did not arrive in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within the time allowed")]
pub struct BodyTimedOut;

impl Deadline {
    fn new(inner: Incoming, timeout: Duration) -> Self {
        Self {
            inner,
            deadline: tokio::time::Instant::now() + timeout,
            sleep: None,
        }
    }
}

impl http_body::Body for Deadline {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let deadline = self.deadline;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimedOut)))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
