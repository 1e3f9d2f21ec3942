//! RFC 5280 §6 path validation for S/MIME (RFC 8550), on rustls-webpki.
//!
//! webpki builds the path from the signer's certificate through the message's and the caller's
//! certificates to an anchor, and checks signatures, validity, basicConstraints and
//! pathLenConstraint, unknown critical extensions, dNSName and iPAddress name constraints and
//! loops (RFC 4158 §5.2), within fixed budgets. Its extended-key-usage hook gets the S/MIME rule
//! (RFC 8550 §4.4.4), which webpki applies to every certificate of the path, as NSS does. On top
//! of it, through its path callback and afterwards, this module checks what webpki leaves out:
//! keyUsage (RFC 8550 §4.4.2, RFC 5280 §6.1.4 (n)) and revocation by the caller's and the
//! message's CRLs ([`Crl`]).
//!
//! webpki rejects every path below a CA whose name constraints include rfc822Name or
//! directoryName subtrees (the ones constrained S/MIME sub-CAs carry), and every version 1
//! leaf. For exactly those two refusals a small search of our own ([`fallback`]) validates
//! the path instead, with the same rules plus [`name_constraints`] for those forms.

use core::time::Duration;

use der::Encode;
use rustls_pki_types::{CertificateDer, TrustAnchor};
use webpki::{
    EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeId, KeyPurposeIdIter, VerifiedPath,
};
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, NameConstraints,
};

use super::Certificate;
use super::crl::Crl;
use super::name_constraints;
use super::trust::Usage;
use super::webpki_algorithms::{self, Md5};
use crate::cms::algorithm::{DigestAlgorithm, SignatureScheme};
use crate::error::ChainError;
use crate::key::PublicKey;
use crate::time::UnixTime;

/// id-kp-emailProtection, DER contents of the OID (RFC 5280 §4.2.1.12).
const EMAIL_PROTECTION: &[u8] = b"\x2b\x06\x01\x05\x05\x07\x03\x04";
/// anyExtendedKeyUsage (2.5.29.37.0).
const ANY_EXTENDED_KEY_USAGE: &[u8] = b"\x55\x1d\x25\x00";
/// Intermediates between leaf and anchor, as webpki bounds them.
const MAX_INTERMEDIATES: usize = 6;
/// Signature checks one fallback search may spend (webpki's own budget is 100).
const MAX_SIGNATURES: usize = 100;
/// Below this many bits an RSA key on the path is reported as weak.
const WEAK_RSA_BITS: u32 = 2048;

/// What to validate: the leaf, the certificates that may complete its path, the anchors.
pub(crate) struct Request<'a> {
    pub(crate) leaf: &'a Certificate,
    pub(crate) anchors: &'a [Certificate],
    pub(crate) candidates: Vec<&'a Certificate>,
    pub(crate) crls: Vec<&'a Crl>,
    pub(crate) usage: Usage,
    pub(crate) now: UnixTime,
    pub(crate) md5: Md5,
}

/// The validated path, leaf first and trust anchor last.
pub(crate) fn validate<'a>(request: &Request<'a>) -> Result<Vec<&'a Certificate>, ChainError> {
    let leaf = request.leaf;
    // A certificate the caller trusts directly (a self-signed correspondent) is its own path.
    if let Some(anchor) = request.anchors.iter().find(|a| a.der() == leaf.der()) {
        check_validity(anchor, request.now)?;
        check_extended_key_usage(anchor)?;
        check_leaf_usage(anchor, request.usage)?;
        return Ok(vec![anchor]);
    }
    let path = match with_webpki(request) {
        Err(Refusal::Limitation) => fallback(request)?,
        Err(Refusal::Invalid(e)) => return Err(e),
        Ok(path) => path,
    };
    check_leaf_usage(leaf, request.usage)?;
    Ok(path)
}

enum Refusal {
    /// webpki cannot judge this path (a name constraint form it lacks, a version 1 leaf).
    Limitation,
    Invalid(ChainError),
}

