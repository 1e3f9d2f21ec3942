//! The certificate and CRL signature algorithms path validation accepts, on RustCrypto.
//!
//! rustls-webpki takes its algorithms as [`SignatureVerificationAlgorithm`] objects and matches
//! a certificate's signatureAlgorithm, and its issuer's SubjectPublicKeyInfo algorithm, against
//! theirs byte for byte (the AlgorithmIdentifier contents, RFC 5280 §4.1.1.2). So each encoding
//! met in practice has its own entry: the RSA identifiers with the NULL parameters RFC 4055 §5
//! prescribes, and without them, as some encoders write. Verification itself is the one CMS
//! uses ([`crate::cms::algorithm`]), plus MD5 with RSA for stores that accept it.

use der::asn1::BitString;
use der::{Decode, Encode, Header, Length, Tag};
use digest::Digest;
use rustls_pki_types::{
    AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id,
};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::cms::algorithm::verify_signature;
use crate::key::PublicKey;

/// Issuing RSA keys below this size cannot vouch for anything: a 512-bit modulus is factored in
/// hours. Signers' keys down to 512 bits are still read, and reported as weak.
const MIN_ISSUER_RSA_BITS: u32 = 1024;

/// md5WithRSAEncryption (RFC 8017 appendix A.2.4).
const MD5_WITH_RSA: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.4");

/// Whether MD5 signatures count (they do only for stores made with `danger`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Md5 {
    Refused,
    Accepted,
}

/// One entry: the key algorithm and signature algorithm identifiers, as DER contents.
#[derive(Debug)]
struct Algorithm {
    public_key: AlgorithmIdentifier,
    signature: AlgorithmIdentifier,
}

impl SignatureVerificationAlgorithm for Algorithm {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let key = public_key_of(self.public_key.as_ref(), public_key).ok_or(InvalidSignature)?;
        let algorithm = identifier(self.signature.as_ref()).ok_or(InvalidSignature)?;
        // webpki calls an entry only when its identifiers match, and the MD5 entries are listed
        // only for stores that accept MD5.
        if verify(&key, &algorithm, message, signature, Md5::Accepted) {
            Ok(())
        } else {
            Err(InvalidSignature)
        }
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature
    }
}

/// Verify an issuer's `signature` over `message` (a TBSCertificate or TBSCertList).
pub(crate) fn verify(
    key: &PublicKey,
    algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
    md5: Md5,
) -> bool {
    if let PublicKey::Rsa(rsa_key) = key {
        use rsa::traits::PublicKeyParts;
        if rsa_key.n().bit_width_vartime() < MIN_ISSUER_RSA_BITS {
            return false;
        }
    }
    if algorithm.oid == MD5_WITH_RSA {
        // RFC 6151: MD5 collisions are practical; the 2008 rogue CA and Flame's forged
        // Microsoft certificate (2012) both came from CAs still signing with MD5.
        return match (md5, key) {
            (Md5::Accepted, PublicKey::Rsa(rsa_key)) => rsa_key
                .verify(
                    rsa::pkcs1v15::Pkcs1v15Sign::new::<md5::Md5>(),
                    &md5::Md5::digest(message),
                    signature,
                )
                .is_ok(),
            _ => false,
        };
    }
    verify_signature(key, algorithm, None, message, signature).is_ok()
}

/// The algorithms handed to webpki.
pub(crate) fn supported(md5: Md5) -> &'static [&'static dyn SignatureVerificationAlgorithm] {
    match md5 {
        Md5::Refused => STANDARD,
        Md5::Accepted => WITH_MD5,
    }
}

/// `SEQUENCE { contents }` decoded as an AlgorithmIdentifier.
fn identifier(contents: &[u8]) -> Option<AlgorithmIdentifierOwned> {
    let length = Length::try_from(contents.len()).ok()?;
    let mut der = Header::new(Tag::Sequence, length).to_der().ok()?;
    der.extend_from_slice(contents);
    AlgorithmIdentifierOwned::from_der(&der).ok()
}

