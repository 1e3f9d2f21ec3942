//! Certificate revocation lists (RFC 5280 §5), version 1 and 2, as callers and messages supply
//! them: this crate never fetches one.
//!
//! rustls-webpki reads only version 2 lists that have a nextUpdate and extensions, and consults
//! only the first list it finds for an issuer. RFC 4134's and Bouncy Castle's lists are version 1
//! or lack both fields, and a message may carry a stale or forged list ahead of the real one
//! (SignedData's crls are not signed). So lists are read here, and a certificate is revoked when
//! any list that its issuer on the validated path signed names it ([`Crl::revokes`]).

use const_oid::ObjectIdentifier;
use der::asn1::{BitString, Int};
use der::{Any, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages};
use x509_cert::name::Name;
use x509_cert::time::Time;

use super::Certificate;
use super::webpki_algorithms::{Md5, verify};
use crate::error::{Error, Result};
use crate::time::UnixTime;

/// id-ce-cRLReasons: an entry's reason code (RFC 5280 §5.3.1).
const CRL_REASONS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.21");
/// id-ce-invalidityDate (RFC 5280 §5.3.2).
const INVALIDITY_DATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.24");
/// id-ce-issuingDistributionPoint (RFC 5280 §5.2.5).
const ISSUING_DISTRIBUTION_POINT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.28");
/// id-ce-cRLNumber (RFC 5280 §5.2.3).
const CRL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.20");
/// removeFromCRL (RFC 5280 §5.3.1): the entry lifts an earlier hold; it revokes nothing.
const REMOVE_FROM_CRL: u8 = 8;

/// RFC 5280 §5.1 CertificateList, with the signed part kept as received.
#[derive(Sequence)]
struct CertificateListRead {
    tbs_cert_list: Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// RFC 5280 §5.1 TBSCertList; `version` is absent in version 1 lists.
#[derive(Sequence)]
struct TbsCertListRead {
    version: Option<u8>,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    this_update: Time,
    next_update: Option<Time>,
    revoked_certificates: Option<Vec<RevokedRead>>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    crl_extensions: Option<Vec<Extension>>,
}

#[derive(Sequence)]
struct RevokedRead {
    user_certificate: Int,
    revocation_date: Time,
    crl_entry_extensions: Option<Vec<Extension>>,
}

/// RFC 5280 §5.2.5 IssuingDistributionPoint, for the flags that change what entries mean.
#[derive(Sequence)]
struct IssuingDistributionPointRead {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    distribution_point: Option<Any>,
    #[asn1(
        context_specific = "1",
        tag_mode = "IMPLICIT",
        default = "Default::default"
    )]
    only_contains_user_certs: bool,
    #[asn1(
        context_specific = "2",
        tag_mode = "IMPLICIT",
        default = "Default::default"
    )]
    only_contains_ca_certs: bool,
    #[asn1(context_specific = "3", tag_mode = "IMPLICIT", optional = "true")]
    only_some_reasons: Option<BitString>,
    #[asn1(
        context_specific = "4",
        tag_mode = "IMPLICIT",
        default = "Default::default"
    )]
    indirect_crl: bool,
    #[asn1(
        context_specific = "5",
        tag_mode = "IMPLICIT",
        default = "Default::default"
    )]
    only_contains_attribute_certs: bool,
}

/// A certificate revocation list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crl {
    der: Vec<u8>,
    tbs: Vec<u8>,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: Vec<u8>,
    /// The issuer's name, DER: compared byte for byte, as certificate names are.
    issuer: Vec<u8>,
    this_update: UnixTime,
    /// Serial numbers (INTEGER contents) and revocation dates.
    revoked: Vec<(Vec<u8>, UnixTime)>,
    /// `false` for lists whose entries this crate cannot interpret (delta, indirect, attribute
    /// certificate lists, unknown critical extensions): RFC 5280 §5.2 forbids using them.
    usable: bool,
}

