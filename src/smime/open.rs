//! Opening a message: peel each S/MIME layer, outermost first, and report on every one.

use super::{EmbeddedPart, Layer, Opened, SignatureFormat, SignerReport, Warning};
use rand_core::CryptoRng;

use crate::cert::{Certificate, ChainStatus, Crl, TrustStore, Usage, Validation};
use crate::cms::enveloped::EnvelopedMessage;
use crate::cms::{SignedMessage, SignerVerdict};
use crate::error::{Error, Result, SignatureError};
use crate::key::Identity;
use crate::mime::{Entity, decode_transfer, split_multipart, split_multipart_lenient, to_crlf};
use crate::time::UnixTime;

/// Bound on S/MIME layers (signed in encrypted in signed ...).
pub const MAX_LAYERS: usize = 16;
/// Bound on embedded S/MIME parts opened in one message.
const MAX_EMBEDDED_PARTS: usize = 32;
/// Bound on multipart nesting searched for embedded parts, and on parts within parts.
const MAX_EMBEDDING_DEPTH: usize = 4;

/// What opening needs besides the message.
struct Context<'a, R: ?Sized> {
    keys: &'a [&'a Identity],
    trust: &'a TrustStore,
    now: UnixTime,
    senders: Vec<String>,
    rng: &'a mut R,
    /// How many more embedded S/MIME parts may be opened (bounds hostile fan-out).
    embedded_budget: usize,
}

/// Peel every S/MIME layer of `message`, decrypting with `keys` and checking signatures
/// against `trust` at `now`, and report on each layer. A signature that does not hold is
/// reported, not returned as an error; `Err` means the input cannot be read (or decrypted) at
/// all. `rng` blinds RSA and supplies the RFC 3218 stand-in key.
pub fn open<R: CryptoRng + ?Sized>(
    message: &[u8],
    keys: &[&Identity],
    trust: &TrustStore,
    now: UnixTime,
    rng: &mut R,
) -> Result<Opened> {
    if message.is_empty() {
        return Err(Error::MalformedMime("empty message"));
    }
    let senders = Entity::parse(message)?.sender_addresses();
    let mut context = Context {
        keys,
        trust,
        now,
        senders,
        rng,
        embedded_budget: MAX_EMBEDDED_PARTS,
    };
    open_entity(message, &mut context, 0)
}

fn open_entity<R: CryptoRng + ?Sized>(
    message: &[u8],
    context: &mut Context<'_, R>,
    depth: usize,
) -> Result<Opened> {
    let mut layers = Vec::new();
    let mut current = message.to_vec();
    loop {
        // Decrypted or encapsulated content need not be MIME (raw text from `openssl cms`):
        // then it is the innermost content, not an error.
        if !layers.is_empty() && Entity::parse(&current).is_err() {
            break;
        }
        let Some((layer, inner)) = peel(&current, context)? else {
            break;
        };
        if layers.len() >= MAX_LAYERS {
            return Err(Error::NestingTooDeep);
        }
        layers.push(layer);
        current = inner;
    }
    let mut parts = Vec::new();
    if depth < MAX_EMBEDDING_DEPTH {
        find_embedded(&current, &mut Vec::new(), context, depth, &mut parts);
    }
    Ok(Opened {
        content: current,
        layers,
        parts,
    })
}

/// Look through a multipart (or a forwarded message/rfc822) for S/MIME entities below it, and
/// open each on its own. Their reports never extend to the parts around them, and the layers
/// above never extend to them (RFC 8551 §3.1: protection covers one entity; Efail).
fn find_embedded<R: CryptoRng + ?Sized>(
    raw: &[u8],
    path: &mut Vec<usize>,
    context: &mut Context<'_, R>,
    depth: usize,
    out: &mut Vec<EmbeddedPart>,
) {
    let Ok(entity) = Entity::parse(raw) else {
        return;
    };
    let content_type = entity.content_type();
    let children: Vec<Vec<u8>> = if content_type.mime_type == "message/rfc822" && !path.is_empty() {
        vec![entity.decoded_body().unwrap_or_default()]
    } else if content_type.mime_type.starts_with("multipart/") {
        match content_type
            .param("boundary")
            .map(|b| split_multipart_lenient(entity.body(), b))
        {
            Some(Ok(parts)) => parts.into_iter().map(<[u8]>::to_vec).collect(),
            _ => return,
        }
    } else {
        return;
    };
    for (index, child) in children.iter().enumerate() {
        if context.embedded_budget == 0 || path.len() >= MAX_EMBEDDING_DEPTH {
            return;
        }
        path.push(index + 1);
        if is_smime(child) {
            context.embedded_budget -= 1;
            let result = open_entity(child, context, depth + 1);
            out.push(EmbeddedPart {
                path: path.clone(),
                result,
            });
        } else {
            find_embedded(child, path, context, depth, out);
        }
        path.pop();
    }
}

