//! The client's address behind trusted reverse proxies, and the key a rate
//! limit counts it under.
//!
//! `X-Forwarded-For` is believed only from a peer in `TRUSTED_PROXIES`, and
//! then read from the right: each trusted proxy appends the address it saw,
//! so the right-most address that is not itself a trusted proxy is the
//! client; anything to its left was written by the client and can be forged.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed; empty by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a list of CIDRs (`10.0.0.0/8, 2001:db8::/32`), separated by
    /// commas or white space; a bare address stands for itself alone.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| format!("{item:?} is not a CIDR such as 10.0.0.0/8"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy;
    /// then the right-most address of `forwarded_for` (the header's values
    /// in order) that is not a trusted proxy. An entry that is not an address
    /// ends the walk at the last trusted hop, which cannot be forged.
    pub fn client_addr(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        let hops = forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .collect::<Vec<_>>();
        for hop in hops.into_iter().rev() {
            let Some(addr) = parse_hop(hop) else {
                return client;
            };
            client = addr;
            if !self.contains(addr) {
                return addr;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The key a rate limit counts an address under: an IPv4 address itself; an
/// IPv6 address by its /64, the smallest block one subscriber is given, so
/// rotating addresses inside it does not buy new allowances.
pub fn limit_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !(u128::MAX >> 64);
            format!("{}/64", Ipv6Addr::from(prefix))
        }
    }
}

/// The network an address belongs to, as the detectors of bought ratings
/// compare them: an IPv4 address's /24, an IPv6 address's /48 (a site's
/// usual allocation). Text that is no address is its own network.
pub fn network_prefix(addr: &str) -> String {
    match addr.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V4(v4)) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        Ok(IpAddr::V6(v6)) => {
            let prefix = u128::from(v6) & !(u128::MAX >> 48);
            format!("{}/48", Ipv6Addr::from(prefix))
        }
        Err(_) => addr.to_owned(),
    }
}

/// [`limit_key`] of an address in text; text that is no address is its own key.
pub fn limit_key_of(addr: &str) -> String {
    addr.parse::<IpAddr>()
        .map_or_else(|_| addr.to_owned(), limit_key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_are_a_v4_slash_24_and_a_v6_slash_48() {
        assert_eq!(network_prefix("203.0.113.77"), "203.0.113.0/24");
        assert_eq!(network_prefix("::ffff:203.0.113.9"), "203.0.113.0/24");
        assert_eq!(
            network_prefix("2001:db8:aa:bb::1"),
            network_prefix("2001:db8:aa:ffff::2")
        );
        assert_eq!(network_prefix("2001:db8:aa:bb::1"), "2001:db8:aa::/48");
        assert_ne!(
            network_prefix("2001:db8:aa::1"),
            network_prefix("2001:db8:ab::1")
        );
        assert_eq!(network_prefix("unknown"), "unknown");
    }

    #[test]
    fn lists_parse_and_bad_entries_are_named() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7 2001:db8::/32").unwrap();
        assert!(trusted.contains(ip("10.1.2.3")));
        assert!(trusted.contains(ip("192.168.1.7")));
        assert!(!trusted.contains(ip("192.168.1.8")));
        assert!(trusted.contains(ip("2001:db8:ffff::1")));
        assert!(trusted.contains(ip("::ffff:10.9.9.9")), "IPv4-mapped");
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        let err = TrustedProxies::parse("10.0.0.0/8,10.0.0.0/33").unwrap_err();
        assert!(err.contains("10.0.0.0/33"), "{err}");
        assert!(TrustedProxies::parse("proxy.example").is_err());
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_peer() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client_addr(ip("203.0.113.9"), &["198.51.100.1"]),
            ip("203.0.113.9")
        );
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(
            trusted.client_addr(ip("203.0.113.9"), &["198.51.100.1"]),
            ip("203.0.113.9"),
            "an untrusted peer's header is ignored"
        );
        assert_eq!(
            trusted.client_addr(ip("10.0.0.1"), &["1.1.1.1, 198.51.100.1", "10.0.0.2"]),
            ip("198.51.100.1"),
            "right-most untrusted, across header lines"
        );
        assert_eq!(
            trusted.client_addr(ip("10.0.0.1"), &["[2001:db8::5]:443"]),
            ip("2001:db8::5")
        );
        assert_eq!(
            trusted.client_addr(ip("10.0.0.1"), &["198.51.100.1, garbage, 10.0.0.3"]),
            ip("10.0.0.3"),
            "garbage stops the walk at the last trusted hop"
        );
        assert_eq!(trusted.client_addr(ip("10.0.0.1"), &[]), ip("10.0.0.1"));
    }

    #[test]
    fn ipv6_shares_a_key_per_64_and_ipv4_keys_by_address() {
        assert_eq!(limit_key(ip("2001:db8:1:2::1")), "2001:db8:1:2::/64");
        assert_eq!(
            limit_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            "2001:db8:1:2::/64"
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:3::1")),
            limit_key(ip("2001:db8:1:2::1"))
        );
        assert_eq!(limit_key(ip("203.0.113.9")), "203.0.113.9");
        assert_eq!(limit_key(ip("::ffff:203.0.113.9")), "203.0.113.9");
        assert_eq!(limit_key_of("2001:db8:1:2::7"), "2001:db8:1:2::/64");
        assert_eq!(limit_key_of(""), "");
    }

    proptest! {
        #[test]
        fn addresses_in_one_64_share_a_key(prefix in any::<u64>(), a in any::<u64>(), b in any::<u64>()) {
            let addr = |low: u64| IpAddr::V6(Ipv6Addr::from((u128::from(prefix) << 64) | u128::from(low)));
            // IPv4-mapped addresses are keyed as IPv4; every other /64 is one key.
            prop_assume!(addr(a).to_canonical().is_ipv6() && addr(b).to_canonical().is_ipv6());
            prop_assert_eq!(limit_key(addr(a)), limit_key(addr(b)));
        }

        #[test]
        fn different_64s_and_different_ipv4_addresses_differ(x in any::<u128>(), y in any::<u128>(), p in any::<u32>(), q in any::<u32>()) {
            let (vx, vy) = (IpAddr::V6(Ipv6Addr::from(x)), IpAddr::V6(Ipv6Addr::from(y)));
            prop_assume!(vx.to_canonical().is_ipv6() && vy.to_canonical().is_ipv6());
            prop_assert_eq!(limit_key(vx) == limit_key(vy), x >> 64 == y >> 64);
            let (a, b) = (IpAddr::from(p.to_be_bytes()), IpAddr::from(q.to_be_bytes()));
            prop_assert_eq!(limit_key(a) == limit_key(b), p == q);
        }

        #[test]
        fn without_trusted_proxies_the_peer_is_the_client(peer in any::<u32>(), forged in "[0-9a-f.:, ]{0,60}") {
            let peer = IpAddr::from(peer.to_be_bytes());
            prop_assert_eq!(TrustedProxies::default().client_addr(peer, &[forged.as_str()]), peer);
        }

        #[test]
        fn what_the_client_writes_left_of_the_proxy_changes_nothing(forged in proptest::collection::vec(any::<u32>(), 0..5), client in any::<u32>()) {
            let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
            let client = IpAddr::from(client.to_be_bytes());
            prop_assume!(!trusted.contains(client));
            let mut header: Vec<String> = forged.iter().map(|a| IpAddr::from(a.to_be_bytes()).to_string()).collect();
            header.push(client.to_string());
            let header = header.join(", ");
            prop_assert_eq!(trusted.client_addr(ip("10.0.0.1"), &[header.as_str()]), client);
        }
    }
}
