//! Writing SignedData (RFC 5652 §5) in two phases.
//!
//! The `cms` crate's `SignedDataBuilder` signs in one step with a key it holds and unwraps
//! internally; signing here is split in two (bytes to sign, then assemble with a signature made
//! anywhere, such as a WebCrypto key) and never panics, so the structure is assembled from the
//! crate's ASN.1 types directly.

use cms::builder::{create_content_type_attribute, create_message_digest_attribute};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier,
    SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::time::Time;

use super::algorithm::DigestAlgorithm;
use crate::cert::Certificate;
use crate::error::{Error, Result};
use crate::time::UnixTime;

/// Which optional signed attributes to write, besides contentType and messageDigest.
#[derive(Debug, Clone, Copy)]
pub struct SignedAttributesSpec {
    /// signingTime (RFC 5652 §11.3), supplied by the caller.
    pub signing_time: UnixTime,
    /// Whether to write SMIMECapabilities and SMIMEEncryptionKeyPreference (RFC 8551 §2.5).
    pub advertise: bool,
}

/// A SignedData whose signed attributes are fixed and whose signature is still to be made.
#[derive(Debug)]
pub struct PreparedSignature {
    econtent: Option<Vec<u8>>,
    sid: SignerIdentifier,
    digest: DigestAlgorithm,
    content_digest: Vec<u8>,
    signed_attrs: SignedAttributes,
    to_be_signed: Vec<u8>,
    certificates: Vec<Certificate>,
}

/// Fix the signed attributes over `content` for the signer `certificate`. With `encapsulate`
/// the content goes inside (opaque signing); otherwise the SignedData is detached.
pub fn prepare_signature(
    content: &[u8],
    encapsulate: bool,
    certificate: &Certificate,
    chain: &[Certificate],
    digest: DigestAlgorithm,
    spec: &SignedAttributesSpec,
) -> Result<PreparedSignature> {
    let tbs = certificate.x509().tbs_certificate();
    let isn = IssuerAndSerialNumber {
        issuer: tbs.issuer().clone(),
        serial_number: tbs.serial_number().clone(),
    };
    let build = |e: cms::builder::Error| Error::cms(e);
    let content_digest = digest.digest(content);
    let mut attrs = vec![
        create_content_type_attribute(rfc5911::ID_DATA).map_err(build)?,
        create_message_digest_attribute(&content_digest).map_err(build)?,
        signing_time_attribute(spec.signing_time)?,
    ];
    if spec.advertise {
        attrs.push(super::capabilities::capabilities_attribute()?);
        attrs.push(super::capabilities::preference_attribute(&isn)?);
    }
    let signed_attrs = SignedAttributes::try_from(attrs)?;
    let to_be_signed = signed_attrs.to_der()?;
    let mut certificates = vec![certificate.clone()];
    certificates.extend(chain.iter().cloned());
    Ok(PreparedSignature {
        econtent: encapsulate.then(|| content.to_vec()),
        sid: SignerIdentifier::IssuerAndSerialNumber(isn),
        digest,
        content_digest,
        signed_attrs,
        to_be_signed,
        certificates,
    })
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

/// RFC 5652 §11.3: UTCTime through 2049, GeneralizedTime from 2050.
fn signing_time_attribute(at: UnixTime) -> Result<Attribute> {
    let datetime = at
        .to_datetime()
        .ok_or_else(|| Error::InvalidArgument(String::from("time")))?;
    let time = if datetime.year() < 2050 {
        Time::UtcTime(der::asn1::UtcTime::from_date_time(datetime)?)
    } else {
        Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(datetime))
    };
    attribute(rfc5911::ID_SIGNING_TIME, Any::encode_from(&time)?)
}

impl PreparedSignature {
    /// The DER encoding of the signed attributes: the exact bytes the signature covers.
    pub fn to_be_signed(&self) -> &[u8] {
        &self.to_be_signed
    }

    /// The digest algorithm the signature must hash with.
    pub fn digest(&self) -> DigestAlgorithm {
        self.digest
    }

    /// The content's digest, as the messageDigest attribute holds it.
    pub fn content_digest(&self) -> &[u8] {
        &self.content_digest
    }

    /// Assemble the ContentInfo (DER) with a signature made over [`Self::to_be_signed`].
    pub fn assemble(
        self,
        signature_algorithm: AlgorithmIdentifierOwned,
        signature: &[u8],
    ) -> Result<Vec<u8>> {
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: self.sid,
            digest_alg: self.digest.identifier(),
            signed_attrs: Some(self.signed_attrs),
            signature_algorithm,
            signature: OctetString::new(signature)?,
            unsigned_attrs: None,
        };
        let econtent = match &self.econtent {
            Some(bytes) => Some(Any::encode_from(&OctetString::new(bytes.as_slice())?)?),
            None => None,
        };
        let certificates = self
            .certificates
            .iter()
            .map(|c| CertificateChoices::Certificate(c.x509().clone()))
            .collect::<Vec<_>>();
        let signed_data = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![self.digest.identifier()])?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: rfc5911::ID_DATA,
                econtent,
            },
            certificates: Some(CertificateSet::try_from(certificates)?),
            crls: None,
            signer_infos: SignerInfos::try_from(vec![signer_info])?,
        };
        let info = ContentInfo {
            content_type: rfc5911::ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data)?,
        };
        Ok(info.to_der()?)
    }
}
