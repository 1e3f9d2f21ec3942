//! The message level (RFC 8551): sign whole RFC 5322 messages and open every S/MIME layer.

mod encrypt;
mod open;
mod sign;

pub use crate::cms::DigestAlgorithm;
pub use crate::cms::capabilities::advertised_capabilities;
pub use crate::cms::ktri::KeyTransport;
pub use crate::cms::recipient::RecipientIdentifierKind;
pub use encrypt::{choose_algorithms, encrypt};
pub use open::{decrypt, open, verify};
pub use sign::sign;

use crate::cert::{CertificateInfo, ChainStatus};
use crate::error::SignatureError;
use crate::time::UnixTime;

/// How a signature is attached to the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureFormat {
    /// multipart/signed (RFC 8551 §3.5.3): readable by clients without S/MIME.
    #[default]
    Detached,
    /// application/pkcs7-mime; smime-type=signed-data (RFC 8551 §3.5.2).
    Opaque,
}

impl SignatureFormat {
    /// `detached` or `opaque`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Detached => "detached",
            Self::Opaque => "opaque",
        }
    }
}

/// Options for [`sign`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SignOptions {
    /// Detached (default) or opaque.
    pub format: SignatureFormat,
    /// SHA-256 (default), SHA-384 or SHA-512.
    pub digest: DigestAlgorithm,
}

/// The content-encryption algorithms [`encrypt`] writes. CBC goes in EnvelopedData, GCM in
/// AuthEnvelopedData (RFC 5083/5084), never the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContentEncryption {
    /// AES-128-CBC.
    Aes128Cbc,
    /// AES-192-CBC.
    Aes192Cbc,
    /// AES-256-CBC: what every client reads (the default).
    #[default]
    Aes256Cbc,
    /// AES-128-GCM, integrity protected (S/MIME 4.0).
    Aes128Gcm,
    /// AES-256-GCM, integrity protected (S/MIME 4.0).
    Aes256Gcm,
}

impl ContentEncryption {
    /// `aes-256-gcm`, `aes-128-cbc`, ...: the option label, and the name of the SMIMECapability
    /// that asks for it.
    pub const fn name(self) -> &'static str {
        self.algorithm().name()
    }

    pub(crate) const fn algorithm(self) -> crate::cms::content::ContentAlgorithm {
        use crate::cms::content::ContentAlgorithm as A;
        match self {
            Self::Aes128Cbc => A::Aes128Cbc,
            Self::Aes192Cbc => A::Aes192Cbc,
            Self::Aes256Cbc => A::Aes256Cbc,
            Self::Aes128Gcm => A::Aes128Gcm,
            Self::Aes256Gcm => A::Aes256Gcm,
        }
    }
}

/// Options for [`encrypt`].
#[derive(Debug, Clone, Copy, Default)]
pub struct EncryptOptions {
    /// AES-256-CBC unless chosen otherwise.
    pub content_encryption: ContentEncryption,
    /// For RSA recipients: PKCS#1 v1.5 (default) or OAEP.
    pub key_transport: KeyTransport,
    /// How recipients are named: issuerAndSerialNumber (default) or subjectKeyIdentifier.
    pub identifier: RecipientIdentifierKind,
}

/// The result of [`open`]: the innermost entity and one report per layer, outermost first.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The innermost MIME entity (headers and body), exact bytes.
    pub content: Vec<u8>,
    /// Outermost first; empty for a message without S/MIME protection.
    pub layers: Vec<Layer>,
    /// S/MIME entities found *inside* `content` when it is a multipart (a signed part between
    /// mailing-list header and footer parts, encrypted parts of a multipart/alternative, a
    /// forwarded signed message). Each is opened and reported on its own: `layers` do not
    /// cover them and they do not cover the rest of `content`, so a reader must never present
    /// them merged with the surrounding parts (Efail).
    pub parts: Vec<EmbeddedPart>,
}

/// An S/MIME entity below the innermost content, opened on its own.
#[derive(Debug, Clone)]
pub struct EmbeddedPart {
    /// Where it sits: 1-based part numbers from the innermost content down (IMAP style).
    pub path: Vec<usize>,
    /// Its own report, or why it could not be opened.
    pub result: Result<Opened, crate::Error>,
}

/// One S/MIME layer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Layer {
    /// A signature layer.
    Signed {
        /// Detached or opaque.
        format: SignatureFormat,
        /// One report per SignerInfo.
        signers: Vec<SignerReport>,
    },
    /// An encryption layer that was decrypted.
    Encrypted {
        /// The content-encryption algorithm, e.g. `aes-256-cbc`, `aes-128-gcm`, `des-ede3-cbc`.
        content_encryption: String,
        /// How the content key reached us, e.g. `rsa-pkcs1v15`, `rsa-oaep-sha256`,
        /// `ecdh-p256-sha256kdf/aes128-wrap`.
        key_transport: String,
        /// AEAD (AuthEnvelopedData): the content cannot have been changed. CBC content can
        /// (Efail), so a CBC layer alone never vouches for the content.
        integrity_protected: bool,
        /// Whose key opened it (one of the caller's identities).
        recipient: Box<CertificateInfo>,
    },
}

impl Layer {
    /// Whether this layer holds: for a signature, every signer's signature valid and at least
    /// one signer; an encrypted layer that was decrypted holds.
    pub fn is_valid(&self) -> bool {
        match self {
            Self::Signed { signers, .. } => {
                !signers.is_empty() && signers.iter().all(|s| s.signature.is_ok())
            }
            Self::Encrypted { .. } => true,
        }
    }
}

/// What one signer's signature says (API.md `SignerReport`). A broken signature is data here.
#[derive(Debug, Clone)]
pub struct SignerReport {
    /// The signer's certificate, when available.
    pub certificate: Option<CertificateInfo>,
    /// `Ok` when the signature holds.
    pub signature: Result<(), SignatureError>,
    /// Whether the signer's certificate chains to a trust anchor.
    pub chain: ChainStatus,
    /// The digest algorithm name.
    pub digest: String,
    /// The signature scheme name.
    pub signature_algorithm: String,
    /// The signingTime attribute.
    pub signing_time: Option<UnixTime>,
    /// RFC 8550 §3: does From/Sender match an address of the certificate? `None` without From
    /// or without a certificate.
    pub address_match: Option<bool>,
    /// SHA-1 digests are read but reported as weak.
    pub weak_digest: bool,
    /// Weak material that did not stop the signature or the chain from holding.
    pub warnings: Vec<Warning>,
    /// The certificate to encrypt replies to: the one the signer's SMIMEEncryptionKeyPreference
    /// names, else the signer's own. Only when the signature holds (a forged attribute must
    /// not redirect mail).
    pub encryption_certificate: Option<crate::cert::Certificate>,
    /// What the signer can decrypt (SMIMECapabilities), learned only from a valid signature;
    /// also in `certificate.capabilities`.
    pub capabilities: Option<Vec<String>>,
}

/// Weak material in a signature that still holds: reported, never silently accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The signer's RSA key has fewer than 2048 bits (RFC 8551 §2.3; keys down to 512 bits are
    /// read so that old mail still verifies).
    WeakKey,
    /// A certificate on the validated path is signed with SHA-1 or MD5, or by an RSA key under
    /// 2048 bits.
    WeakChain,
}

impl Warning {
    /// The stable label for reports: `weak-key`, `weak-chain`.
    pub const fn label(self) -> &'static str {
        match self {
            Self::WeakKey => "weak-key",
            Self::WeakChain => "weak-chain",
        }
    }
}
