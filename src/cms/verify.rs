//! Reading SignedData (RFC 5652 §5) and verifying each SignerInfo.
//!
//! The structures are read with their own ASN.1 types where the `cms` crate's would lose what
//! verification needs: eContent as a typed OCTET STRING (`Any` drops the constructed bit of a
//! BER-chunked string, as NSS and OpenSSL stream it), signed attributes as the exact octets
//! received (decoding into a `SetOfVec` re-sorts them, but the signature covers the order the
//! sender wrote, RFC 5652 §5.4, as OpenSSL's `CMS_Attributes_Verify` also keeps it), and CRLs
//! skipped (x509-cert requires a version that RFC 5280 §5.1 makes optional).

use cms::cert::CertificateChoices;

use super::capabilities::{read_capabilities, read_preference};
use super::recipient::names_by_issuer_and_serial;
use cms::content_info::CmsVersion;
use cms::signed_data::{CertificateSet, SignedAttributes, SignerIdentifier};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911;
use der::asn1::OctetString;
use der::{
    Decode, DecodeValue, Encode, EncodeValue, FixedTag, Header, Length, Reader, Sequence, Tag,
    Writer,
};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::AttributeValue;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::time::Time;

use super::algorithm::{DigestAlgorithm, SignatureScheme, verify_signature};
use super::decode_ber;
use crate::cert::Certificate;
use crate::error::{Error, Result, SignatureError};
use crate::time::UnixTime;

/// Bounds the work a hostile message can ask for.
const MAX_SIGNERS: usize = 16;
/// Bound on CRLs taken from one message.
const MAX_CRLS: usize = 16;

/// The content octets of a SET, exactly as received.
#[derive(Clone, Debug)]
pub(super) struct RawSet(pub(super) Vec<u8>);

impl<'a> DecodeValue<'a> for RawSet {
    type Error = der::Error;
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        Ok(Self(reader.read_vec(header.length())?))
    }
}

impl EncodeValue for RawSet {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }
    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(&self.0)
    }
}

impl FixedTag for RawSet {
    const TAG: Tag = Tag::Set;
}

/// A SET OF read in the order received, without the DER sort check.
#[derive(Clone, Debug)]
struct SetOfRead<T>(Vec<T>);

impl<'a, T: Decode<'a, Error = der::Error>> DecodeValue<'a> for SetOfRead<T> {
    type Error = der::Error;
    fn decode_value<R: Reader<'a>>(reader: &mut R, _header: Header) -> der::Result<Self> {
        let mut items = Vec::new();
        while !reader.is_finished() {
            if items.len() >= MAX_SIGNERS {
                return Err(der::ErrorKind::Overlength.into());
            }
            items.push(T::decode(reader)?);
        }
        Ok(Self(items))
    }
}

impl<T: Encode> EncodeValue for SetOfRead<T> {
    fn value_len(&self) -> der::Result<Length> {
        self.0
            .iter()
            .try_fold(Length::ZERO, |sum, item| sum + item.encoded_len()?)
    }
    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.0.iter().try_for_each(|item| item.encode(writer))
    }
}

impl<T> FixedTag for SetOfRead<T> {
    const TAG: Tag = Tag::Set;
}

/// RFC 5652 §5.1 SignedData, as read.
#[derive(Sequence)]
struct SignedDataRead {
    version: CmsVersion,
    digest_algorithms: cms::signed_data::DigestAlgorithmIdentifiers,
    encap_content_info: EncapsulatedContentRead,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    certificates: Option<CertificateSet>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    crls: Option<RawSet>,
    signer_infos: SetOfRead<SignerInfoRead>,
}

/// RFC 5652 §5.2 EncapsulatedContentInfo with a typed eContent.
#[derive(Sequence)]
struct EncapsulatedContentRead {
    econtent_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    econtent: Option<OctetString>,
}

/// RFC 5652 §5.3 SignerInfo with the signed attributes' octets kept.
#[derive(Clone, Debug, Sequence)]
struct SignerInfoRead {
    version: CmsVersion,
    sid: SignerIdentifier,
    digest_alg: AlgorithmIdentifierOwned,
    #[asn1(
        context_specific = "0",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    signed_attrs: Option<RawSet>,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: OctetString,
    #[asn1(
        context_specific = "1",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    unsigned_attrs: Option<RawSet>,
}