fn public_key_of(algorithm: &[u8], subject_public_key: &[u8]) -> Option<PublicKey> {
    let spki = SubjectPublicKeyInfoOwned {
        algorithm: identifier(algorithm)?,
        subject_public_key: BitString::from_bytes(subject_public_key).ok()?,
    };
    PublicKey::from_spki(&spki).ok()
}

// AlgorithmIdentifier contents not among rustls-pki-types' constants.
const RSA_PKCS1_MD5: &[u8] = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x04\x05\x00";
const RSA_PKCS1_SHA1: &[u8] = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x05\x05\x00";
const RSA_PKCS1_SHA224: &[u8] = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0e\x05\x00";
const RSA_PKCS1_MD5_NO_NULL: &[u8] = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x04";
const RSA_PKCS1_SHA1_NO_NULL: &[u8] = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x05";
const RSA_PKCS1_SHA224_NO_NULL: &[u8] = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0e";
const RSA_PKCS1_SHA256_NO_NULL: &[u8] = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b";
const RSA_PKCS1_SHA384_NO_NULL: &[u8] = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0c";
const RSA_PKCS1_SHA512_NO_NULL: &[u8] = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0d";
const ECDSA_SHA1: &[u8] = b"\x06\x07\x2a\x86\x48\xce\x3d\x04\x01";
const ECDSA_SHA224: &[u8] = b"\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x01";

macro_rules! algorithm {
    ($name:ident, $key:expr, $signature:expr) => {
        static $name: Algorithm = Algorithm {
            public_key: $key,
            signature: $signature,
        };
    };
}

const fn id(bytes: &'static [u8]) -> AlgorithmIdentifier {
    AlgorithmIdentifier::from_slice(bytes)
}

algorithm!(RSA_MD5, alg_id::RSA_ENCRYPTION, id(RSA_PKCS1_MD5));
algorithm!(
    RSA_MD5_NN,
    alg_id::RSA_ENCRYPTION,
    id(RSA_PKCS1_MD5_NO_NULL)
);
algorithm!(RSA_SHA1, alg_id::RSA_ENCRYPTION, id(RSA_PKCS1_SHA1));
algorithm!(
    RSA_SHA1_NN,
    alg_id::RSA_ENCRYPTION,
    id(RSA_PKCS1_SHA1_NO_NULL)
);
algorithm!(RSA_SHA224, alg_id::RSA_ENCRYPTION, id(RSA_PKCS1_SHA224));
algorithm!(
    RSA_SHA224_NN,
    alg_id::RSA_ENCRYPTION,
    id(RSA_PKCS1_SHA224_NO_NULL)
);
algorithm!(RSA_SHA256, alg_id::RSA_ENCRYPTION, alg_id::RSA_PKCS1_SHA256);
algorithm!(
    RSA_SHA256_NN,
    alg_id::RSA_ENCRYPTION,
    id(RSA_PKCS1_SHA256_NO_NULL)
);
algorithm!(RSA_SHA384, alg_id::RSA_ENCRYPTION, alg_id::RSA_PKCS1_SHA384);
algorithm!(
    RSA_SHA384_NN,
    alg_id::RSA_ENCRYPTION,
    id(RSA_PKCS1_SHA384_NO_NULL)
);
algorithm!(RSA_SHA512, alg_id::RSA_ENCRYPTION, alg_id::RSA_PKCS1_SHA512);
algorithm!(
    RSA_SHA512_NN,
    alg_id::RSA_ENCRYPTION,
    id(RSA_PKCS1_SHA512_NO_NULL)
);
algorithm!(
    RSA_PSS_SHA256,
    alg_id::RSA_ENCRYPTION,
    alg_id::RSA_PSS_SHA256
);
algorithm!(
    RSA_PSS_SHA384,
    alg_id::RSA_ENCRYPTION,
    alg_id::RSA_PSS_SHA384
);
algorithm!(
    RSA_PSS_SHA512,
    alg_id::RSA_ENCRYPTION,
    alg_id::RSA_PSS_SHA512
);
algorithm!(P256_SHA1, alg_id::ECDSA_P256, id(ECDSA_SHA1));
algorithm!(P256_SHA224, alg_id::ECDSA_P256, id(ECDSA_SHA224));
algorithm!(P256_SHA256, alg_id::ECDSA_P256, alg_id::ECDSA_SHA256);
algorithm!(P256_SHA384, alg_id::ECDSA_P256, alg_id::ECDSA_SHA384);
algorithm!(P256_SHA512, alg_id::ECDSA_P256, alg_id::ECDSA_SHA512);
algorithm!(P384_SHA1, alg_id::ECDSA_P384, id(ECDSA_SHA1));
algorithm!(P384_SHA224, alg_id::ECDSA_P384, id(ECDSA_SHA224));
algorithm!(P384_SHA256, alg_id::ECDSA_P384, alg_id::ECDSA_SHA256);
algorithm!(P384_SHA384, alg_id::ECDSA_P384, alg_id::ECDSA_SHA384);
algorithm!(P384_SHA512, alg_id::ECDSA_P384, alg_id::ECDSA_SHA512);
algorithm!(ED25519, alg_id::ED25519, alg_id::ED25519);

