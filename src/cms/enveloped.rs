//! EnvelopedData (RFC 5652 §6) and AuthEnvelopedData (RFC 5083): read in three steps that keep
//! the content decryption a seam of its own (parse → unwrap the content key → decrypt), and
//! written for any mix of RSA, EC and X25519 recipients.

use cms::authenveloped_data::AuthEnvelopedData;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::enveloped_data::{EncryptedContentInfo, EnvelopedData, RecipientInfo, RecipientInfos};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Encode};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::content::{ContentAlgorithm, ContentCipher, generate_key};
use super::keywrap::KeyWrap;
use super::ktri::{self, KeyTransport};
use super::recipient::{
    RecipientIdentifierKind, names_by_issuer_and_serial, names_by_key_identifier,
};
use super::{decode_ber, kari, read_content_info};
use crate::cert::Certificate;
use crate::error::{Error, Result};
use crate::key::{Identity, PublicKey};

/// Upper bound on RecipientInfos we look at.
const MAX_RECIPIENTS: usize = 1024;

/// Which structure carried the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeKind {
    /// EnvelopedData: confidentiality only.
    Enveloped,
    /// AuthEnvelopedData: authenticated encryption (AES-GCM).
    AuthEnveloped,
}

/// A parsed EnvelopedData or AuthEnvelopedData.
#[derive(Debug)]
pub struct EnvelopedMessage {
    kind: EnvelopeKind,
    recipients: Vec<RecipientInfo>,
    cipher: ContentCipher,
    encrypted_content: Vec<u8>,
    /// RFC 5083 §2.1: the DER of authAttrs is the AAD (empty when absent).
    aad: Vec<u8>,
    mac: Vec<u8>,
}

/// A content key unwrapped for a message, with how it was transported.
pub struct ContentKey {
    key: Zeroizing<Vec<u8>>,
    transport: String,
    recipient: Certificate,
}

impl ContentKey {
    /// The certificate of the identity whose key unwrapped it.
    pub fn recipient(&self) -> &Certificate {
        &self.recipient
    }

    /// How the key reached us, e.g. `rsa-pkcs1v15` or `ecdh-p256-sha256kdf/aes128-wrap`.
    pub fn transport(&self) -> &str {
        &self.transport
    }
}

impl EnvelopedMessage {
    /// Whether a ContentInfo's type is one this module reads.
    pub fn is_enveloped(content_type: &ObjectIdentifier) -> bool {
        *content_type == rfc5911::ID_ENVELOPED_DATA
            || *content_type == rfc5911::ID_CT_AUTH_ENVELOPED_DATA
    }

    /// Decode a ContentInfo holding EnvelopedData or AuthEnvelopedData.
    pub fn from_content_info(bytes: &[u8]) -> Result<Self> {
        let (content_type, content) = read_content_info(bytes)?;
        match content_type {
            rfc5911::ID_ENVELOPED_DATA => {
                let data: EnvelopedData = decode_ber(&content)?;
                Self::new(
                    EnvelopeKind::Enveloped,
                    data.recip_infos,
                    data.encrypted_content,
                    Vec::new(),
                    Vec::new(),
                )
            }
            rfc5911::ID_CT_AUTH_ENVELOPED_DATA => {
                let data: AuthEnvelopedData = decode_ber(&content)?;
                let aad = match &data.auth_attrs {
                    Some(attrs) => attrs.to_der()?,
                    None => Vec::new(),
                };
                Self::new(
                    EnvelopeKind::AuthEnveloped,
                    data.recip_infos,
                    data.auth_encrypted_content_info,
                    aad,
                    data.mac.as_bytes().to_vec(),
                )
            }
            other => Err(Error::MalformedCms(format!(
                "expected enveloped-data, found {other}"
            ))),
        }
    }

    fn new(
        kind: EnvelopeKind,
        recipients: RecipientInfos,
        info: EncryptedContentInfo,
        aad: Vec<u8>,
        mac: Vec<u8>,
    ) -> Result<Self> {
        let recipients = recipients.0.into_vec();
        if recipients.len() > MAX_RECIPIENTS {
            return Err(Error::TooLarge);
        }
        let cipher = ContentCipher::from_identifier(&info.content_enc_alg)?;
        // RFC 5083 §2.1 and RFC 5084 §1: AEAD only in AuthEnvelopedData, and only AEAD there.
        if cipher.algorithm().is_aead() != (kind == EnvelopeKind::AuthEnveloped) {
            return Err(Error::MalformedCms(format!(
                "{} cannot protect this content type",
                cipher.algorithm().name()
            )));
        }
        let encrypted_content = info
            .encrypted_content
            .ok_or_else(|| Error::MalformedCms(String::from("no encryptedContent (detached)")))?
            .into_bytes()
            .into_vec();
        Ok(Self {
            kind,
            recipients,
            cipher,
            encrypted_content,
            aad,
            mac,
        })
    }

    /// EnvelopedData or AuthEnvelopedData.
    pub fn kind(&self) -> EnvelopeKind {
        self.kind
    }

    /// The content-encryption algorithm.
    pub fn content_algorithm(&self) -> ContentAlgorithm {
        self.cipher.algorithm()
    }

    /// Whether the content is integrity protected (AEAD); CBC content is not (Efail).
    pub fn integrity_protected(&self) -> bool {
        self.kind == EnvelopeKind::AuthEnveloped
    }

