//! The message level (RFC 8551): sign whole RFC 5322 messages and open every S/MIME layer.

mod open;
mod sign;

pub use crate::cms::DigestAlgorithm;
pub use open::{open, verify};
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

/// The result of [`open`]: the innermost entity and one report per layer, outermost first.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The innermost MIME entity (headers and body), exact bytes.
    pub content: Vec<u8>,
    /// Outermost first; empty for a message without S/MIME protection.
    pub layers: Vec<Layer>,
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
}

impl Layer {
    /// Whether this layer holds: every signer's signature valid and at least one signer.
    pub fn is_valid(&self) -> bool {
        match self {
            Self::Signed { signers, .. } => {
                !signers.is_empty() && signers.iter().all(|s| s.signature.is_ok())
            }
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
}
