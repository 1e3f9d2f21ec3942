//! RSA key transport (RFC 5652 §6.2.1): PKCS#1 v1.5 (RFC 3370 §4.2.1) and RSAES-OAEP
//! (RFC 8017, parameters of RFC 4055 §4.1).

use cms::content_info::CmsVersion;
use cms::enveloped_data::{KeyTransRecipientInfo, RecipientIdentifier};
use const_oid::db::rfc5912;
use der::asn1::{Null, OctetString};
use der::{Any, Decode, Encode, Sequence};
use rand_core::CryptoRng;
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::algorithm::DigestAlgorithm;
use super::recipient::{
    RecipientIdentifierKind, issuer_and_serial, names_by_issuer_and_serial,
    names_by_key_identifier, required_subject_key_identifier,
};
use crate::cert::Certificate;
use crate::error::{Error, Result};
use crate::key::{Identity, PrivateKey, PublicKey};

/// The key-transport schemes this crate writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyTransport {
    /// RSAES-PKCS1-v1_5: what every client reads (the default).
    #[default]
    RsaPkcs1v15,
    /// RSAES-OAEP with SHA-256 and MGF1-SHA-256, empty label.
    RsaOaep,
}

impl KeyTransport {
    /// `rsa-pkcs1v15` or `rsa-oaep`: the option label, and the name of the SMIMECapability that
    /// asks for it (`capabilities::capability_name`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::RsaPkcs1v15 => "rsa-pkcs1v15",
            Self::RsaOaep => "rsa-oaep",
        }
    }
}

/// RFC 4055 §4.1 RSAES-OAEP-params.
#[derive(Debug, Sequence)]
struct OaepParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    p_source: Option<AlgorithmIdentifierOwned>,
}

/// The OAEP parameters as used: hash, MGF1 hash, label.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Oaep {
    hash: DigestAlgorithm,
    mgf_hash: DigestAlgorithm,
    label: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Scheme {
    Pkcs1v15,
    Oaep(Oaep),
}

impl Scheme {
    fn from_identifier(id: &AlgorithmIdentifierOwned) -> Result<Self> {
        match id.oid {
            rfc5912::RSA_ENCRYPTION => Ok(Self::Pkcs1v15),
            rfc5912::ID_RSAES_OAEP => Ok(Self::Oaep(oaep_params(id.parameters.as_ref())?)),
            other => Err(Error::unsupported(format!("key transport {other}"))),
        }
    }

    fn name(&self) -> String {
        match self {
            Self::Pkcs1v15 => String::from("rsa-pkcs1v15"),
            Self::Oaep(o) if o.hash == o.mgf_hash => format!("rsa-oaep-{}", o.hash.name()),
            Self::Oaep(o) => format!("rsa-oaep-{}-mgf1-{}", o.hash.name(), o.mgf_hash.name()),
        }
    }
}

/// RFC 4055 §4.1: absent fields mean SHA-1, MGF1-SHA-1 and an empty label.
fn oaep_params(params: Option<&Any>) -> Result<Oaep> {
    let params = match params {
        Some(any) if !any.is_null() => OaepParams::from_der(&any.to_der()?)?,
        _ => OaepParams {
            hash: None,
            mask_gen: None,
            p_source: None,
        },
    };
    let digest_of = |id: &AlgorithmIdentifierOwned| {
        DigestAlgorithm::from_oid(&id.oid).ok_or_else(|| Error::unsupported(id.oid))
    };
    let hash = params
        .hash
        .as_ref()
        .map(digest_of)
        .transpose()?
        .unwrap_or(DigestAlgorithm::Sha1);
    let mgf_hash = match &params.mask_gen {
        None => DigestAlgorithm::Sha1,
        Some(mgf) if mgf.oid == rfc5912::ID_MGF_1 => match &mgf.parameters {
            Some(p) => digest_of(&AlgorithmIdentifierOwned::from_der(&p.to_der()?)?)?,
            None => DigestAlgorithm::Sha1,
        },
        Some(mgf) => return Err(Error::unsupported(mgf.oid)),
    };
    let label = match &params.p_source {
        None => Vec::new(),
        Some(p) if p.oid == rfc5912::ID_P_SPECIFIED => match &p.parameters {
            Some(value) => value.decode_as::<OctetString>()?.into_bytes().into_vec(),
            None => Vec::new(),
        },
        Some(p) => return Err(Error::unsupported(p.oid)),
    };
    Ok(Oaep {
        hash,
        mgf_hash,
        label,
    })
}

/// Name of the scheme of a KeyTransRecipientInfo, for reports.
pub fn describe(ktri: &KeyTransRecipientInfo) -> String {
    Scheme::from_identifier(&ktri.key_enc_alg)
        .map(|s| s.name())
        .unwrap_or_else(|_| ktri.key_enc_alg.oid.to_string())
}

/// Whether `ktri` is addressed to `cert`.
pub fn names(ktri: &KeyTransRecipientInfo, cert: &Certificate) -> bool {
    match &ktri.rid {
        RecipientIdentifier::IssuerAndSerialNumber(isn) => names_by_issuer_and_serial(isn, cert),
        RecipientIdentifier::SubjectKeyIdentifier(ski) => names_by_key_identifier(ski, cert),
    }
}

