//! X.509 certificates (RFC 5280): parsing, the facts a user needs, and path validation.

mod crl;
mod file;
pub mod issue;
mod name_constraints;
mod path;
mod trust;
mod webpki_algorithms;

pub use crl::Crl;
pub use file::{MAX_CERTIFICATES, MAX_FILE_LEN, certificates_in};
pub use trust::{ChainStatus, TrustStore, Usage, Validation, danger};

use der::asn1::Ia5String;
use der::{Decode, Encode};
use serde::Serialize;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName};

use crate::error::{Error, Result};
use crate::key::PublicKey;
use crate::time::UnixTime;

/// A parsed certificate that keeps its exact DER encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    inner: x509_cert::Certificate,
    der: Vec<u8>,
}

/// What a person or a UI needs to know about a certificate (API.md `CertificateInfo`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CertificateInfo {
    /// Subject distinguished name, RFC 4514 string.
    pub subject: String,
    /// Issuer distinguished name, RFC 4514 string.
    pub issuer: String,
    /// Serial number, lower-case hex.
    pub serial_number: String,
    /// E-mail addresses: rfc822Name SANs, then the subject's emailAddress if not already listed.
    pub emails: Vec<String>,
    /// Start of validity, ISO-8601.
    pub not_before: String,
    /// End of validity, ISO-8601.
    pub not_after: String,
    /// `rsa-2048`, `p-256`, ... or the OID when unsupported.
    pub key_algorithm: String,
    /// keyUsage bits, as RFC 5280 names them.
    pub key_usage: Vec<String>,
    /// extendedKeyUsage OIDs by name where known.
    pub extended_key_usage: Vec<String>,
    /// basicConstraints cA.
    pub is_ca: bool,
    /// SHA-256 of the DER, lower-case hex.
    pub fingerprint_sha256: String,
    /// What its holder can decrypt, learned from a valid signature (SMIMECapabilities names,
    /// best first); absent when not known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Vec<String>>,
}

