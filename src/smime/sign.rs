//! Signing a whole message: the outer headers stay outside, the body becomes the signed entity.

use super::{SignOptions, SignatureFormat};
use crate::cms::algorithm::signature_identifier;
use crate::cms::{SignedAttributesSpec, prepare_signature};
use crate::error::Result;
use crate::key::Identity;
use crate::mime::{canonicalize, encode_base64, split_outer};
use crate::time::UnixTime;

/// Sign an RFC 5322 message. Header fields other than `Content-*` and `MIME-Version` stay
/// outside (they route the mail); the content fields and the body become the signed entity,
/// in canonical form (CRLF, 7-bit transfer encodings). Output is deterministic for given
/// inputs: the boundary derives from the signed content's digest, and RSA PKCS#1 v1.5 and
/// ECDSA (RFC 6979) signatures need no randomness.
pub fn sign(
    message: &[u8],
    signer: &Identity,
    opts: &SignOptions,
    now: UnixTime,
) -> Result<Vec<u8>> {
    let (headers, inner) = split_outer(message)?;
    let content = canonicalize(&inner)?;

    let spec = SignedAttributesSpec {
        signing_time: now,
        advertise: true,
    };
    let encapsulate = opts.format == SignatureFormat::Opaque;
    // RFC 8419 §3.1: with Ed25519, messageDigest uses SHA-512.
    let digest = match signer.key() {
        crate::key::PrivateKey::Ed25519(_) => crate::cms::DigestAlgorithm::Sha512,
        _ => opts.digest,
    };
    let prepared = prepare_signature(
        &content,
        encapsulate,
        signer.certificate(),
        signer.chain(),
        digest,
        &spec,
    )?;
    let signature = signer
        .key()
        .sign(prepared.digest(), prepared.to_be_signed())?;
    let algorithm = signature_identifier(&signer.key().public_key(), digest)?;
    let content_digest = prepared.content_digest().to_vec();
    let cms = prepared.assemble(algorithm, &signature)?;

    let mut out = crate::mime::to_crlf(&headers);
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    match opts.format {
        SignatureFormat::Detached => {
            let digest_hex = crate::cert::hex(&content_digest);
            let boundary = format!("smime-{}", digest_hex.get(..24).unwrap_or_default());
            out.extend_from_slice(
                format!(
                    "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n\
                     \tmicalg={}; boundary=\"{boundary}\"\r\n\r\n\
                     This is a cryptographically signed message in MIME format.\r\n\r\n\
                     --{boundary}\r\n",
                    digest.micalg()
                )
                .as_bytes(),
            );
            out.extend_from_slice(&content);
            out.extend_from_slice(
                format!(
                    "\r\n--{boundary}\r\n\
                     Content-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n\
                     Content-Transfer-Encoding: base64\r\n\
                     Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\
                     Content-Description: S/MIME Cryptographic Signature\r\n\r\n"
                )
                .as_bytes(),
            );
            out.extend(encode_base64(&cms));
            out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        }
        SignatureFormat::Opaque => {
            out.extend_from_slice(
                b"Content-Type: application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\"\r\n\
                  Content-Transfer-Encoding: base64\r\n\
                  Content-Disposition: attachment; filename=\"smime.p7m\"\r\n\r\n",
            );
            out.extend(encode_base64(&cms));
        }
    }
    Ok(out)
}