/// Whether `raw` is an S/MIME entity that [`peel`] opens.
fn is_smime(raw: &[u8]) -> bool {
    let Ok(entity) = Entity::parse(raw) else {
        return false;
    };
    let content_type = entity.content_type();
    match content_type.mime_type.as_str() {
        "multipart/signed" => matches!(
            content_type
                .param("protocol")
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("application/pkcs7-signature" | "application/x-pkcs7-signature")
        ),
        "application/pkcs7-mime" | "application/x-pkcs7-mime" => true,
        _ => false,
    }
}

/// Like [`open`] without decryption keys, but a message without any signature is an error
/// (`ERR_NOT_SIGNED`).
pub fn verify(message: &[u8], trust: &TrustStore, now: UnixTime) -> Result<Opened> {
    let opened = open(message, &[], trust, now, &mut NoRandomness)?;
    if opened
        .layers
        .iter()
        .any(|l| matches!(l, Layer::Signed { .. }))
    {
        Ok(opened)
    } else {
        Err(Error::NotSigned)
    }
}

/// Like [`open`] without trust anchors (chains are `not-checked`), but a message without an
/// encryption layer is an error (`ERR_NOT_ENCRYPTED`).
pub fn decrypt<R: CryptoRng + ?Sized>(
    message: &[u8],
    keys: &[&Identity],
    now: UnixTime,
    rng: &mut R,
) -> Result<Opened> {
    let opened = open(message, keys, &TrustStore::default(), now, rng)?;
    if opened
        .layers
        .iter()
        .any(|l| matches!(l, Layer::Encrypted { .. }))
    {
        Ok(opened)
    } else {
        Err(Error::NotEncrypted)
    }
}

/// `verify` decrypts nothing, so it never draws randomness; should a layer ask, it gets none
/// and decryption fails cleanly.
struct NoRandomness;

