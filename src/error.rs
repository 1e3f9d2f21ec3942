//! The one error type, with stable codes that never change once published.

use core::fmt;

/// Shorthand for results in this crate.
pub type Result<T> = core::result::Result<T, Error>;

/// Everything that can go wrong. Messages may change between releases; [`Error::code`] never does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A caller-supplied argument is out of range or of the wrong shape (never untrusted input).
    InvalidArgument(String),
    /// The message is not a readable RFC 5322 / MIME entity.
    MalformedMime(&'static str),
    /// A CMS structure could not be decoded; the detail keeps the byte position where known.
    MalformedCms(String),
    /// A certificate could not be decoded.
    MalformedCertificate(String),
    /// A private key could not be decoded.
    MalformedKey(String),
    /// The password does not open the encrypted key or PKCS#12 file.
    BadPassword,
    /// A PKCS#12 (.p12/.pfx) file could not be decoded.
    MalformedPkcs12(String),
    /// A certificate revocation list could not be decoded.
    MalformedCrl(String),
    /// A PKCS#12 file holds no private key (or none with a matching certificate).
    NoPrivateKey,
    /// The private key does not belong to the certificate.
    KeyMismatch,
    /// An algorithm (named by OID or label) that this crate does not implement.
    UnsupportedAlgorithm(String),
    /// `verify` was asked to check a message that carries no signature.
    NotSigned,
    /// `decrypt` was asked to decrypt a message that is not encrypted.
    NotEncrypted,
    /// Layers or MIME parts are nested deeper than the fixed bound.
    NestingTooDeep,
    /// An input exceeds a fixed size bound.
    TooLarge,
    /// A signature does not hold; carried in reports, not usually returned.
    Signature(SignatureError),
    /// A certificate chain does not hold; carried in reports, not usually returned.
    Chain(ChainError),
    /// A private-key operation failed.
    SigningFailed,
    /// The random number generator failed.
    Random,
    /// Decryption failed. Deliberately one opaque variant: wrong key, bad padding, bad tag and
    /// bad length are indistinguishable (RFC 3218, Bleichenbacher/Marvin).
    DecryptFailed,
    /// The message is encrypted, but to none of the caller's identities.
    NoMatchingRecipient,
}

/// Why one signature does not hold (RFC 5652 §5.4–5.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// The content's digest differs from the signed messageDigest: the message was changed.
    DigestMismatch,
    /// The signature value does not verify under the signer's public key.
    BadSignature,
    /// The signer's certificate is neither in the message nor supplied by the caller.
    SignerCertificateMissing,
    /// Signed attributes break RFC 5652 §5.3/§11 rules (missing, duplicated, mismatched).
    BadSignedAttributes,
    /// The signature or digest algorithm is not implemented.
    UnsupportedAlgorithm,
}

/// Why a certificate chain does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChainError {
    /// No path leads to a trust anchor.
    UnknownIssuer,
    /// A certificate on the path has expired at the checked time.
    Expired,
    /// A certificate on the path is not yet valid at the checked time.
    NotYetValid,
    /// A certificate's signature does not verify under its issuer's key.
    BadCertificateSignature,
    /// An issuing certificate is not a CA.
    NotCa,
    /// A certificate on the path is revoked by a CRL its issuer signed (RFC 5280 §6.3).
    Revoked,
    /// A keyUsage extension forbids the use: signing mail needs digitalSignature or
    /// nonRepudiation (RFC 8550 §4.4.2), issuing needs keyCertSign (RFC 5280 §6.1.4 (n)).
    KeyUsage,
    /// An extendedKeyUsage extension on the path lists neither emailProtection nor
    /// anyExtendedKeyUsage (RFC 8550 §4.4.4).
    ExtendedKeyUsage,
    /// A name on the path lies outside a CA's name constraints (RFC 5280 §4.2.1.10).
    NameConstraints,
    /// The path is longer than a CA's pathLenConstraint or the fixed bound allows.
    PathLength,
    /// A certificate on the path carries a critical extension this validator does not know.
    CriticalExtension,
    /// A certificate on the path is signed with an algorithm, or by a key, that is not accepted
    /// (MD5 unless allowed, DSA, RSA under 1024 bits).
    UnsupportedAlgorithm,
    /// A certificate on the path uses a form this validator does not read (an issuing v1
    /// certificate, unique identifiers, a validity that ends before it starts).
    Unsupported,
}

