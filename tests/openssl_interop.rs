//! Interop both ways with the `openssl cms` CLI (OpenSSL 3.x): we sign and OpenSSL verifies;
//! OpenSSL signs and we verify. The CLI is required: a missing `openssl` fails these tests
//! rather than skipping them, so that CI cannot pass without running them.
#![cfg(not(target_arch = "wasm32"))] // native only: reads files and runs openssl

mod common;

use common::openssl::{Workdir, stderr};

use common::{FIXTURES, NOW, demo_trust, describe, signer, signers};
use smime_wasm::mime::{Attachment, Composition, Entity, compose, split_multipart};
use smime_wasm::{
    DigestAlgorithm, Layer, Opened, SignOptions, SignatureFormat, TrustStore, open, sign,
};

/// `NOW` for `openssl -attime`, so both sides judge validity at the same instant.
const ATTIME: &str = "1893456000";
const ALL_DIGESTS: [DigestAlgorithm; 3] = [
    DigestAlgorithm::Sha256,
    DigestAlgorithm::Sha384,
    DigestAlgorithm::Sha512,
];
const ALL_FORMATS: [SignatureFormat; 2] = [SignatureFormat::Detached, SignatureFormat::Opaque];

fn fixture_path(name: &str) -> String {
    format!("{FIXTURES}{name}")
}

/// `openssl cms -verify` of `message` against the demo CA at `NOW`: the content it writes, or
/// its complaint.
fn openssl_verify(dir: &Workdir, message: &[u8]) -> Result<Vec<u8>, String> {
    dir.write("verify-in.eml", message);
    let ca = fixture_path("demo-ca.cert.pem");
    let out = dir.openssl(&[
        "cms",
        "-verify",
        "-in",
        "verify-in.eml",
        "-CAfile",
        &ca,
        "-purpose",
        "smimesign",
        "-attime",
        ATTIME,
        "-out",
        "verify-out.txt",
    ]);
    if out.status.success() {
        Ok(dir.read("verify-out.txt"))
    } else {
        Err(stderr(&out))
    }
}

fn options(format: SignatureFormat, digest: DigestAlgorithm) -> SignOptions {
    SignOptions { format, digest }
}

fn sample_message(from: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: bob@example.org\r\nSubject: interop\r\n\
         Date: Tue, 01 Jan 2030 00:00:00 +0000\r\nMessage-ID: <interop@example.org>\r\n\r\n\
         Hello Bob,\r\nthis was signed by smime-wasm.\r\n"
    )
    .into_bytes()
}

