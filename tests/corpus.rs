//! The external corpus (`shared/interop/`, see its MANIFEST.md): messages made by Thunderbird
//! (NSS), OpenSSL, Bouncy Castle, Outlook and the RFC 4134 authors must get the verdicts the
//! manifest records. Counts are asserted so that a missing corpus fails instead of passing.
#![cfg(not(target_arch = "wasm32"))] // native only: reads files and runs openssl

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{CORPUS, NOW, corpus, corpus_cert, describe, signers, trust};
use smime_wasm::cms::{SignedMessage, SignerVerdict};
use smime_wasm::mime::{Entity, decode_transfer, split_multipart};
use smime_wasm::{
    Certificate, DigestAlgorithm, Layer, Mailbox, Protection, SignatureFormat, TrustStore,
    UnixTime, message_headers, open, read_message,
};

fn thunderbird_anchor() -> TrustStore {
    trust(vec![corpus_cert("thunderbird/smime/TestCA.pem")])
}

/// `thunderbird/smime/*.eml` without an EnvelopedData layer (no `.env` in the name).
fn thunderbird_signed_files() -> Vec<String> {
    let dir = format!("{CORPUS}thunderbird/smime");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".eml") && !name.contains(".env"))
        .collect();
    names.sort();
    names
}

/// The layers a Thunderbird test file name describes, outermost first: `alice.plain.dsig.SHA1
/// .multipart.dave.sig.SHA1.opaque.eml` is Dave's opaque signature around Alice's detached one.
fn formats_from_name(name: &str) -> Vec<SignatureFormat> {
    let mut formats: Vec<SignatureFormat> = name
        .split('.')
        .filter_map(|token| match token {
            "dsig" => Some(SignatureFormat::Detached),
            "sig" => Some(SignatureFormat::Opaque),
            _ => None,
        })
        .collect();
    formats.reverse();
    formats
}

/// `SHA256` in the name → `sha256`.
fn digest_from_name(name: &str) -> String {
    let token = name
        .split('.')
        .find(|t| t.starts_with("SHA"))
        .expect("digest in name");
    token.to_ascii_lowercase()
}

