//! Reaching the auth server: one HTTP exchange (`transport`), the trust roots
//! it verifies against (`tls`), the proxy it goes through (`proxy`), and when
//! a failed attempt is tried again (`retry`).

pub mod proxy;
pub mod retry;
pub mod tls;
pub mod transport;
