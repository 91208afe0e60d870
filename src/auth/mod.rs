//! `Auth`: a handle on one set of credentials, of a legacy or an enhanced
//! installed package. Cheap to create (it sends nothing); every handle with
//! the same credentials (and, enhanced, business unit and scope) shares one
//! cached token; `shared_cache`, with other processes too.

mod shared_cache;

use shared_cache::SharedSlot;
pub use shared_cache::SHARED_CACHE_VARIABLE;

use crate::auth_url::{Api, AuthUrl};
use crate::cache::{self, CacheKey, Entry, Served};
use crate::error::Error;
use crate::fork;
use crate::http::proxy;
use crate::http::retry::{self, DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS_LIMIT};
use crate::http::tls::TrustRoots;
use crate::http::transport::{Transport, TransportOptions};
use crate::secret::{AccessToken, ClientSecret};
use crate::soap;
use crate::token::{
    EnhancedGrant, EnhancedTokenRequest, Grant, InstanceUrls, LegacyTokenRequest, TokenPath,
    TokenProtocol,
};
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);

pub struct Auth {
    server: AuthUrl,
    /// Holds the credentials, for the shared cache's key too.
    request: Box<dyn TokenProtocol>,
    /// Also what the handle's tokens are for (`grant`).
    key: CacheKey,
    entry: Option<Arc<Entry>>,
    // Settings are atomics so that every method takes `&self`: a setter may
    // run while other threads fetch tokens through the same handle.
    timeout_ms: AtomicU64,
    refresh_margin_secs: AtomicU64,
    max_attempts: AtomicU32,
    transport: Mutex<TransportSlot>,
    shared: Mutex<SharedSlot>,
}

/// The transport is built on the first token request, so creating a handle
/// stays cheap, and rebuilt after a setting that shapes it changes.
#[derive(Default)]
struct TransportSlot {
    options: TransportOptions,
    built: Option<Arc<Transport>>,
}

impl Auth {
    /// A handle on a legacy installed package (`/v1/requestToken`). Checks
    /// the arguments and joins the shared cache entry. Sends nothing.
    pub fn new(subdomain: &str, client_id: &str, client_secret: &str) -> Result<Auth, Error> {
        Auth::with_grant(subdomain, client_id, client_secret, Grant::Legacy)
    }

    /// A handle on an enhanced installed package (`/v2/token`): `account_id`
    /// is the MID of the business unit (1 to 20 digits), `scope` the
    /// space-separated scopes; `None` leaves either out of the request.
    /// Sends nothing.
    pub fn new_enhanced(
        subdomain: &str,
        client_id: &str,
        client_secret: &str,
        account_id: Option<&str>,
        scope: Option<&str>,
    ) -> Result<Auth, Error> {
        let grant = EnhancedGrant::new(account_id, scope)?;
        Auth::with_grant(subdomain, client_id, client_secret, Grant::Enhanced(grant))
    }

    fn with_grant(
        subdomain: &str,
        client_id: &str,
        client_secret: &str,
        grant: Grant,
    ) -> Result<Auth, Error> {
        if client_id.is_empty() {
            return Err(Error::invalid_argument("the client id is empty"));
        }
        if client_secret.is_empty() {
            return Err(Error::invalid_argument("the client secret is empty"));
        }
        let path = match grant {
            Grant::Legacy => TokenPath::Legacy,
            Grant::Enhanced(_) => TokenPath::Enhanced,
        };
        let server = AuthUrl::parse_for(subdomain, path)?;
        let secret = ClientSecret::new(client_secret);
        let key = CacheKey::new(server.token_url(), client_id, &secret, &grant);
        let entry = cache::entry_for(&key);
        let url = server.token_url();
        let request: Box<dyn TokenProtocol> = match grant {
            Grant::Legacy => Box::new(LegacyTokenRequest::new(url, client_id, secret)),
            Grant::Enhanced(g) => Box::new(EnhancedTokenRequest::new(url, client_id, secret, g)),
        };
        Ok(Auth {
            request,
            server,
            key,
            entry: Some(entry),
            timeout_ms: AtomicU64::new(DEFAULT_TIMEOUT.as_millis() as u64),
            refresh_margin_secs: AtomicU64::new(DEFAULT_REFRESH_MARGIN.as_secs()),
            max_attempts: AtomicU32::new(DEFAULT_MAX_ATTEMPTS),
            transport: Mutex::default(),
            shared: Mutex::new(SharedSlot::from_environment()),
        })
    }

    /// The budget of one call: connect, TLS, every retry and backoff, and
    /// waiting for another thread's request. Millisecond precision.
    pub fn set_timeout(&self, timeout: Duration) -> Result<(), Error> {
        let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        if ms == 0 {
            return Err(Error::invalid_argument(
                "the timeout must be at least 1 millisecond",
            ));
        }
        self.timeout_ms.store(ms, Ordering::Relaxed);
        Ok(())
    }