fn with_webpki<'a>(request: &Request<'a>) -> Result<Vec<&'a Certificate>, Refusal> {
    let leaf_der = CertificateDer::from(request.leaf.der());
    let leaf = match EndEntityCert::try_from(&leaf_der) {
        Ok(leaf) => leaf,
        Err(webpki::Error::UnsupportedCertVersion) => return Err(Refusal::Limitation),
        Err(e) => return Err(Refusal::Invalid(chain_error(&e))),
    };
    let anchor_ders: Vec<CertificateDer<'_>> = request
        .anchors
        .iter()
        .map(|a| CertificateDer::from(a.der()))
        .collect();
    // Anchors webpki cannot read are left out; their index keeps them matched to ours.
    let (anchor_index, trust_anchors): (Vec<usize>, Vec<TrustAnchor<'_>>) = anchor_ders
        .iter()
        .enumerate()
        .filter_map(|(i, der)| webpki::anchor_from_trusted_cert(der).ok().map(|ta| (i, ta)))
        .unzip();
    let intermediates: Vec<CertificateDer<'_>> = request
        .candidates
        .iter()
        .map(|c| CertificateDer::from(c.der()))
        .collect();
    let resolve = |verified: &VerifiedPath<'_>| -> Option<Vec<&'a Certificate>> {
        let mut path = vec![request.leaf];
        for cert in verified.intermediate_certificates() {
            let der = cert.der();
            path.push(
                *request
                    .candidates
                    .iter()
                    .find(|c| c.der() == der.as_ref())?,
            );
        }
        let position = trust_anchors
            .iter()
            .position(|ta| core::ptr::eq(ta, verified.anchor()))?;
        path.push(request.anchors.get(*anchor_index.get(position)?)?);
        Some(path)
    };
    // The callback answers in webpki's errors; two that webpki itself never returns here (we
    // pass it no revocation options) stand for ours, so that its ranking of failures holds.
    let check_path = |verified: &VerifiedPath<'_>| -> Result<(), webpki::Error> {
        let path = resolve(verified).ok_or(webpki::Error::UnknownIssuer)?;
        check_issuers_and_revocation(&path, request).map_err(|e| match e {
            ChainError::Revoked => webpki::Error::CertRevoked,
            _ => webpki::Error::IssuerNotCrlSigner,
        })
    };
    let now =
        rustls_pki_types::UnixTime::since_unix_epoch(Duration::from_secs(request.now.as_secs()));
    let verified = leaf.verify_for_usage(
        webpki_algorithms::supported(request.md5),
        &trust_anchors,
        &intermediates,
        now,
        SmimeExtendedKeyUsage,
        None,
        Some(&check_path),
    );
    match verified {
        Ok(verified) => resolve(&verified).ok_or(Refusal::Invalid(ChainError::UnknownIssuer)),
        Err(webpki::Error::NameConstraintViolation) => Err(Refusal::Limitation),
        Err(e) => Err(Refusal::Invalid(chain_error(&e))),
    }
}

/// RFC 8550 §4.4.4: an extendedKeyUsage, where present, includes emailProtection or
/// anyExtendedKeyUsage. webpki asks this of every certificate on the path.
struct SmimeExtendedKeyUsage;

impl ExtendedKeyUsageValidator for SmimeExtendedKeyUsage {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let mut empty = true;
        for purpose in iter {
            let purpose = purpose?;
            empty = false;
            if purpose == KeyPurposeId::new(EMAIL_PROTECTION)
                || purpose == KeyPurposeId::new(ANY_EXTENDED_KEY_USAGE)
            {
                return Ok(());
            }
        }
        if empty {
            Ok(())
        } else {
            Err(webpki::Error::RequiredEkuNotFoundContext(
                webpki::RequiredEkuNotFoundContext {
                    required: webpki::KeyUsage::required(EMAIL_PROTECTION),
                    present: Vec::new(),
                },
            ))
        }
    }
}

