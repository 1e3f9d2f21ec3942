//! SignedData (RFC 5652 §5): two-phase signing and per-signer verification.
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
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::{Attribute, AttributeValue};
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::time::Time;

use super::algorithm::{DigestAlgorithm, SignatureScheme, verify_signature};
use super::decode_ber;
use crate::cert::Certificate;
use crate::error::{Error, Result, SignatureError};
use crate::time::UnixTime;

/// RFC 8551 §2.5.2 smimeCapabilities.
const SMIME_CAPABILITIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.15");
/// RFC 8551 §2.5.3 id-aa-encrypKeyPref.
const ENCRYPTION_KEY_PREFERENCE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.11");
/// Bounds the work a hostile message can ask for.
const MAX_SIGNERS: usize = 16;

/// Which optional signed attributes to write, besides contentType and messageDigest.
#[derive(Debug, Clone, Copy)]
pub struct SignedAttributesSpec {
    /// signingTime (RFC 5652 §11.3), supplied by the caller.
    pub signing_time: UnixTime,
    /// The content-encryption algorithms we read, best first (RFC 8551 §2.5.2).
    pub capabilities: &'static [ObjectIdentifier],
}

/// A SignedData whose signed attributes are fixed and whose signature is still to be made.
#[derive(Debug)]
pub struct PreparedSignature {
    econtent: Option<Vec<u8>>,
    sid: SignerIdentifier,
    digest: DigestAlgorithm,
    signed_attrs: SignedAttributes,
    to_be_signed: Vec<u8>,
    certificates: Vec<Certificate>,
}

/// RFC 8551 §2.5.2 SMIMECapability.
#[derive(Sequence)]
struct SmimeCapability {
    capability_id: ObjectIdentifier,
    parameters: Option<Any>,
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
    let mut attrs = vec![
        create_content_type_attribute(rfc5911::ID_DATA).map_err(build)?,
        create_message_digest_attribute(&digest.digest(content)).map_err(build)?,
        signing_time_attribute(spec.signing_time)?,
    ];
    if !spec.capabilities.is_empty() {
        let caps: Vec<SmimeCapability> = spec
            .capabilities
            .iter()
            .map(|oid| SmimeCapability { capability_id: *oid, parameters: None })
            .collect();
        attrs.push(attribute(SMIME_CAPABILITIES, Any::encode_from(&caps)?)?);
    }
    // RFC 8551 §2.5.3: [0] IMPLICIT IssuerAndSerialNumber names the key to encrypt to.
    let preference = Any::new(der::Tag::ContextSpecific {
        constructed: true,
        number: der::TagNumber(0),
    }, isn_value(&isn)?)?;
    attrs.push(attribute(ENCRYPTION_KEY_PREFERENCE, preference)?);
    let signed_attrs = SignedAttributes::try_from(attrs)?;
    let to_be_signed = signed_attrs.to_der()?;
    let mut certificates = vec![certificate.clone()];
    certificates.extend(chain.iter().cloned());
    Ok(PreparedSignature {
        econtent: encapsulate.then(|| content.to_vec()),
        sid: SignerIdentifier::IssuerAndSerialNumber(isn),
        digest,
        signed_attrs,
        to_be_signed,
        certificates,
    })
}

