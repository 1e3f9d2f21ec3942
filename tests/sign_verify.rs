//! The paved path, natively: sign with each key type and digest, open, and every failure the
//! report must show.
#![cfg(not(target_arch = "wasm32"))] // native only: reads fixtures from disk

use smime_wasm::{
    Certificate, DigestAlgorithm, Identity, Layer, PrivateKey, SignOptions, SignatureFormat,
    SignerReport, TrustStore, UnixTime, open, sign, verify,
};

mod common;

use common::{NOW, demo_trust, signer};

fn fixture(name: &str) -> String {
    String::from_utf8(common::fixture(name)).unwrap()
}

fn mail(from: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: bob@example.org\r\nSubject: test\r\nDate: Tue, 1 Jan 2030 00:00:00 +0000\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nHello Bob,\r\nthis is signed.\r\n"
    )
    .into_bytes()
}

fn only_signer(opened: &smime_wasm::Opened) -> &SignerReport {
    assert_eq!(opened.layers.len(), 1);
    match &opened.layers[0] {
        Layer::Signed { signers, .. } => {
            assert_eq!(signers.len(), 1);
            &signers[0]
        }
        other => panic!("unexpected layer {other:?}"),
    }
}

#[test]
fn every_key_type_format_and_digest_round_trips() {
    for (name, algorithm) in [
        ("alice", "rsa-pkcs1v15"),
        ("carol", "ecdsa"),
        ("dave", "ecdsa"),
    ] {
        let signer = signer(name);
        for format in [SignatureFormat::Detached, SignatureFormat::Opaque] {
            for digest in [
                DigestAlgorithm::Sha256,
                DigestAlgorithm::Sha384,
                DigestAlgorithm::Sha512,
            ] {
                let signed = sign(
                    &mail(&format!("{name}@example.org")),
                    &signer,
                    &SignOptions { format, digest },
                    NOW,
                )
                .unwrap();
                let opened = open(&signed, &[], &demo_trust(), NOW, &mut common::rng()).unwrap();
                let report = only_signer(&opened);
                assert_eq!(report.signature, Ok(()), "{name} {format:?} {digest:?}");
                assert_eq!(report.chain.label(), "trusted");
                assert_eq!(report.digest, digest.name());
                assert_eq!(report.signature_algorithm, algorithm);
                assert_eq!(report.address_match, Some(true));
                assert_eq!(report.signing_time, Some(NOW));
                assert!(
                    matches!(&opened.layers[0], Layer::Signed { format: f, .. } if *f == format)
                );
                assert!(
                    opened
                        .content
                        .starts_with(b"Content-Type: text/plain; charset=utf-8\r\n\r\nHello Bob,")
                );
            }
        }
    }
}

#[test]
fn outer_headers_stay_outside_and_output_is_canonical() {
    let signed = sign(
        &mail("alice@example.org"),
        &signer("alice"),
        &SignOptions::default(),
        NOW,
    )
    .unwrap();
    let text = String::from_utf8(signed.clone()).unwrap();
    assert!(
        text.starts_with("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: test\r\n")
    );
    assert!(text.contains("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n\tmicalg=sha-256;"));
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "bare LF in output"
    );
    // Deterministic: the same inputs sign to the same bytes.
    assert_eq!(
        signed,
        sign(
            &mail("alice@example.org"),
            &signer("alice"),
            &SignOptions::default(),
            NOW
        )
        .unwrap()
    );
}

#[test]
fn eight_bit_body_is_made_seven_bit_before_signing() {
    let raw = "From: alice@example.org\nTo: bob@example.org\nSubject: x\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGrüße\n";
    let signed = sign(
        raw.as_bytes(),
        &signer("alice"),
        &SignOptions::default(),
        NOW,
    )
    .unwrap();
    assert!(signed.iter().all(|&b| b < 128));
    let opened = open(&signed, &[], &demo_trust(), NOW, &mut common::rng()).unwrap();
    assert_eq!(only_signer(&opened).signature, Ok(()));
    assert!(String::from_utf8_lossy(&opened.content).contains("Gr=C3=BC=C3=9Fe"));
}

#[test]
fn changed_body_byte_breaks_the_signature() {
    for format in [SignatureFormat::Detached, SignatureFormat::Opaque] {
        let signed = sign(
            &mail("alice@example.org"),
            &signer("alice"),
            &SignOptions {
                format,
                ..SignOptions::default()
            },
            NOW,
        )
        .unwrap();
        let tampered = if format == SignatureFormat::Detached {
            String::from_utf8(signed)
                .unwrap()
                .replacen("this is signed", "this is SIGNED", 1)
                .into_bytes()
        } else {
            // Re-encode the opaque CMS with one content byte changed.
            let text = String::from_utf8(signed).unwrap();
            let (head, body) = text.split_once("\r\n\r\n").unwrap();
            let mut der = base64_decode(body);
            let at = der.windows(6).position(|w| w == b"signed").unwrap();
            der[at] ^= 0x20;
            format!("{head}\r\n\r\n{}", base64_encode(&der)).into_bytes()
        };
        let opened = open(&tampered, &[], &demo_trust(), NOW, &mut common::rng()).unwrap();
        let report = only_signer(&opened);
        assert_eq!(
            report.signature.unwrap_err().code(),
            "ERR_DIGEST_MISMATCH",
            "{format:?}"
        );
    }
}