fn chain_error(error: &webpki::Error) -> ChainError {
    use webpki::Error as E;
    #[allow(deprecated)]
    match error {
        E::UnknownIssuer
        | E::CertDistrusted
        | E::MaximumSignatureChecksExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumNameConstraintComparisonsExceeded => ChainError::UnknownIssuer,
        E::CertExpired { .. } => ChainError::Expired,
        E::CertNotValidYet { .. } => ChainError::NotYetValid,
        E::InvalidSignatureForPublicKey | E::SignatureAlgorithmMismatch => {
            ChainError::BadCertificateSignature
        }
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            ChainError::UnsupportedAlgorithm
        }
        // Only an issuer reaches here with version 1 or 2 (a leaf goes to the fallback): it has
        // no basicConstraints, so it cannot be a CA (RFC 5280 §6.1.4 (k)).
        E::EndEntityUsedAsCa | E::UnsupportedCertVersion => ChainError::NotCa,
        // A CA certificate as the signer's, or (our stand-in) a keyUsage that forbids the use.
        E::CaUsedAsEndEntity | E::IssuerNotCrlSigner => ChainError::KeyUsage,
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => {
            ChainError::ExtendedKeyUsage
        }
        E::NameConstraintViolation
        | E::MalformedNameConstraint
        | E::InvalidNetworkMaskConstraint => ChainError::NameConstraints,
        E::PathLenConstraintViolated | E::MaximumPathDepthExceeded => ChainError::PathLength,
        E::UnsupportedCriticalExtension => ChainError::CriticalExtension,
        E::CertRevoked => ChainError::Revoked,
        _ => ChainError::Unsupported,
    }
}

/// keyUsage of the issuers (RFC 5280 §6.1.4 (n)) and revocation of every certificate below the
/// anchor (§6.3) on a path that is otherwise valid.
fn check_issuers_and_revocation(
    path: &[&Certificate],
    request: &Request<'_>,
) -> Result<(), ChainError> {
    let intermediates = path
        .get(1..path.len().saturating_sub(1))
        .unwrap_or_default();
    if !intermediates.iter().all(|ca| may_issue(ca)) {
        return Err(ChainError::KeyUsage);
    }
    let revoked = path.windows(2).any(|pair| match pair {
        [cert, issuer] => request
            .crls
            .iter()
            .any(|crl| crl.revokes(cert, issuer, request.now, request.md5)),
        _ => false,
    });
    if revoked {
        Err(ChainError::Revoked)
    } else {
        Ok(())
    }
}

/// keyCertSign, when keyUsage is present.
fn may_issue(ca: &Certificate) -> bool {
    match ca.x509().tbs_certificate().get_extension::<KeyUsage>() {
        Ok(Some((_, usage))) => usage.0.contains(KeyUsages::KeyCertSign),
        Ok(None) => true,
        Err(_) => false,
    }
}

/// RFC 8550 §4.4.2: where keyUsage is present, signing needs digitalSignature or
/// nonRepudiation, key transport keyEncipherment, key agreement keyAgreement.
fn check_leaf_usage(leaf: &Certificate, usage: Usage) -> Result<(), ChainError> {
    let bits = match leaf.x509().tbs_certificate().get_extension::<KeyUsage>() {
        Ok(Some((_, bits))) => bits,
        Ok(None) => return Ok(()),
        Err(_) => return Err(ChainError::KeyUsage),
    };
    let allowed = match usage {
        Usage::Any => true,
        Usage::Signing => {
            bits.0.contains(KeyUsages::DigitalSignature)
                || bits.0.contains(KeyUsages::NonRepudiation)
        }
        Usage::Encryption => match leaf.public_key() {
            Ok(PublicKey::Rsa(_)) => bits.0.contains(KeyUsages::KeyEncipherment),
            Ok(_) => bits.0.contains(KeyUsages::KeyAgreement),
            Err(_) => false,
        },
    };
    if allowed {
        Ok(())
    } else {
        Err(ChainError::KeyUsage)
    }
}