    /// How long before expiry a token is refreshed. Second precision.
    pub fn set_refresh_margin(&self, margin: Duration) {
        self.refresh_margin_secs
            .store(margin.as_secs(), Ordering::Relaxed);
    }

    /// How many times one call may send the request (1 = no retries).
    pub fn set_max_attempts(&self, attempts: u32) -> Result<(), Error> {
        if !(1..=MAX_ATTEMPTS_LIMIT).contains(&attempts) {
            return Err(Error::invalid_argument(format!(
                "max attempts must be between 1 and {MAX_ATTEMPTS_LIMIT}"
            )));
        }
        self.max_attempts.store(attempts, Ordering::Relaxed);
        Ok(())
    }

    /// Trusts the certificates of a PEM bundle in addition to the system's.
    pub fn set_ca_file(&self, pem_path: &Path) -> Result<(), Error> {
        let gate = fork::enter();
        let roots = TrustRoots::with_ca_file(&gate, pem_path)?;
        let mut slot = self.slot(&gate);
        slot.options.roots = roots;
        slot.built = None;
        // A rediss:// store trusts the same roots.
        self.shared_slot(&gate).reopen();
        Ok(())
    }

    /// Sends every request of this handle through an HTTP proxy
    /// (`http://[user:password@]host:port`), never around it.
    pub fn set_proxy(&self, proxy_url: &str) -> Result<(), Error> {
        let proxy = proxy::parse(proxy_url)?;
        let gate = fork::enter();
        let mut slot = self.slot(&gate);
        slot.options.proxy = Some(proxy);
        slot.built = None;
        Ok(())
    }

    /// The access token: cached, or fetched once for every handle and thread
    /// waiting on it (and, with a shared cache, every process).
    pub fn token(&self) -> Result<AccessToken, Error> {
        self.with_token(|served| served.token.clone())
    }

    /// As `token`, but lends the token (with its remaining validity and
    /// freshness) to `read`: on a cache hit this thread's own copy, so that a
    /// caller who only copies the token avoids reference counting. `read`
    /// must be quick and must not call back into mcauth.
    pub fn with_token<R>(&self, read: impl FnOnce(Served<'_>) -> R) -> Result<R, Error> {
        let margin = self.refresh_margin();
        let timeout = Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed));
        let request = |deadline| {
            let transport = self.transport()?;
            let attempts = self.max_attempts.load(Ordering::Relaxed);
            retry::with_retries(attempts, deadline, || {
                self.request.request_token(&transport, deadline)
            })
        };
        let fetch = |deadline| {
            let issued = match self.shared_cache() {
                Some(shared) => {
                    let mut problem = None;
                    let issued = shared.fetch(margin, deadline, request, &mut problem);
                    self.note_store_problem(problem);
                    issued?
                }
                None => request(deadline)?,
            };
            if let Some(urls) = &issued.instance_urls {
                self.entry().set_instance_urls(urls.clone());
            }
            Ok(issued)
        };
        self.entry().with_token(margin, timeout, fetch, read)
    }

    /// As `with_token`, but only from the cache: never sends a request nor
    /// waits for one, and is `None` when a call would have to.
    pub fn with_cached_token<R>(&self, read: impl FnOnce(Served<'_>) -> R) -> Option<R> {
        self.entry().cached_token(self.refresh_margin(), read)
    }

    /// The counter that changes whenever the cached token of these
    /// credentials changes (a new token, an invalidation), shared by every
    /// handle with them; compare it with `Served::generation`.
    pub fn token_generation(&self) -> &AtomicU64 {
        self.entry().generation()
    }

    fn refresh_margin(&self) -> Duration {
        Duration::from_secs(self.refresh_margin_secs.load(Ordering::Relaxed))
    }

    /// The transport to send with: the one built for the current settings,
    /// unless it was inherited from the parent process, whose connections a
    /// forked child must never use.
    fn transport(&self) -> Result<Arc<Transport>, Error> {
        let gate = fork::enter();
        let mut slot = self.slot(&gate);
        if let Some(built) = slot.built.as_ref().filter(|t| t.is_of_this_process()) {
            return Ok(built.clone());
        }
        let built = Transport::shared(&gate, &self.server, &slot.options)?;
        slot.built = Some(built.clone());
        Ok(built)
    }

    fn slot(&self, _gate: &fork::Gate) -> MutexGuard<'_, TransportSlot> {
        self.transport
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The `fueloauth` SOAP header element with the current token.
    pub fn soap_header(&self) -> Result<String, Error> {
        self.with_token(|served| soap::fueloauth_header(served.token.as_str()))?
    }

    /// For a 401 from a REST or SOAP call: forgets `rejected` if it is still
    /// the cached token (`None`: forget whatever is cached), so the next call
    /// fetches a new one. Returns whether a token was forgotten.
    ///
    /// With a shared cache, the call that forgot the token also removes it
    /// from the store if it still is the one there, so that every process
    /// drops it and one of them requests the next; the others, rejected
    /// with the same token, have nothing left to remove.
    pub fn invalidate(&self, rejected: Option<&str>) -> bool {
        let dropped = self.entry().invalidate(rejected);
        if let Some(token) = &dropped {
            self.forget_in_store(token.as_str());
        }
        dropped.is_some()
    }

    /// The REST base (`api_url`).
    pub fn rest_base_url(&self) -> Result<String, Error> {
        self.api_url(Api::Rest)
    }

    /// The SOAP endpoint (`api_url`).
    pub fn soap_endpoint(&self) -> Result<String, Error> {
        self.api_url(Api::Soap)
    }

    /// Where `api`'s calls go: an enhanced package's latest token answer's
    /// instance URL (`soap_instance_url` + `Service.asmx` for SOAP), else the
    /// tenant's (see `instance_urls`).
    fn api_url(&self, api: Api) -> Result<String, Error> {
        match self.instance_urls()? {
            Some(urls) => Ok(urls.api_url(api).to_owned()),
            None => self.server.api_url(api),
        }
    }

    /// An enhanced package's API addresses, as its token answers name them
    /// (and share through the cache entry). Before the first token the
    /// subdomain's apply, which sends nothing; a URL that names no tenant
    /// (custom or loopback) has no others, so a token is fetched first.
    fn instance_urls(&self) -> Result<Option<InstanceUrls>, Error> {
        if *self.key.grant() == Grant::Legacy {
            return Ok(None);
        }
        if let Some(urls) = self.entry().instance_urls() {
            return Ok(Some(urls));
        }
        if self.server.has_tenant() {
            return Ok(None);
        }
        self.token()?;
        Ok(self.entry().instance_urls())
    }

    pub fn token_url(&self) -> &str {
        self.server.token_url()
    }

    fn entry(&self) -> &Entry {
        self.entry
            .as_ref()
            .expect("the entry is only taken in drop")
    }
}

