//! Key agreement recipients (RFC 5652 §6.2.2): ephemeral-static ECDH on P-256 and P-384
//! (RFC 5753) and X25519 (RFC 8418).

use cms::content_info::CmsVersion;
use cms::enveloped_data::{
    KeyAgreeRecipientIdentifier, KeyAgreeRecipientInfo, OriginatorIdentifierOrKey,
    OriginatorPublicKey, RecipientEncryptedKey, RecipientKeyIdentifier, UserKeyingMaterial,
};
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5753, rfc5912, rfc8410};
use der::asn1::{BitString, OctetString};
use der::{Any, Encode, Sequence};
use p256::elliptic_curve::Generate;
use p256::elliptic_curve::sec1::ToSec1Point;
use rand_core::CryptoRng;
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::algorithm::DigestAlgorithm;
use super::keywrap::KeyWrap;
use super::recipient::{
    RecipientIdentifierKind, issuer_and_serial, names_by_issuer_and_serial,
    names_by_key_identifier, required_subject_key_identifier,
};
use crate::cert::Certificate;
use crate::error::{Error, Result};
use crate::key::{Identity, PrivateKey, PublicKey};

/// RFC 8418 §2.2: dhSinglePass-stdDH-hkdf-sha256-scheme.
const HKDF_SHA256_SCHEME: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.3.19");
/// RFC 8418 §2.2: dhSinglePass-stdDH-hkdf-sha384-scheme.
const HKDF_SHA384_SCHEME: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.3.20");
/// RFC 8418 §2.2: dhSinglePass-stdDH-hkdf-sha512-scheme.
const HKDF_SHA512_SCHEME: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.3.21");

/// ECC-CMS-SharedInfo (RFC 5753 §7.2), the KDF's SharedInfo (X9.63) or info (HKDF) input.
/// The `cms` crate defines the same type only inside its private builder module.
#[derive(Debug, Sequence)]
struct EccCmsSharedInfo {
    key_info: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    entity_u_info: Option<UserKeyingMaterial>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT")]
    supp_pub_info: OctetString,
}

/// How the KEK is derived from the shared secret Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kdf {
    /// ANSI X9.63 KDF (RFC 5753 §3.1.2, RFC 8418 §2.1).
    X963(DigestAlgorithm),
    /// HKDF without salt (RFC 8418 §2.2).
    Hkdf(DigestAlgorithm),
}

/// A keyEncryptionAlgorithm of a KeyAgreeRecipientInfo: the key agreement scheme and its KDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scheme {
    kdf: Kdf,
    /// The cofactor-DH variant (RFC 5753 §7.1.4). P-256 and P-384 have cofactor 1, so it
    /// computes the same Z as standard DH there.
    cofactor: bool,
}

impl Scheme {
    fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        use DigestAlgorithm::{Sha1, Sha224, Sha256, Sha384, Sha512};
        let (kdf, cofactor) = match oid {
            rfc5753::DH_SINGLE_PASS_STD_DH_SHA_1_KDF_SCHEME => (Kdf::X963(Sha1), false),
            rfc5753::DH_SINGLE_PASS_STD_DH_SHA_224_KDF_SCHEME => (Kdf::X963(Sha224), false),
            rfc5753::DH_SINGLE_PASS_STD_DH_SHA_256_KDF_SCHEME => (Kdf::X963(Sha256), false),
            rfc5753::DH_SINGLE_PASS_STD_DH_SHA_384_KDF_SCHEME => (Kdf::X963(Sha384), false),
            rfc5753::DH_SINGLE_PASS_STD_DH_SHA_512_KDF_SCHEME => (Kdf::X963(Sha512), false),
            rfc5753::DH_SINGLE_PASS_COFACTOR_DH_SHA_1_KDF_SCHEME => (Kdf::X963(Sha1), true),
            rfc5753::DH_SINGLE_PASS_COFACTOR_DH_SHA_224_KDF_SCHEME => (Kdf::X963(Sha224), true),
            rfc5753::DH_SINGLE_PASS_COFACTOR_DH_SHA_256_KDF_SCHEME => (Kdf::X963(Sha256), true),
            rfc5753::DH_SINGLE_PASS_COFACTOR_DH_SHA_384_KDF_SCHEME => (Kdf::X963(Sha384), true),
            rfc5753::DH_SINGLE_PASS_COFACTOR_DH_SHA_512_KDF_SCHEME => (Kdf::X963(Sha512), true),
            HKDF_SHA256_SCHEME => (Kdf::Hkdf(Sha256), false),
            HKDF_SHA384_SCHEME => (Kdf::Hkdf(Sha384), false),
            HKDF_SHA512_SCHEME => (Kdf::Hkdf(Sha512), false),
            _ => return None,
        };
        Some(Self { kdf, cofactor })
    }

    /// The label used in reports: `sha256kdf`, `cofactor-sha1kdf`, `hkdf-sha256`.
    fn name(self) -> String {
        let cofactor = if self.cofactor { "cofactor-" } else { "" };
        match self.kdf {
            Kdf::X963(hash) => format!("{cofactor}{}kdf", hash.name()),
            Kdf::Hkdf(hash) => format!("hkdf-{}", hash.name()),
        }
    }
}

/// The key agreement curves this crate implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Curve {
    P256,
    P384,
    X25519,
}