fn check_extended_key_usage(cert: &Certificate) -> Result<(), ChainError> {
    use const_oid::db::rfc5280::{ANY_EXTENDED_KEY_USAGE, ID_KP_EMAIL_PROTECTION};
    match cert
        .x509()
        .tbs_certificate()
        .get_extension::<ExtendedKeyUsage>()
    {
        Ok(None) => Ok(()),
        Ok(Some((_, eku)))
            if eku
                .0
                .iter()
                .any(|p| *p == ID_KP_EMAIL_PROTECTION || *p == ANY_EXTENDED_KEY_USAGE) =>
        {
            Ok(())
        }
        _ => Err(ChainError::ExtendedKeyUsage),
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

/// Whether a certificate on `path` (leaf first, anchor last) was signed with SHA-1 or MD5, or
/// by an RSA key under 2048 bits: material the report calls weak.
pub(crate) fn has_weak_link(path: &[Certificate]) -> bool {
    path.windows(2).any(|pair| match pair {
        [cert, issuer] => {
            use SignatureScheme as S;
            let weak_digest = match S::from_identifier(cert.x509().signature_algorithm()) {
                Ok(
                    S::RsaPkcs1(Some(digest)) | S::Ecdsa(Some(digest)) | S::RsaPss { digest, .. },
                ) => digest == DigestAlgorithm::Sha1,
                Ok(S::Ed25519) => false,
                // MD5, or nothing we could have verified.
                _ => true,
            };
            weak_digest || issuer.has_weak_key()
        }
        _ => false,
    })
}

impl Certificate {
    /// Whether the subject key is an RSA key under 2048 bits (RFC 8551 §2.3 asks at least
    /// 2048 of new keys).
    pub(crate) fn has_weak_key(&self) -> bool {
        use rsa::traits::PublicKeyParts;
        matches!(self.public_key(), Ok(PublicKey::Rsa(key)) if key.n().bit_width_vartime() < WEAK_RSA_BITS)
    }
}

// ---- The fallback: paths webpki cannot judge ------------------------------------------------

/// Depth-first search over the same candidates and anchors, applying every rule above plus the
/// name constraints of each CA and anchor on the path. Bounded like webpki: at most
/// [`MAX_INTERMEDIATES`] intermediates and [`MAX_SIGNATURES`] signature checks.
fn fallback<'a>(request: &Request<'a>) -> Result<Vec<&'a Certificate>, ChainError> {
    check_alone(request.leaf, false, request.now)?;
    let mut search = Search {
        request,
        signatures: MAX_SIGNATURES,
        best: ChainError::UnknownIssuer,
    };
    let mut path = vec![request.leaf];
    match search.extend(&mut path) {
        Some(found) => Ok(found),
        None => Err(search.best),
    }
}

struct Search<'r, 'a> {
    request: &'r Request<'a>,
    signatures: usize,
    best: ChainError,
}