impl Error {
    /// The stable code of this error, as listed in the README.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::InvalidArgument(_) => "ERR_INVALID_ARGUMENT",
            Self::MalformedMime(_) => "ERR_MALFORMED_MIME",
            Self::MalformedCms(_) => "ERR_MALFORMED_CMS",
            Self::MalformedCertificate(_) => "ERR_MALFORMED_CERTIFICATE",
            Self::MalformedKey(_) => "ERR_MALFORMED_KEY",
            Self::BadPassword => "ERR_BAD_PASSWORD",
            Self::MalformedPkcs12(_) => "ERR_MALFORMED_PKCS12",
            Self::MalformedCrl(_) => "ERR_MALFORMED_CRL",
            Self::NoPrivateKey => "ERR_NO_PRIVATE_KEY",
            Self::KeyMismatch => "ERR_KEY_MISMATCH",
            Self::UnsupportedAlgorithm(_) => "ERR_UNSUPPORTED_ALGORITHM",
            Self::NotSigned => "ERR_NOT_SIGNED",
            Self::NotEncrypted => "ERR_NOT_ENCRYPTED",
            Self::NestingTooDeep => "ERR_NESTING_TOO_DEEP",
            Self::TooLarge => "ERR_TOO_LARGE",
            Self::Signature(e) => e.code(),
            Self::Chain(e) => e.code(),
            Self::SigningFailed => "ERR_SIGNING_FAILED",
            Self::Random => "ERR_RANDOM",
            Self::DecryptFailed => "ERR_DECRYPT_FAILED",
            Self::NoMatchingRecipient => "ERR_NO_MATCHING_RECIPIENT",
        }
    }

    pub(crate) fn cms(e: impl fmt::Display) -> Self {
        Self::MalformedCms(e.to_string())
    }

    pub(crate) fn unsupported(what: impl fmt::Display) -> Self {
        Self::UnsupportedAlgorithm(what.to_string())
    }
}

impl SignatureError {
    /// The stable code of this failure.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::DigestMismatch => "ERR_DIGEST_MISMATCH",
            Self::BadSignature => "ERR_SIGNATURE_INVALID",
            Self::SignerCertificateMissing => "ERR_SIGNER_CERT_MISSING",
            Self::BadSignedAttributes => "ERR_BAD_SIGNED_ATTRIBUTES",
            Self::UnsupportedAlgorithm => "ERR_UNSUPPORTED_ALGORITHM",
        }
    }
}

impl ChainError {
    /// The stable code of this failure.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::UnknownIssuer => "ERR_UNKNOWN_ISSUER",
            Self::Expired => "ERR_CERT_EXPIRED",
            Self::NotYetValid => "ERR_CERT_NOT_YET_VALID",
            Self::BadCertificateSignature => "ERR_CERT_SIGNATURE_INVALID",
            Self::NotCa => "ERR_NOT_A_CA",
            Self::Revoked => "ERR_CERT_REVOKED",
            Self::KeyUsage => "ERR_CERT_KEY_USAGE",
            Self::ExtendedKeyUsage => "ERR_CERT_EXT_KEY_USAGE",
            Self::NameConstraints => "ERR_CERT_NAME_CONSTRAINTS",
            Self::PathLength => "ERR_CERT_PATH_LENGTH",
            Self::CriticalExtension => "ERR_CERT_CRITICAL_EXTENSION",
            Self::UnsupportedAlgorithm => "ERR_CERT_UNSUPPORTED_ALGORITHM",
            Self::Unsupported => "ERR_CERT_UNSUPPORTED",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidArgument(what) => write!(f, "invalid argument: {what}"),
            Self::MalformedMime(what) => write!(f, "malformed MIME: {what}"),
            Self::MalformedCms(what) => write!(f, "malformed CMS: {what}"),
            Self::MalformedCertificate(what) => write!(f, "malformed certificate: {what}"),
            Self::MalformedKey(what) => write!(f, "malformed private key: {what}"),
            Self::BadPassword => f.write_str("the password does not open this key"),
            Self::MalformedPkcs12(what) => write!(f, "malformed PKCS#12 file: {what}"),
            Self::MalformedCrl(what) => write!(f, "malformed CRL: {what}"),
            Self::NoPrivateKey => f.write_str("the file holds no private key with its certificate"),
            Self::KeyMismatch => f.write_str("the private key does not match the certificate"),
            Self::UnsupportedAlgorithm(what) => write!(f, "unsupported algorithm: {what}"),
            Self::NotSigned => f.write_str("the message is not signed"),
            Self::NotEncrypted => f.write_str("the message is not encrypted"),
            Self::NestingTooDeep => f.write_str("the message is nested too deeply"),
            Self::TooLarge => f.write_str("the input is too large"),
            Self::Signature(e) => fmt::Display::fmt(e, f),
            Self::Chain(e) => fmt::Display::fmt(e, f),
            Self::SigningFailed => f.write_str("the private-key operation failed"),
            Self::Random => f.write_str("the random number generator failed"),
            Self::DecryptFailed => f.write_str("the message could not be decrypted"),
            Self::NoMatchingRecipient => {
                f.write_str("the message is not encrypted to any of these identities")
            }
        }
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::DigestMismatch => "the content was changed after signing",
            Self::BadSignature => "the signature value does not verify",
            Self::SignerCertificateMissing => "the signer's certificate is not available",
            Self::BadSignedAttributes => "the signed attributes break RFC 5652 rules",
            Self::UnsupportedAlgorithm => "the signature uses an unsupported algorithm",
        })
    }
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::UnknownIssuer => "no path to a trust anchor",
            Self::Expired => "a certificate on the path has expired",
            Self::NotYetValid => "a certificate on the path is not yet valid",
            Self::BadCertificateSignature => "a certificate's signature does not verify",
            Self::NotCa => "an issuing certificate is not a CA",
            Self::Revoked => "a certificate on the path has been revoked",
            Self::KeyUsage => "a certificate's key usage does not permit this use",
            Self::ExtendedKeyUsage => "a certificate's extended key usage excludes e-mail",
            Self::NameConstraints => "a name on the path violates a CA's name constraints",
            Self::PathLength => "the path is longer than a CA allows",
            Self::CriticalExtension => "a certificate has an unknown critical extension",
            Self::UnsupportedAlgorithm => {
                "a certificate is signed with an algorithm or key that is not accepted"
            }
            Self::Unsupported => "a certificate on the path uses an unsupported form",
        })
    }
}