impl Curve {
    fn name(self) -> &'static str {
        match self {
            Self::P256 => "ecdh-p256",
            Self::P384 => "ecdh-p384",
            Self::X25519 => "x25519",
        }
    }

    /// What this crate writes (RFC 5753 §8 / RFC 8551 §2.7.1.2 pair SHA-256 with P-256 and
    /// SHA-384 with P-384; RFC 8418 §2.2 prefers HKDF for X25519).
    fn preferred_scheme(self) -> (ObjectIdentifier, Kdf) {
        match self {
            Self::P256 => (
                rfc5753::DH_SINGLE_PASS_STD_DH_SHA_256_KDF_SCHEME,
                Kdf::X963(DigestAlgorithm::Sha256),
            ),
            Self::P384 => (
                rfc5753::DH_SINGLE_PASS_STD_DH_SHA_384_KDF_SCHEME,
                Kdf::X963(DigestAlgorithm::Sha384),
            ),
            Self::X25519 => (HKDF_SHA256_SCHEME, Kdf::Hkdf(DigestAlgorithm::Sha256)),
        }
    }
}

/// The label of a key wrap algorithm in reports.
fn wrap_name(wrap: KeyWrap) -> &'static str {
    match wrap {
        KeyWrap::Aes128 => "aes128-wrap",
        KeyWrap::Aes192 => "aes192-wrap",
        KeyWrap::Aes256 => "aes256-wrap",
        KeyWrap::DesEde3 => "3des-wrap",
    }
}

/// The KeyWrapAlgorithm carried as the parameters of the keyEncryptionAlgorithm
/// (RFC 5753 §7.1.5).
fn wrap_identifier(kari: &KeyAgreeRecipientInfo) -> Result<AlgorithmIdentifierOwned> {
    let params = kari
        .key_enc_alg
        .parameters
        .as_ref()
        .ok_or_else(|| Error::cms("key agreement without a key wrap algorithm"))?;
    Ok(params.decode_as::<AlgorithmIdentifierOwned>()?)
}

/// DER of ECC-CMS-SharedInfo (RFC 5753 §7.2): `key_info` is the wrap AlgorithmIdentifier as
/// the message carries it, suppPubInfo the KEK length in bits as a 32-bit big-endian number.
/// RFC 5753 wants absent parameters for the AES wraps, but senders that write NULL (Bouncy
/// Castle's `encSess3`..`8`) also hash NULL: only the parameters as sent derive their KEK.
fn shared_info(
    key_info: &AlgorithmIdentifierOwned,
    ukm: Option<&UserKeyingMaterial>,
    kek_len: usize,
) -> Result<Vec<u8>> {
    let bits = kek_len
        .checked_mul(8)
        .and_then(|bits| u32::try_from(bits).ok())
        .ok_or_else(|| Error::InvalidArgument(String::from("key wrap key length")))?;
    let info = EccCmsSharedInfo {
        key_info: key_info.clone(),
        entity_u_info: ukm.cloned(),
        supp_pub_info: OctetString::new(bits.to_be_bytes())?,
    };
    Ok(info.to_der()?)
}

/// Derive `kek.len()` bytes from the shared secret `z`. RFC 8418 §2.2: HKDF takes no salt (the
/// ukm, if any, is inside `info`, as with the X9.63 KDF).
fn derive_kek(kdf: Kdf, z: &[u8], info: &[u8], kek: &mut [u8]) -> core::result::Result<(), ()> {
    use DigestAlgorithm::{Sha1, Sha224, Sha256, Sha384, Sha512};
    match kdf {
        Kdf::X963(hash) => match hash {
            Sha1 => ansi_x963_kdf::derive_key_into::<sha1::Sha1>(z, info, kek),
            Sha224 => ansi_x963_kdf::derive_key_into::<sha2::Sha224>(z, info, kek),
            Sha256 => ansi_x963_kdf::derive_key_into::<sha2::Sha256>(z, info, kek),
            Sha384 => ansi_x963_kdf::derive_key_into::<sha2::Sha384>(z, info, kek),
            Sha512 => ansi_x963_kdf::derive_key_into::<sha2::Sha512>(z, info, kek),
        }
        .map_err(|_| ()),
        Kdf::Hkdf(hash) => match hash {
            Sha256 => hkdf::Hkdf::<sha2::Sha256>::new(None, z).expand(info, kek),
            Sha384 => hkdf::Hkdf::<sha2::Sha384>::new(None, z).expand(info, kek),
            Sha512 => hkdf::Hkdf::<sha2::Sha512>::new(None, z).expand(info, kek),
            // RFC 8418 defines no HKDF scheme with these hashes.
            Sha1 | Sha224 => return Err(()),
        }
        .map_err(|_| ()),
    }
}

/// Whether `rid` names `cert`.
fn names(rid: &KeyAgreeRecipientIdentifier, cert: &Certificate) -> bool {
    match rid {
        KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(isn) => {
            names_by_issuer_and_serial(isn, cert)
        }
        KeyAgreeRecipientIdentifier::RKeyId(rkid) => {
            names_by_key_identifier(&rkid.subject_key_identifier, cert)
        }
    }
}

