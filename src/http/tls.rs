//! Which certificate authorities a TLS connection trusts: the system's store
//! (or Mozilla's bundled roots where the system has none), plus any CA bundle
//! the user adds. There is deliberately no way to switch verification off.

use crate::error::Error;
use once_cell::sync::Lazy;
use std::path::Path;
use std::sync::Arc;
use ureq::tls::{Certificate, PemItem, RootCerts};

pub type Roots = Arc<Vec<Certificate<'static>>>;

/// Loaded once per process, on the first HTTPS request: reading the system
/// store costs milliseconds.
static DEFAULT_ROOTS: Lazy<Roots> = Lazy::new(|| {
    let system = rustls_native_certs::load_native_certs().certs;
    let roots: Vec<Certificate<'static>> = if system.is_empty() {
        webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|der| Certificate::from_der(der.as_ref()).to_owned())
            .collect()
    } else {
        system
            .iter()
            .map(|der| Certificate::from_der(der.as_ref()).to_owned())
            .collect()
    };
    Arc::new(roots)
});

/// The default roots, or the default roots plus the certificates of a bundle.
#[derive(Clone, Default)]
pub struct TrustRoots {
    added: Option<Roots>,
}

impl TrustRoots {
    /// Adds every certificate of a PEM file to the default roots.
    pub fn with_ca_file(path: &Path) -> Result<TrustRoots, Error> {
        let pem = std::fs::read(path).map_err(|e| {
            Error::invalid_argument(format!("cannot read the CA file {}: {e}", path.display()))
        })?;
        let mut added = Vec::new();
        for item in ureq::tls::parse_pem(&pem) {
            match item {
                Ok(PemItem::Certificate(cert)) => added.push(cert),
                Ok(_) => {}
                Err(e) => {
                    return Err(Error::invalid_argument(format!(
                        "the CA file {} is not valid PEM: {e}",
                        path.display()
                    )))
                }
            }
        }
        if added.is_empty() {
            return Err(Error::invalid_argument(format!(
                "the CA file {} holds no certificate",
                path.display()
            )));
        }
        let mut all = DEFAULT_ROOTS.as_ref().clone();
        all.extend(added);
        Ok(TrustRoots {
            added: Some(Arc::new(all)),
        })
    }

    pub fn root_certs(&self) -> RootCerts {
        RootCerts::Specific(self.added.clone().unwrap_or_else(|| DEFAULT_ROOTS.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    #[test]
    fn default_roots_are_never_empty() {
        assert!(!DEFAULT_ROOTS.is_empty());
    }

    #[test]
    fn missing_or_empty_ca_files_are_invalid_arguments() {
        let missing = TrustRoots::with_ca_file(Path::new("/nonexistent/ca.pem"));
        assert_eq!(missing.err().unwrap().status(), Status::InvalidArgument);

        let empty = std::env::temp_dir().join(format!("mcauth-empty-{}.pem", std::process::id()));
        std::fs::write(&empty, "no certificates here\n").unwrap();
        let result = TrustRoots::with_ca_file(&empty);
        std::fs::remove_file(&empty).unwrap();
        assert_eq!(result.err().unwrap().status(), Status::InvalidArgument);
    }
}