/// Recipient side: the content key in `ktri` for `identity`, which `names` accepted.
///
/// RFC 3218 §2.3 (Bleichenbacher, and Marvin for timing): when the RSA operation or the padding
/// fails, or the key has the wrong length, go on with a random key of `key_len` bytes, so that
/// every failure surfaces later as the same content-decryption failure. PKCS#1 v1.5 decryption
/// in `rsa` 0.10 also uses implicit rejection: bad padding yields a synthetic message, not an
/// early error.
pub fn unwrap<R: CryptoRng + ?Sized>(
    ktri: &KeyTransRecipientInfo,
    identity: &Identity,
    key_len: usize,
    rng: &mut R,
) -> Result<Zeroizing<Vec<u8>>> {
    let scheme = Scheme::from_identifier(&ktri.key_enc_alg)?;
    let PrivateKey::Rsa(key) = identity.key() else {
        return Err(Error::DecryptFailed);
    };
    let ciphertext = ktri.enc_key.as_bytes();
    let decrypted = match &scheme {
        Scheme::Pkcs1v15 => key.pkcs1v15_decrypt_with_rng(rng, ciphertext).ok(),
        Scheme::Oaep(o) => oaep_decrypt(key, o, ciphertext, rng),
    }
    .map(Zeroizing::new);
    let mut random = Zeroizing::new(vec![0u8; key_len]);
    rng.fill_bytes(&mut random);
    // Select without branching on the secret outcome more than the length comparison needs.
    Ok(match decrypted {
        Some(cek) if cek.len() == key_len => cek,
        _ => random,
    })
}

fn oaep_decrypt<R: CryptoRng + ?Sized>(
    key: &rsa::PrivateKey,
    oaep: &Oaep,
    ciphertext: &[u8],
    rng: &mut R,
) -> Option<Vec<u8>> {
    let label = oaep.label.clone().into_boxed_slice();
    macro_rules! run {
        ($h:ty, $m:ty) => {
            key.decrypt_blinded(
                rng,
                rsa::Oaep::<$h, $m>::new_with_mgf_hash_and_label(label),
                ciphertext,
            )
            .ok()
        };
    }
    macro_rules! by_mgf {
        ($h:ty) => {
            match oaep.mgf_hash {
                DigestAlgorithm::Sha1 => run!($h, sha1::Sha1),
                DigestAlgorithm::Sha224 => run!($h, sha2::Sha224),
                DigestAlgorithm::Sha256 => run!($h, sha2::Sha256),
                DigestAlgorithm::Sha384 => run!($h, sha2::Sha384),
                DigestAlgorithm::Sha512 => run!($h, sha2::Sha512),
            }
        };
    }
    match oaep.hash {
        DigestAlgorithm::Sha1 => by_mgf!(sha1::Sha1),
        DigestAlgorithm::Sha224 => by_mgf!(sha2::Sha224),
        DigestAlgorithm::Sha256 => by_mgf!(sha2::Sha256),
        DigestAlgorithm::Sha384 => by_mgf!(sha2::Sha384),
        DigestAlgorithm::Sha512 => by_mgf!(sha2::Sha512),
    }
}

/// Sender side: a KeyTransRecipientInfo that carries `cek` to `recipient`'s RSA key.
pub fn wrap<R: CryptoRng + ?Sized>(
    recipient: &Certificate,
    kind: RecipientIdentifierKind,
    transport: KeyTransport,
    cek: &[u8],
    rng: &mut R,
) -> Result<KeyTransRecipientInfo> {
    let PublicKey::Rsa(key) = recipient.public_key()? else {
        return Err(Error::InvalidArgument(String::from(
            "key transport needs an RSA certificate",
        )));
    };
    // RFC 8551 §2.3: keys under 2048 bits are read for old mail, never written to.
    if rsa::traits::PublicKeyParts::n(&key).bit_width_vartime() < 2048 {
        return Err(Error::InvalidArgument(String::from(
            "the recipient's RSA key has fewer than 2048 bits",
        )));
    }
    let (key_enc_alg, enc_key) = match transport {
        KeyTransport::RsaPkcs1v15 => (
            AlgorithmIdentifierOwned {
                oid: rfc5912::RSA_ENCRYPTION,
                parameters: Some(Any::encode_from(&Null)?),
            },
            key.pkcs1v15_encrypt_with_rng(rng, cek)
                .map_err(|_| Error::Random)?,
        ),
        KeyTransport::RsaOaep => {
            let sha256 = AlgorithmIdentifierOwned {
                oid: rfc5912::ID_SHA_256,
                parameters: None,
            };
            let params = OaepParams {
                hash: Some(sha256.clone()),
                mask_gen: Some(AlgorithmIdentifierOwned {
                    oid: rfc5912::ID_MGF_1,
                    parameters: Some(Any::encode_from(&sha256)?),
                }),
                p_source: None,
            };
            let padding = rsa::Oaep::<sha2::Sha256>::new();
            (
                AlgorithmIdentifierOwned {
                    oid: rfc5912::ID_RSAES_OAEP,
                    parameters: Some(Any::encode_from(&params)?),
                },
                key.encrypt(rng, padding, cek).map_err(|_| Error::Random)?,
            )
        }
    };
    let (version, rid) = match kind {
        RecipientIdentifierKind::IssuerAndSerialNumber => (
            CmsVersion::V0,
            RecipientIdentifier::IssuerAndSerialNumber(issuer_and_serial(recipient)),
        ),
        RecipientIdentifierKind::SubjectKeyIdentifier => (
            CmsVersion::V2,
            RecipientIdentifier::SubjectKeyIdentifier(required_subject_key_identifier(recipient)?),
        ),
    };
    Ok(KeyTransRecipientInfo {
        version,
        rid,
        key_enc_alg,
        enc_key: OctetString::new(enc_key)?,
    })
}