impl<'a> Search<'_, 'a> {
    fn extend(&mut self, path: &mut Vec<&'a Certificate>) -> Option<Vec<&'a Certificate>> {
        let request = self.request;
        let current = *path.last()?;
        let issuer_name = current.x509().tbs_certificate().issuer().to_der().ok()?;
        let names = |c: &Certificate| c.x509().tbs_certificate().subject().to_der().ok();
        for anchor in request.anchors {
            if names(anchor).as_ref() != Some(&issuer_name) || !self.signed_by(current, anchor) {
                continue;
            }
            let mut full = path.clone();
            full.push(anchor);
            match self.check_whole(&full) {
                Ok(()) => return Some(full),
                Err(e) => self.note(e),
            }
        }
        if path.len() > MAX_INTERMEDIATES {
            self.note(ChainError::PathLength);
            return None;
        }
        for &candidate in &request.candidates {
            let key = |c: &Certificate| {
                let tbs = c.x509().tbs_certificate();
                (
                    tbs.subject().to_der().ok(),
                    tbs.subject_public_key_info().to_der().ok(),
                )
            };
            // RFC 4158 §5.2: a name and key already on the path would close a loop.
            if names(candidate).as_ref() != Some(&issuer_name)
                || path.iter().any(|c| key(c) == key(candidate))
            {
                continue;
            }
            if let Err(e) = check_alone(candidate, true, request.now) {
                self.note(e);
                continue;
            }
            if !self.signed_by(current, candidate) {
                continue;
            }
            path.push(candidate);
            if let Some(found) = self.extend(path) {
                return Some(found);
            }
            path.pop();
        }
        None
    }

    fn signed_by(&mut self, cert: &Certificate, issuer: &Certificate) -> bool {
        if self.signatures == 0 {
            return false;
        }
        self.signatures -= 1;
        let x509 = cert.x509();
        let holds = x509.tbs_certificate().signature() == x509.signature_algorithm()
            && issuer.public_key().is_ok_and(|key| {
                let (Ok(tbs), Some(signature)) =
                    (x509.tbs_certificate().to_der(), x509.signature().as_bytes())
                else {
                    return false;
                };
                webpki_algorithms::verify(
                    &key,
                    x509.signature_algorithm(),
                    &tbs,
                    signature,
                    self.request.md5,
                )
            });
        if !holds {
            self.note(ChainError::BadCertificateSignature);
        }
        holds
    }

    /// The rules that involve more than one certificate, on a path that reaches an anchor.
    fn check_whole(&self, path: &[&Certificate]) -> Result<(), ChainError> {
        let below_anchor = path.len().saturating_sub(1);
        for (index, ca) in path.iter().enumerate().skip(1) {
            if index < below_anchor {
                // pathLenConstraint counts the non-self-issued intermediates below this CA.
                let below = path
                    .get(1..index)
                    .unwrap_or_default()
                    .iter()
                    .filter(|c| !is_self_issued(c))
                    .count();
                if let Ok(Some((_, bc))) = ca
                    .x509()
                    .tbs_certificate()
                    .get_extension::<BasicConstraints>()
                    && bc
                        .path_len_constraint
                        .is_some_and(|max| below > usize::from(max))
                {
                    return Err(ChainError::PathLength);
                }
            }
            let constraints = match ca
                .x509()
                .tbs_certificate()
                .get_extension::<NameConstraints>()
            {
                Ok(Some((_, nc))) => nc,
                Ok(None) => continue,
                Err(_) => return Err(ChainError::NameConstraints),
            };
            let subordinates = path.get(..index).unwrap_or_default();
            for (position, cert) in subordinates.iter().enumerate() {
                let check_subject = position == 0 || !is_self_issued(cert);
                if !name_constraints::permits(&constraints, cert, check_subject) {
                    return Err(ChainError::NameConstraints);
                }
            }
        }
        check_issuers_and_revocation(path, self.request)
    }

    /// Keep the most telling failure, ranked as webpki ranks its own.
    fn note(&mut self, error: ChainError) {
        if rank(error) > rank(self.best) {
            self.best = error;
        }
    }
}

fn rank(error: ChainError) -> u8 {
    match error {
        ChainError::Expired | ChainError::NotYetValid => 9,
        ChainError::Revoked => 8,
        ChainError::BadCertificateSignature => 7,
        ChainError::ExtendedKeyUsage => 6,
        ChainError::NameConstraints => 5,
        ChainError::PathLength => 4,
        ChainError::NotCa | ChainError::KeyUsage => 3,
        ChainError::UnknownIssuer => 0,
        _ => 2,
    }
}

/// The rules of one certificate on its own: validity, the S/MIME extendedKeyUsage, its
/// version and critical extensions, and basicConstraints for its place on the path.
fn check_alone(cert: &Certificate, issuer: bool, now: UnixTime) -> Result<(), ChainError> {
    check_validity(cert, now)?;
    check_extended_key_usage(cert)?;
    let tbs = cert.x509().tbs_certificate();
    if tbs.version() != Version::V3 {
        // A version 1 or 2 certificate has no basicConstraints, so it cannot issue (§6.1.4 (k)).
        return if issuer {
            Err(ChainError::NotCa)
        } else {
            Ok(())
        };
    }
    // webpki's reading of a certificate rejects unknown critical extensions; reuse it.
    if let Err(e) = EndEntityCert::try_from(&CertificateDer::from(cert.der())) {
        return Err(match e {
            webpki::Error::UnsupportedCriticalExtension => ChainError::CriticalExtension,
            _ => ChainError::Unsupported,
        });
    }
    match (issuer, cert.is_ca()) {
        (true, false) => Err(ChainError::NotCa),
        (false, true) => Err(ChainError::KeyUsage),
        _ => Ok(()),
    }
}

fn is_self_issued(cert: &Certificate) -> bool {
    let tbs = cert.x509().tbs_certificate();
    tbs.subject().to_der().ok() == tbs.issuer().to_der().ok()
}