/// Sign `message` as `name` in every format and digest; OpenSSL must verify each one to the
/// demo CA and write out exactly the entity we report as signed.
fn we_sign_openssl_verifies(name: &str, message: &[u8]) {
    let signer = signer(name);
    let mut failures = Vec::new();
    for format in ALL_FORMATS {
        for digest in ALL_DIGESTS {
            let case = format!("{name} {} {}", format.name(), digest.name());
            let signed = sign(message, &signer, &options(format, digest), NOW).expect(&case);
            let ours = open(&signed, &[], &demo_trust(), NOW, &mut common::rng()).expect(&case);
            assert_eq!(ours.layers.len(), 1, "{case}");
            assert!(ours.layers[0].is_valid(), "{case}: {}", describe(&ours));
            let dir = Workdir::new(&case.replace(' ', "-"));
            match openssl_verify(&dir, &signed) {
                Err(complaint) => failures.push(format!("{case}: openssl refuses: {complaint}")),
                Ok(content) if content != ours.content => failures.push(format!(
                    "{case}: openssl wrote {:?}, we opened {:?}",
                    String::from_utf8_lossy(&content),
                    String::from_utf8_lossy(&ours.content)
                )),
                Ok(_) => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn we_sign_rsa_openssl_verifies() {
    we_sign_openssl_verifies("alice", &sample_message("alice@example.org"));
}

#[test]
fn we_sign_p256_openssl_verifies() {
    we_sign_openssl_verifies("carol", &sample_message("carol@example.org"));
}

#[test]
fn we_sign_p384_openssl_verifies() {
    we_sign_openssl_verifies("dave", &sample_message("dave@example.org"));
}

/// The part of the multipart entity `raw` whose headers name `filename`, transfer-decoded.
fn attachment(raw: &[u8], filename: &str) -> Option<Vec<u8>> {
    let entity = Entity::parse(raw).ok()?;
    let boundary = entity.content_type().param("boundary")?.to_owned();
    for part in split_multipart(entity.body(), &boundary).ok()? {
        let part = Entity::parse(part).ok()?;
        if String::from_utf8_lossy(part.header_block()).contains(filename) {
            return part.decoded_body().ok();
        }
        if let Some(found) = attachment(part.raw(), filename) {
            return Some(found);
        }
    }
    None
}

fn every_byte() -> Vec<u8> {
    (0..=255u8).chain((0..=255u8).rev()).collect()
}

/// A composed message (UTF-8 subject and text, a binary attachment) signed by us verifies
/// in OpenSSL, and the attachment comes out of OpenSSL's content intact.
#[test]
fn we_sign_composed_utf8_text_and_binary_attachment_openssl_verifies() {
    let data = every_byte();
    let composition = Composition {
        from: String::from("Alice <alice@example.org>"),
        to: vec![String::from("Bob <bob@example.org>")],
        subject: String::from("Grüße aus Köln ✓"),
        text: Some(String::from(
            "Hallo Bob — ünïcödé, 日本語, emoji 🦀.\nZweite Zeile.\n",
        )),
        attachments: vec![Attachment {
            filename: String::from("every-byte.bin"),
            content_type: String::from("application/octet-stream"),
            data: data.clone(),
        }],
        date: NOW,
        message_id: String::from("composed-interop@example.org"),
        ..Composition::default()
    };
    let message = compose(&composition).expect("compose");
    we_sign_openssl_verifies("alice", &message);
    for format in ALL_FORMATS {
        let signed = sign(
            &message,
            &signer("alice"),
            &options(format, DigestAlgorithm::Sha256),
            NOW,
        )
        .expect("sign");
        let dir = Workdir::new(&format!("composed-{}", format.name()));
        let content = openssl_verify(&dir, &signed).expect("openssl verifies");
        assert_eq!(
            attachment(&content, "every-byte.bin"),
            Some(data.clone()),
            "{}",
            format.name()
        );
    }
}

/// A hand-written message with raw 8-bit UTF-8 text, LF line endings and a raw binary part:
/// our canonical form (CRLF, quoted-printable, base64) must be what OpenSSL checks.
#[test]
fn we_sign_raw_8bit_text_and_binary_part_openssl_verifies() {
    let data = every_byte();
    let mut message = b"From: alice@example.org\nTo: bob@example.org\nSubject: 8bit\n\
        MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"=-=-=\"\n\n\
        --=-=-=\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        .to_vec();
    message.extend_from_slice("Grüße, Bob — trailing space \nand a tab\t\n".as_bytes());
    message.extend_from_slice(
        b"--=-=-=\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\
          Content-Disposition: attachment; filename=\"raw.bin\"\n\n",
    );
    message.extend_from_slice(&data);
    message.extend_from_slice(b"\n--=-=-=--\n");
    we_sign_openssl_verifies("alice", &message);
    we_sign_openssl_verifies("carol", &message);
    let signed = sign(&message, &signer("alice"), &SignOptions::default(), NOW).expect("sign");
    let dir = Workdir::new("raw-8bit");
    let content = openssl_verify(&dir, &signed).expect("openssl verifies");
    assert_eq!(attachment(&content, "raw.bin"), Some(data));
}

// ---- OpenSSL signs, we verify --------------------------------------------------------------

/// The entity OpenSSL signs: written with LF, which `openssl cms -sign` turns into CRLF.
const ENTITY: &[u8] =
    b"Content-Type: text/plain; charset=us-ascii\n\nHello Bob,\nthis was signed by OpenSSL.\n";

/// `openssl cms -sign` as `name` over [`ENTITY`], as an RFC 5322 message from
/// `<name>@example.org`. `extra` adds flags (`-nodetach`, `-keyid`, `-md ...`).
fn openssl_sign(dir: &Workdir, name: &str, extra: &[&str]) -> Vec<u8> {
    dir.write("entity.txt", ENTITY);
    let cert = fixture_path(&format!("{name}.cert.pem"));
    let key = fixture_path(&format!("{name}.key.pem"));
    let from = format!("{name}@example.org");
    let mut args = vec![
        "cms",
        "-sign",
        "-in",
        "entity.txt",
        "-signer",
        &cert,
        "-inkey",
        &key,
        "-from",
        &from,
        "-to",
        "bob@example.org",
        "-subject",
        "signed by openssl",
        "-out",
        "signed.eml",
    ];
    args.extend_from_slice(extra);
    dir.openssl_ok(&args);
    dir.read("signed.eml")
}

fn only_layer(opened: &Opened) -> (SignatureFormat, &smime_wasm::SignerReport) {
    match opened.layers.as_slice() {
        [Layer::Signed { format, signers }] if signers.len() == 1 => (*format, &signers[0]),
        _ => panic!(
            "expected one signed layer with one signer, got {:?}",
            opened.layers
        ),
    }
}

/// Every combination of format, digest and signer identifier that `openssl cms -sign` makes
/// with `name`'s key opens here: signature valid, chain trusted to the demo CA, and the same
/// content that `openssl cms -verify` extracts.
fn openssl_signs_we_verify(name: &str, algorithm: &str) {
    let mut failures = Vec::new();
    for (format, format_flags) in [
        (SignatureFormat::Detached, &[][..]),
        (SignatureFormat::Opaque, &["-nodetach"][..]),
    ] {
        for digest in [DigestAlgorithm::Sha256, DigestAlgorithm::Sha512] {
            for keyid in [false, true] {
                let case = format!(
                    "{name} {} {}{}",
                    format.name(),
                    digest.name(),
                    if keyid { " keyid" } else { "" }
                );
                let dir = Workdir::new(&format!("ossl-{}", case.replace(' ', "-")));
                let mut flags = vec!["-md", digest.name()];
                flags.extend_from_slice(format_flags);
                if keyid {
                    flags.push("-keyid");
                }
                let signed = openssl_sign(&dir, name, &flags);
                let expected = openssl_verify(&dir, &signed).expect("openssl verifies its own");
                let opened = match open(&signed, &[], &demo_trust(), NOW, &mut common::rng()) {
                    Ok(opened) => opened,
                    Err(e) => {
                        failures.push(format!("{case}: open fails with {}: {e}", e.code()));
                        continue;
                    }
                };
                let (got_format, report) = only_layer(&opened);
                let problems = [
                    (got_format != format).then(|| format!("format {}", got_format.name())),
                    report
                        .signature
                        .err()
                        .map(|e| format!("signature {}", e.code())),
                    (report.chain.label() != "trusted")
                        .then(|| format!("chain {}", report.chain.label())),
                    (report.digest != digest.name()).then(|| format!("digest {}", report.digest)),
                    (report.signature_algorithm != algorithm)
                        .then(|| format!("algorithm {}", report.signature_algorithm)),
                    (report.address_match != Some(true))
                        .then(|| format!("address_match {:?}", report.address_match)),
                    report
                        .signing_time
                        .is_none()
                        .then(|| String::from("no signing time")),
                    (opened.content != expected).then(|| {
                        format!(
                            "content {:?} but openssl extracts {:?}",
                            String::from_utf8_lossy(&opened.content),
                            String::from_utf8_lossy(&expected)
                        )
                    }),
                ];
                let problems: Vec<String> = problems.into_iter().flatten().collect();
                if !problems.is_empty() {
                    failures.push(format!("{case}: {}", problems.join(", ")));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn openssl_signs_rsa_we_verify() {
    openssl_signs_we_verify("alice", "rsa-pkcs1v15");
}

#[test]
fn openssl_signs_p256_we_verify() {
    openssl_signs_we_verify("carol", "ecdsa");
}

#[test]
fn openssl_signs_p384_we_verify() {
    openssl_signs_we_verify("dave", "ecdsa");
}

#[test]
fn openssl_signs_rsa_pss_we_verify() {
    let dir = Workdir::new("ossl-pss");
    let signed = openssl_sign(
        &dir,
        "alice",
        &["-md", "sha256", "-keyopt", "rsa_padding_mode:pss"],
    );
    let opened = open(&signed, &[], &demo_trust(), NOW, &mut common::rng()).expect("open");
    let (_, report) = only_layer(&opened);
    assert_eq!(report.signature, Ok(()), "{}", describe(&opened));
    assert_eq!(report.signature_algorithm, "rsa-pss");
    assert_eq!(report.digest, "sha256");
    assert_eq!(report.chain.label(), "trusted");
}

/// A valid signature by a certificate that does not chain to the caller's anchor: the
/// signature holds, the chain does not.
#[test]
fn openssl_signed_by_alice_is_untrusted_under_an_unrelated_ca() {
    let dir = Workdir::new("ossl-untrusted");
    let signed = openssl_sign(&dir, "alice", &[]);
    let other = TrustStore::new(vec![common::cert("other-ca")], Vec::new());
    let opened = open(&signed, &[], &other, NOW, &mut common::rng()).expect("open");
    let (_, report) = only_layer(&opened);
    assert_eq!(report.signature, Ok(()));
    assert_eq!(report.chain.label(), "untrusted");
}

/// One byte of OpenSSL's detached signed body changed in transit: the messageDigest no
/// longer matches.
#[test]
fn openssl_detached_body_tampered_is_digest_mismatch() {
    let dir = Workdir::new("ossl-tampered");
    let mut signed = openssl_sign(&dir, "alice", &[]);
    let at = signed
        .windows(5)
        .position(|w| w == b"Hello")
        .expect("body text in output");
    signed[at] = b'J';
    assert!(
        openssl_verify(&dir, &signed).is_err(),
        "openssl must refuse it too"
    );
    let opened = open(&signed, &[], &demo_trust(), NOW, &mut common::rng())
        .expect("a broken signature is a report");
    let reports = signers(&opened);
    assert_eq!(reports.len(), 1);
    assert_eq!(
        reports[0].signature.map_err(|e| e.code()),
        Err("ERR_DIGEST_MISMATCH")
    );
    assert!(!opened.layers[0].is_valid());
}

#[test]
fn openssl_two_signers_are_reported_separately() {
    let dir = Workdir::new("ossl-two-signers");
    let carol_cert = fixture_path("carol.cert.pem");
    let carol_key = fixture_path("carol.key.pem");
    // Alice signs (From: alice@), Carol co-signs: both valid, only Alice matches From.
    let signed = openssl_sign(
        &dir,
        "alice",
        &["-signer", &carol_cert, "-inkey", &carol_key],
    );
    let opened = open(&signed, &[], &common::demo_trust(), NOW, &mut common::rng()).expect("open");
    let [Layer::Signed { signers, .. }] = opened.layers.as_slice() else {
        panic!(
            "expected one signed layer, got {}",
            common::describe(&opened)
        );
    };
    assert_eq!(signers.len(), 2);
    let mut seen: Vec<(String, Option<bool>)> = signers
        .iter()
        .map(|s| {
            assert_eq!(s.signature, Ok(()));
            assert_eq!(s.chain.label(), "trusted");
            (
                s.certificate.as_ref().expect("signer certificate").emails[0].clone(),
                s.address_match,
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            (String::from("alice@example.org"), Some(true)),
            (String::from("carol@example.org"), Some(false))
        ]
    );
}

#[test]
fn ed25519_structure_as_openssl_parses_it() {
    // OpenSSL 3.0.19 cannot sign or verify Ed25519 CMS ("eddsa_digest_signverify_init: invalid
    // digest": it hands Ed25519 a digest), so there is no OpenSSL peer for the signature itself
    // here. OpenSSL still parses our structure: RFC 8419 §3 — digestAlgorithm SHA-512,
    // signatureAlgorithm id-Ed25519 with parameters absent. Our own round trip is in
    // tests/sign_verify.rs.
    let dir = Workdir::new("ed25519");
    let signed = sign(
        &sample_message("frank@example.org"),
        &common::signer("frank"),
        &SignOptions::default(),
        NOW,
    )
    .expect("sign");
    dir.write("signed.eml", &signed);
    let printed = dir.openssl(&["cms", "-cmsout", "-print", "-in", "signed.eml"]);
    assert!(printed.status.success(), "{}", stderr(&printed));
    let text = String::from_utf8_lossy(&printed.stdout);
    assert!(text.contains("algorithm: sha512"), "{text}");
    assert!(text.contains("algorithm: ED25519"), "{text}");
}