/// MANIFEST §1: `*.bad.eml` (body altered) and `*.mismatch-econtent.eml` (CMS carries other
/// content) are digest mismatches; every other signed message is valid at every layer and
/// chains to TestCA.pem; SHA-1 is valid but reported weak.
#[test]
fn thunderbird_signed_messages_match_manifest() {
    let files = thunderbird_signed_files();
    assert_eq!(
        files.len(),
        37,
        "thunderbird/smime signed .eml files: {files:?}"
    );
    let anchor = thunderbird_anchor();
    let mut failures = Vec::new();
    for name in &files {
        let opened = match open(
            &corpus(&format!("thunderbird/smime/{name}")),
            &[],
            &anchor,
            NOW,
            &mut common::rng(),
        ) {
            Ok(opened) => opened,
            Err(e) => {
                failures.push(format!("{name}: open fails with {}: {e}", e.code()));
                continue;
            }
        };
        let reports = signers(&opened);
        let digest = digest_from_name(name);
        let tampered = name.contains(".bad.") || name.contains(".mismatch-econtent.");
        let formats: Vec<SignatureFormat> = opened
            .layers
            .iter()
            .map(|layer| match layer {
                Layer::Signed { format, .. } => *format,
                _ => panic!("{name}: unexpected layer {layer:?}"),
            })
            .collect();
        // mismatch-econtent is a multipart/signed whose CMS also carries eContent.
        let expected_formats = if name.contains("mismatch-econtent") {
            vec![SignatureFormat::Detached]
        } else {
            formats_from_name(name)
        };
        let ok = !reports.is_empty()
            && formats == expected_formats
            && reports
                .iter()
                .all(|r| r.digest == digest && r.weak_digest == (digest == "sha1"))
            && reports
                .iter()
                .all(|r| r.signature_algorithm == "rsa-pkcs1v15")
            && if tampered {
                reports
                    .iter()
                    .any(|r| r.signature.map_err(|e| e.code()) == Err("ERR_DIGEST_MISMATCH"))
            } else {
                opened.layers.iter().all(Layer::is_valid)
                    && reports.iter().all(|r| r.chain.label() == "trusted")
            };
        if !ok {
            failures.push(format!("{name}: layers {formats:?}: {}", describe(&opened)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same messages under an anchor that did not issue them: signatures are unaffected,
/// chains are untrusted.
#[test]
fn thunderbird_signers_are_untrusted_under_an_unrelated_anchor() {
    let files = thunderbird_signed_files();
    assert_eq!(files.len(), 37);
    let demo = common::demo_trust();
    for name in &files {
        let opened = open(
            &corpus(&format!("thunderbird/smime/{name}")),
            &[],
            &demo,
            NOW,
            &mut common::rng(),
        )
        .expect(name);
        let reports = signers(&opened);
        assert!(!reports.is_empty(), "{name}");
        for report in reports {
            assert_eq!(
                report.chain.label(),
                "untrusted",
                "{name}: {}",
                describe(&opened)
            );
        }
    }
}

/// MANIFEST §1 (browser-data): a mailing list wraps the NSS multipart/signed, unmodified, in
/// a multipart/mixed with header/footer parts. The signature over the wrapped part still holds.
#[test]
fn signed_part_wrapped_in_multipart_mixed_is_reported_as_a_part_only() {
    // A list server wrapped Thunderbird's multipart/signed between its own header and footer
    // parts. The signature still holds, but only for that part: the message has no layer of
    // its own, and the signed part is reported on its own.
    let anchor = thunderbird_anchor();
    for (name, path) in [
        ("alice.dsig.SHA256.multipart.in.mixed.eml", vec![1]),
        (
            "alice.dsig.SHA256.multipart.in.mixed.with.header.eml",
            vec![2],
        ),
    ] {
        let opened = open(
            &corpus(&format!("thunderbird/browser-data/{name}")),
            &[],
            &anchor,
            NOW,
            &mut common::rng(),
        )
        .unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()));
        assert!(
            opened.layers.is_empty(),
            "{name}: the whole message is not signed"
        );
        assert_eq!(opened.parts.len(), 1, "{name}");
        assert_eq!(opened.parts[0].path, path, "{name}");
        let part = opened.parts[0]
            .result
            .as_ref()
            .expect("the signed part opens");
        let reports = signers(part);
        assert_eq!(reports.len(), 1, "{name}: layers {:?}", part.layers);
        assert_eq!(reports[0].signature, Ok(()), "{name}: {}", describe(part));
        assert_eq!(reports[0].chain.label(), "trusted", "{name}");
        assert_eq!(reports[0].digest, "sha256", "{name}");
    }
}

// ---- RFC 4134 (raw CMS) ---------------------------------------------------------------------

fn rfc4134(name: &str) -> Vec<u8> {
    corpus(&format!("rfc4134/{name}"))
}

fn carl_rsa() -> Certificate {
    corpus_cert("rfc4134/CarlRSASelf.cer")
}

fn verify_raw(path: &str, detached: Option<&[u8]>, extra: &[Certificate]) -> Vec<SignerVerdict> {
    let message = SignedMessage::from_content_info(&corpus(path))
        .unwrap_or_else(|e| panic!("{path}: {} {e}", e.code()));
    message.verify(detached, extra)
}

/// RFC 4134 §4.2 (DER) and §4.5 (BER, indefinite lengths): SHA-1 with RSA, valid.
#[test]
fn rfc4134_rsa_signed_data_verifies() {
    let content = rfc4134("ExContent.bin");
    for name in ["4.2.bin", "4.5.bin"] {
        let message = SignedMessage::from_content_info(&rfc4134(name)).expect(name);
        assert_eq!(message.content(), Some(content.as_slice()), "{name}");
        let verdicts = message.verify(None, &[carl_rsa()]);
        assert_eq!(verdicts.len(), 1, "{name}");
        let v = &verdicts[0];
        assert_eq!(v.result, Ok(()), "{name}");
        assert!(v.certificate.is_some(), "{name}");
        assert_eq!(
            (v.digest.as_str(), v.signature_algorithm.as_str()),
            ("sha1", "rsa-pkcs1v15")
        );
        assert!(v.weak_digest, "{name}");
    }
}

fn assert_unsupported(name: &str, verdicts: &[SignerVerdict]) {
    assert!(!verdicts.is_empty(), "{name}: no signer");
    for v in verdicts {
        assert_eq!(
            v.result.map_err(|e| e.code()),
            Err("ERR_UNSUPPORTED_ALGORITHM"),
            "{name}"
        );
        assert_eq!(v.digest, "sha1", "{name}");
    }
}

/// DSA is not implemented: RFC 4134's DSA signatures are a verdict "unsupported", not a
/// parse error and not a panic. §4.3 is detached over ExContent; §4.7 names its signer by
/// SubjectKeyIdentifier; §4.6 has two signers; §4.10 carries many unusual signed attributes.
#[test]
fn rfc4134_dsa_signatures_are_reported_unsupported() {
    let content = rfc4134("ExContent.bin");
    for (name, detached) in [
        ("4.1.bin", None),
        ("4.3.bin", Some(content.as_slice())),
        ("4.6.bin", None),
        ("4.7.bin", None),
        ("4.10.bin", None),
    ] {
        let verdicts = verify_raw(&format!("rfc4134/{name}"), detached, &[carl_rsa()]);
        assert_unsupported(name, &verdicts);
        assert!(
            verdicts.iter().all(|v| v.certificate.is_some()),
            "{name}: signer cert found"
        );
    }
}

/// RFC 4134 §4.4 and §4.11 carry CarlDSS's version-1 CRL, whose TBSCertList has no version
/// field (RFC 5280 §5.1.2.1: "version ... OPTIONAL"). §4.4 is DSA (unsupported verdict);
/// §4.11 is certs-only: no signer to verify, two certificates to read.
#[test]
fn rfc4134_signed_data_with_v1_crl_parses() {
    let verdicts = verify_raw("rfc4134/4.4.bin", None, &[]);
    assert_unsupported("4.4.bin", &verdicts);
    let certs_only = SignedMessage::from_content_info(&rfc4134("4.11.bin"))
        .unwrap_or_else(|e| panic!("4.11.bin: {} {e}", e.code()));
    assert!(certs_only.verify(None, &[]).is_empty());
    assert_eq!(certs_only.certificates().len(), 2);
}

/// RFC 4134 §4.8 (multipart/signed) and §4.9 (application/pkcs7-mime) are DSA: the message
/// opens and the signer's report says unsupported.
#[test]
fn rfc4134_smime_dsa_messages_are_reported_unsupported() {
    for name in ["4.8.eml", "4.9.eml"] {
        let opened = open(
            &rfc4134(name),
            &[],
            &TrustStore::default(),
            NOW,
            &mut common::rng(),
        )
        .unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()));
        let reports = signers(&opened);
        assert_eq!(reports.len(), 1, "{name}");
        assert_eq!(
            reports[0].signature.map_err(|e| e.code()),
            Err("ERR_UNSUPPORTED_ALGORITHM"),
            "{name}"
        );
        assert_eq!(reports[0].chain.label(), "not-checked", "{name}");
        assert!(
            opened
                .content
                .windows(28)
                .any(|w| w == b"This is some sample content.")
        );
    }
}

// ---- Bouncy Castle ----------------------------------------------------------------------------

/// RSASSA-PSS with salt = hash length and MGF1 over the same hash, detached over
/// PSSSignData.data and encapsulated (`...Enc.sig`).
#[test]
fn bouncycastle_rsa_pss_signatures_verify() {
    let data = corpus("bouncycastle/cms/PSSSignData.data");
    for digest in ["SHA1", "SHA256", "SHA512"] {
        for (suffix, detached) in [("", Some(data.as_slice())), ("Enc", None)] {
            let name = format!("bouncycastle/cms/PSSSignData{digest}{suffix}.sig");
            let verdicts = verify_raw(&name, detached, &[]);
            assert_eq!(verdicts.len(), 1, "{name}");
            let v = &verdicts[0];
            assert_eq!(v.result, Ok(()), "{name}");
            assert_eq!(v.signature_algorithm, "rsa-pss", "{name}");
            assert_eq!(v.digest, digest.to_ascii_lowercase(), "{name}");
        }
    }
}

/// OpenSSL's RSA-PSS with a 222-byte salt (its `-keyopt rsa_pss_saltlen:max` on RSA-2048).
#[test]
fn openssl_rsa_pss_non_default_salt_length_verifies() {
    let name = "bouncycastle/smime/openssl-signed-sha256-non-default-salt-length.eml";
    let opened = open(
        &corpus(name),
        &[],
        &TrustStore::default(),
        NOW,
        &mut common::rng(),
    )
    .expect(name);
    let reports = signers(&opened);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].signature, Ok(()), "{}", describe(&opened));
    assert_eq!(reports[0].signature_algorithm, "rsa-pss");
    assert_eq!(reports[0].digest, "sha256");
}