/// The list webpki tries, SHA-2 first (it tries entries in order until one matches), then
/// SHA-1 (read, and reported as weak by the path's owner), then any `$extra`.
macro_rules! algorithms {
    ($($extra:expr),*) => {
        &[
            &RSA_SHA256, &RSA_SHA384, &RSA_SHA512,
            &RSA_PSS_SHA256, &RSA_PSS_SHA384, &RSA_PSS_SHA512,
            &P256_SHA256, &P256_SHA384, &P256_SHA512,
            &P384_SHA256, &P384_SHA384, &P384_SHA512,
            &ED25519,
            &RSA_SHA224, &P256_SHA224, &P384_SHA224,
            &RSA_SHA256_NN, &RSA_SHA384_NN, &RSA_SHA512_NN, &RSA_SHA224_NN,
            &RSA_SHA1, &RSA_SHA1_NN, &P256_SHA1, &P384_SHA1,
            $($extra),*
        ]
    };
}

static STANDARD: &[&dyn SignatureVerificationAlgorithm] = algorithms!();

static WITH_MD5: &[&dyn SignatureVerificationAlgorithm] = algorithms!(&RSA_MD5, &RSA_MD5_NN);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cms::algorithm::SignatureScheme;

    /// Every hand-written identifier decodes, and names the scheme its entry claims.
    #[test]
    fn identifiers_decode_to_their_schemes() {
        for algorithm in WITH_MD5 {
            let signature = identifier(algorithm.signature_alg_id().as_ref()).unwrap();
            let key = identifier(algorithm.public_key_alg_id().as_ref()).unwrap();
            if signature.oid == MD5_WITH_RSA {
                continue;
            }
            let scheme = SignatureScheme::from_identifier(&signature).unwrap();
            let expected_key = match scheme {
                SignatureScheme::RsaPkcs1(Some(_)) | SignatureScheme::RsaPss { .. } => {
                    const_oid::db::rfc5912::RSA_ENCRYPTION
                }
                SignatureScheme::Ecdsa(Some(_)) => const_oid::db::rfc5912::ID_EC_PUBLIC_KEY,
                SignatureScheme::Ed25519 => const_oid::db::rfc8410::ID_ED_25519,
                other => panic!("{other:?}"),
            };
            assert_eq!(key.oid, expected_key, "{algorithm:?}");
        }
        assert_eq!(STANDARD.len() + 2, WITH_MD5.len());
    }
}