/// A decoded SignedData, ready to verify.
#[derive(Debug)]
pub struct SignedMessage {
    econtent_type: ObjectIdentifier,
    signer_infos: Vec<SignerInfoRead>,
    certificates: Vec<Certificate>,
    crls: Vec<Vec<u8>>,
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
    /// What the sender says it can decrypt (RFC 8551 §2.5.2 SMIMECapabilities), by name
    /// (`aes-256-gcm`, `aes-128-cbc`, `rsa-oaep`, ...; unknown ones as OIDs), its order kept.
    pub capabilities: Option<Vec<String>>,
    /// The certificate the sender wants mail encrypted to (RFC 8551 §2.5.3
    /// SMIMEEncryptionKeyPreference, or Microsoft's 1.3.6.1.4.1.311.16.4), when the message
    /// carries it.
    pub encryption_certificate: Option<Certificate>,
}

impl SignedMessage {
    /// Decode a ContentInfo that must hold SignedData.
    pub fn from_content_info(bytes: &[u8]) -> Result<Self> {
        let (content_type, content) = super::read_content_info(bytes)?;
        if content_type != rfc5911::ID_SIGNED_DATA {
            return Err(Error::MalformedCms(format!(
                "expected signed-data, found {content_type}"
            )));
        }
        let read: SignedDataRead = decode_ber(&content)?;
        let mut certificates = Vec::new();
        if let Some(set) = &read.certificates {
            for choice in set.0.iter() {
                if let CertificateChoices::Certificate(cert) = choice {
                    certificates.push(Certificate::from_x509(cert.clone())?);
                }
            }
        }
        let crls = match &read.crls {
            Some(raw) => split_elements(&raw.0, MAX_CRLS),
            None => Vec::new(),
        };
        Ok(Self {
            econtent_type: read.encap_content_info.econtent_type,
            signer_infos: read.signer_infos.0,
            certificates,
            crls,
            content: read
                .encap_content_info
                .econtent
                .map(|o| o.into_bytes().into_vec()),
        })
    }

    /// The encapsulated content, for opaque signatures.
    pub fn content(&self) -> Option<&[u8]> {
        self.content.as_deref()
    }

    /// The eContentType.
    pub fn content_type(&self) -> ObjectIdentifier {
        self.econtent_type
    }

    /// Certificates carried in the message.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// CRLs carried in the message (DER, at most 16), for revocation checks.
    pub fn crls(&self) -> &[Vec<u8>] {
        &self.crls
    }

    /// Verify every SignerInfo over `detached` content (multipart/signed) or the encapsulated
    /// content. `extra` certificates help find signers the message does not carry.
    pub fn verify(&self, detached: Option<&[u8]>, extra: &[Certificate]) -> Vec<SignerVerdict> {
        let content = detached.or(self.content.as_deref()).unwrap_or_default();
        self.signer_infos
            .iter()
            .map(|si| self.verify_one(si, content, extra))
            .collect()
    }

    fn verify_one(
        &self,
        si: &SignerInfoRead,
        content: &[u8],
        extra: &[Certificate],
    ) -> SignerVerdict {
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
        // RFC 5652 §5.4: the signature covers the attributes with an explicit SET tag.
        let signed_bytes = si.signed_attrs.as_ref().map(|raw| explicit_set(&raw.0));
        let attrs = signed_bytes
            .as_ref()
            .map(|bytes| decode_ber::<SignedAttributes>(bytes));
        let mut verdict = SignerVerdict {
            certificate: certificate.clone(),
            result: Ok(()),
            digest: digest.map_or_else(|| si.digest_alg.oid.to_string(), |d| d.name().to_owned()),
            signature_algorithm,
            signing_time: attrs
                .as_ref()
                .and_then(|a| a.as_ref().ok())
                .and_then(signing_time),
            weak_digest: digest == Some(DigestAlgorithm::Sha1),
            capabilities: None,
            encryption_certificate: None,
        };
        if let Some(Ok(attrs)) = &attrs {
            verdict.capabilities = read_capabilities(attrs);
            verdict.encryption_certificate = read_preference(attrs)
                .and_then(|isn| {
                    self.certificates
                        .iter()
                        .chain(extra)
                        .find(|c| names_by_issuer_and_serial(&isn, c))
                })
                .cloned();
        }
        verdict.result = (|| {
            let digest = digest.ok_or(SignatureError::UnsupportedAlgorithm)?;
            let certificate = certificate.ok_or(SignatureError::SignerCertificateMissing)?;
            let key = certificate
                .public_key()
                .map_err(|_| SignatureError::UnsupportedAlgorithm)?;
            let covered = match (&signed_bytes, attrs) {
                (Some(bytes), Some(Ok(attrs))) => {
                    check_signed_attributes(&attrs, self.econtent_type, &digest.digest(content))?;
                    bytes.as_slice()
                }
                (Some(_), _) => return Err(SignatureError::BadSignedAttributes),
                // RFC 5652 §5.3: without signed attributes the content must be id-data and
                // the signature covers the content itself.
                (None, _) if self.econtent_type == rfc5911::ID_DATA => content,
                (None, _) => return Err(SignatureError::BadSignedAttributes),
            };
            let signature = si.signature.as_bytes();
            verify_signature(
                &key,
                &si.signature_algorithm,
                Some(digest),
                covered,
                signature,
            )
            .map(|_| ())
        })();
        verdict
    }
}

