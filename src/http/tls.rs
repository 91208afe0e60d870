//! Which certificate authorities a TLS connection trusts: the system's store
//! (or Mozilla's bundled roots where the system has none), plus any CA bundle
//! the user adds. There is deliberately no way to switch verification off.

use crate::error::Error;
use crate::fork;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use once_cell::sync::Lazy;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use ureq::tls::{Certificate, PemItem, RootCerts};

pub type Roots = Arc<Vec<Certificate<'static>>>;

/// Loaded once per process, on the first HTTPS request, under the fork gate
/// (only `TrustRoots`' methods, which ask for the gate, touch it): a fork
/// never finds it half loaded. Its certificates borrow their bytes from
/// `SYSTEM_ROOTS` or the compiled-in roots, both kept for the process's
/// life, so that a set of roots that adds a CA file to them copies 140
/// references, not 140 certificates.
static DEFAULT_ROOTS: Lazy<Roots> = Lazy::new(|| {
    let system: Vec<_> = SYSTEM_ROOTS
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect();
    let roots = if system.is_empty() {
        webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|der| Certificate::from_der(der.as_ref()))
            .collect()
    } else {
        system
    };
    Arc::new(roots)
});

/// The system's certificates (DER), for `DEFAULT_ROOTS` only.
static SYSTEM_ROOTS: Lazy<Vec<Vec<u8>>> = Lazy::new(system_roots);

/// The system's trust store: its one bundle file when it has one, read
/// alone. rustls-native-certs reads the bundle *and* every file of the
/// hashed directory beside it (`SSL_CERT_DIR`, /etc/ssl/certs: the same
/// certificates again, from some 300 files), which made the first HTTPS
/// request of a process cost four times the later ones. OpenSSL itself only
/// opens a directory's file when a verification asks for that hash.
fn system_roots() -> Vec<Vec<u8>> {
    let bundle = bundle_file()
        .and_then(|file| std::fs::read(file).ok())
        .map(|pem| certificates(&pem))
        .unwrap_or_default();
    if !bundle.is_empty() {
        return bundle;
    }
    rustls_native_certs::load_native_certs()
        .certs
        .iter()
        .map(|der| der.to_vec())
        .collect()
}

/// `SSL_CERT_FILE` when set, else the bundle where OpenSSL would find it
/// (Debian's /etc/ssl/certs/ca-certificates.crt); macOS and Windows keep
/// their stores in the system, not in a file.
fn bundle_file() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("SSL_CERT_FILE") {
        return Some(file.into());
    }
    #[cfg(all(unix, not(target_os = "macos")))]
    return openssl_probe::probe().cert_file;
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    None
}

/// The certificates of the system's PEM bundle; anything else in it is
/// skipped (rustls skips what is not a certificate). A bundle in the usual
/// form is read a line at a time (memchr) and decoded with the base64
/// crate: rustls-pki-types' parser reads and decodes a byte at a time, at
/// some 36 instructions a byte, which made parsing this bundle (220 KB on
/// Debian) most of what a process's first HTTPS request costs beyond the
/// later ones. Any other bundle goes to that strict parser, so both always
/// find the same certificates (`fuzz/fuzz_targets/ca_bundle.rs` checks it).
/// A user's CA file always gets the strict parser, which says what is
/// wrong with it.
pub(crate) fn certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    certificates_quickly(pem).unwrap_or_else(|| strictly_parsed(pem))
}

/// The certificates of a bundle in the usual form, `None` for any other:
/// `\n` line ends; each marker line exactly a certificate's, `BEGIN`
/// outside a block and `END` inside; padded base64 between them (line
/// breaks aside); anything else only outside the blocks, never starting
/// with `-----`. There the strict parser reads exactly the same, and it
/// reads everything else (bare CR line ends, markers with more on their
/// line, other labels, a block without its end, unpadded base64…).
fn certificates_quickly(pem: &[u8]) -> Option<Vec<Vec<u8>>> {
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    const END: &[u8] = b"-----END CERTIFICATE-----";
    /// Below the 256 MiB block the strict parser refuses, so that both read
    /// the same; no bundle is near.
    const LARGEST: usize = 64 << 20;
    if pem.len() > LARGEST || memchr::memchr(b'\r', pem).is_some() {
        return None;
    }
    let mut found = Vec::new();
    let mut block: Option<Vec<u8>> = None;
    for line in lines(pem) {
        match &mut block {
            None if line == BEGIN => block = Some(Vec::new()),
            Some(_) if line == END => found.push(STANDARD.decode(block.take()?).ok()?),
            _ if line.starts_with(b"-----") => return None,
            Some(base64) => base64.extend_from_slice(line),
            None => {}
        }
    }
    block.is_none().then_some(found)
}

/// The certificates rustls-pki-types' parser (ureq's) finds in `pem`.
pub(crate) fn strictly_parsed(pem: &[u8]) -> Vec<Vec<u8>> {
    ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(cert)) => Some(cert.der().to_vec()),
            _ => None,
        })
        .collect()
}

/// The lines of `text`, without their `\n`, found with memchr.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text)
        .chain([text.len()])
        .map(move |end| {
            let line = &text[start..end];
            start = end + 1;
            line
        })
}

/// Roots with a user's bundle added, by the bundle's content: handles that
/// add the same bundle share one set of roots, and so one TLS configuration.
/// Under the fork gate, as `DEFAULT_ROOTS`.
static WITH_ADDED: Lazy<Mutex<HashMap<Vec<u8>, Roots>>> = Lazy::new(Default::default);

