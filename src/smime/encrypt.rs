//! Encrypting a whole message: the outer headers stay outside, the body becomes the encrypted
//! entity (RFC 8551 §3.3).

use rand_core::CryptoRng;

use super::{ContentEncryption, EncryptOptions, KeyTransport};
use crate::cert::Certificate;
use crate::cms::enveloped::{EnvelopeOptions, envelop};
use crate::error::Result;
use crate::mime::{canonicalize, encode_base64, split_outer, to_crlf};

/// Encrypt an RFC 5322 message to `recipients` (include the sender to keep sent mail
/// readable). Header fields other than `Content-*` and `MIME-Version` stay outside; the
/// content fields and body, in canonical form, are encrypted. A signed message (from
/// [`crate::sign`]) becomes sign-then-encrypt.
pub fn encrypt<R: CryptoRng + ?Sized>(
    message: &[u8],
    recipients: &[Certificate],
    opts: &EncryptOptions,
    rng: &mut R,
) -> Result<Vec<u8>> {
    let (headers, inner) = split_outer(message)?;
    let content = canonicalize(&inner)?;
    let algorithm = opts.content_encryption.algorithm();
    let envelope = EnvelopeOptions {
        content: Some(algorithm),
        key_transport: opts.key_transport,
        identifier: opts.identifier,
    };
    let cms = envelop(&content, recipients, algorithm, &envelope, rng)?;
    // RFC 8551 §3.3 and §3.4: smime-type names the CMS type.
    let smime_type = if algorithm.is_aead() {
        "authEnveloped-data"
    } else {
        "enveloped-data"
    };
    let mut out = to_crlf(&headers);
    out.extend_from_slice(
        format!(
            "MIME-Version: 1.0\r\n\
             Content-Type: application/pkcs7-mime; smime-type={smime_type}; name=\"smime.p7m\"\r\n\
             Content-Transfer-Encoding: base64\r\n\
             Content-Disposition: attachment; filename=\"smime.p7m\"\r\n\r\n"
        )
        .as_bytes(),
    );
    out.extend(encode_base64(&cms));
    Ok(out)
}

