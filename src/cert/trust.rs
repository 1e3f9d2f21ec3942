//! Trust anchors, intermediates and CRLs a caller supplies, and the verdict on a certificate:
//! full RFC 5280 path validation for S/MIME ([`super::path`] says how), reduced to a status.

use super::Certificate;
use super::crl::Crl;
use super::path::{self, Request};
use super::webpki_algorithms::Md5;
use crate::error::ChainError;
use crate::time::UnixTime;

/// Bounds the certificates and CRLs a message may add, so that a hostile one cannot make path
/// building slow (the search itself is budgeted too).
const MAX_OFFERED_CERTIFICATES: usize = 32;
const MAX_OFFERED_CRLS: usize = 16;

/// The certificates a caller trusts, extra intermediates it offers for path building, and the
/// CRLs it has fetched. Revocation is checked against these CRLs and those a message carries;
/// a certificate no CRL speaks for counts as not revoked (nothing is fetched).
#[derive(Clone, Debug)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
    intermediates: Vec<Certificate>,
    crls: Vec<Crl>,
    md5: Md5,
}

impl Default for TrustStore {
    fn default() -> Self {
        Self::new(Vec::new(), Vec::new())
    }
}

/// The outcome of a chain check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainStatus {
    /// A path leads to a trust anchor and every certificate on it is valid at the checked time.
    Trusted,
    /// No acceptable path; the error says why the best candidate failed.
    Untrusted(ChainError),
    /// The caller supplied no trust anchors.
    NotChecked,
}

impl ChainStatus {
    /// The API.md label: `trusted`, `untrusted`, `expired`, `revoked` or `not-checked`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Trusted => "trusted",
            Self::Untrusted(ChainError::Expired | ChainError::NotYetValid) => "expired",
            Self::Untrusted(ChainError::Revoked) => "revoked",
            Self::Untrusted(_) => "untrusted",
            Self::NotChecked => "not-checked",
        }
    }

    /// The error code, when the chain does not hold.
    pub fn error(self) -> Option<ChainError> {
        match self {
            Self::Untrusted(e) => Some(e),
            _ => None,
        }
    }
}

/// What the end-entity certificate must be good for (RFC 8550 §4.4.2). Every certificate on
/// the path must allow e-mail in its extendedKeyUsage, if it has one (§4.4.4), whatever this is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Usage {
    /// Any S/MIME use: keyUsage is not consulted.
    #[default]
    Any,
    /// Signing mail: keyUsage, where present, has digitalSignature or nonRepudiation.
    Signing,
    /// Encrypting to it: keyUsage, where present, has keyEncipherment (RSA) or keyAgreement.
    Encryption,
}

/// The verdict on one certificate, with the path that earned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    /// Trusted, untrusted (and why), or not checked.
    pub status: ChainStatus,
    /// The validated path, the checked certificate first and the trust anchor last; empty
    /// unless trusted.
    pub path: Vec<Certificate>,
}

impl Validation {
    /// Whether the path leans on weak material: a certificate signed with SHA-1 (or MD5, where
    /// accepted) or by an RSA key under 2048 bits.
    pub fn has_weak_link(&self) -> bool {
        path::has_weak_link(&self.path)
    }
}

impl TrustStore {
    /// A store trusting `anchors`, with `intermediates` available for building paths.
    pub fn new(anchors: Vec<Certificate>, intermediates: Vec<Certificate>) -> Self {
        Self {
            anchors,
            intermediates,
            crls: Vec::new(),
            md5: Md5::Refused,
        }
    }

    /// The same store, also consulting `crls` (see [`Crl::from_pem_or_der`]).
    pub fn with_crls(mut self, crls: Vec<Crl>) -> Self {
        self.crls = crls;
        self
    }

    /// The trust anchors.
    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    /// The intermediates offered for path building.
    pub fn intermediates(&self) -> &[Certificate] {
        &self.intermediates
    }

    /// The caller's CRLs.
    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }

    /// Check `leaf` for any S/MIME use at `now`, using `offered` (certificates carried in the
    /// message) and the store's intermediates to reach an anchor.
    pub fn check(&self, leaf: &Certificate, offered: &[Certificate], now: UnixTime) -> ChainStatus {
        self.validate(leaf, offered, &[], Usage::Any, now).status
    }

    /// Validate `leaf` for `usage` at `now`: a path through `offered` certificates (from the
    /// message) and the store's intermediates to an anchor, checked against the store's CRLs
    /// and `offered_crls` (from the message).
    pub fn validate(
        &self,
        leaf: &Certificate,
        offered: &[Certificate],
        offered_crls: &[Crl],
        usage: Usage,
        now: UnixTime,
    ) -> Validation {
        if self.anchors.is_empty() {
            return Validation {
                status: ChainStatus::NotChecked,
                path: Vec::new(),
            };
        }
        let mut candidates: Vec<&Certificate> = Vec::new();
        let offered = offered.iter().take(MAX_OFFERED_CERTIFICATES);
        for cert in offered.chain(&self.intermediates) {
            if cert.der() != leaf.der() && !candidates.iter().any(|c| c.der() == cert.der()) {
                candidates.push(cert);
            }
        }
        let request = Request {
            leaf,
            anchors: &self.anchors,
            candidates,
            crls: self
                .crls
                .iter()
                .chain(offered_crls.iter().take(MAX_OFFERED_CRLS))
                .collect(),
            usage,
            now,
            md5: self.md5,
        };
        match path::validate(&request) {
            Ok(path) => Validation {
                status: ChainStatus::Trusted,
                path: path.into_iter().cloned().collect(),
            },
            Err(e) => Validation {
                status: ChainStatus::Untrusted(e),
                path: Vec::new(),
            },
        }
    }
}

/// Settings that weaken path validation, kept apart as rustls keeps its own.
pub mod danger {
    use super::{Md5, TrustStore};

    /// The same store, also accepting certificates and CRLs signed with MD5 and RSA.
    ///
    /// MD5 collisions are practical (RFC 6151): the 2008 rogue CA and Flame's forged Microsoft
    /// certificate (2012) both came from CAs that still signed with MD5. Only for reading
    /// archives, such as Bouncy Castle's 2006 validator test mail; the report marks such paths
    /// weak ([`super::Validation::has_weak_link`]).
    pub fn accept_md5_signatures(store: TrustStore) -> TrustStore {
        TrustStore {
            md5: Md5::Accepted,
            ..store
        }
    }
}
