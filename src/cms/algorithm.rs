//! Digest and signature algorithm identifiers (RFC 5754, RFC 4055, RFC 5758) and their checks.

use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5912, rfc8410};
use der::asn1::Null;
use der::{Any, Decode, Encode};
use digest::Digest;
use spki::AlgorithmIdentifierOwned;

use crate::error::{Error, Result, SignatureError};
use crate::key::PublicKey;

/// ANSI X9.62 ecdsa-with-SHA1, which the OID database does not name.
const ECDSA_WITH_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");

/// A message digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-1: read only, and reported as weak.
    Sha1,
    /// SHA-224: read only.
    Sha224,
    /// SHA-256, the default.
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// The algorithm named by `oid`, if it is one we implement.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match *oid {
            rfc5912::ID_SHA_1 => Self::Sha1,
            rfc5912::ID_SHA_224 => Self::Sha224,
            rfc5912::ID_SHA_256 => Self::Sha256,
            rfc5912::ID_SHA_384 => Self::Sha384,
            rfc5912::ID_SHA_512 => Self::Sha512,
            _ => return None,
        })
    }

    /// Its object identifier.
    pub const fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => rfc5912::ID_SHA_1,
            Self::Sha224 => rfc5912::ID_SHA_224,
            Self::Sha256 => rfc5912::ID_SHA_256,
            Self::Sha384 => rfc5912::ID_SHA_384,
            Self::Sha512 => rfc5912::ID_SHA_512,
        }
    }

    /// The lower-case name used in reports and in `micalg` (RFC 8551 §3.5.3.2).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha224 => "sha224",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// `micalg` parameter value for multipart/signed (RFC 8551 §3.5.3.2).
    pub const fn micalg(self) -> &'static str {
        match self {
            Self::Sha1 => "sha-1",
            Self::Sha224 => "sha-224",
            Self::Sha256 => "sha-256",
            Self::Sha384 => "sha-384",
            Self::Sha512 => "sha-512",
        }
    }

    /// The AlgorithmIdentifier written in SignedData: parameters absent (RFC 5754 §2).
    pub fn identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }

    /// Hash `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Self::Sha224 => sha2::Sha224::digest(data).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    fn from_identifier(id: &AlgorithmIdentifierOwned) -> Result<Self> {
        Self::from_oid(&id.oid).ok_or_else(|| Error::unsupported(id.oid))
    }
}

/// A signature scheme as named by a SignerInfo's or certificate's signatureAlgorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5; the digest is implied by the OID or (for `rsaEncryption`) given apart.
    RsaPkcs1(Option<DigestAlgorithm>),
    /// RSASSA-PSS with the parameters of RFC 4055 §3.1 (MGF1 with the same hash).
    RsaPss {
        digest: DigestAlgorithm,
        salt_len: usize,
    },
    /// ECDSA; the digest is implied by the OID or (for `id-ecPublicKey`) given apart.
    Ecdsa(Option<DigestAlgorithm>),
    /// Ed25519 (RFC 8419): pure, no separate digest of the message.
    Ed25519,
}

/// RFC 4055 §3.1 RSASSA-PSS-params.
#[derive(Debug, der::Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_len: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u32>,
}

impl SignatureScheme {
    pub(crate) fn from_identifier(id: &AlgorithmIdentifierOwned) -> Result<Self> {
        use DigestAlgorithm as D;
        Ok(match id.oid {
            rfc5912::RSA_ENCRYPTION => Self::RsaPkcs1(None),
            rfc5912::SHA_1_WITH_RSA_ENCRYPTION => Self::RsaPkcs1(Some(D::Sha1)),
            rfc5912::SHA_224_WITH_RSA_ENCRYPTION => Self::RsaPkcs1(Some(D::Sha224)),
            rfc5912::SHA_256_WITH_RSA_ENCRYPTION => Self::RsaPkcs1(Some(D::Sha256)),
            rfc5912::SHA_384_WITH_RSA_ENCRYPTION => Self::RsaPkcs1(Some(D::Sha384)),
            rfc5912::SHA_512_WITH_RSA_ENCRYPTION => Self::RsaPkcs1(Some(D::Sha512)),
            rfc5912::ID_RSASSA_PSS => Self::pss(id.parameters.as_ref())?,
            rfc5912::ID_EC_PUBLIC_KEY => Self::Ecdsa(None),
            ECDSA_WITH_SHA_1 => Self::Ecdsa(Some(D::Sha1)),
            rfc5912::ECDSA_WITH_SHA_224 => Self::Ecdsa(Some(D::Sha224)),
            rfc5912::ECDSA_WITH_SHA_256 => Self::Ecdsa(Some(D::Sha256)),
            rfc5912::ECDSA_WITH_SHA_384 => Self::Ecdsa(Some(D::Sha384)),
            rfc5912::ECDSA_WITH_SHA_512 => Self::Ecdsa(Some(D::Sha512)),
            rfc8410::ID_ED_25519 => Self::Ed25519,
            other => return Err(Error::unsupported(other)),
        })
    }