/// Whether the originatorKey's AlgorithmIdentifier fits a NIST `curve` (RFC 5753 §7.1.2:
/// id-ecPublicKey with parameters absent, NULL, or the curve's namedCurve).
fn is_ec_key_on(algorithm: &AlgorithmIdentifierOwned, curve: ObjectIdentifier) -> bool {
    algorithm.oid == rfc5912::ID_EC_PUBLIC_KEY
        && match &algorithm.parameters {
            None => true,
            Some(p) if p.is_null() => true,
            Some(p) => p
                .decode_as::<ObjectIdentifier>()
                .is_ok_and(|named| named == curve),
        }
}

/// The shared secret Z of `key` and the originator's ephemeral public key: the x-coordinate
/// for P-256/P-384 (RFC 5753 §3.1.2), the X25519 output for X25519 (RFC 8418 §2).
fn agree(
    key: &PrivateKey,
    originator: &OriginatorPublicKey,
) -> core::result::Result<Zeroizing<Vec<u8>>, ()> {
    let point = originator.public_key.as_bytes().ok_or(())?;
    match key {
        PrivateKey::P256(k) => {
            if !is_ec_key_on(&originator.algorithm, rfc5912::SECP_256_R_1) {
                return Err(());
            }
            let public = p256::PublicKey::from_sec1_bytes(point).map_err(|_| ())?;
            let z = p256::ecdh::diffie_hellman(k.as_nonzero_scalar(), public.as_affine());
            Ok(Zeroizing::new(z.raw_secret_bytes().to_vec()))
        }
        PrivateKey::P384(k) => {
            if !is_ec_key_on(&originator.algorithm, rfc5912::SECP_384_R_1) {
                return Err(());
            }
            let public = p384::PublicKey::from_sec1_bytes(point).map_err(|_| ())?;
            let z = p384::ecdh::diffie_hellman(k.as_nonzero_scalar(), public.as_affine());
            Ok(Zeroizing::new(z.raw_secret_bytes().to_vec()))
        }
        PrivateKey::X25519(k) => {
            if originator.algorithm.oid != rfc8410::ID_X_25519 {
                return Err(());
            }
            let bytes: [u8; 32] = point.try_into().map_err(|_| ())?;
            let z = k.diffie_hellman(&x25519_dalek::PublicKey::from(bytes));
            // RFC 7748 §6.1 / RFC 8418 §2: a low-order point gives the all-zero output.
            if !z.was_contributory() {
                return Err(());
            }
            Ok(Zeroizing::new(z.as_bytes().to_vec()))
        }
        PrivateKey::Rsa(_) | PrivateKey::Ed25519(_) => Err(()),
    }
}

/// Recipient side (RFC 5753 §3.1.2 ECDH ephemeral-static; RFC 8418 §2 X25519): if one of the
/// RecipientEncryptedKeys of `kari` names `identity`'s certificate (issuerAndSerialNumber, or
/// rKeyId with its subjectKeyIdentifier), derive the KEK from `identity`'s key and the
/// originator's ephemeral public key, and unwrap that encrypted key.
///
/// `Ok(None)`: nothing in `kari` names the identity, or its key cannot do this agreement.
/// `Err(Error::DecryptFailed)`: it is addressed to us but a step of the cryptography fails (bad
/// point, KDF, unwrap); one opaque error. `Err(Error::UnsupportedAlgorithm)`: an unknown
/// keyEncryptionAlgorithm or key wrap, or static-static agreement (the originator named by
/// issuerAndSerialNumber or subjectKeyIdentifier instead of an originatorKey).
pub fn unwrap(
    kari: &KeyAgreeRecipientInfo,
    identity: &Identity,
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let cert = identity.certificate();
    let Some(rek) = kari
        .recipient_enc_keys
        .iter()
        .find(|rek| names(&rek.rid, cert))
    else {
        return Ok(None);
    };
    let curve = match identity.key() {
        PrivateKey::P256(_) => Curve::P256,
        PrivateKey::P384(_) => Curve::P384,
        PrivateKey::X25519(_) => Curve::X25519,
        PrivateKey::Rsa(_) | PrivateKey::Ed25519(_) => return Ok(None),
    };
    let OriginatorIdentifierOrKey::OriginatorKey(originator) = &kari.originator else {
        return Err(Error::unsupported(
            "static-static ECDH (originator named by certificate)",
        ));
    };
    let scheme = Scheme::from_oid(kari.key_enc_alg.oid)
        .ok_or_else(|| Error::unsupported(format!("key agreement {}", kari.key_enc_alg.oid)))?;
    // X25519's cofactor is 8: RFC 8418 defines only the standard-DH schemes for it.
    if scheme.cofactor && curve == Curve::X25519 {
        return Err(Error::unsupported(format!(
            "key agreement {} with X25519",
            kari.key_enc_alg.oid
        )));
    }
    let wrap_id = wrap_identifier(kari)?;
    let wrap = KeyWrap::from_identifier(&wrap_id)?;
    let info = shared_info(&wrap_id, kari.ukm.as_ref(), wrap.kek_len())?;
    let z = agree(identity.key(), originator).map_err(|()| Error::DecryptFailed)?;
    let mut kek = Zeroizing::new(vec![0u8; wrap.kek_len()]);
    derive_kek(scheme.kdf, &z, &info, &mut kek).map_err(|()| Error::DecryptFailed)?;
    wrap.unwrap(&kek, rek.enc_key.as_bytes())
        .map(Some)
        .map_err(|_| Error::DecryptFailed)
}

