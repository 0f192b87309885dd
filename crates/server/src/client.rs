//! Who is on the other end of a request: the client's address (through trusted reverse
//! proxies only) and whether the shopper or staff member reached us over HTTPS. Worked out
//! once per request by [`identify`]; rate limits, stock holds, cookies and HSTS read it.

use crate::Settings;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// The client of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    /// The client's address: the socket's, or from a trusted proxy's `X-Forwarded-For`.
    pub ip: IpAddr,
    /// The request reached the server (or its proxy) over HTTPS.
    pub https: bool,
}

impl Client {
    /// What limits count by: the address, or for IPv6 its /64 (one subscriber's network).
    pub fn key(&self) -> IpAddr {
        match self.ip {
            IpAddr::V4(v4) => IpAddr::V4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let [a, b, c, d, ..] = v6.segments();
                    IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
                }
            },
        }
    }

    /// Works the client out from the socket's peer and the headers.
    ///
    /// Only a peer in `trusted` is believed: then the right-most `X-Forwarded-For` entry that
    /// is not itself a trusted proxy is the client, and `X-Forwarded-Proto` says the scheme.
    /// `public_url`, when set, decides the scheme outright. Otherwise the request counts as
    /// HTTPS unless it comes straight from this machine (a developer's browser): a loopback
    /// peer that forwards for someone is a proxy, and its client gets `Secure` cookies.
    pub fn of(
        peer: SocketAddr,
        headers: &HeaderMap,
        trusted: &[IpNet],
        public_url: Option<&str>,
    ) -> Self {
        let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
        let peer_ip = canonical(peer.ip());
        let via_trusted = is_trusted(&peer_ip);
        let mut ip = peer_ip;
        if via_trusted {
            let hops = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .collect::<Vec<_>>();
            for hop in hops.iter().rev() {
                // An entry that does not read ends the walk: what lies left of it is unknown.
                let Ok(hop) = hop.parse::<IpAddr>().map(canonical) else {
                    break;
                };
                ip = hop;
                if !is_trusted(&hop) {
                    break;
                }
            }
        }
        let forwarded_proto = headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().eq_ignore_ascii_case("https"));
        let https = match public_url {
            Some(url) => url.starts_with("https://"),
            None if via_trusted => forwarded_proto.unwrap_or(true),
            None => {
                let forwards = ["x-forwarded-for", "x-forwarded-proto", "forwarded"]
                    .iter()
                    .any(|h| headers.contains_key(*h));
                !peer_ip.is_loopback() || forwards
            }
        };
        Self { ip, https }
    }
}

/// An IPv4 address written as IPv6 (`::ffff:1.2.3.4`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Middleware: works out the [`Client`] for every request, and sends the headers every
/// answer carries: `X-Content-Type-Options: nosniff`, and HSTS when served over HTTPS.
pub async fn identify(
    State(settings): State<Arc<Settings>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = Client::of(
        peer,
        request.headers(),
        &settings.trusted_proxies,
        settings.public_url.as_deref(),
    );
    request.extensions_mut().insert(client);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if client.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        // `identify` runs before every route; without it (a router built without it) the
        // socket's address is all there is.
        let fallback = || {
            let peer = parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |c| c.0);
            Client::of(peer, &parts.headers, &[], None)
        };
        Ok(parts
            .extensions
            .get::<Client>()
            .copied()
            .unwrap_or_else(fallback))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), 40000)
    }

    #[test]
    fn a_forged_header_from_an_untrusted_peer_changes_nothing() {
        let forged = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-proto", "http"),
        ]);
        let client = Client::of(peer("203.0.113.9"), &forged, &[], None);
        assert_eq!(client.ip, "203.0.113.9".parse::<IpAddr>().unwrap());
        assert!(client.https);
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted = crate::settings::parse_networks("10.0.0.0/8").unwrap();
        // The client wrote a fake first hop; the proxies appended the real one and themselves.
        let chain = headers(&[
            ("x-forwarded-for", "6.6.6.6, 198.51.100.7"),
            ("x-forwarded-for", "10.0.0.2"),
            ("x-forwarded-proto", "https"),
        ]);
        let client = Client::of(peer("10.0.0.1"), &chain, &trusted, None);
        assert_eq!(client.ip, "198.51.100.7".parse::<IpAddr>().unwrap());
        assert!(client.https);
        let plain = headers(&[
            ("x-forwarded-for", "198.51.100.7"),
            ("x-forwarded-proto", "http"),
        ]);
        assert!(!Client::of(peer("10.0.0.1"), &plain, &trusted, None).https);
        let garbage = headers(&[("x-forwarded-for", "nonsense, 10.0.0.3")]);
        let client = Client::of(peer("10.0.0.1"), &garbage, &trusted, None);
        assert_eq!(client.ip, "10.0.0.3".parse::<IpAddr>().unwrap());
    }

    /// Regression: the `Secure` flag followed the `Host` header, which a proxy sets to anything.
    #[test]
    fn only_a_browser_on_this_machine_goes_without_https() {
        let host = headers(&[("host", "127.0.0.1:8080")]);
        assert!(!Client::of(peer("127.0.0.1"), &host, &[], None).https);
        assert!(Client::of(peer("192.0.2.1"), &host, &[], None).https);
        let proxied = headers(&[("host", "127.0.0.1"), ("x-forwarded-for", "192.0.2.1")]);
        assert!(Client::of(peer("127.0.0.1"), &proxied, &[], None).https);
        let public = Some("http://orders.shop.test");
        assert!(!Client::of(peer("192.0.2.1"), &host, &[], public).https);
        assert!(Client::of(peer("127.0.0.1"), &host, &[], Some("https://o.example")).https);
    }

    #[test]
    fn ipv6_clients_count_by_their_network() {
        let a = Client::of(peer("2001:db8:1:2::5"), &HeaderMap::new(), &[], None);
        let b = Client::of(peer("2001:db8:1:2:ffff::9"), &HeaderMap::new(), &[], None);
        assert_eq!(a.key(), b.key());
        let mapped = Client::of(peer("::ffff:192.0.2.1"), &HeaderMap::new(), &[], None);
        assert_eq!(mapped.key(), "192.0.2.1".parse::<IpAddr>().unwrap());
    }
}