impl Drop for Auth {
    fn drop(&mut self) {
        if let Some(entry) = self.entry.take() {
            cache::release(&self.key, entry);
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("token_url", &self.server.token_url())
            .field("client_id", &self.request.client().id)
            .field("client_secret", &"[redacted]")
            .field("grant", self.key.grant())
            .field("timeout_ms", &self.timeout_ms)
            .field("refresh_margin_secs", &self.refresh_margin_secs)
            .field("max_attempts", &self.max_attempts)
            .field("shared_cache", &self.shared_cache_url())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    #[test]
    fn empty_credentials_are_refused() {
        assert_eq!(
            Auth::new("mc1", "", "s").unwrap_err().status(),
            Status::InvalidArgument
        );
        assert_eq!(
            Auth::new("mc1", "id", "").unwrap_err().status(),
            Status::InvalidArgument
        );
    }

    #[test]
    fn settings_are_checked() {
        let auth = Auth::new("mc1", "id", "s").unwrap();
        assert!(auth.set_timeout(Duration::ZERO).is_err());
        assert!(auth.set_timeout(Duration::from_millis(1)).is_ok());
        assert!(auth.set_max_attempts(0).is_err());
        assert!(auth.set_max_attempts(MAX_ATTEMPTS_LIMIT + 1).is_err());
        assert!(auth.set_max_attempts(1).is_ok());
        assert!(auth.set_proxy("nonsense").is_err());
    }

    #[test]
    fn handles_that_reach_the_server_alike_share_one_transport() {
        let a = Auth::new("http://127.0.0.1:9/a/", "id-a", "s").unwrap();
        let b = Auth::new("http://127.0.0.1:9/b/", "id-b", "s").unwrap();
        assert!(Arc::ptr_eq(
            &a.transport().unwrap(),
            &b.transport().unwrap()
        ));
        b.set_proxy("http://127.0.0.1:3128").unwrap();
        assert!(!Arc::ptr_eq(
            &a.transport().unwrap(),
            &b.transport().unwrap()
        ));
    }

    #[test]
    fn debug_hides_the_secret() {
        let auth = Auth::new("mc1", "visible-id", "hidden-secret-value").unwrap();
        let shown = format!("{auth:?}");
        assert!(shown.contains("visible-id"));
        assert!(!shown.contains("hidden-secret-value"), "{shown}");
    }
}

#[cfg(test)]
mod enhanced_tests;
