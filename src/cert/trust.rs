//! Trust anchors and a basic chain check: issuer signatures, validity and CA flags up to an
//! anchor the caller chose. Full RFC 5280 path validation (policies, name constraints,
//! revocation) is deliberately not here yet.

use der::Encode;

use super::Certificate;
use crate::cms::algorithm::verify_signature;
use crate::error::ChainError;
use crate::time::UnixTime;

/// Bounds the search so that hostile certificate sets cannot make it loop or explode.
const MAX_PATH_LEN: usize = 8;

/// The certificates a caller trusts, and extra intermediates it offers for path building.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
    intermediates: Vec<Certificate>,
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
    /// The API.md label: `trusted`, `untrusted`, `expired` or `not-checked`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Trusted => "trusted",
            Self::Untrusted(ChainError::Expired | ChainError::NotYetValid) => "expired",
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

impl TrustStore {
    /// A store trusting `anchors`, with `intermediates` available for building paths.
    pub fn new(anchors: Vec<Certificate>, intermediates: Vec<Certificate>) -> Self {
        Self {
            anchors,
            intermediates,
        }
    }

    /// The trust anchors.
    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    /// The intermediates offered for path building.
    pub fn intermediates(&self) -> &[Certificate] {
        &self.intermediates
    }

    /// Check `leaf` at `now`, using `offered` (certificates carried in the message) and the
    /// store's intermediates to reach an anchor.
    pub fn check(&self, leaf: &Certificate, offered: &[Certificate], now: UnixTime) -> ChainStatus {
        if self.anchors.is_empty() {
            return ChainStatus::NotChecked;
        }
        let pool: Vec<&Certificate> = offered.iter().chain(self.intermediates.iter()).collect();
        let mut path = vec![leaf];
        match self.extend(&mut path, &pool, now) {
            Ok(()) => ChainStatus::Trusted,
            Err(e) => ChainStatus::Untrusted(e),
        }
    }

    /// Depth-first search upwards from the last certificate of `path`. The first error seen
    /// on the most promising branch is kept, so a user learns "expired" rather than "unknown".
    fn extend<'a>(
        &'a self,
        path: &mut Vec<&'a Certificate>,
        pool: &[&'a Certificate],
        now: UnixTime,
    ) -> Result<(), ChainError> {
        let Some(&current) = path.last() else {
            return Err(ChainError::UnknownIssuer);
        };
        check_validity(current, now)?;
        if self.anchors.iter().any(|a| a.der() == current.der()) {
            return Ok(());
        }
        let mut best = ChainError::UnknownIssuer;
        for anchor in &self.anchors {
            if issued_by(current, anchor) {
                match verify_issued(current, anchor).and_then(|()| check_validity(anchor, now)) {
                    Ok(()) => return Ok(()),
                    Err(e) => best = e,
                }
            }
        }
        if path.len() >= MAX_PATH_LEN {
            return Err(best);
        }
        for &candidate in pool {
            if !issued_by(current, candidate) || path.iter().any(|c| c.der() == candidate.der()) {
                continue;
            }
            if !candidate.is_ca() {
                best = ChainError::NotCa;
                continue;
            }
            if let Err(e) = verify_issued(current, candidate) {
                best = e;
                continue;
            }
            path.push(candidate);
            match self.extend(path, pool, now) {
                Ok(()) => return Ok(()),
                Err(e) => best = e,
            }
            path.pop();
        }
        Err(best)
    }
}

fn check_validity(cert: &Certificate, now: UnixTime) -> Result<(), ChainError> {
    if now < cert.not_before() {
        Err(ChainError::NotYetValid)
    } else if now > cert.not_after() {
        Err(ChainError::Expired)
    } else {
        Ok(())
    }
}

/// Name chaining (RFC 5280 §6.1: names compared as encoded; good enough for the basic check).
fn issued_by(child: &Certificate, issuer: &Certificate) -> bool {
    child.x509().tbs_certificate().issuer() == issuer.x509().tbs_certificate().subject()
}

fn verify_issued(child: &Certificate, issuer: &Certificate) -> Result<(), ChainError> {
    let key = issuer
        .public_key()
        .map_err(|_| ChainError::BadCertificateSignature)?;
    let tbs = child
        .x509()
        .tbs_certificate()
        .to_der()
        .map_err(|_| ChainError::BadCertificateSignature)?;
    let signature = child
        .x509()
        .signature()
        .as_bytes()
        .ok_or(ChainError::BadCertificateSignature)?;
    verify_signature(
        &key,
        child.x509().signature_algorithm(),
        None,
        &tbs,
        signature,
    )
    .map(|_| ())
    .map_err(|_| ChainError::BadCertificateSignature)
}