/// The AlgorithmIdentifier of an ephemeral key on a NIST curve: id-ecPublicKey with the
/// namedCurve (RFC 5753 §7.1.2 allows absent parameters too; both are read everywhere).
fn ec_key_identifier(curve: ObjectIdentifier) -> Result<AlgorithmIdentifierOwned> {
    Ok(AlgorithmIdentifierOwned {
        oid: rfc5912::ID_EC_PUBLIC_KEY,
        parameters: Some(Any::encode_from(&curve)?),
    })
}

/// An ephemeral key on `$curve` (p256/p384), its ECDH secret with `$key`, and the
/// originatorKey that carries its public half (uncompressed, with the namedCurve parameter).
macro_rules! ephemeral_ecdh {
    ($curve:ident, $rng:expr, $key:expr, $oid:expr, $kind:expr) => {{
        let ephemeral = $curve::ecdh::EphemeralSecret::generate_from_rng($rng);
        let z = ephemeral.diffie_hellman(&$curve::PublicKey::from(&$key));
        let point = ephemeral.public_key().to_sec1_point(false);
        let originator = OriginatorPublicKey {
            algorithm: ec_key_identifier($oid)?,
            public_key: BitString::from_bytes(point.as_bytes())?,
        };
        (
            $kind,
            originator,
            Zeroizing::new(z.raw_secret_bytes().to_vec()),
        )
    }};
}

/// Sender side: a KeyAgreeRecipientInfo (version 3) that carries `cek` to `recipient`'s P-256,
/// P-384 or X25519 key, with a fresh ephemeral key as originatorKey and no ukm.
///
/// The scheme follows the curve: P-256 → dhSinglePass-stdDH-sha256kdf-scheme, P-384 →
/// dhSinglePass-stdDH-sha384kdf-scheme (RFC 5753, RFC 8551 §2.7.1.2), X25519 →
/// dhSinglePass-stdDH-hkdf-sha256-scheme (RFC 8418 §2.2); `wrap` is the key wrap algorithm.
/// `kind` chooses the rid: issuerAndSerialNumber, or rKeyId with the subjectKeyIdentifier
/// (`ERR_INVALID_ARGUMENT` if the certificate has none).
pub fn wrap<R: CryptoRng + ?Sized>(
    recipient: &Certificate,
    kind: RecipientIdentifierKind,
    wrap: KeyWrap,
    cek: &[u8],
    rng: &mut R,
) -> Result<KeyAgreeRecipientInfo> {
    let rid = match kind {
        RecipientIdentifierKind::IssuerAndSerialNumber => {
            KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(issuer_and_serial(recipient))
        }
        RecipientIdentifierKind::SubjectKeyIdentifier => {
            KeyAgreeRecipientIdentifier::RKeyId(RecipientKeyIdentifier {
                subject_key_identifier: required_subject_key_identifier(recipient)?,
                date: None,
                other: None,
            })
        }
    };
    let (curve, originator, z) = match recipient.public_key()? {
        PublicKey::P256(key) => ephemeral_ecdh!(p256, rng, key, rfc5912::SECP_256_R_1, Curve::P256),
        PublicKey::P384(key) => ephemeral_ecdh!(p384, rng, key, rfc5912::SECP_384_R_1, Curve::P384),
        PublicKey::X25519(key) => {
            let ephemeral = x25519_dalek::EphemeralSecret::random_from_rng(rng);
            let public = x25519_dalek::PublicKey::from(&ephemeral);
            let z = ephemeral.diffie_hellman(&key);
            if !z.was_contributory() {
                return Err(Error::InvalidArgument(String::from(
                    "the recipient's X25519 key is a low-order point",
                )));
            }
            // RFC 8418 §2: id-X25519 with absent parameters, the raw 32-byte key.
            let originator = OriginatorPublicKey {
                algorithm: AlgorithmIdentifierOwned {
                    oid: rfc8410::ID_X_25519,
                    parameters: None,
                },
                public_key: BitString::from_bytes(public.as_bytes())?,
            };
            (
                Curve::X25519,
                originator,
                Zeroizing::new(z.as_bytes().to_vec()),
            )
        }
        other => {
            return Err(Error::InvalidArgument(format!(
                "key agreement needs a P-256, P-384 or X25519 certificate, not {}",
                other.description()
            )));
        }
    };
    let (scheme_oid, kdf) = curve.preferred_scheme();
    let wrap_id = wrap.identifier();
    let info = shared_info(&wrap_id, None, wrap.kek_len())?;
    let mut kek = Zeroizing::new(vec![0u8; wrap.kek_len()]);
    derive_kek(kdf, &z, &info, &mut kek)
        .map_err(|()| Error::InvalidArgument(String::from("key derivation failed")))?;
    let encrypted = wrap.wrap(&kek, cek, rng)?;
    Ok(KeyAgreeRecipientInfo {
        version: CmsVersion::V3,
        originator: OriginatorIdentifierOrKey::OriginatorKey(originator),
        ukm: None,
        key_enc_alg: AlgorithmIdentifierOwned {
            oid: scheme_oid,
            parameters: Some(Any::encode_from(&wrap_id)?),
        },
        recipient_enc_keys: vec![RecipientEncryptedKey {
            rid,
            enc_key: OctetString::new(encrypted)?,
        }],
    })
}