#[test]
fn signature_bytes_flipped_is_invalid() {
    let signed = sign(
        &mail("alice@example.org"),
        &signer("alice"),
        &SignOptions {
            format: SignatureFormat::Opaque,
            ..SignOptions::default()
        },
        NOW,
    )
    .unwrap();
    let text = String::from_utf8(signed).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut der = base64_decode(body);
    let last = der.len() - 10; // inside the RSA signature value, the last field
    der[last] ^= 1;
    let opened = open(
        format!("{head}\r\n\r\n{}", base64_encode(&der)).as_bytes(),
        &[],
        &demo_trust(),
        NOW,
        &mut common::rng(),
    )
    .unwrap();
    assert_eq!(
        only_signer(&opened).signature.unwrap_err().code(),
        "ERR_SIGNATURE_INVALID"
    );
}

#[test]
fn chain_states() {
    let signed = sign(
        &mail("alice@example.org"),
        &signer("alice"),
        &SignOptions::default(),
        NOW,
    )
    .unwrap();
    let other = TrustStore::new(
        vec![Certificate::from_pem(&fixture("other-ca.cert.pem")).unwrap()],
        vec![],
    );
    let report = only_signer(&open(&signed, &[], &other, NOW, &mut common::rng()).unwrap()).clone();
    assert_eq!(report.chain.label(), "untrusted");
    assert_eq!(report.chain.error().unwrap().code(), "ERR_UNKNOWN_ISSUER");
    let report = only_signer(
        &open(
            &signed,
            &[],
            &TrustStore::default(),
            NOW,
            &mut common::rng(),
        )
        .unwrap(),
    )
    .clone();
    assert_eq!(report.chain.label(), "not-checked");
    assert_eq!(report.signature, Ok(()));
    // Two centuries on, the certificates have expired.
    let later = UnixTime::from_secs(NOW.as_secs() + 200 * 365 * 86_400);
    let report =
        only_signer(&open(&signed, &[], &demo_trust(), later, &mut common::rng()).unwrap()).clone();
    assert_eq!(report.chain.label(), "expired");
    assert_eq!(report.chain.error().unwrap().code(), "ERR_CERT_EXPIRED");
}

#[test]
fn from_address_mismatch() {
    let signed = sign(
        &mail("mallory@example.org"),
        &signer("alice"),
        &SignOptions::default(),
        NOW,
    )
    .unwrap();
    let report =
        only_signer(&open(&signed, &[], &demo_trust(), NOW, &mut common::rng()).unwrap()).clone();
    assert_eq!(report.signature, Ok(()));
    assert_eq!(report.address_match, Some(false));
}