/// Assorted signed mail from Bouncy Castle's tests (MANIFEST §4c: signatures valid): a
/// message with an extra newline, quoted-printable soft breaks, nested multiparts, LF-only
/// line endings. Chains are not checked (their CAs expired long ago).
#[test]
fn bouncycastle_signed_mail_verifies() {
    for name in [
        "embeddedmulti.message",
        "extra-nl.eml",
        "multi-alternative.eml",
        "quotable.message",
        "qp-soft-break.eml",
    ] {
        let opened = open(
            &corpus(&format!("bouncycastle/smime/{name}")),
            &[],
            &TrustStore::default(),
            NOW,
            &mut common::rng(),
        )
        .unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()));
        assert_eq!(opened.layers.len(), 1, "{name}");
        assert!(opened.layers[0].is_valid(), "{name}: {}", describe(&opened));
    }
}

/// Outlook for Mac 14.4 wrote the signed attributes out of DER order (messageDigest first).
/// RFC 5652 §5.4 asks for DER, but the signature covers the bytes as sent: OpenSSL verifies
/// over the received order (`CMS_Attributes_Verify` in crypto/cms/cms_asn1.c: "When verifying
/// attributes we need to use the received order"), as does Bouncy Castle; re-sorting them into
/// DER order before hashing breaks the signature.
#[test]
fn signed_attributes_out_of_der_order_verify() {
    let name = "bouncycastle/smime/3nnn_smime.eml";
    let opened = open(
        &corpus(name),
        &[],
        &TrustStore::default(),
        NOW,
        &mut common::rng(),
    )
    .expect(name);
    let reports = signers(&opened);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].signature, Ok(()), "{}", describe(&opened));
    assert_eq!(reports[0].digest, "sha256");
}