    /// RFC 4055 §3.1: absent fields mean SHA-1, MGF1-SHA-1, salt 20, trailer 1.
    fn pss(params: Option<&Any>) -> Result<Self> {
        let params = match params {
            Some(any) => PssParams::from_der(&any.to_der()?)?,
            None => PssParams {
                hash: None,
                mask_gen: None,
                salt_len: None,
                trailer_field: None,
            },
        };
        let digest = match &params.hash {
            Some(h) => DigestAlgorithm::from_identifier(h)?,
            None => DigestAlgorithm::Sha1,
        };
        if let Some(mgf) = &params.mask_gen {
            let mgf_hash = mgf
                .parameters
                .as_ref()
                .map(|p| AlgorithmIdentifierOwned::from_der(&p.to_der()?))
                .transpose()?;
            let mgf_digest = match mgf_hash {
                Some(h) => DigestAlgorithm::from_identifier(&h)?,
                None => DigestAlgorithm::Sha1,
            };
            // The rsa crate runs MGF1 with the message hash; a different MGF hash is not read.
            if mgf.oid != rfc5912::ID_MGF_1 || mgf_digest != digest {
                return Err(Error::unsupported("RSASSA-PSS with a different MGF hash"));
            }
        }
        if params.trailer_field.unwrap_or(1) != 1 {
            return Err(Error::unsupported("RSASSA-PSS trailer field"));
        }
        let salt_len = usize::try_from(params.salt_len.unwrap_or(20))
            .map_err(|_| Error::unsupported("RSASSA-PSS salt length"))?;
        Ok(Self::RsaPss { digest, salt_len })
    }

    /// The name used in reports.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::RsaPkcs1(_) => "rsa-pkcs1v15",
            Self::RsaPss { .. } => "rsa-pss",
            Self::Ecdsa(_) => "ecdsa",
            Self::Ed25519 => "ed25519",
        }
    }

    /// The digest this scheme hashes with, given the separately named one (CMS digestAlgorithm).
    fn digest_or(self, given: Option<DigestAlgorithm>) -> Result<DigestAlgorithm> {
        let implied = match self {
            Self::RsaPkcs1(d) | Self::Ecdsa(d) => d,
            Self::RsaPss { digest, .. } => Some(digest),
            Self::Ed25519 => return Ok(DigestAlgorithm::Sha512),
        };
        implied
            .or(given)
            .ok_or_else(|| Error::unsupported("signature without a digest"))
    }
}

/// The identifier we write for a signature by `key` with `digest`: `sha*WithRSAEncryption`
/// (as OpenSSL and NSS write) or `ecdsa-with-SHA*` (RFC 5758 §3.2: parameters absent).
pub(crate) fn signature_identifier(
    key: &PublicKey,
    digest: DigestAlgorithm,
) -> Result<AlgorithmIdentifierOwned> {
    use DigestAlgorithm as D;
    let oid = match (key, digest) {
        (PublicKey::Rsa(_), D::Sha256) => rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
        (PublicKey::Rsa(_), D::Sha384) => rfc5912::SHA_384_WITH_RSA_ENCRYPTION,
        (PublicKey::Rsa(_), D::Sha512) => rfc5912::SHA_512_WITH_RSA_ENCRYPTION,
        (PublicKey::P256(_) | PublicKey::P384(_), D::Sha256) => rfc5912::ECDSA_WITH_SHA_256,
        (PublicKey::P256(_) | PublicKey::P384(_), D::Sha384) => rfc5912::ECDSA_WITH_SHA_384,
        (PublicKey::P256(_) | PublicKey::P384(_), D::Sha512) => rfc5912::ECDSA_WITH_SHA_512,
        // RFC 8419 §3.1: pure Ed25519; the digest (SHA-512) only serves messageDigest.
        (PublicKey::Ed25519(_), _) => rfc8410::ID_ED_25519,
        (_, d) => return Err(Error::unsupported(format!("signing with {}", d.name()))),
    };
    let parameters = match key {
        // RFC 4055 §5: the RSA signature OIDs carry an explicit NULL.
        PublicKey::Rsa(_) => Some(Any::encode_from(&Null)?),
        _ => None,
    };
    Ok(AlgorithmIdentifierOwned { oid, parameters })
}

