//! Naming recipients (RFC 5652 §6.2): how a RecipientInfo points at a certificate.

use cms::cert::IssuerAndSerialNumber;
use x509_cert::ext::pkix::SubjectKeyIdentifier;

use crate::cert::Certificate;
use crate::error::{Error, Result};

/// How a new RecipientInfo identifies the recipient's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecipientIdentifierKind {
    /// issuerAndSerialNumber: read by every client (the default).
    #[default]
    IssuerAndSerialNumber,
    /// subjectKeyIdentifier (RFC 5652 §6.2.1 [0], RFC 5753 rKeyId).
    SubjectKeyIdentifier,
}

/// The certificate's issuer and serial number.
pub fn issuer_and_serial(cert: &Certificate) -> IssuerAndSerialNumber {
    let tbs = cert.x509().tbs_certificate();
    IssuerAndSerialNumber {
        issuer: tbs.issuer().clone(),
        serial_number: tbs.serial_number().clone(),
    }
}

/// The certificate's subjectKeyIdentifier extension, if it has one.
pub fn subject_key_identifier(cert: &Certificate) -> Option<SubjectKeyIdentifier> {
    match cert
        .x509()
        .tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
    {
        Ok(Some((_, ski))) => Some(ski),
        _ => None,
    }
}

/// The subjectKeyIdentifier a new RecipientInfo uses, or an error naming the certificate.
pub fn required_subject_key_identifier(cert: &Certificate) -> Result<SubjectKeyIdentifier> {
    subject_key_identifier(cert).ok_or_else(|| {
        Error::InvalidArgument(format!(
            "certificate {} has no subjectKeyIdentifier",
            cert.x509().tbs_certificate().subject()
        ))
    })
}

/// Whether `isn` names `cert`.
pub fn names_by_issuer_and_serial(isn: &IssuerAndSerialNumber, cert: &Certificate) -> bool {
    let tbs = cert.x509().tbs_certificate();
    isn.serial_number == *tbs.serial_number() && isn.issuer == *tbs.issuer()
}

/// Whether `ski` names `cert`.
pub fn names_by_key_identifier(ski: &SubjectKeyIdentifier, cert: &Certificate) -> bool {
    subject_key_identifier(cert).is_some_and(|own| own == *ski)
}
