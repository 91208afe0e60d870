//! Reaching the auth server: one HTTP exchange (`transport`), the trust roots
//! it verifies against (`tls`), the proxy it goes through (`proxy`), when a
//! failed attempt is tried again (`retry`), and which URLs may be reached at
//! all (`url`).

pub mod proxy;
pub mod retry;
pub mod tls;
pub mod transport;
pub mod url;