/// The curve of an originatorKey, from its parameters or, when they are absent (as OpenSSL and
/// Bouncy Castle write them), from the length of the SEC1 point.
fn originator_curve(originator: &OriginatorPublicKey) -> Option<Curve> {
    let algorithm = &originator.algorithm;
    if algorithm.oid == rfc8410::ID_X_25519 {
        return Some(Curve::X25519);
    }
    if algorithm.oid != rfc5912::ID_EC_PUBLIC_KEY {
        return None;
    }
    if let Some(named) = algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
    {
        return match named {
            rfc5912::SECP_256_R_1 => Some(Curve::P256),
            rfc5912::SECP_384_R_1 => Some(Curve::P384),
            _ => None,
        };
    }
    match originator.public_key.as_bytes().map(<[u8]>::len) {
        Some(33 | 65) => Some(Curve::P256),
        Some(49 | 97) => Some(Curve::P384),
        _ => None,
    }
}

/// The scheme of a KeyAgreeRecipientInfo, for reports: `ecdh-p256-sha256kdf/aes128-wrap`,
/// `x25519-hkdf-sha256/aes256-wrap`. Unknown parts show as their OID.
pub fn describe(kari: &KeyAgreeRecipientInfo) -> String {
    let agreement = match &kari.originator {
        OriginatorIdentifierOrKey::OriginatorKey(key) => match originator_curve(key) {
            Some(curve) => String::from(curve.name()),
            None => format!("ecdh-{}", key.algorithm.oid),
        },
        _ => String::from("ecdh-static"),
    };
    let kdf = Scheme::from_oid(kari.key_enc_alg.oid)
        .map(Scheme::name)
        .unwrap_or_else(|| kari.key_enc_alg.oid.to_string());
    let wrap = match wrap_identifier(kari) {
        Ok(id) => match KeyWrap::from_identifier(&id) {
            Ok(wrap) => String::from(wrap_name(wrap)),
            Err(_) => id.oid.to_string(),
        },
        Err(_) => String::from("unknown-wrap"),
    };
    format!("{agreement}-{kdf}/{wrap}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64ct::Encoding;
    use cms::content_info::ContentInfo;
    use cms::enveloped_data::{EnvelopedData, RecipientInfo};

    const CAROL_CERT: &str = include_str!("../../tests/fixtures/carol.cert.pem");
    const CAROL_KEY: &str = include_str!("../../tests/fixtures/carol.key.pem");
    const DAVE_CERT: &str = include_str!("../../tests/fixtures/dave.cert.pem");
    const DAVE_KEY: &str = include_str!("../../tests/fixtures/dave.key.pem");
    const ERIN_CERT: &str = include_str!("../../tests/fixtures/erin.cert.pem");
    const ERIN_KEY: &str = include_str!("../../tests/fixtures/erin.key.pem");
    const ALICE_CERT: &str = include_str!("../../tests/fixtures/alice.cert.pem");
    const ALICE_KEY: &str = include_str!("../../tests/fixtures/alice.key.pem");

    fn identity(cert: &str, key: &str) -> Identity {
        Identity::new(
            Certificate::from_pem(cert).unwrap(),
            PrivateKey::from_pem(key, None).unwrap(),
            vec![],
        )
        .unwrap()
    }

    fn rng() -> impl CryptoRng {
        rand_core::UnwrapErr(getrandom::SysRng)
    }

    /// Each octet has odd parity, so the 3DES wrap (RFC 3217 §3.1 sets DES parity) keeps it.
    const CEK: [u8; 32] = [0x43; 32];

    fn round_trip(cert: &str, key: &str, wrap_kind: KeyWrap, expected: &str) {
        let me = identity(cert, key);
        for kind in [
            RecipientIdentifierKind::IssuerAndSerialNumber,
            RecipientIdentifierKind::SubjectKeyIdentifier,
        ] {
            let cek = &CEK[..wrap_kind.kek_len().min(32)];
            let kari = wrap(me.certificate(), kind, wrap_kind, cek, &mut rng()).unwrap();
            assert_eq!(kari.version, CmsVersion::V3);
            assert!(kari.ukm.is_none());
            // The structure survives DER encoding and decoding.
            let der = kari.to_der().unwrap();
            let kari = <KeyAgreeRecipientInfo as der::Decode>::from_der(&der).unwrap();
            assert_eq!(describe(&kari), expected);
            let got = unwrap(&kari, &me).unwrap().expect("addressed to me");
            assert_eq!(got.as_slice(), cek);
        }
    }

    #[test]
    fn p256_round_trip() {
        round_trip(
            CAROL_CERT,
            CAROL_KEY,
            KeyWrap::Aes128,
            "ecdh-p256-sha256kdf/aes128-wrap",
        );
        round_trip(
            CAROL_CERT,
            CAROL_KEY,
            KeyWrap::Aes256,
            "ecdh-p256-sha256kdf/aes256-wrap",
        );
        round_trip(
            CAROL_CERT,
            CAROL_KEY,
            KeyWrap::DesEde3,
            "ecdh-p256-sha256kdf/3des-wrap",
        );
    }

    #[test]
    fn p384_round_trip() {
        round_trip(
            DAVE_CERT,
            DAVE_KEY,
            KeyWrap::Aes256,
            "ecdh-p384-sha384kdf/aes256-wrap",
        );
        round_trip(
            DAVE_CERT,
            DAVE_KEY,
            KeyWrap::Aes192,
            "ecdh-p384-sha384kdf/aes192-wrap",
        );
    }

    #[test]
    fn x25519_round_trip() {
        round_trip(
            ERIN_CERT,
            ERIN_KEY,
            KeyWrap::Aes256,
            "x25519-hkdf-sha256/aes256-wrap",
        );
        round_trip(
            ERIN_CERT,
            ERIN_KEY,
            KeyWrap::Aes128,
            "x25519-hkdf-sha256/aes128-wrap",
        );
    }

    #[test]
    fn originator_key_carries_the_curve() {
        let carol = identity(CAROL_CERT, CAROL_KEY);
        let kari = wrap(
            carol.certificate(),
            RecipientIdentifierKind::default(),
            KeyWrap::Aes128,
            &CEK[..16],
            &mut rng(),
        )
        .unwrap();
        let OriginatorIdentifierOrKey::OriginatorKey(key) = &kari.originator else {
            panic!()
        };
        assert_eq!(key.algorithm.oid, rfc5912::ID_EC_PUBLIC_KEY);
        let named: ObjectIdentifier = key
            .algorithm
            .parameters
            .as_ref()
            .unwrap()
            .decode_as()
            .unwrap();
        assert_eq!(named, rfc5912::SECP_256_R_1);
        assert_eq!(key.public_key.as_bytes().unwrap().len(), 65);

        let erin = identity(ERIN_CERT, ERIN_KEY);
        let kari = wrap(
            erin.certificate(),
            RecipientIdentifierKind::default(),
            KeyWrap::Aes128,
            &CEK[..16],
            &mut rng(),
        )
        .unwrap();
        let OriginatorIdentifierOrKey::OriginatorKey(key) = &kari.originator else {
            panic!()
        };
        assert_eq!(
            key.algorithm,
            AlgorithmIdentifierOwned {
                oid: rfc8410::ID_X_25519,
                parameters: None
            }
        );
        assert_eq!(key.public_key.as_bytes().unwrap().len(), 32);
        assert_eq!(kari.key_enc_alg.oid, HKDF_SHA256_SCHEME);
    }

    #[test]
    fn not_addressed_to_other_identity() {
        let carol = identity(CAROL_CERT, CAROL_KEY);
        let dave = identity(DAVE_CERT, DAVE_KEY);
        let alice = identity(ALICE_CERT, ALICE_KEY);
        for kind in [
            RecipientIdentifierKind::IssuerAndSerialNumber,
            RecipientIdentifierKind::SubjectKeyIdentifier,
        ] {
            let kari = wrap(
                carol.certificate(),
                kind,
                KeyWrap::Aes128,
                &CEK[..16],
                &mut rng(),
            )
            .unwrap();
            assert!(unwrap(&kari, &dave).unwrap().is_none());
            assert!(unwrap(&kari, &alice).unwrap().is_none());
        }
    }

    #[test]
    fn rsa_recipient_is_refused() {
        let alice = Certificate::from_pem(ALICE_CERT).unwrap();
        let err = wrap(
            &alice,
            RecipientIdentifierKind::default(),
            KeyWrap::Aes128,
            &CEK[..16],
            &mut rng(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_ARGUMENT");
    }

    #[test]
    fn corrupted_encrypted_key_is_decrypt_failed() {
        for (cert, key) in [
            (CAROL_CERT, CAROL_KEY),
            (DAVE_CERT, DAVE_KEY),
            (ERIN_CERT, ERIN_KEY),
        ] {
            let me = identity(cert, key);
            let mut kari = wrap(
                me.certificate(),
                RecipientIdentifierKind::default(),
                KeyWrap::Aes256,
                &CEK,
                &mut rng(),
            )
            .unwrap();
            let rek = kari.recipient_enc_keys.first_mut().unwrap();
            let mut bytes = rek.enc_key.as_bytes().to_vec();
            bytes[5] ^= 0x01;
            rek.enc_key = OctetString::new(bytes).unwrap();
            let err = unwrap(&kari, &me).unwrap_err();
            assert_eq!(err.code(), "ERR_DECRYPT_FAILED");
        }
    }

    #[test]
    fn invalid_ephemeral_point_is_decrypt_failed() {
        let carol = identity(CAROL_CERT, CAROL_KEY);
        let mut kari = wrap(
            carol.certificate(),
            RecipientIdentifierKind::default(),
            KeyWrap::Aes128,
            &CEK[..16],
            &mut rng(),
        )
        .unwrap();
        let OriginatorIdentifierOrKey::OriginatorKey(key) = &mut kari.originator else {
            panic!()
        };
        let mut point = key.public_key.as_bytes().unwrap().to_vec();
        point[64] ^= 0x01; // off the curve
        key.public_key = BitString::from_bytes(&point).unwrap();
        assert_eq!(
            unwrap(&kari, &carol).unwrap_err().code(),
            "ERR_DECRYPT_FAILED"
        );

        // RFC 7748 §6.1: an X25519 low-order point (here zero) gives an all-zero secret.
        let erin = identity(ERIN_CERT, ERIN_KEY);
        let mut kari = wrap(
            erin.certificate(),
            RecipientIdentifierKind::default(),
            KeyWrap::Aes128,
            &CEK[..16],
            &mut rng(),
        )
        .unwrap();
        let OriginatorIdentifierOrKey::OriginatorKey(key) = &mut kari.originator else {
            panic!()
        };
        key.public_key = BitString::from_bytes(&[0u8; 32]).unwrap();
        assert_eq!(
            unwrap(&kari, &erin).unwrap_err().code(),
            "ERR_DECRYPT_FAILED"
        );
    }

    #[test]
    fn unknown_scheme_and_static_static_are_unsupported() {
        let carol = identity(CAROL_CERT, CAROL_KEY);
        let kari = wrap(
            carol.certificate(),
            RecipientIdentifierKind::default(),
            KeyWrap::Aes128,
            &CEK[..16],
            &mut rng(),
        )
        .unwrap();

        let mut unknown = kari.clone();
        unknown.key_enc_alg.oid = ObjectIdentifier::new_unwrap("1.3.132.1.15.1"); // 1-pass ECMQV
        assert_eq!(
            unwrap(&unknown, &carol).unwrap_err().code(),
            "ERR_UNSUPPORTED_ALGORITHM"
        );

        let mut static_static = kari.clone();
        static_static.originator = OriginatorIdentifierOrKey::IssuerAndSerialNumber(
            issuer_and_serial(carol.certificate()),
        );
        assert_eq!(
            unwrap(&static_static, &carol).unwrap_err().code(),
            "ERR_UNSUPPORTED_ALGORITHM"
        );
        assert_eq!(
            describe(&static_static),
            "ecdh-static-sha256kdf/aes128-wrap"
        );
    }

    #[test]
    fn cofactor_scheme_is_standard_dh_on_nist_curves() {
        // Same Z for cofactor 1, so a cofactorDH message decrypts like a stdDH one.
        let carol = identity(CAROL_CERT, CAROL_KEY);
        let mut kari = wrap(
            carol.certificate(),
            RecipientIdentifierKind::default(),
            KeyWrap::Aes128,
            &CEK[..16],
            &mut rng(),
        )
        .unwrap();
        kari.key_enc_alg.oid = rfc5753::DH_SINGLE_PASS_COFACTOR_DH_SHA_256_KDF_SCHEME;
        assert_eq!(
            unwrap(&kari, &carol).unwrap().unwrap().as_slice(),
            &CEK[..16]
        );
        assert_eq!(describe(&kari), "ecdh-p256-cofactor-sha256kdf/aes128-wrap");
    }

    #[test]
    fn shared_info_der() {
        // RFC 5753 §7.2: id-aes128-wrap with absent parameters, no ukm, 128 bits.
        let info = shared_info(&KeyWrap::Aes128.identifier(), None, 16).unwrap();
        assert_eq!(
            hex::encode(&info),
            "3015300b0609608648016503040105a206040400000080"
        );
        // 3DES wrap with NULL parameters, 192 bits.
        let info = shared_info(&KeyWrap::DesEde3.identifier(), None, 24).unwrap();
        assert_eq!(
            hex::encode(&info),
            "3019300f060b2a864886f70d01091003060500a2060404000000c0"
        );
        // entityUInfo [0] EXPLICIT OCTET STRING.
        let ukm = OctetString::new([0xaa, 0xbb]).unwrap();
        let info = shared_info(&KeyWrap::Aes128.identifier(), Some(&ukm), 16).unwrap();
        assert_eq!(
            hex::encode(&info),
            "301b300b0609608648016503040105a0040402aabba206040400000080"
        );
    }

    /// Vectors from OpenSSL 3.0: `openssl kdf -keylen N -kdfopt digest:D -kdfopt hexkey:Z
    /// -kdfopt hexinfo:INFO X963KDF` (and `HKDF`, which uses no salt by default).
    #[test]
    fn kdf_vectors_match_openssl() {
        let z = hex::decode("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
            .unwrap();
        let info = hex::decode("3015300b0609608648016503040105a206040400000080").unwrap();
        let mut kek = [0u8; 16];
        derive_kek(Kdf::X963(DigestAlgorithm::Sha256), &z, &info, &mut kek).unwrap();
        assert_eq!(hex::encode(kek), "1983cc4d05d34db303458415c914b607");
        derive_kek(Kdf::Hkdf(DigestAlgorithm::Sha256), &z, &info, &mut kek).unwrap();
        assert_eq!(hex::encode(kek), "ede3433e6cfa39325ebb4f399dda2b64");

        let info = hex::decode("3019300f060b2a864886f70d01091003060500a2060404000000c0").unwrap();
        let mut kek = [0u8; 24];
        derive_kek(Kdf::X963(DigestAlgorithm::Sha1), &z, &info, &mut kek).unwrap();
        assert_eq!(
            hex::encode(kek),
            "c8a58f51d8d76b94d3841fd08ca4564fb5bab490adef5ac6"
        );
    }

    /// The RecipientInfos and content-encryption OID of a ContentInfo(EnvelopedData).
    fn enveloped(der: &[u8]) -> EnvelopedData {
        let info: ContentInfo = super::super::decode_ber(der).unwrap();
        super::super::decode_ber(&info.content.to_der().unwrap()).unwrap()
    }

    fn content_key_len(env: &EnvelopedData) -> usize {
        match env
            .encrypted_content
            .content_enc_alg
            .oid
            .to_string()
            .as_str()
        {
            "1.2.840.113549.3.7" => 24,      // des-ede3-cbc
            "2.16.840.1.101.3.4.1.2" => 16,  // aes128-cbc
            "2.16.840.1.101.3.4.1.22" => 24, // aes192-cbc
            "2.16.840.1.101.3.4.1.42" => 32, // aes256-cbc
            other => panic!("content algorithm {other}"),
        }
    }

    fn only_kari(env: &EnvelopedData) -> &KeyAgreeRecipientInfo {
        let mut karis = env.recip_infos.0.iter().filter_map(|ri| match ri {
            RecipientInfo::Kari(kari) => Some(kari),
            _ => None,
        });
        let kari = karis.next().expect("a kari");
        assert!(karis.next().is_none());
        kari
    }

    /// The external corpus (`shared/interop/`, see its MANIFEST.md). A missing corpus fails the
    /// test rather than passing it.
    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/interop/");

    fn corpus_text(path: &str) -> String {
        std::fs::read_to_string(format!("{CORPUS}{path}"))
            .unwrap_or_else(|e| panic!("{CORPUS}{path}: {e}"))
    }

    /// Bouncy Castle's P-256 ECDH messages (bc-java `cms/ecdh`): SHA-1 to SHA-512 X9.63 KDFs, 3DES
    /// and AES wraps, the AES wraps once with NULL and once with absent parameters; OpenSSL 3
    /// decrypts all 16.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn bouncy_castle_ecdh_corpus() {
        let key_pem = corpus_text("bouncycastle/cms/ecdh/ecc.key");
        // ecc.key holds an EC PARAMETERS block before the EC PRIVATE KEY.
        let start = key_pem.find("-----BEGIN EC PRIVATE KEY-----").unwrap();
        let me = Identity::new(
            Certificate::from_pem(&corpus_text("bouncycastle/cms/ecdh/ecc.crt")).unwrap(),
            PrivateKey::from_pem(&key_pem[start..], None).unwrap(),
            vec![],
        )
        .unwrap();
        let expected = [
            ('1', "ecdh-p256-sha1kdf/3des-wrap"),
            ('2', "ecdh-p256-sha256kdf/3des-wrap"),
            ('3', "ecdh-p256-sha1kdf/aes128-wrap"),
            ('4', "ecdh-p256-sha256kdf/aes128-wrap"),
            ('5', "ecdh-p256-sha1kdf/aes192-wrap"),
            ('6', "ecdh-p256-sha256kdf/aes192-wrap"),
            ('7', "ecdh-p256-sha1kdf/aes256-wrap"),
            ('8', "ecdh-p256-sha256kdf/aes256-wrap"),
            ('A', "ecdh-p256-sha1kdf/3des-wrap"),
            ('B', "ecdh-p256-sha224kdf/3des-wrap"),
            ('C', "ecdh-p256-sha1kdf/aes128-wrap"),
            ('D', "ecdh-p256-sha256kdf/aes128-wrap"),
            ('E', "ecdh-p256-sha1kdf/aes192-wrap"),
            ('F', "ecdh-p256-sha384kdf/aes192-wrap"),
            ('G', "ecdh-p256-sha1kdf/aes256-wrap"),
            ('H', "ecdh-p256-sha512kdf/aes256-wrap"),
        ];
        let mut opened = 0;
        for (c, scheme) in expected {
            let path = format!("bouncycastle/cms/ecdh/encSess{c}.asc");
            let pem = corpus_text(&path);
            let (label, der) = der::pem::decode_vec(pem.trim().as_bytes()).unwrap();
            assert_eq!(label, "CMS");
            let env = enveloped(&der);
            let kari = only_kari(&env);
            assert_eq!(describe(kari), scheme, "{path}");
            let cek = unwrap(kari, &me)
                .unwrap_or_else(|e| panic!("{path}: {e}"))
                .expect(&path);
            assert_eq!(cek.len(), content_key_len(&env), "{path}");
            opened += 1;
        }
        assert_eq!(opened, 16);
    }

    /// OpenSSL-made messages to Fran-ec (P-384) from Thunderbird's interop tests.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn openssl_p384_corpus() {
        let me = Identity::new(
            Certificate::from_pem(&corpus_text("thunderbird/derived-pem/Fran-ec.cert.pem"))
                .unwrap(),
            PrivateKey::from_pem(
                &corpus_text("thunderbird/derived-pem/Fran-ec.key.pem"),
                None,
            )
            .unwrap(),
            vec![],
        )
        .unwrap();
        for (file, scheme) in [
            (
                "fran-ec_ossl-aes128-sha256.env",
                "ecdh-p384-sha256kdf/aes128-wrap",
            ),
            (
                "fran-ec_ossl-aes256-sha512.env",
                "ecdh-p384-sha512kdf/aes256-wrap",
            ),
        ] {
            let mail = corpus_text(&format!("thunderbird/smime-interop/{file}"));
            // A base64 application/pkcs7-mime body after the header block.
            let body = mail.split_once("\n\n").unwrap().1;
            let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            let der = base64ct::Base64::decode_vec(&b64).unwrap();
            let env = enveloped(&der);
            let kari = only_kari(&env);
            assert_eq!(describe(kari), scheme, "{file}");
            let cek = unwrap(kari, &me)
                .unwrap_or_else(|e| panic!("{file}: {e}"))
                .expect(file);
            assert_eq!(cek.len(), content_key_len(&env), "{file}");
        }
    }
}
