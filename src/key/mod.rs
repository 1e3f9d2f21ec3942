//! Private and public keys: PKCS#8 (plain and PBES2-encrypted), PKCS#1 and SEC1 PEM, and the
//! signer that binds a key to its certificate.

mod curves;
pub mod generate;
pub mod pkcs12;

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use der::{Any, Decode, Encode};
use pkcs8::{EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef};
use spki::SubjectPublicKeyInfoOwned;
use zeroize::Zeroizing;

use crate::cert::Certificate;
use crate::cms::DigestAlgorithm;
use crate::error::{Error, Result};

/// A private key. Key material is zeroized when the value is dropped (the wrapped RustCrypto
/// key types implement `ZeroizeOnDrop`).
pub enum PrivateKey {
    /// RSA.
    Rsa(Box<rsa::PrivateKey>),
    /// ECDSA on NIST P-256.
    P256(p256::ecdsa::SigningKey),
    /// ECDSA on NIST P-384.
    P384(p384::ecdsa::SigningKey),
    /// X25519 (RFC 8410): key agreement only.
    X25519(x25519_dalek::StaticSecret),
    /// Ed25519 (RFC 8410, RFC 8419): signing only.
    Ed25519(ed25519_dalek::SigningKey),
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PrivateKey({})", self.public_key().description())
    }
}

/// A public key, as found in a certificate's SubjectPublicKeyInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA.
    Rsa(rsa::PublicKey),
    /// NIST P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// NIST P-384.
    P384(p384::ecdsa::VerifyingKey),
    /// X25519 (RFC 8410).
    X25519(x25519_dalek::PublicKey),
    /// Ed25519 (RFC 8410).
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl PublicKey {
    /// Parse a SubjectPublicKeyInfo.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self> {
        let unsupported = || Error::unsupported(format!("public key {}", spki.algorithm.oid));
        match spki.algorithm.oid {
            rfc5912::RSA_ENCRYPTION => {
                // Keys down to 512 bits are read (rsa's default floor is 1024) so that old
                // signatures still verify and are reported as weak, as Bouncy Castle does for
                // its validator.shortKey.eml; operations that must refuse them check the size.
                let key = spki
                    .subject_public_key
                    .as_bytes()
                    .and_then(|bytes| pkcs1::RsaPublicKeyRef::from_der(bytes).ok())
                    .ok_or_else(unsupported)?;
                let uint = |int: der::asn1::UintRef<'_>| {
                    let bytes = int.as_bytes();
                    let bits = u32::try_from(bytes.len()).ok()?.checked_mul(8)?;
                    rsa::BoxedUint::from_be_slice(bytes, bits).ok()
                };
                let (Some(n), Some(e)) = (uint(key.modulus), uint(key.public_exponent)) else {
                    return Err(unsupported());
                };
                rsa::PublicKey::new_with_size_limits(n, e, 512..=rsa::PublicKey::MAX_SIZE)
                    .map(Self::Rsa)
                    .map_err(|_| unsupported())
            }
            rfc5912::ID_EC_PUBLIC_KEY => {
                let curve = curves::named_curve_of(spki.algorithm.parameters.as_ref());
                // Explicit parameters equal to a named curve: read as the named curve.
                let mut named = spki.clone();
                named.algorithm.parameters = curve.map(|oid| Any::encode_from(&oid)).transpose()?;
                let der = named.to_der()?;
                use spki::DecodePublicKey;
                match curve {
                    Some(rfc5912::SECP_256_R_1) => {
                        p256::ecdsa::VerifyingKey::from_public_key_der(&der).map(Self::P256)
                    }
                    Some(rfc5912::SECP_384_R_1) => {
                        p384::ecdsa::VerifyingKey::from_public_key_der(&der).map(Self::P384)
                    }
                    _ => return Err(unsupported()),
                }
                .map_err(|_| unsupported())
            }
            const_oid::db::rfc8410::ID_X_25519 => {
                let bytes: [u8; 32] = spki
                    .subject_public_key
                    .as_bytes()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(unsupported)?;
                Ok(Self::X25519(x25519_dalek::PublicKey::from(bytes)))
            }
            const_oid::db::rfc8410::ID_ED_25519 => {
                let bytes: [u8; 32] = spki
                    .subject_public_key
                    .as_bytes()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(unsupported)?;
                ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                    .map(Self::Ed25519)
                    .map_err(|_| unsupported())
            }
            _ => Err(unsupported()),
        }
    }

    /// The label used in reports: `rsa-2048`, `p-256`, `p-384`.
    pub fn description(&self) -> String {
        match self {
            Self::Rsa(k) => {
                use rsa::traits::PublicKeyParts;
                format!("rsa-{}", k.n().bit_width_vartime())
            }
            Self::P256(_) => String::from("p-256"),
            Self::P384(_) => String::from("p-384"),
            Self::X25519(_) => String::from("x25519"),
            Self::Ed25519(_) => String::from("ed25519"),
        }
    }
}