impl Certificate {
    /// Parse DER.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let inner = x509_cert::Certificate::from_der(der)
            .map_err(|e| Error::MalformedCertificate(e.to_string()))?;
        Ok(Self {
            inner,
            der: der.to_vec(),
        })
    }

    /// Parse one PEM `CERTIFICATE` block.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let (label, der) = der::pem::decode_vec(pem.trim().as_bytes())
            .map_err(|e| Error::MalformedCertificate(e.to_string()))?;
        if label != "CERTIFICATE" {
            return Err(Error::MalformedCertificate(format!(
                "unexpected PEM label {label}"
            )));
        }
        Self::from_der(&der)
    }

    /// The first certificate of a certificate file (PEM, DER, or a certs-only `.p7c`); all of
    /// them are [`certificates_in`].
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self> {
        certificates_in(bytes)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::MalformedCertificate(String::from("no certificate")))
    }

    pub(crate) fn from_x509(inner: x509_cert::Certificate) -> Result<Self> {
        let der = inner
            .to_der()
            .map_err(|e| Error::MalformedCertificate(e.to_string()))?;
        Ok(Self { inner, der })
    }

    /// The exact DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// PEM (`CERTIFICATE`, 64-column base64, LF line ends).
    pub fn to_pem(&self) -> String {
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der)
            .unwrap_or_default()
    }

    /// The parsed ASN.1 structure.
    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.inner
    }

    /// The subject public key.
    pub fn public_key(&self) -> Result<PublicKey> {
        PublicKey::from_spki(self.inner.tbs_certificate().subject_public_key_info())
    }

    /// E-mail addresses bound to this certificate (RFC 8550 §3): rfc822Name SANs first, then
    /// the legacy emailAddress attribute of the subject.
    pub fn emails(&self) -> Vec<String> {
        let tbs = self.inner.tbs_certificate();
        let mut emails: Vec<String> = Vec::new();
        if let Ok(Some((_, san))) = tbs.get_extension::<SubjectAltName>() {
            for name in san.0 {
                if let GeneralName::Rfc822Name(addr) = name {
                    emails.push(addr.to_string());
                }
            }
        }
        for atv in tbs.subject().iter() {
            if atv.oid != const_oid::db::rfc3280::EMAIL_ADDRESS {
                continue;
            }
            if let Ok(addr) = atv.value.decode_as::<Ia5String>() {
                let addr = addr.to_string();
                if !emails.iter().any(|e| e.eq_ignore_ascii_case(&addr)) {
                    emails.push(addr);
                }
            }
        }
        emails
    }

    /// Whether basicConstraints marks this certificate as a CA.
    pub fn is_ca(&self) -> bool {
        matches!(
            self.inner.tbs_certificate().get_extension::<BasicConstraints>(),
            Ok(Some((_, bc))) if bc.ca
        )
    }

    pub(crate) fn not_before(&self) -> UnixTime {
        UnixTime::from_x509(&self.inner.tbs_certificate().validity().not_before)
    }

    pub(crate) fn not_after(&self) -> UnixTime {
        UnixTime::from_x509(&self.inner.tbs_certificate().validity().not_after)
    }

    /// The facts shown to users and returned to JavaScript.
    pub fn info(&self) -> CertificateInfo {
        let tbs = self.inner.tbs_certificate();
        let key_algorithm = match self.public_key() {
            Ok(k) => k.description(),
            Err(_) => tbs.subject_public_key_info().algorithm.oid.to_string(),
        };
        let key_usage = match tbs.get_extension::<KeyUsage>() {
            Ok(Some((_, ku))) => {
                ku.0.into_iter()
                    .map(|flag| key_usage_name(flag).to_owned())
                    .collect()
            }
            _ => Vec::new(),
        };
        let extended_key_usage = match tbs.get_extension::<ExtendedKeyUsage>() {
            Ok(Some((_, eku))) => eku.0.iter().map(eku_name).collect(),
            _ => Vec::new(),
        };
        CertificateInfo {
            subject: tbs.subject().to_string(),
            issuer: tbs.issuer().to_string(),
            serial_number: hex(tbs.serial_number().as_bytes()),
            emails: self.emails(),
            not_before: self.not_before().to_iso8601(),
            not_after: self.not_after().to_iso8601(),
            key_algorithm,
            key_usage,
            extended_key_usage,
            is_ca: self.is_ca(),
            fingerprint_sha256: hex(&crate::cms::DigestAlgorithm::Sha256.digest(&self.der)),
            capabilities: None,
        }
    }
}

fn key_usage_name(flag: x509_cert::ext::pkix::KeyUsages) -> &'static str {
    use x509_cert::ext::pkix::KeyUsages as K;
    match flag {
        K::DigitalSignature => "digitalSignature",
        K::NonRepudiation => "nonRepudiation",
        K::KeyEncipherment => "keyEncipherment",
        K::DataEncipherment => "dataEncipherment",
        K::KeyAgreement => "keyAgreement",
        K::KeyCertSign => "keyCertSign",
        K::CRLSign => "cRLSign",
        K::EncipherOnly => "encipherOnly",
        K::DecipherOnly => "decipherOnly",
    }
}

fn eku_name(oid: &const_oid::ObjectIdentifier) -> String {
    use const_oid::db::rfc5280 as r;
    match *oid {
        r::ID_KP_EMAIL_PROTECTION => String::from("emailProtection"),
        r::ID_KP_CLIENT_AUTH => String::from("clientAuth"),
        r::ID_KP_SERVER_AUTH => String::from("serverAuth"),
        r::ID_KP_CODE_SIGNING => String::from("codeSigning"),
        r::ANY_EXTENDED_KEY_USAGE => String::from("anyExtendedKeyUsage"),
        other => other.to_string(),
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use core::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}