fn isn_value(isn: &IssuerAndSerialNumber) -> Result<Vec<u8>> {
    // The SEQUENCE's contents, re-tagged implicitly as [0].
    let der = isn.to_der()?;
    let any = Any::from_der(&der)?;
    Ok(any.value().to_vec())
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

/// RFC 5652 §11.3: UTCTime through 2049, GeneralizedTime from 2050.
fn signing_time_attribute(at: UnixTime) -> Result<Attribute> {
    let datetime = at.to_datetime().ok_or_else(|| Error::InvalidArgument(String::from("time")))?;
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
            encap_content_info: EncapsulatedContentInfo { econtent_type: rfc5911::ID_DATA, econtent },
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

/// SignedData as read. `cms::signed_data::SignedData` holds eContent as `Any`, which drops
/// the constructed bit of a BER-chunked OCTET STRING (as NSS and OpenSSL stream it), so the
/// content would come out with the chunk headers inside; here it is decoded typed.
#[derive(Sequence)]
struct SignedDataRead {
    version: CmsVersion,
    digest_algorithms: cms::signed_data::DigestAlgorithmIdentifiers,
    encap_content_info: EncapsulatedContentRead,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    certificates: Option<CertificateSet>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    crls: Option<cms::revocation::RevocationInfoChoices>,
    signer_infos: SignerInfos,
}

/// RFC 5652 §5.2 EncapsulatedContentInfo with a typed eContent.
#[derive(Sequence)]
struct EncapsulatedContentRead {
    econtent_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    econtent: Option<OctetString>,
}

/// A decoded SignedData, ready to verify.
#[derive(Debug)]
pub struct SignedMessage {
    signed_data: SignedData,
    certificates: Vec<Certificate>,
    content: Option<Vec<u8>>,
}

/// The outcome for one SignerInfo.
#[derive(Debug, Clone)]
pub struct SignerVerdict {
    /// The signer's certificate, when found in the message or among the caller's certificates.
    pub certificate: Option<Certificate>,
    /// `Ok` when the signature and the signed attributes hold.
    pub result: core::result::Result<(), SignatureError>,
    /// Digest algorithm name (`sha256`), or the OID when unsupported.
    pub digest: String,
    /// Signature scheme name (`rsa-pkcs1v15`, `rsa-pss`, `ecdsa`), or the OID.
    pub signature_algorithm: String,
    /// The signingTime attribute, when present and readable.
    pub signing_time: Option<UnixTime>,
    /// Whether the digest is one reported as weak (SHA-1).
    pub weak_digest: bool,
}

impl SignedMessage {
    /// Decode a ContentInfo that must hold SignedData.
    pub fn from_content_info(bytes: &[u8]) -> Result<Self> {
        let (content_type, content) = super::read_content_info(bytes)?;
        if content_type != rfc5911::ID_SIGNED_DATA {
            return Err(Error::MalformedCms(format!("expected signed-data, found {content_type}")));
        }
        Self::from_signed_data(&content)
    }

    fn from_signed_data(bytes: &[u8]) -> Result<Self> {
        let read: SignedDataRead = decode_ber(bytes)?;
        if read.signer_infos.0.len() > MAX_SIGNERS {
            return Err(Error::TooLarge);
        }
        let mut certificates = Vec::new();
        if let Some(set) = &read.certificates {
            for choice in set.0.iter() {
                if let CertificateChoices::Certificate(cert) = choice {
                    certificates.push(Certificate::from_x509(cert.clone())?);
                }
            }
        }
        let content = read.encap_content_info.econtent.map(|o| o.into_bytes().into_vec());
        let signed_data = SignedData {
            version: read.version,
            digest_algorithms: read.digest_algorithms,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: read.encap_content_info.econtent_type,
                econtent: None,
            },
            certificates: read.certificates,
            crls: read.crls,
            signer_infos: read.signer_infos,
        };
        Ok(Self { signed_data, certificates, content })
    }

    /// The encapsulated content, for opaque signatures.
    pub fn content(&self) -> Option<&[u8]> {
        self.content.as_deref()
    }

    /// The eContentType.
    pub fn content_type(&self) -> ObjectIdentifier {
        self.signed_data.encap_content_info.econtent_type
    }

    /// Certificates carried in the message.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// Verify every SignerInfo over `detached` content (multipart/signed) or the encapsulated
    /// content. `extra` certificates help find signers the message does not carry.
    pub fn verify(&self, detached: Option<&[u8]>, extra: &[Certificate]) -> Vec<SignerVerdict> {
        let content = detached.or(self.content.as_deref()).unwrap_or_default();
        self.signed_data
            .signer_infos
            .0
            .iter()
            .map(|si| self.verify_one(si, content, extra))
            .collect()
    }

    fn verify_one(&self, si: &SignerInfo, content: &[u8], extra: &[Certificate]) -> SignerVerdict {
        let certificate = self
            .certificates
            .iter()
            .chain(extra.iter())
            .find(|c| identifies(&si.sid, c))
            .cloned();
        let digest = DigestAlgorithm::from_oid(&si.digest_alg.oid);
        let signature_algorithm = SignatureScheme::from_identifier(&si.signature_algorithm)
            .map(|s| s.name().to_owned())
            .unwrap_or_else(|_| si.signature_algorithm.oid.to_string());
        let mut verdict = SignerVerdict {
            certificate: certificate.clone(),
            result: Ok(()),
            digest: digest.map_or_else(|| si.digest_alg.oid.to_string(), |d| d.name().to_owned()),
            signature_algorithm,
            signing_time: si.signed_attrs.as_ref().and_then(signing_time),
            weak_digest: digest == Some(DigestAlgorithm::Sha1),
        };
        verdict.result = (|| {
            let digest = digest.ok_or(SignatureError::UnsupportedAlgorithm)?;
            let certificate = certificate.ok_or(SignatureError::SignerCertificateMissing)?;
            let key = certificate.public_key().map_err(|_| SignatureError::UnsupportedAlgorithm)?;
            let signed_bytes = match &si.signed_attrs {
                Some(attrs) => {
                    check_signed_attributes(attrs, self.content_type(), &digest.digest(content))?;
                    attrs.to_der().map_err(|_| SignatureError::BadSignedAttributes)?
                }
                // RFC 5652 §5.3: without signed attributes the content must be id-data and
                // the signature covers the content itself.
                None if self.content_type() == rfc5911::ID_DATA => content.to_vec(),
                None => return Err(SignatureError::BadSignedAttributes),
            };
            let signature = si.signature.as_bytes();
            verify_signature(&key, &si.signature_algorithm, Some(digest), &signed_bytes, signature)
                .map(|_| ())
        })();
        verdict
    }
}

/// RFC 5652 §5.3 and §11: exactly one contentType equal to eContentType, exactly one
/// messageDigest equal to the content's digest, no attribute type twice.
fn check_signed_attributes(
    attrs: &SignedAttributes,
    econtent_type: ObjectIdentifier,
    content_digest: &[u8],
) -> core::result::Result<(), SignatureError> {
    let mut seen: Vec<ObjectIdentifier> = Vec::new();
    for attr in attrs.iter() {
        if seen.contains(&attr.oid) {
            return Err(SignatureError::BadSignedAttributes);
        }
        seen.push(attr.oid);
    }
    let content_type = single_value(attrs, rfc5911::ID_CONTENT_TYPE)?
        .decode_as::<ObjectIdentifier>()
        .map_err(|_| SignatureError::BadSignedAttributes)?;
    if content_type != econtent_type {
        return Err(SignatureError::BadSignedAttributes);
    }
    let digest = single_value(attrs, rfc5911::ID_MESSAGE_DIGEST)?
        .decode_as::<OctetString>()
        .map_err(|_| SignatureError::BadSignedAttributes)?;
    if digest.as_bytes() != content_digest {
        return Err(SignatureError::DigestMismatch);
    }
    Ok(())
}

fn single_value(
    attrs: &SignedAttributes,
    oid: ObjectIdentifier,
) -> core::result::Result<&AttributeValue, SignatureError> {
    let attr = attrs.iter().find(|a| a.oid == oid).ok_or(SignatureError::BadSignedAttributes)?;
    match attr.values.as_slice() {
        [value] => Ok(value),
        _ => Err(SignatureError::BadSignedAttributes),
    }
}

fn signing_time(attrs: &SignedAttributes) -> Option<UnixTime> {
    let attr = attrs.iter().find(|a| a.oid == rfc5911::ID_SIGNING_TIME)?;
    let value = attr.values.get(0)?;
    let time = Time::from_der(&value.to_der().ok()?).ok()?;
    Some(UnixTime::from_x509(&time))
}

/// Whether `cert` is the one `sid` names (RFC 5652 §5.3).
fn identifies(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    let tbs = cert.x509().tbs_certificate();
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => {
            isn.serial_number == *tbs.serial_number() && isn.issuer == *tbs.issuer()
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            matches!(tbs.get_extension::<SubjectKeyIdentifier>(), Ok(Some((_, own))) if own == *ski)
        }
    }
}

/// The capabilities we advertise: what issue-3 decryption reads, strongest first. RFC 8551
/// §2.5.2 lists content-encryption algorithms in order of preference.
pub(crate) const ADVERTISED_CAPABILITIES: &[ObjectIdentifier] = &[
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.46"), // aes256-GCM
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.6"),  // aes128-GCM
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42"), // aes256-CBC
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.2"),  // aes128-CBC
    rfc5912::ID_RSAES_OAEP,
];