    /// Find the RecipientInfo addressed to one of `identities` and unwrap the content key.
    /// `ERR_NO_MATCHING_RECIPIENT` when none is; after that, every failure is indistinguishable
    /// and surfaces as `ERR_DECRYPT_FAILED` from [`Self::decrypt`] (RFC 3218).
    pub fn unwrap_key<R: CryptoRng + ?Sized>(
        &self,
        identities: &[&Identity],
        rng: &mut R,
    ) -> Result<ContentKey> {
        let key_len = self.cipher.algorithm().key_len();
        for &identity in identities {
            for recipient in &self.recipients {
                match recipient {
                    RecipientInfo::Ktri(ktri) if ktri::names(ktri, identity.certificate()) => {
                        let key = ktri::unwrap(ktri, identity, key_len, rng)?;
                        return Ok(ContentKey {
                            key,
                            transport: ktri::describe(ktri),
                            recipient: identity.certificate().clone(),
                        });
                    }
                    RecipientInfo::Kari(kari) => {
                        if let Some(key) = kari::unwrap(kari, identity)? {
                            return Ok(ContentKey {
                                key,
                                transport: kari::describe(kari),
                                recipient: identity.certificate().clone(),
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        Err(Error::NoMatchingRecipient)
    }

    /// Decrypt the content with `key`. For AES-GCM the tag is checked before any plaintext
    /// exists outside the cipher; every failure is `ERR_DECRYPT_FAILED`.
    pub fn decrypt(&self, key: &ContentKey) -> Result<Zeroizing<Vec<u8>>> {
        self.cipher
            .decrypt(&key.key, &self.encrypted_content, &self.aad, &self.mac)
    }

    /// Whether any RecipientInfo names `cert` (for tests and diagnostics).
    pub fn is_addressed_to(&self, cert: &Certificate) -> bool {
        self.recipients.iter().any(|r| match r {
            RecipientInfo::Ktri(k) => ktri::names(k, cert),
            RecipientInfo::Kari(k) => k.recipient_enc_keys.iter().any(|rek| match &rek.rid {
                cms::enveloped_data::KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(isn) => {
                    names_by_issuer_and_serial(isn, cert)
                }
                cms::enveloped_data::KeyAgreeRecipientIdentifier::RKeyId(id) => {
                    names_by_key_identifier(&id.subject_key_identifier, cert)
                }
            }),
            _ => false,
        })
    }
}

/// How to encrypt.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvelopeOptions {
    /// Content-encryption algorithm; GCM selects AuthEnvelopedData.
    pub content: Option<ContentAlgorithm>,
    /// Key transport for RSA recipients.
    pub key_transport: KeyTransport,
    /// How RecipientInfos name certificates.
    pub identifier: RecipientIdentifierKind,
}

/// Encrypt `content` (a MIME entity) to every certificate in `recipients`: EnvelopedData for
/// CBC, AuthEnvelopedData for GCM. Returns the ContentInfo, DER.
pub fn envelop<R: CryptoRng + ?Sized>(
    content: &[u8],
    recipients: &[Certificate],
    algorithm: ContentAlgorithm,
    opts: &EnvelopeOptions,
    rng: &mut R,
) -> Result<Vec<u8>> {
    if recipients.is_empty() {
        return Err(Error::InvalidArgument(String::from("no recipients")));
    }
    let cek = generate_key(algorithm, rng);
    let wrap = match cek.len() {
        16 => KeyWrap::Aes128,
        24 => KeyWrap::Aes192,
        _ => KeyWrap::Aes256,
    };
    let mut infos = Vec::with_capacity(recipients.len());
    for cert in recipients {
        infos.push(match cert.public_key()? {
            PublicKey::Rsa(_) => RecipientInfo::Ktri(ktri::wrap(
                cert,
                opts.identifier,
                opts.key_transport,
                &cek,
                rng,
            )?),
            PublicKey::P256(_) | PublicKey::P384(_) | PublicKey::X25519(_) => {
                RecipientInfo::Kari(kari::wrap(cert, opts.identifier, wrap, &cek, rng)?)
            }
            PublicKey::Ed25519(_) => {
                return Err(Error::InvalidArgument(String::from(
                    "an Ed25519 certificate can sign but not receive encrypted mail",
                )));
            }
        });
    }
    let all_v0 = infos
        .iter()
        .all(|i| matches!(i, RecipientInfo::Ktri(k) if k.version == CmsVersion::V0));
    let recip_infos = RecipientInfos(SetOfVec::try_from(infos)?);
    let (cipher, ciphertext, tag) = ContentCipher::encrypt(algorithm, &cek, content, &[], rng)?;
    let encrypted = EncryptedContentInfo {
        content_type: rfc5911::ID_DATA,
        content_enc_alg: cipher.identifier()?,
        encrypted_content: Some(OctetString::new(ciphertext)?),
    };
    let info = if algorithm.is_aead() {
        let data = AuthEnvelopedData {
            version: CmsVersion::V0,
            originator_info: None,
            recip_infos,
            auth_encrypted_content_info: encrypted,
            auth_attrs: None,
            mac: OctetString::new(tag)?,
            unauth_attrs: None,
        };
        ContentInfo {
            content_type: rfc5911::ID_CT_AUTH_ENVELOPED_DATA,
            content: Any::encode_from(&data)?,
        }
    } else {
        // RFC 5652 §6.1: version 0 when every RecipientInfo is a version-0 ktri, else 2.
        let data = EnvelopedData {
            version: if all_v0 {
                CmsVersion::V0
            } else {
                CmsVersion::V2
            },
            originator_info: None,
            recip_infos,
            encrypted_content: encrypted,
            unprotected_attrs: None,
        };
        ContentInfo {
            content_type: rfc5911::ID_ENVELOPED_DATA,
            content: Any::encode_from(&data)?,
        }
    };
    Ok(info.to_der()?)
}