impl std::error::Error for Error {}

impl From<der::Error> for Error {
    fn from(e: der::Error) -> Self {
        Self::cms(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pins every variant to its published code: changing one is a breaking change.
    #[test]
    fn every_variant_has_its_stable_code() {
        let table: &[(Error, &str)] = &[
            (
                Error::InvalidArgument(String::new()),
                "ERR_INVALID_ARGUMENT",
            ),
            (Error::MalformedMime(""), "ERR_MALFORMED_MIME"),
            (Error::MalformedCms(String::new()), "ERR_MALFORMED_CMS"),
            (
                Error::MalformedCertificate(String::new()),
                "ERR_MALFORMED_CERTIFICATE",
            ),
            (Error::MalformedKey(String::new()), "ERR_MALFORMED_KEY"),
            (Error::BadPassword, "ERR_BAD_PASSWORD"),
            (
                Error::MalformedPkcs12(String::new()),
                "ERR_MALFORMED_PKCS12",
            ),
            (Error::MalformedCrl(String::new()), "ERR_MALFORMED_CRL"),
            (Error::NoPrivateKey, "ERR_NO_PRIVATE_KEY"),
            (Error::KeyMismatch, "ERR_KEY_MISMATCH"),
            (
                Error::UnsupportedAlgorithm(String::new()),
                "ERR_UNSUPPORTED_ALGORITHM",
            ),
            (Error::NotSigned, "ERR_NOT_SIGNED"),
            (Error::NotEncrypted, "ERR_NOT_ENCRYPTED"),
            (Error::NestingTooDeep, "ERR_NESTING_TOO_DEEP"),
            (Error::TooLarge, "ERR_TOO_LARGE"),
            (
                Error::Signature(SignatureError::DigestMismatch),
                "ERR_DIGEST_MISMATCH",
            ),
            (
                Error::Signature(SignatureError::BadSignature),
                "ERR_SIGNATURE_INVALID",
            ),
            (
                Error::Signature(SignatureError::SignerCertificateMissing),
                "ERR_SIGNER_CERT_MISSING",
            ),
            (
                Error::Signature(SignatureError::BadSignedAttributes),
                "ERR_BAD_SIGNED_ATTRIBUTES",
            ),
            (
                Error::Signature(SignatureError::UnsupportedAlgorithm),
                "ERR_UNSUPPORTED_ALGORITHM",
            ),
            (
                Error::Chain(ChainError::UnknownIssuer),
                "ERR_UNKNOWN_ISSUER",
            ),
            (Error::Chain(ChainError::Expired), "ERR_CERT_EXPIRED"),
            (
                Error::Chain(ChainError::NotYetValid),
                "ERR_CERT_NOT_YET_VALID",
            ),
            (
                Error::Chain(ChainError::BadCertificateSignature),
                "ERR_CERT_SIGNATURE_INVALID",
            ),
            (Error::Chain(ChainError::NotCa), "ERR_NOT_A_CA"),
            (Error::Chain(ChainError::Revoked), "ERR_CERT_REVOKED"),
            (Error::Chain(ChainError::KeyUsage), "ERR_CERT_KEY_USAGE"),
            (
                Error::Chain(ChainError::ExtendedKeyUsage),
                "ERR_CERT_EXT_KEY_USAGE",
            ),
            (
                Error::Chain(ChainError::NameConstraints),
                "ERR_CERT_NAME_CONSTRAINTS",
            ),
            (Error::Chain(ChainError::PathLength), "ERR_CERT_PATH_LENGTH"),
            (
                Error::Chain(ChainError::CriticalExtension),
                "ERR_CERT_CRITICAL_EXTENSION",
            ),
            (
                Error::Chain(ChainError::UnsupportedAlgorithm),
                "ERR_CERT_UNSUPPORTED_ALGORITHM",
            ),
            (
                Error::Chain(ChainError::Unsupported),
                "ERR_CERT_UNSUPPORTED",
            ),
            (Error::SigningFailed, "ERR_SIGNING_FAILED"),
            (Error::Random, "ERR_RANDOM"),
            (Error::DecryptFailed, "ERR_DECRYPT_FAILED"),
            (Error::NoMatchingRecipient, "ERR_NO_MATCHING_RECIPIENT"),
        ];
        for (error, code) in table {
            assert_eq!(error.code(), *code, "{error:?}");
            assert!(!error.to_string().ends_with('.'));
        }
    }
}