/// Verify `signature` over `message` by `key` under the scheme `algorithm` names, hashing with
/// `digest` where the scheme does not imply one. Returns the scheme for the report.
pub(crate) fn verify_signature(
    key: &PublicKey,
    algorithm: &AlgorithmIdentifierOwned,
    digest: Option<DigestAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> core::result::Result<SignatureScheme, SignatureError> {
    let scheme = SignatureScheme::from_identifier(algorithm)
        .map_err(|_| SignatureError::UnsupportedAlgorithm)?;
    let digest = scheme
        .digest_or(digest)
        .map_err(|_| SignatureError::UnsupportedAlgorithm)?;
    if let (SignatureScheme::Ed25519, PublicKey::Ed25519(k)) = (scheme, key) {
        let holds = ed25519_dalek::Signature::from_slice(signature)
            .is_ok_and(|sig| k.verify_strict(message, &sig).is_ok());
        return if holds {
            Ok(scheme)
        } else {
            Err(SignatureError::BadSignature)
        };
    }
    let hashed = digest.digest(message);
    let holds = match (scheme, key) {
        (SignatureScheme::RsaPkcs1(_), PublicKey::Rsa(k)) => k
            .verify(pkcs1v15_padding(digest), &hashed, signature)
            .is_ok(),
        (SignatureScheme::RsaPss { salt_len, .. }, PublicKey::Rsa(k)) => {
            verify_pss(k, digest, salt_len, &hashed, signature)
        }
        (SignatureScheme::Ecdsa(_), PublicKey::P256(k)) => verify_ecdsa_p256(k, &hashed, signature),
        (SignatureScheme::Ecdsa(_), PublicKey::P384(k)) => verify_ecdsa_p384(k, &hashed, signature),
        // A scheme that does not fit the key (an ECDSA OID on an RSA key) cannot hold.
        _ => false,
    };
    if holds {
        Ok(scheme)
    } else {
        Err(SignatureError::BadSignature)
    }
}

pub(crate) fn pkcs1v15_padding(digest: DigestAlgorithm) -> rsa::pkcs1v15::Pkcs1v15Sign {
    use rsa::pkcs1v15::Pkcs1v15Sign;
    match digest {
        DigestAlgorithm::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
        DigestAlgorithm::Sha224 => Pkcs1v15Sign::new::<sha2::Sha224>(),
        DigestAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
        DigestAlgorithm::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
        DigestAlgorithm::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
    }
}

fn verify_pss(
    key: &rsa::PublicKey,
    digest: DigestAlgorithm,
    salt_len: usize,
    hashed: &[u8],
    signature: &[u8],
) -> bool {
    use rsa::pss::Pss;
    let result = match digest {
        DigestAlgorithm::Sha1 => key.verify(
            Pss::<sha1::Sha1>::new_with_salt(salt_len),
            hashed,
            signature,
        ),
        DigestAlgorithm::Sha224 => key.verify(
            Pss::<sha2::Sha224>::new_with_salt(salt_len),
            hashed,
            signature,
        ),
        DigestAlgorithm::Sha256 => key.verify(
            Pss::<sha2::Sha256>::new_with_salt(salt_len),
            hashed,
            signature,
        ),
        DigestAlgorithm::Sha384 => key.verify(
            Pss::<sha2::Sha384>::new_with_salt(salt_len),
            hashed,
            signature,
        ),
        DigestAlgorithm::Sha512 => key.verify(
            Pss::<sha2::Sha512>::new_with_salt(salt_len),
            hashed,
            signature,
        ),
    };
    result.is_ok()
}

fn verify_ecdsa_p256(key: &p256::ecdsa::VerifyingKey, hashed: &[u8], signature: &[u8]) -> bool {
    use signature::hazmat::PrehashVerifier;
    match p256::ecdsa::DerSignature::from_bytes(signature) {
        Ok(sig) => key.verify_prehash(hashed, &sig).is_ok(),
        Err(_) => false,
    }
}

fn verify_ecdsa_p384(key: &p384::ecdsa::VerifyingKey, hashed: &[u8], signature: &[u8]) -> bool {
    use signature::hazmat::PrehashVerifier;
    match p384::ecdsa::DerSignature::from_bytes(signature) {
        Ok(sig) => key.verify_prehash(hashed, &sig).is_ok(),
        Err(_) => false,
    }
}