/// The default roots, or the default roots plus the certificates of a
/// bundle. Equal when they are the same set, which lets handles share a
/// transport.
#[derive(Clone, Default)]
pub struct TrustRoots {
    added: Option<Roots>,
}

impl TrustRoots {
    /// Adds every certificate of a PEM file to the default roots.
    pub fn with_ca_file(_gate: &fork::Gate, path: &Path) -> Result<TrustRoots, Error> {
        let pem = std::fs::read(path).map_err(|e| {
            Error::invalid_argument(format!("cannot read the CA file {}: {e}", path.display()))
        })?;
        let with_added = || WITH_ADDED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(roots) = with_added().get(&pem) {
            return Ok(TrustRoots {
                added: Some(roots.clone()),
            });
        }
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
        let roots = with_added().entry(pem).or_insert(Arc::new(all)).clone();
        Ok(TrustRoots { added: Some(roots) })
    }

    pub fn root_certs(&self, gate: &fork::Gate) -> RootCerts {
        RootCerts::Specific(self.certificates(gate))
    }

    /// The certificates themselves, for a TLS client other than ureq's (the
    /// Redis store's), which must trust exactly what the auth server's does.
    pub fn certificates(&self, _gate: &fork::Gate) -> Roots {
        self.added.clone().unwrap_or_else(|| DEFAULT_ROOTS.clone())
    }

    /// Names the set of roots: the same value for the same set.
    fn identity(&self) -> usize {
        self.added
            .as_ref()
            .map_or(0, |roots| Arc::as_ptr(roots) as usize)
    }
}

impl PartialEq for TrustRoots {
    fn eq(&self, other: &TrustRoots) -> bool {
        self.identity() == other.identity()
    }
}

impl Eq for TrustRoots {}

impl Hash for TrustRoots {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.identity().hash(state);
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

    fn text(pem: &[u8]) -> String {
        String::from_utf8(pem.to_vec()).unwrap()
    }

    #[test]
    fn a_well_formed_bundle_is_read_quickly_as_the_strict_parser_reads_it() {
        let fake = fake_mc::FakeMc::start().unwrap();
        let ca = std::fs::read(fake.ca_file()).unwrap();
        let system = bundle_file().and_then(|f| std::fs::read(f).ok());
        let mixed = [&b"text before\n"[..], &ca, b"\n# a comment\n", &ca].concat();
        for pem in [Some(ca), Some(mixed), system].into_iter().flatten() {
            let strict = strictly_parsed(&pem);
            assert!(!strict.is_empty());
            assert_eq!(certificates_quickly(&pem), Some(strict));
        }
    }

    #[test]
    fn a_bundle_in_any_other_form_gets_the_strict_parser() {
        let fake = fake_mc::FakeMc::start().unwrap();
        let ca = text(&std::fs::read(fake.ca_file()).unwrap());
        let first_line = ca.lines().nth(1).unwrap();
        let with_tab = format!("{}\t{}", &first_line[..10], &first_line[10..]);
        let begin = "-----BEGIN CERTIFICATE-----";
        let key = "-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n";
        let cases = [
            ("commented out", format!("# {ca}")),
            ("indented", format!("  {ca}")),
            (
                "trusted",
                ca.replace(" CERTIFICATE", " TRUSTED CERTIFICATE"),
            ),
            ("x509", ca.replace(" CERTIFICATE", " X509 CERTIFICATE")),
            ("another label", format!("{key}{ca}")),
            ("no end", ca.replace("-----END CERTIFICATE-----", "") + &ca),
            (
                "another label without its end",
                format!("-----BEGIN FOO-----\nQUJD\n{ca}"),
            ),
            // "ABCD" without its "==": the fake's CA, new each run, may
            // need no padding.
            (
                "unpadded",
                format!("{ca}{begin}\nQUJDRA\n-----END CERTIFICATE-----\n"),
            ),
            ("a tab in a line", ca.replacen(first_line, &with_tab, 1)),
            (
                "a tab after a marker",
                ca.replacen(begin, &format!("{begin}\t"), 1),
            ),
            (
                "a marker spaced out",
                ca.replacen(begin, "-----BEGIN CERTIFICATE- - - - -", 1),
            ),
            ("CRLF", ca.replace('\n', "\r\n")),
            ("bare CR", ca.replace('\n', "\r")),
            ("a bare CR before a marker", format!("# note\r{ca}")),
        ];
        for (case, pem) in cases {
            assert_eq!(certificates_quickly(pem.as_bytes()), None, "{case}");
        }
        assert!(certificates(format!("# {ca}").as_bytes()).is_empty());
        assert!(!certificates(ca.replace('\n', "\r").as_bytes()).is_empty());
    }

    #[test]
    fn the_same_bundle_gives_the_same_roots() {
        let fake = fake_mc::FakeMc::start().unwrap();
        let gate = fork::enter();
        let a = TrustRoots::with_ca_file(&gate, fake.ca_file()).unwrap();
        let b = TrustRoots::with_ca_file(&gate, fake.ca_file()).unwrap();
        assert!(a == b);
        assert!(a != TrustRoots::default());
    }

    #[test]
    fn missing_or_empty_ca_files_are_invalid_arguments() {
        let gate = fork::enter();
        let missing = TrustRoots::with_ca_file(&gate, Path::new("/nonexistent/ca.pem"));
        assert_eq!(missing.err().unwrap().status(), Status::InvalidArgument);

        let empty = tempfile::NamedTempFile::new().unwrap(); // removed when it drops
        std::fs::write(empty.path(), "no certificates here\n").unwrap();
        let result = TrustRoots::with_ca_file(&gate, empty.path());
        assert_eq!(result.err().unwrap().status(), Status::InvalidArgument);
    }
}