/// MimeKit §4b: an AS2 multipart/signed over application/octet-stream with mixed CR/LF line
/// endings; the signature covers the raw bytes, so no canonicalisation may happen.
#[test]
fn as2_octet_stream_with_mixed_line_endings_verifies() {
    let name = "mimekit/octet-stream-with-mixed-line-endings.dat";
    let opened = open(
        &corpus(name),
        &[],
        &TrustStore::default(),
        NOW,
        &mut common::rng(),
    )
    .expect(name);
    assert_eq!(opened.layers.len(), 1);
    assert!(opened.layers[0].is_valid(), "{}", describe(&opened));
}

// ---- MimeKit: a real Thunderbird 24 message -------------------------------------------------

/// The CMS blob of a multipart/signed message.
fn detached_signature(message: &[u8]) -> Vec<u8> {
    let entity = Entity::parse(message).expect("MIME");
    let boundary = entity
        .content_type()
        .param("boundary")
        .expect("boundary")
        .to_owned();
    let parts = split_multipart(entity.body(), &boundary).expect("multipart");
    let signature = Entity::parse(parts[1]).expect("signature part");
    decode_transfer(&signature.transfer_encoding(), signature.body()).expect("base64")
}

/// Signed by Thunderbird 24.1.0 on 2013-11-02 with a StartCom Class 1 certificate, SHA-1.
/// MimeKit expects it valid with signer fingerprint 354ea4dc…; at the signing time the chain
/// reaches the StartCom root through the intermediate the message carries.
#[test]
fn thunderbird_24_message_verifies_at_its_signing_time() {
    let name = "mimekit/thunderbird-signed.txt";
    let message = corpus(name);
    let then = UnixTime::from_secs(1_383_424_084);
    let anchor = trust(vec![corpus_cert(
        "mimekit/StartComCertificationAuthority.crt",
    )]);
    let opened = open(&message, &[], &anchor, then, &mut common::rng()).expect(name);
    let reports = signers(&opened);
    assert_eq!(reports.len(), 1);
    let report = reports[0];
    assert_eq!(report.signature, Ok(()), "{}", describe(&opened));
    assert_eq!(report.chain.label(), "trusted");
    assert_eq!(report.digest, "sha1");
    assert!(report.weak_digest);
    assert_eq!(report.address_match, Some(true));

    let cms = SignedMessage::from_content_info(&detached_signature(&message)).expect("CMS");
    let signer_cert = cms
        .certificates()
        .iter()
        .find(|c| {
            hex::encode(DigestAlgorithm::Sha1.digest(c.der()))
                == "354ea4dcf98166639b58ec5df06a65de0cd8a95c"
        })
        .expect("MimeKit's signer fingerprint among the message's certificates");
    let info = report.certificate.as_ref().expect("signer certificate");
    assert_eq!(
        info.fingerprint_sha256,
        signer_cert.info().fingerprint_sha256
    );

    // Today the certificates have long expired.
    let now = open(&message, &[], &anchor, NOW, &mut common::rng()).expect(name);
    assert_eq!(signers(&now)[0].chain.label(), "expired");
}