impl Crl {
    /// Parse a DER CertificateList.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let malformed = |e: der::Error| Error::MalformedCrl(e.to_string());
        let list = CertificateListRead::from_der(der).map_err(malformed)?;
        let tbs = list.tbs_cert_list.to_der().map_err(malformed)?;
        let read = TbsCertListRead::from_der(&tbs).map_err(malformed)?;
        if !matches!(read.version, None | Some(1)) {
            return Err(Error::MalformedCrl(String::from("unknown version")));
        }
        let mut usable = read.signature == list.signature_algorithm;
        for extension in read.crl_extensions.iter().flatten() {
            usable &= match extension.extn_id {
                ISSUING_DISTRIBUTION_POINT => {
                    IssuingDistributionPointRead::from_der(extension.extn_value.as_bytes())
                        .is_ok_and(|idp| !idp.indirect_crl && !idp.only_contains_attribute_certs)
                }
                CRL_NUMBER => true,
                // deltaCRLIndicator (critical) and anything else unknown and critical.
                _ => !extension.critical,
            };
        }
        let mut revoked = Vec::new();
        for entry in read.revoked_certificates.into_iter().flatten() {
            let mut lifts_hold = false;
            for extension in entry.crl_entry_extensions.iter().flatten() {
                match extension.extn_id {
                    // ReasonCode ::= ENUMERATED, here as its DER: 0a 01 <reason>.
                    CRL_REASONS => {
                        lifts_hold =
                            extension.extn_value.as_bytes() == [0x0a, 0x01, REMOVE_FROM_CRL]
                    }
                    INVALIDITY_DATE => {}
                    // certificateIssuer (indirect lists) and anything unknown and critical.
                    _ => usable &= !extension.critical,
                }
            }
            if !lifts_hold {
                revoked.push((
                    entry.user_certificate.as_bytes().to_vec(),
                    UnixTime::from_x509(&entry.revocation_date),
                ));
            }
        }
        Ok(Self {
            der: der.to_vec(),
            tbs,
            signature_algorithm: list.signature_algorithm,
            signature: list
                .signature
                .as_bytes()
                .ok_or_else(|| Error::MalformedCrl(String::from("signature bits")))?
                .to_vec(),
            issuer: read.issuer.to_der().map_err(malformed)?,
            this_update: UnixTime::from_x509(&read.this_update),
            revoked,
            usable,
        })
    }

    /// Parse one PEM `X509 CRL` block, or DER.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self> {
        match core::str::from_utf8(bytes) {
            Ok(text) if text.contains("-----BEGIN") => {
                let (label, der) = der::pem::decode_vec(text.trim().as_bytes())
                    .map_err(|e| Error::MalformedCrl(e.to_string()))?;
                if label != "X509 CRL" {
                    return Err(Error::MalformedCrl(format!("unexpected PEM label {label}")));
                }
                Self::from_der(&der)
            }
            _ => Self::from_der(bytes),
        }
    }

    /// The exact DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// When the list was issued (thisUpdate).
    pub fn this_update(&self) -> UnixTime {
        self.this_update
    }

    /// Whether this list, signed by `issuer`, says that `cert` was revoked at or before `now`
    /// (RFC 5280 §6.3.3). Any failure to establish that — another issuer, a bad signature, an
    /// issuer whose keyUsage lacks cRLSign, a list that cannot be interpreted — answers `false`.
    pub(crate) fn revokes(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        now: UnixTime,
        md5: Md5,
    ) -> bool {
        let cert_tbs = cert.x509().tbs_certificate();
        let issuer_tbs = issuer.x509().tbs_certificate();
        let names_match = cert_tbs.issuer().to_der().is_ok_and(|n| n == self.issuer)
            && issuer_tbs
                .subject()
                .to_der()
                .is_ok_and(|n| n == self.issuer);
        if !self.usable || !names_match {
            return false;
        }
        let serial = cert_tbs.serial_number().as_bytes();
        let listed = self
            .revoked
            .iter()
            .any(|(number, date)| number == serial && *date <= now);
        if !listed {
            return false;
        }
        // RFC 5280 §6.3.3 (f): the issuer's key must be allowed to sign CRLs.
        let may_sign_crls = match issuer_tbs.get_extension::<KeyUsage>() {
            Ok(Some((_, usage))) => usage.0.contains(KeyUsages::CRLSign),
            Ok(None) => true,
            Err(_) => false,
        };
        // Checked last: it is the expensive part, and the only one a forged list cannot pass.
        may_sign_crls
            && issuer.public_key().is_ok_and(|key| {
                verify(
                    &key,
                    &self.signature_algorithm,
                    &self.tbs,
                    &self.signature,
                    md5,
                )
            })
    }
}