/// The TLVs in a SET's contents (RevocationInfoChoices), at most `max`; `other` forms and
/// anything unreadable are left out: a CRL nobody can read revokes nothing.
fn split_elements(contents: &[u8], max: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let Ok(mut reader) =
        der::SliceReader::new_with_encoding_rules(contents, der::EncodingRules::Ber)
    else {
        return out;
    };
    while !reader.is_finished() && out.len() < max {
        match reader.tlv_bytes() {
            Ok(tlv) if tlv.first() == Some(&0x30) => out.push(tlv.to_vec()),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    out
}

/// `SET { contents }` with a DER length.
fn explicit_set(contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(contents.len() + 6);
    if let Ok(header) =
        Length::try_from(contents.len()).and_then(|len| Header::new(Tag::Set, len).to_der())
    {
        out.extend(header);
    }
    out.extend_from_slice(contents);
    out
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
    let attr = attrs
        .iter()
        .find(|a| a.oid == oid)
        .ok_or(SignatureError::BadSignedAttributes)?;
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

#[cfg(test)]
mod tests {
    use cms::builder::{create_content_type_attribute, create_message_digest_attribute};
    use der::asn1::SetOfVec;

    use super::*;

    fn attrs(list: Vec<x509_cert::attr::Attribute>) -> SignedAttributes {
        let mut set = SetOfVec::new();
        for a in list {
            // `insert` refuses exact duplicates, so a duplicated type is built with other values.
            set.insert(a).unwrap();
        }
        set
    }

    #[test]
    fn signed_attribute_rules_of_rfc5652() {
        let digest = [7u8; 32];
        let ct = || create_content_type_attribute(rfc5911::ID_DATA).unwrap();
        let md = |d: &[u8]| create_message_digest_attribute(d).unwrap();
        let good = attrs(vec![ct(), md(&digest)]);
        assert_eq!(
            check_signed_attributes(&good, rfc5911::ID_DATA, &digest),
            Ok(())
        );
        // The content was changed: messageDigest no longer matches.
        assert_eq!(
            check_signed_attributes(&good, rfc5911::ID_DATA, &[8u8; 32]),
            Err(SignatureError::DigestMismatch)
        );
        // contentType must equal eContentType.
        assert_eq!(
            check_signed_attributes(&good, rfc5911::ID_SIGNED_DATA, &digest),
            Err(SignatureError::BadSignedAttributes)
        );
        // Both attributes are mandatory.
        assert_eq!(
            check_signed_attributes(&attrs(vec![md(&digest)]), rfc5911::ID_DATA, &digest),
            Err(SignatureError::BadSignedAttributes)
        );
        assert_eq!(
            check_signed_attributes(&attrs(vec![ct()]), rfc5911::ID_DATA, &digest),
            Err(SignatureError::BadSignedAttributes)
        );
        // One messageDigest only: a second instance could smuggle another content's digest.
        let twice = attrs(vec![ct(), md(&digest), md(&[9u8; 32])]);
        assert_eq!(
            check_signed_attributes(&twice, rfc5911::ID_DATA, &digest),
            Err(SignatureError::BadSignedAttributes)
        );
    }
}