// ---- Robustness: every file, no panic ------------------------------------------------------

/// Runs `f` on every corpus file and lists the files on which it panicked.
fn no_panics(what: &str, f: impl Fn(&[u8])) {
    let mut panicked = Vec::new();
    for path in common::all_corpus_files() {
        let bytes = std::fs::read(&path).expect("readable");
        if catch_unwind(AssertUnwindSafe(|| f(&bytes))).is_err() {
            panicked.push(path.display().to_string());
        }
    }
    assert!(
        panicked.is_empty(),
        "{what} panicked on:\n{}",
        panicked.join("\n")
    );
}

/// Untrusted input never panics (crate docs, "Security notes"): Ok or Err are both fine.
#[test]
fn open_never_panics_on_the_corpus() {
    no_panics("open", |bytes| {
        let _ = open(bytes, &[], &TrustStore::default(), NOW, &mut common::rng());
    });
}

/// Reading for display never panics either, and always answers with a view or a code; every
/// `.eml` of the corpus is a message it reads.
#[test]
fn read_message_never_panics_on_the_corpus() {
    no_panics("read_message", |bytes| {
        for code in [
            read_message(bytes).err().map(|e| e.code()),
            message_headers(bytes).err().map(|e| e.code()),
        ]
        .into_iter()
        .flatten()
        {
            assert!(code.starts_with("ERR_"), "{code}");
        }
    });
    let mut unread = Vec::new();
    let mut read = 0;
    for path in common::all_corpus_files() {
        if path.extension().is_some_and(|e| e == "eml") {
            let bytes = std::fs::read(&path).expect("readable");
            match (read_message(&bytes), message_headers(&bytes)) {
                (Ok(view), Ok(headers)) if view.headers == headers.headers => read += 1,
                other => unread.push(format!("{}: {other:?}", path.display())),
            }
        }
    }
    assert!(unread.is_empty(), "{}", unread.join("\n"));
    assert!(read >= 100, "{read} .eml files read");
}

/// Thunderbird's clear-signed message as a reader shows it: NSS's headers, the quoted-printable
/// text, the detached signature as an attachment, and "signed" announced (not verified).
#[test]
fn thunderbird_signed_message_reads_for_display() {
    let message = corpus("thunderbird/smime/alice.dsig.SHA256.multipart.eml");
    let view = read_message(&message).unwrap();
    let alice = Mailbox {
        name: None,
        address: String::from("Alice@example.com"),
    };
    assert_eq!(view.headers.from, [alice]);
    assert_eq!(view.headers.to[0].address, "Bob@example.com");
    assert_eq!(
        view.headers.subject.as_deref(),
        Some("clear-signed sig.SHA256")
    );
    assert_eq!(view.headers.date.as_deref(), Some("2026-01-26T14:38:03Z"));
    assert_eq!(view.protection, Protection::Signed);
    assert_eq!(
        view.text.as_deref(),
        Some("This is a test message from Alice to Bob.\r\n")
    );
    assert_eq!(view.html, None);
    assert_eq!(view.attachments.len(), 1);
    let signature = &view.attachments[0];
    assert_eq!(signature.content_type, "application/pkcs7-signature");
    assert_eq!(signature.filename.as_deref(), Some("smime.p7s"));
    assert!(!signature.inline);
    assert!(SignedMessage::from_content_info(&signature.data).is_ok());

    let headers = message_headers(&message).unwrap();
    assert_eq!(headers.headers, view.headers);
    assert_eq!(headers.protection, Protection::Signed);

    for (name, protection) in [
        ("smime/alice.sig.SHA256.opaque.eml", Protection::Signed),
        ("smime/alice.env.eml", Protection::Encrypted),
        (
            "smime/alice.dsig.SHA256.multipart.env.eml",
            Protection::Encrypted,
        ),
        ("browser-data/multipart-alternative.eml", Protection::Plain),
    ] {
        let headers = message_headers(&corpus(&format!("thunderbird/{name}"))).unwrap();
        assert_eq!(headers.protection, protection, "{name}");
    }
}