/// The algorithms every recipient can read, from what each advertised in a valid signature
/// (`CertificateInfo::capabilities`; `None` when nothing is known): AES-256-GCM (or AES-128-GCM)
/// only when every recipient advertised it, else AES-256-CBC (RFC 8551 §2.7.1: "a sending agent
/// SHOULD use the strongest algorithm all recipients support"); RSAES-OAEP only when every
/// recipient advertised it, else PKCS#1 v1.5. Accounts that run this engine advertise
/// [`advertised_capabilities`](crate::smime::advertised_capabilities).
///
/// The key transport is what RSA recipients' RecipientInfos use. Recipients with EC or X25519
/// keys take the content key by key agreement (ECDH, RFC 5753 and RFC 8418, with an AES key
/// wrap the size of the content key) whatever it says; what they advertised still counts, so an
/// EC recipient that did not list RSAES-OAEP keeps everyone on PKCS#1 v1.5, the choice every
/// client reads.
pub fn choose_algorithms(capabilities: &[Option<&[String]>]) -> (ContentEncryption, KeyTransport) {
    let all = |name: &str| {
        !capabilities.is_empty()
            && capabilities
                .iter()
                .all(|c| c.is_some_and(|list| list.iter().any(|x| x == name)))
    };
    let content = [ContentEncryption::Aes256Gcm, ContentEncryption::Aes128Gcm]
        .into_iter()
        .find(|c| all(c.name()))
        .unwrap_or(ContentEncryption::Aes256Cbc);
    let transport = if all(KeyTransport::RsaOaep.name()) {
        KeyTransport::RsaOaep
    } else {
        KeyTransport::RsaPkcs1v15
    };
    (content, transport)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::TrustStore;
    use crate::key::{Identity, PrivateKey};
    use crate::smime::{Layer, RecipientIdentifierKind};
    use crate::time::UnixTime;

    const MAIL: &[u8] =
        b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: s\r\n\r\nsecret text\r\n";

    fn identity(cert: &str, key: &str) -> Identity {
        Identity::new(
            Certificate::from_pem(cert).unwrap(),
            PrivateKey::from_pem(key, None).unwrap(),
            Vec::new(),
        )
        .unwrap()
    }

    fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
        rand_core::UnwrapErr(getrandom::SysRng)
    }

    #[test]
    fn gcm_and_oaep_only_when_every_recipient_advertised_them() {
        let ours: Vec<String> = ["aes-256-gcm", "aes-128-gcm", "aes-256-cbc", "rsa-oaep"]
            .map(String::from)
            .to_vec();
        let old: Vec<String> = ["aes-256-cbc", "des-ede3-cbc"].map(String::from).to_vec();
        let gcm128: Vec<String> = ["aes-128-gcm", "rsa-oaep"].map(String::from).to_vec();
        assert_eq!(
            choose_algorithms(&[Some(&ours), Some(&ours)]),
            (ContentEncryption::Aes256Gcm, KeyTransport::RsaOaep)
        );
        assert_eq!(
            choose_algorithms(&[Some(&ours), Some(&gcm128)]),
            (ContentEncryption::Aes128Gcm, KeyTransport::RsaOaep)
        );
        assert_eq!(
            choose_algorithms(&[Some(&ours), Some(&old)]),
            (ContentEncryption::Aes256Cbc, KeyTransport::RsaPkcs1v15)
        );
        assert_eq!(
            choose_algorithms(&[Some(&ours), None]),
            (ContentEncryption::Aes256Cbc, KeyTransport::RsaPkcs1v15)
        );
        assert_eq!(
            choose_algorithms(&[]),
            (ContentEncryption::Aes256Cbc, KeyTransport::RsaPkcs1v15)
        );
    }

    #[test]
    fn round_trip_for_every_key_family_and_cipher() {
        let bob = identity(
            include_str!("../../tests/fixtures/bob.cert.pem"),
            include_str!("../../tests/fixtures/bob.key.pem"),
        );
        let carol = identity(
            include_str!("../../tests/fixtures/carol.cert.pem"),
            include_str!("../../tests/fixtures/carol.key.pem"),
        );
        let dave = identity(
            include_str!("../../tests/fixtures/dave.cert.pem"),
            include_str!("../../tests/fixtures/dave.key.pem"),
        );
        let erin = identity(
            include_str!("../../tests/fixtures/erin.cert.pem"),
            include_str!("../../tests/fixtures/erin.key.pem"),
        );
        let all = [&bob, &carol, &dave, &erin];
        let certs: Vec<Certificate> = all.iter().map(|i| i.certificate().clone()).collect();
        for content_encryption in [
            ContentEncryption::Aes128Cbc,
            ContentEncryption::Aes192Cbc,
            ContentEncryption::Aes256Cbc,
            ContentEncryption::Aes128Gcm,
            ContentEncryption::Aes256Gcm,
        ] {
            for key_transport in [KeyTransport::RsaPkcs1v15, KeyTransport::RsaOaep] {
                for identifier in [
                    RecipientIdentifierKind::IssuerAndSerialNumber,
                    RecipientIdentifierKind::SubjectKeyIdentifier,
                ] {
                    let opts = EncryptOptions {
                        content_encryption,
                        key_transport,
                        identifier,
                    };
                    let out = encrypt(MAIL, &certs, &opts, &mut rng()).unwrap();
                    for who in all {
                        let opened = crate::smime::open(
                            &out,
                            &[who],
                            &TrustStore::default(),
                            UnixTime::from_secs(0),
                            &mut rng(),
                        )
                        .unwrap();
                        assert!(opened.content.ends_with(b"secret text\r\n"));
                        let [
                            Layer::Encrypted {
                                integrity_protected,
                                ..
                            },
                        ] = opened.layers.as_slice()
                        else {
                            panic!()
                        };
                        assert_eq!(
                            *integrity_protected,
                            content_encryption.algorithm().is_aead()
                        );
                    }
                }
            }
        }
        let alice = identity(
            include_str!("../../tests/fixtures/alice.cert.pem"),
            include_str!("../../tests/fixtures/alice.key.pem"),
        );
        let out = encrypt(MAIL, &certs[..1], &EncryptOptions::default(), &mut rng()).unwrap();
        let err = crate::smime::open(
            &out,
            &[&alice],
            &TrustStore::default(),
            UnixTime::from_secs(0),
            &mut rng(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "ERR_NO_MATCHING_RECIPIENT");
    }
}