#[test]
fn keys_in_every_container() {
    let enc = PrivateKey::from_pem(&fixture("alice.key.enc.pem"), Some("demo")).unwrap();
    let plain = PrivateKey::from_pem(&fixture("alice.key.pem"), None).unwrap();
    assert_eq!(enc.public_key(), plain.public_key());
    assert_eq!(
        PrivateKey::from_pem(&fixture("alice.key.enc.pem"), Some("wrong"))
            .unwrap_err()
            .code(),
        "ERR_BAD_PASSWORD"
    );
    assert_eq!(
        PrivateKey::from_pem(&fixture("alice.key.enc.pem"), None)
            .unwrap_err()
            .code(),
        "ERR_BAD_PASSWORD"
    );
    let der = std::fs::read(format!(
        "{}/tests/fixtures/carol.key.der",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let carol = PrivateKey::from_pem_or_der(&der, None).unwrap();
    let cert = Certificate::from_pem_or_der(
        &std::fs::read(format!(
            "{}/tests/fixtures/carol.cert.der",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    assert!(Identity::new(cert, carol, vec![]).is_ok());
    assert_eq!(
        PrivateKey::from_pem_or_der(b"not a key", None)
            .unwrap_err()
            .code(),
        "ERR_MALFORMED_KEY"
    );
    assert_eq!(
        Certificate::from_pem_or_der(b"\x30\x03\x02\x01\x01")
            .unwrap_err()
            .code(),
        "ERR_MALFORMED_CERTIFICATE"
    );
}

#[test]
fn signer_refuses_a_key_that_is_not_the_certificates() {
    let cert = Certificate::from_pem(&fixture("mallory.cert.pem")).unwrap();
    let key = PrivateKey::from_pem(&fixture("alice.key.pem"), None).unwrap();
    assert_eq!(
        Identity::new(cert, key, vec![]).unwrap_err().code(),
        "ERR_KEY_MISMATCH"
    );
    let cert = Certificate::from_pem(&fixture("alice.cert.pem")).unwrap();
    let key = PrivateKey::from_pem(&fixture("carol.key.pem"), None).unwrap();
    assert_eq!(
        Identity::new(cert, key, vec![]).unwrap_err().code(),
        "ERR_KEY_MISMATCH"
    );
}

#[test]
fn certificate_info_describes_the_demo_users() {
    let info = Certificate::from_pem(&fixture("carol.cert.pem"))
        .unwrap()
        .info();
    assert_eq!(info.emails, vec![String::from("carol@example.org")]);
    assert_eq!(info.key_algorithm, "p-256");
    assert_eq!(
        info.extended_key_usage,
        vec![String::from("emailProtection")]
    );
    assert!(info.key_usage.contains(&String::from("digitalSignature")));
    assert!(!info.is_ca);
    assert_eq!(info.fingerprint_sha256.len(), 64);
    let ca = Certificate::from_pem(&fixture("demo-ca.cert.pem"))
        .unwrap()
        .info();
    assert!(ca.is_ca);
    assert_eq!(
        Certificate::from_pem(&fixture("alice.cert.pem"))
            .unwrap()
            .info()
            .key_algorithm,
        "rsa-2048"
    );
}

#[test]
fn plain_messages_open_without_layers_and_do_not_verify() {
    let opened = open(
        &mail("alice@example.org"),
        &[],
        &demo_trust(),
        NOW,
        &mut common::rng(),
    )
    .unwrap();
    assert!(opened.layers.is_empty());
    assert_eq!(opened.content, mail("alice@example.org"));
    assert_eq!(
        verify(&mail("alice@example.org"), &demo_trust(), NOW)
            .unwrap_err()
            .code(),
        "ERR_NOT_SIGNED"
    );
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64ct::Encoding;
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64ct::Base64::decode_vec(&compact).unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(bytes)
}

#[test]
fn x25519_identities_load_but_cannot_sign() {
    let erin = signer("erin");
    assert_eq!(erin.certificate().info().key_algorithm, "x25519");
    let err = sign(
        &mail("erin@example.org"),
        &erin,
        &SignOptions::default(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(err.code(), "ERR_UNSUPPORTED_ALGORITHM");
}

#[test]
fn ed25519_signs_with_sha512_as_rfc8419_requires() {
    let frank = signer("frank");
    for format in [SignatureFormat::Detached, SignatureFormat::Opaque] {
        let opts = SignOptions {
            format,
            digest: DigestAlgorithm::Sha256,
        };
        let signed = sign(&mail("frank@example.org"), &frank, &opts, NOW).unwrap();
        if format == SignatureFormat::Detached {
            assert!(String::from_utf8_lossy(&signed).contains("micalg=sha-512"));
        }
        let opened = open(&signed, &[], &demo_trust(), NOW, &mut common::rng()).unwrap();
        let report = only_signer(&opened);
        assert_eq!(report.signature, Ok(()));
        assert_eq!(report.signature_algorithm, "ed25519");
        assert_eq!(report.digest, "sha512");
        assert_eq!(report.chain.label(), "trusted");
    }
}

#[test]
fn capabilities_are_learned_from_valid_signatures_only() {
    let signed = sign(
        &mail("alice@example.org"),
        &signer("alice"),
        &SignOptions::default(),
        NOW,
    )
    .unwrap();
    let opened = open(&signed, &[], &demo_trust(), NOW, &mut common::rng()).unwrap();
    let report = only_signer(&opened);
    let learned = [
        "aes-256-gcm",
        "aes-128-gcm",
        "aes-256-cbc",
        "aes-128-cbc",
        "rsa-oaep",
    ]
    .map(String::from);
    assert_eq!(
        report.certificate.as_ref().unwrap().capabilities.as_deref(),
        Some(&learned[..])
    );
    let target = report
        .encryption_certificate
        .as_ref()
        .expect("reply target");
    assert_eq!(target.emails(), ["alice@example.org"]);
    assert_eq!(
        smime_wasm::smime::choose_algorithms(&[report.capabilities.as_deref()]),
        (
            smime_wasm::ContentEncryption::Aes256Gcm,
            smime_wasm::KeyTransport::RsaOaep
        )
    );
    // A changed message: nothing is learned, and no reply target is offered.
    let tampered =
        String::from_utf8(signed)
            .unwrap()
            .replacen("this is signed", "this is SIGNED", 1);
    let opened = open(
        tampered.as_bytes(),
        &[],
        &demo_trust(),
        NOW,
        &mut common::rng(),
    )
    .unwrap();
    let report = only_signer(&opened);
    assert!(report.certificate.as_ref().unwrap().capabilities.is_none());
    assert!(report.encryption_certificate.is_none());
}