impl PrivateKey {
    /// Parse a PEM private key: `PRIVATE KEY` (PKCS#8), `ENCRYPTED PRIVATE KEY` (PKCS#8 with
    /// PBES2; needs `password`), `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY` (SEC1).
    pub fn from_pem(pem: &str, password: Option<&str>) -> Result<Self> {
        // `openssl ecparam -genkey` writes an `EC PARAMETERS` block before the key; any block
        // that is not a key is skipped.
        let mut blocks = crate::pem::blocks(pem).into_iter();
        let block = loop {
            match blocks.next() {
                Some(Ok(block)) if block.label.contains("PRIVATE KEY") => break block,
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(Error::MalformedKey(e)),
                None => return Err(Error::MalformedKey(String::from("no PEM private key"))),
            }
        };
        let der = Zeroizing::new(block.decode().map_err(Error::MalformedKey)?);
        match block.label {
            "PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => Self::from_der(&der, password),
            "RSA PRIVATE KEY" => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                rsa::PrivateKey::from_pkcs1_der(&der)
                    .map(|k| Self::Rsa(Box::new(k)))
                    .map_err(|e| Error::MalformedKey(e.to_string()))
            }
            "EC PRIVATE KEY" => Self::from_sec1(&der),
            other => Err(Error::MalformedKey(format!("unexpected PEM label {other}"))),
        }
    }

    /// Parse a DER PKCS#8 PrivateKeyInfo, or an EncryptedPrivateKeyInfo opened with `password`.
    pub fn from_der(der: &[u8], password: Option<&str>) -> Result<Self> {
        if let Ok(info) = PrivateKeyInfoRef::try_from(der) {
            return Self::from_pkcs8(info);
        }
        let encrypted = EncryptedPrivateKeyInfoRef::try_from(der)
            .map_err(|e| Error::MalformedKey(e.to_string()))?;
        let password = password.ok_or(Error::BadPassword)?;
        // A wrong password shows as a padding or decoding failure of the decrypted bytes.
        let document = encrypted
            .decrypt(password)
            .map_err(|_| Error::BadPassword)?;
        let info =
            PrivateKeyInfoRef::try_from(document.as_bytes()).map_err(|_| Error::BadPassword)?;
        Self::from_pkcs8(info)
    }

    fn from_pkcs8(info: PrivateKeyInfoRef<'_>) -> Result<Self> {
        let der = Zeroizing::new(info.to_der()?);
        let malformed = |e: pkcs8::Error| Error::MalformedKey(e.to_string());
        use pkcs8::DecodePrivateKey;
        match info.algorithm.oid {
            rfc5912::RSA_ENCRYPTION => rsa::PrivateKey::from_pkcs8_der(&der)
                .map(|k| Self::Rsa(Box::new(k)))
                .map_err(malformed),
            rfc5912::ID_EC_PUBLIC_KEY => {
                let parameters = info.algorithm.parameters.map(|p| p.to_der()).transpose()?;
                let curve = parameters.as_deref().and_then(curves::named_curve);
                let explicit = parameters
                    .as_deref()
                    .is_some_and(|p| <ObjectIdentifier>::from_der(p).is_err());
                if explicit {
                    // RFC 5915 ECPrivateKey: the scalar is all we need once the curve is known.
                    let ec = curves::EcPrivateKey::from_der(info.private_key.as_bytes())
                        .map_err(|e| Error::MalformedKey(e.to_string()))?;
                    let scalar = Zeroizing::new(ec.private_key.as_bytes().to_vec());
                    let bad = |_| Error::MalformedKey(String::from("EC private key"));
                    return match curve {
                        Some(rfc5912::SECP_256_R_1) => p256::SecretKey::from_slice(&scalar)
                            .map(|k| Self::P256(k.into()))
                            .map_err(bad),
                        Some(rfc5912::SECP_384_R_1) => p384::SecretKey::from_slice(&scalar)
                            .map(|k| Self::P384(k.into()))
                            .map_err(bad),
                        _ => Err(Error::unsupported("elliptic curve")),
                    };
                }
                match curve {
                    Some(rfc5912::SECP_256_R_1) => p256::ecdsa::SigningKey::from_pkcs8_der(&der)
                        .map(Self::P256)
                        .map_err(malformed),
                    Some(rfc5912::SECP_384_R_1) => p384::ecdsa::SigningKey::from_pkcs8_der(&der)
                        .map(Self::P384)
                        .map_err(malformed),
                    _ => Err(Error::unsupported("elliptic curve")),
                }
            }
            const_oid::db::rfc8410::ID_X_25519 => {
                // RFC 8410 §7: privateKey holds CurvePrivateKey ::= OCTET STRING.
                let inner = der::asn1::OctetString::from_der(info.private_key.as_bytes())
                    .map_err(|e| Error::MalformedKey(e.to_string()))?;
                let bytes: [u8; 32] = inner
                    .as_bytes()
                    .try_into()
                    .map_err(|_| Error::MalformedKey(String::from("X25519 key length")))?;
                Ok(Self::X25519(x25519_dalek::StaticSecret::from(bytes)))
            }
            const_oid::db::rfc8410::ID_ED_25519 => {
                let inner = der::asn1::OctetString::from_der(info.private_key.as_bytes())
                    .map_err(|e| Error::MalformedKey(e.to_string()))?;
                let bytes: [u8; 32] = inner
                    .as_bytes()
                    .try_into()
                    .map_err(|_| Error::MalformedKey(String::from("Ed25519 key length")))?;
                Ok(Self::Ed25519(ed25519_dalek::SigningKey::from_bytes(&bytes)))
            }
            other => Err(Error::unsupported(format!("private key {other}"))),
        }
    }

    fn from_sec1(der: &[u8]) -> Result<Self> {
        if let Ok(k) = p256::SecretKey::from_sec1_der(der) {
            return Ok(Self::P256(k.into()));
        }
        if let Ok(k) = p384::SecretKey::from_sec1_der(der) {
            return Ok(Self::P384(k.into()));
        }
        Err(Error::MalformedKey(String::from("unreadable SEC1 EC key")))
    }

    /// Parse a key given as PEM text or DER bytes.
    pub fn from_pem_or_der(bytes: &[u8], password: Option<&str>) -> Result<Self> {
        match core::str::from_utf8(bytes) {
            Ok(text) if text.contains("-----BEGIN") => Self::from_pem(text, password),
            _ => Self::from_der(bytes, password),
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            Self::Rsa(k) => PublicKey::Rsa(k.to_public_key()),
            Self::P256(k) => PublicKey::P256(*k.verifying_key()),
            Self::P384(k) => PublicKey::P384(*k.verifying_key()),
            Self::X25519(k) => PublicKey::X25519(x25519_dalek::PublicKey::from(k)),
            Self::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
        }
    }

    /// Sign `message`: RSASSA-PKCS1-v1_5 or ECDSA (DER signature) over its `digest`, or pure
    /// Ed25519 over the message itself (RFC 8419 §3.1). This is the one private-key operation
    /// signing needs (DESIGN.md seam 1).
    pub fn sign(&self, digest: DigestAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        use signature::hazmat::PrehashSigner;
        if let Self::Ed25519(k) = self {
            use ed25519_dalek::Signer as _;
            return Ok(k.sign(message).to_bytes().to_vec());
        }
        let hashed = digest.digest(message);
        match self {
            Self::Rsa(k) => k
                .sign(crate::cms::algorithm::pkcs1v15_padding(digest), &hashed)
                .map_err(|_| Error::SigningFailed),
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.sign_prehash(&hashed).map_err(|_| Error::SigningFailed)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Self::P384(k) => {
                let sig: p384::ecdsa::Signature =
                    k.sign_prehash(&hashed).map_err(|_| Error::SigningFailed)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Self::X25519(_) => Err(Error::unsupported("signing with an X25519 key")),
            Self::Ed25519(_) => Err(Error::SigningFailed), // handled above
        }
    }
}

/// A certificate with its private key and the chain to present: who signs, and who decrypts.
#[derive(Debug)]
pub struct Identity {
    certificate: Certificate,
    key: PrivateKey,
    chain: Vec<Certificate>,
}

impl Identity {
    /// Bind `key` to `certificate`; refuses a key whose public half is not the certificate's
    /// (`ERR_KEY_MISMATCH`). `chain` lists issuing certificates to include, issuer first.
    pub fn new(certificate: Certificate, key: PrivateKey, chain: Vec<Certificate>) -> Result<Self> {
        if certificate.public_key()? != key.public_key() {
            return Err(Error::KeyMismatch);
        }
        Ok(Self {
            certificate,
            key,
            chain,
        })
    }

    /// The signer's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The issuing certificates presented with signatures.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The private key.
    pub fn key(&self) -> &PrivateKey {
        &self.key
    }
}
