//! A Redis host name resolved within the caller's deadline. std's resolution
//! (getaddrinfo) takes no timeout and can block for many seconds on a slow or
//! broken DNS server, which would hold a token call past its budget for the
//! sake of a cache. So a name is resolved on a thread of its own: a caller
//! out of time goes on without it (the store is then a miss), and the thread
//! ends, unobserved, whenever the resolver answers. An address needs none.

use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Instant;

pub(crate) fn resolve(host: &str, port: u16, deadline: Instant) -> io::Result<Vec<SocketAddr>> {
    resolve_with(host, port, deadline, |host, port| {
        Ok((host, port).to_socket_addrs()?.collect())
    })
}

fn resolve_with(
    host: &str,
    port: u16,
    deadline: Instant,
    resolver: impl FnOnce(&str, u16) -> io::Result<Vec<SocketAddr>> + Send + 'static,
) -> io::Result<Vec<SocketAddr>> {
    if let Ok(address) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(address, port)]);
    }
    // Room for the one answer, so the thread never blocks on a caller gone.
    let (answer, answered) = mpsc::sync_channel(1);
    let name = host.to_owned();
    std::thread::Builder::new()
        .name("mcauth-resolve".into())
        .spawn(move || {
            let _ = answer.send(resolver(&name, port));
        })?;
    let left = deadline.saturating_duration_since(Instant::now());
    answered.recv_timeout(left).unwrap_or_else(|_| {
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("resolving {host} outlasted the call's budget"),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    #[test]
    fn an_address_is_used_as_it_is() {
        let refuse = |_: &str, _: u16| -> io::Result<Vec<SocketAddr>> { panic!("resolved") };
        let found = resolve_with("::1", 6379, soon(), refuse).unwrap();
        assert_eq!(found, ["[::1]:6379".parse().unwrap()]);
    }

    #[test]
    fn a_name_is_resolved() {
        let found = resolve("localhost", 6379, soon()).unwrap();
        assert!(found
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == 6379));
        assert!(!found.is_empty());
    }

    #[test]
    fn a_resolver_that_hangs_is_given_up_at_the_deadline() {
        // Answers after 30 s, or when released: a call that waited for it
        // would get its empty answer instead of the timeout.
        let (release, released) = mpsc::channel::<()>();
        let hanging = move |_: &str, _: u16| {
            let _ = released.recv_timeout(Duration::from_secs(30));
            Ok(Vec::new())
        };
        let deadline = Instant::now() + Duration::from_millis(50);
        let error = resolve_with("cache.example", 6379, deadline, hanging).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(error.to_string().contains("cache.example"), "{error}");
        drop(release);
    }
}