impl rand_core::TryRng for NoRandomness {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> core::result::Result<u32, Self::Error> {
        Ok(0)
    }
    fn try_next_u64(&mut self) -> core::result::Result<u64, Self::Error> {
        Ok(0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> core::result::Result<(), Self::Error> {
        dst.fill(0);
        Ok(())
    }
}

impl rand_core::TryCryptoRng for NoRandomness {}

/// One layer: `None` when `raw` is not an S/MIME entity (the innermost content).
fn peel<R: CryptoRng + ?Sized>(
    raw: &[u8],
    context: &mut Context<'_, R>,
) -> Result<Option<(Layer, Vec<u8>)>> {
    let entity = Entity::parse(raw)?;
    let content_type = entity.content_type();
    match content_type.mime_type.as_str() {
        "multipart/signed" => {
            let protocol = content_type
                .param("protocol")
                .unwrap_or_default()
                .to_ascii_lowercase();
            if !matches!(
                protocol.as_str(),
                "application/pkcs7-signature" | "application/x-pkcs7-signature"
            ) {
                return Ok(None); // e.g. PGP/MIME: not ours to judge
            }
            let boundary = content_type
                .param("boundary")
                .ok_or(Error::MalformedMime("multipart/signed without boundary"))?;
            let parts = split_multipart(entity.body(), boundary)?;
            let (Some(signed), Some(signature)) = (parts.first(), parts.get(1)) else {
                return Err(Error::MalformedMime("multipart/signed needs two parts"));
            };
            let signature = Entity::parse(signature)?;
            let cms = decode_transfer(&signature.transfer_encoding(), signature.body())?;
            let message = SignedMessage::from_content_info(&cms)?;
            let extra = extra_certificates(context.trust);
            let mut verdicts = message.verify(Some(signed), &extra);
            // Stored mail often lost its CRs; the signature was made over CRLF (RFC 8551
            // §3.1.1), so a digest mismatch on LF text is retried on the canonical form.
            if verdicts
                .iter()
                .all(|v| v.result == Err(SignatureError::DigestMismatch))
                && signed.contains(&b'\n')
            {
                let canonical = to_crlf(signed);
                if canonical != *signed {
                    verdicts = message.verify(Some(&canonical), &extra);
                }
            }
            let signers = reports(verdicts, &message, context);
            Ok(Some((
                Layer::Signed {
                    format: SignatureFormat::Detached,
                    signers,
                },
                signed.to_vec(),
            )))
        }
        "application/pkcs7-mime" | "application/x-pkcs7-mime" => {
            let cms = entity.decoded_body()?;
            let (content_type, _) = crate::cms::read_content_info(&cms)?;
            if EnvelopedMessage::is_enveloped(&content_type) {
                return decrypt_layer(&cms, context).map(Some);
            }
            if content_type != const_oid::db::rfc5911::ID_SIGNED_DATA {
                return Err(Error::unsupported(format!(
                    "S/MIME content type {content_type}"
                )));
            }
            let message = SignedMessage::from_content_info(&cms)?;
            let inner = message
                .content()
                .ok_or(Error::MalformedCms(String::from(
                    "signed-data without content",
                )))?
                .to_vec();
            let verdicts = message.verify(None, &extra_certificates(context.trust));
            let signers = reports(verdicts, &message, context);
            Ok(Some((
                Layer::Signed {
                    format: SignatureFormat::Opaque,
                    signers,
                },
                inner,
            )))
        }
        _ => Ok(None),
    }
}

/// Parse, unwrap the content key, decrypt: the three steps DESIGN.md keeps apart.
fn decrypt_layer<R: CryptoRng + ?Sized>(
    cms: &[u8],
    context: &mut Context<'_, R>,
) -> Result<(Layer, Vec<u8>)> {
    let message = EnvelopedMessage::from_content_info(cms)?;
    let key = message.unwrap_key(context.keys, context.rng)?;
    let plaintext = message.decrypt(&key)?;
    let layer = Layer::Encrypted {
        content_encryption: message.content_algorithm().name().to_owned(),
        key_transport: key.transport().to_owned(),
        integrity_protected: message.integrity_protected(),
        recipient: Box::new(key.recipient().info()),
    };
    Ok((layer, plaintext.to_vec()))
}

fn extra_certificates(trust: &TrustStore) -> Vec<Certificate> {
    trust
        .anchors()
        .iter()
        .chain(trust.intermediates())
        .cloned()
        .collect()
}

fn reports<R: ?Sized>(
    verdicts: Vec<SignerVerdict>,
    message: &SignedMessage,
    context: &Context<'_, R>,
) -> Vec<SignerReport> {
    let (trust, now, senders) = (context.trust, context.now, &context.senders);
    // The CRLs the SignedData carries (RFC 5652 §5.1), once `SignedMessage` keeps them (it
    // skips them today). They are not signed: a forged one cannot pass `Crl::revokes`, and one
    // that cannot be read says nothing.
    let crls: Vec<Crl> = message
        .crls()
        .iter()
        .filter_map(|d| Crl::from_der(d).ok())
        .collect();
    verdicts
        .into_iter()
        .map(|v| {
            let validation = match &v.certificate {
                Some(cert) => {
                    trust.validate(cert, message.certificates(), &crls, Usage::Signing, now)
                }
                None => Validation {
                    status: ChainStatus::NotChecked,
                    path: Vec::new(),
                },
            };
            let address_match = match (&v.certificate, senders.is_empty()) {
                (Some(cert), false) => Some(addresses_match(senders, &cert.emails())),
                _ => None,
            };
            let mut warnings = Vec::new();
            if v.result.is_ok()
                && v.certificate
                    .as_ref()
                    .is_some_and(Certificate::has_weak_key)
            {
                warnings.push(Warning::WeakKey);
            }
            if validation.has_weak_link() {
                warnings.push(Warning::WeakChain);
            }
            // Learned capabilities are only believed from a signature that holds.
            let learned = v.result.is_ok().then_some(v.capabilities).flatten();
            let encryption_certificate = if v.result.is_ok() {
                v.encryption_certificate
                    .clone()
                    .or_else(|| v.certificate.clone())
            } else {
                None
            };
            let mut certificate = v.certificate.as_ref().map(Certificate::info);
            if let Some(info) = certificate.as_mut() {
                info.capabilities.clone_from(&learned);
            }
            SignerReport {
                encryption_certificate,
                capabilities: learned,
                certificate,
                signature: v.result,
                chain: validation.status,
                digest: v.digest,
                signature_algorithm: v.signature_algorithm,
                signing_time: v.signing_time,
                address_match,
                weak_digest: v.weak_digest,
                warnings,
            }
        })
        .collect()
}

/// RFC 8550 §3: every sender address must be one of the certificate's; the domain compares
/// case-insensitively, the local part exactly.
fn addresses_match(senders: &[String], emails: &[String]) -> bool {
    let same = |a: &str, b: &str| match (a.rsplit_once('@'), b.rsplit_once('@')) {
        (Some((la, da)), Some((lb, db))) => la == lb && da.eq_ignore_ascii_case(db),
        _ => false,
    };
    senders.iter().all(|s| emails.iter().any(|e| same(s, e)))
}

#[cfg(test)]
mod tests {
    use super::addresses_match;

    #[test]
    fn from_address_mismatch() {
        let cert = vec![String::from("alice@Example.ORG")];
        assert!(addresses_match(&[String::from("alice@example.org")], &cert));
        assert!(!addresses_match(
            &[String::from("mallory@example.org")],
            &cert
        ));
        assert!(!addresses_match(
            &[String::from("Alice@example.org")],
            &cert
        ));
    }
}