/// The content `open` releases is read like any message: Thunderbird's encrypted message,
/// decrypted with Bob's key.
#[test]
fn decrypted_content_reads_for_display() {
    let bob = common::corpus_identity(
        "thunderbird/derived-pem/Bob.cert.pem",
        "thunderbird/derived-pem/Bob.key.pem",
    );
    let message = corpus("thunderbird/smime/alice.env.eml");
    assert_eq!(
        message_headers(&message)
            .unwrap()
            .headers
            .subject
            .as_deref(),
        Some("enveloped")
    );
    let opened = open(
        &message,
        &[&bob],
        &TrustStore::default(),
        NOW,
        &mut common::rng(),
    )
    .unwrap();
    let view = read_message(&opened.content).unwrap();
    assert_eq!(view.protection, Protection::Plain);
    assert_eq!(
        view.text.as_deref().map(str::trim_end),
        Some("This is a test message from Alice to Bob.")
    );
}

#[test]
fn cms_parser_never_panics_on_the_corpus() {
    no_panics("SignedMessage", |bytes| {
        if let Ok(message) = SignedMessage::from_content_info(bytes) {
            let _ = message.verify(None, &[]);
            let _ = message.verify(Some(b"detached"), &[]);
        }
    });
}

#[test]
fn efail_multipart_alternative_parts_are_reported_apart() {
    // browser-data/multipart-alternative.eml: a bait HTML part and the victim's encrypted
    // "SECRET-TEXT" part, both EnvelopedData for Bob. Each decrypts and is reported as its own
    // part; the message itself has no layer, so nothing presents them as one protected whole.
    let bob = common::corpus_identity(
        "thunderbird/derived-pem/Bob.cert.pem",
        "thunderbird/derived-pem/Bob.key.pem",
    );
    let name = "thunderbird/browser-data/multipart-alternative.eml";
    let opened = open(
        &corpus(name),
        &[&bob],
        &TrustStore::default(),
        NOW,
        &mut common::rng(),
    )
    .expect(name);
    assert!(opened.layers.is_empty());
    assert_eq!(opened.parts.len(), 2);
    let contents: Vec<String> = opened
        .parts
        .iter()
        .map(|p| {
            let part = p.result.as_ref().expect("each part decrypts with Bob");
            assert!(matches!(
                part.layers.as_slice(),
                [Layer::Encrypted {
                    integrity_protected: false,
                    ..
                }]
            ));
            String::from_utf8_lossy(&part.content).into_owned()
        })
        .collect();
    assert!(!contents[0].contains("SECRET-TEXT"));
    assert!(contents[1].contains("SECRET-TEXT"));
    assert!(!String::from_utf8_lossy(&opened.content).contains("SECRET-TEXT"));
}

#[test]
fn crls_carried_in_signed_data_are_read() {
    // RFC 4134 4.11: a certs-only SignedData with Carl's CRL.
    let message = SignedMessage::from_content_info(&rfc4134("4.11.bin")).expect("4.11 parses");
    assert_eq!(message.crls().len(), 1);
    let crl = smime_wasm::cert::Crl::from_der(&message.crls()[0]).expect("the CRL reads");
    let _ = crl;
}

#[test]
fn capabilities_learned_from_thunderbird_and_mimekit() {
    let name = "thunderbird/smime/alice.dsig.SHA256.multipart.eml";
    let opened = open(
        &corpus(name),
        &[],
        &thunderbird_anchor(),
        NOW,
        &mut common::rng(),
    )
    .expect(name);
    let report = signers(&opened)[0];
    let target = report
        .encryption_certificate
        .as_ref()
        .expect("NSS names its encryption key");
    assert_eq!(target.info().emails, ["Alice@example.com"]);
    // These NSS messages carry no SMIMECapabilities (MANIFEST.md): nothing is learned, and the
    // policy falls back to what everyone reads.
    assert!(report.capabilities.is_none());
    assert_eq!(
        smime_wasm::smime::choose_algorithms(&[report.capabilities.as_deref()]),
        (
            smime_wasm::ContentEncryption::Aes256Cbc,
            smime_wasm::KeyTransport::RsaPkcs1v15
        )
    );
    // Thunderbird 24 (2013): AES-256-CBC first.
    let name = "mimekit/thunderbird-signed.txt";
    let anchor = trust(vec![corpus_cert(
        "mimekit/StartComCertificationAuthority.crt",
    )]);
    let opened = open(
        &corpus(name),
        &[],
        &anchor,
        UnixTime::from_secs(1_383_424_084),
        &mut common::rng(),
    )
    .expect(name);
    let caps = signers(&opened)[0]
        .certificate
        .as_ref()
        .unwrap()
        .capabilities
        .clone()
        .unwrap();
    assert_eq!(caps.first().map(String::as_str), Some("aes-256-cbc"));
}
