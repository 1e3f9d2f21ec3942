//! Encrypted messages of the external corpus (`shared/interop/`, see its MANIFEST.md), made by
//! Thunderbird (NSS), OpenSSL, Bouncy Castle, .NET/Outlook and the RFC 4134 authors, must
//! decrypt (or fail) as the manifest records, and every signature found inside must get the
//! manifest's cryptographic verdict. Counts are asserted so that a missing corpus fails
//! instead of passing.
#![cfg(not(target_arch = "wasm32"))] // native only: reads files

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use base64ct::Encoding;

use common::{
    CORPUS, NOW, cms_of, corpus, corpus_cert, corpus_identity, describe, layer_kinds, rng, signers,
    trust,
};
use smime_wasm::cms::enveloped::EnvelopedMessage;
use smime_wasm::mime::{Entity, split_multipart, split_multipart_lenient};
use smime_wasm::{Identity, Layer, Opened, PrivateKey, TrustStore, decrypt, open};

/// Thunderbird's Bob: every NSS-made encrypted message is for him.
fn thunderbird_bob() -> Identity {
    corpus_identity(
        "thunderbird/derived-pem/Bob.cert.pem",
        "thunderbird/derived-pem/Bob.key.pem",
    )
}

fn thunderbird_anchor() -> TrustStore {
    trust(vec![corpus_cert("thunderbird/smime/TestCA.pem")])
}

/// The CMS DER of a raw corpus file: DER as is, PEM (`-----BEGIN CMS-----`) or bare base64.
fn raw_cms(bytes: &[u8]) -> Vec<u8> {
    if bytes.first() == Some(&0x30) {
        return bytes.to_vec();
    }
    let text = std::str::from_utf8(bytes).expect("a non-DER CMS file is text");
    if text.contains("-----BEGIN") {
        let (_, der) = der::pem::decode_vec(text.trim().as_bytes()).expect("PEM");
        return der;
    }
    let compact: String = text.split_whitespace().collect();
    base64ct::Base64::decode_vec(&compact).expect("base64")
}

/// What the raw CMS API makes of a ContentInfo for `identity`.
struct RawDecrypted {
    plaintext: Vec<u8>,
    content_encryption: String,
    key_transport: String,
    integrity_protected: bool,
}

fn decrypt_raw(der: &[u8], identity: &Identity) -> smime_wasm::Result<RawDecrypted> {
    let message = EnvelopedMessage::from_content_info(der)?;
    let key = message.unwrap_key(&[identity], &mut rng())?;
    let plaintext = message.decrypt(&key)?;
    Ok(RawDecrypted {
        plaintext: plaintext.to_vec(),
        content_encryption: message.content_algorithm().name().to_string(),
        key_transport: key.transport().to_owned(),
        integrity_protected: message.integrity_protected(),
    })
}

/// The only layer of `opened`, which must be an encrypted one.
fn only_encrypted_layer(opened: &Opened) -> (String, String, bool) {
    match opened.layers.as_slice() {
        [
            Layer::Encrypted {
                content_encryption,
                key_transport,
                integrity_protected,
                ..
            },
        ] => (
            content_encryption.clone(),
            key_transport.clone(),
            *integrity_protected,
        ),
        _ => panic!(
            "expected one encrypted layer, got {:?}",
            layer_kinds(opened)
        ),
    }
}

fn names_in(dir: &str, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let full = format!("{CORPUS}{dir}");
    let mut names: Vec<String> = std::fs::read_dir(&full)
        .unwrap_or_else(|e| panic!("{full}: {e}"))
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| keep(name))
        .collect();
    names.sort();
    names
}

// ---- Thunderbird (NSS) ----------------------------------------------------------------------

/// What one layer of a Thunderbird test message must report.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    /// EnvelopedData, RSA PKCS#1 v1.5 to Bob, AES-128-CBC.
    Encrypted,
    /// A signature by `signer` (`alice`/`dave`) in `format`; `valid` is the crypto verdict.
    Signed {
        format: &'static str,
        signer: &'static str,
        valid: bool,
    },
}

/// The layers a Thunderbird file name describes, outermost first. Tokens are read inside out:
/// `alice.env.dsig.SHA1.multipart.dave.sig.SHA1.opaque.eml` is Alice's message, encrypted,
/// signed detached by Alice, then signed opaque by Dave.
///
/// MANIFEST §1 (b): NSS made Alice's detached signature around the encrypted part over the
/// part with LF line endings. Where that multipart/signed is the message itself
/// (`alice.env.dsig.*.multipart.eml`) the file stores it with CRLF, so the bytes no longer
/// match the messageDigest: the signature does not verify (OpenSSL: "content verify error"),
/// while everything inside it decrypts. Inside Dave's opaque signature
/// (`alice.env.dsig.*.dave.sig.*`) the eContent carries the multipart/signed byte for byte
/// with its LF line endings, and the messageDigest is the SHA-2 of exactly those bytes: the
/// signature holds over the bytes as received, as Bouncy Castle and MimeKit judge it. (OpenSSL
/// reports "content verify error" there too, because it canonicalises to CRLF before hashing.)
fn expected_layers(name: &str) -> Vec<Expect> {
    let mut layers = Vec::new();
    let mut signer = "alice";
    let tokens: Vec<&str> = name.split('.').collect();
    let outermost_signature = tokens.iter().rposition(|t| *t == "dsig" || *t == "sig");
    for (i, token) in tokens.iter().enumerate() {
        match *token {
            "dave" => signer = "dave",
            "env" => layers.push(Expect::Encrypted),
            "dsig" | "sig" => {
                let around_encrypted = layers.last() == Some(&Expect::Encrypted);
                let detached = *token == "dsig";
                let stored_with_crlf = outermost_signature == Some(i);
                layers.push(Expect::Signed {
                    format: if detached { "detached" } else { "opaque" },
                    signer,
                    valid: !(detached && around_encrypted && stored_with_crlf),
                });
            }
            _ => {}
        }
    }
    layers.reverse();
    layers
}

fn digest_from_name(name: &str) -> Option<String> {
    name.split('.')
        .find(|t| t.starts_with("SHA"))
        .map(str::to_ascii_lowercase)
}

/// Check one opened Thunderbird message against its expected layers; `None` when it matches.
fn check_thunderbird(name: &str, opened: &Opened, expected: &[Expect]) -> Option<String> {
    let problem = |what: String| {
        Some(format!(
            "{name}: {what}; layers {:?} {}",
            layer_kinds(opened),
            describe(opened)
        ))
    };
    if opened.layers.len() != expected.len() {
        return problem(format!("expected {expected:?}"));
    }
    let digest = digest_from_name(name);
    for (layer, want) in opened.layers.iter().zip(expected) {
        match (layer, want) {
            (
                Layer::Encrypted {
                    content_encryption,
                    key_transport,
                    integrity_protected,
                    ..
                },
                Expect::Encrypted,
            ) => {
                if content_encryption != "aes-128-cbc"
                    || key_transport != "rsa-pkcs1v15"
                    || *integrity_protected
                {
                    return problem(format!(
                        "encrypted layer ({content_encryption}, {key_transport}, \
                         {integrity_protected})"
                    ));
                }
            }
            (
                Layer::Signed { format, signers },
                Expect::Signed {
                    format: want_format,
                    signer,
                    valid,
                },
            ) => {
                if format.name() != *want_format || signers.len() != 1 {
                    return problem(format!("expected a {want_format} signature by {signer}"));
                }
                let report = &signers[0];
                let email = format!("{signer}@example.com");
                let by_signer = report
                    .certificate
                    .as_ref()
                    .is_some_and(|c| c.emails.iter().any(|e| e.eq_ignore_ascii_case(&email)));
                if !by_signer {
                    return problem(format!("signature not by {email}"));
                }
                if digest.as_deref() != Some(report.digest.as_str())
                    || report.weak_digest != (report.digest == "sha1")
                {
                    return problem(format!(
                        "digest {} weak {}",
                        report.digest, report.weak_digest
                    ));
                }
                let verdict_ok = if *valid {
                    report.signature.is_ok() && report.chain.label() == "trusted"
                } else {
                    report.signature.map_err(|e| e.code()) == Err("ERR_DIGEST_MISMATCH")
                };
                if !verdict_ok {
                    return problem(format!("{signer}'s signature should be valid={valid}"));
                }
            }
            _ => return problem(format!("expected {expected:?}")),
        }
    }
    let text = String::from_utf8_lossy(&opened.content);
    if !text.contains("This is a test message from Alice to Bob.") {
        return problem(format!("content {text:?}"));
    }
    None
}

/// MANIFEST §1: every `thunderbird/smime/*.env*.eml` decrypts with Bob's key (RSA PKCS#1 v1.5,
/// AES-128-CBC, not integrity protected) and every signature around or inside the encryption
/// gets the manifest's crypto verdict, chained to TestCA.pem.
#[test]
fn thunderbird_encrypted_messages_match_manifest() {
    let files = names_in("thunderbird/smime", |n| {
        n.contains(".env") && n.ends_with(".eml")
    });
    assert_eq!(
        files.len(),
        29,
        "thunderbird/smime encrypted .eml files: {files:?}"
    );
    let anchor = thunderbird_anchor();
    let bob = thunderbird_bob();
    let mut failures = Vec::new();
    let mut shapes: std::collections::BTreeMap<String, usize> = Default::default();
    for name in &files {
        let expected = expected_layers(name);
        let shape = expected
            .iter()
            .map(|e| match e {
                Expect::Encrypted => "enc",
                Expect::Signed { valid: true, .. } => "sig",
                Expect::Signed { valid: false, .. } => "BADsig",
            })
            .collect::<Vec<_>>()
            .join(">");
        *shapes.entry(shape).or_default() += 1;
        let message = corpus(&format!("thunderbird/smime/{name}"));
        match open(&message, &[&bob], &anchor, NOW, &mut rng()) {
            Err(e) => failures.push(format!("{name}: open fails with {}: {e}", e.code())),
            Ok(opened) => failures.extend(check_thunderbird(name, &opened, &expected)),
        }
    }
    let shapes: Vec<(String, usize)> = shapes.into_iter().collect();
    let want: Vec<(String, usize)> = [
        ("BADsig>enc", 4),  // alice.env.dsig.*.multipart
        ("enc", 1),         // alice.env
        ("enc>sig", 12),    // alice.{dsig,sig,html.sig}.*.env
        ("sig>enc", 4),     // alice.env.sig.*.opaque
        ("sig>sig>enc", 8), // alice.env.{sig,dsig}.*.dave.sig.*
    ]
    .into_iter()
    .map(|(s, n)| (s.to_owned(), n))
    .collect();
    assert_eq!(shapes, want, "file groups");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Messages whose outermost layer is the encryption also open with `decrypt` alone (no trust
/// anchors): the same layers, signatures still checked, chains not judged against TestCA.
#[test]
fn thunderbird_encrypted_messages_decrypt_without_trust_anchors() {
    let files = names_in("thunderbird/smime", |n| {
        n.contains(".env") && n.ends_with(".eml") && !n.starts_with("alice.env.")
    });
    assert_eq!(files.len(), 12, "{files:?}");
    let bob = thunderbird_bob();
    for name in &files {
        let message = corpus(&format!("thunderbird/smime/{name}"));
        let opened = decrypt(&message, &[&bob], NOW, &mut rng())
            .unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()));
        let kinds = layer_kinds(&opened);
        assert_eq!(kinds.len(), 2, "{name}: {kinds:?}");
        assert_eq!(kinds[0], "encrypted:aes-128-cbc", "{name}");
        let reports = signers(&opened);
        assert_eq!(reports.len(), 1, "{name}");
        assert_eq!(
            reports[0].signature,
            Ok(()),
            "{name}: {}",
            describe(&opened)
        );
        assert!(
            String::from_utf8_lossy(&opened.content)
                .contains("This is a test message from Alice to Bob."),
            "{name}"
        );
    }
}

/// MANIFEST §1 "stale 2019 artifacts": the raw `.env` files without `.eml` were encrypted to
/// an older Bob certificate (issuer "NSS Test CA", not "NSS Test CA (RSA)"): today's Bob is not
/// among their recipients.
#[test]
fn thunderbird_stale_raw_env_files_are_not_for_todays_bob() {
    let files = names_in("thunderbird/smime", |n| n.ends_with(".env"));
    assert_eq!(files.len(), 9, "{files:?}");
    let bob = thunderbird_bob();
    for name in &files {
        let der = raw_cms(&corpus(&format!("thunderbird/smime/{name}")));
        let message = EnvelopedMessage::from_content_info(&der)
            .unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()));
        assert_eq!(
            message.content_algorithm().name().to_string(),
            "aes-128-cbc"
        );
        assert!(!message.integrity_protected());
        assert!(!message.is_addressed_to(bob.certificate()), "{name}");
        let err = message
            .unwrap_key(&[&bob], &mut rng())
            .err()
            .unwrap_or_else(|| panic!("{name}: a key came out"));
        assert_eq!(err.code(), "ERR_NO_MATCHING_RECIPIENT", "{name}");
    }
}

/// MANIFEST §1 smime-manual: hand-assembled outer signatures that do not match their
/// (encrypted) content around messages that decrypt, and whose inner signature holds.
#[test]
fn thunderbird_manual_outer_bad_signature_around_encryption() {
    let anchor = thunderbird_anchor();
    let bob = thunderbird_bob();
    for (name, inner_signed) in [
        ("alice.dsig.SHA256.multipart.env.dsig.eml", true),
        ("outer-smime-bad-sig-inner-smime-enc-sig.eml", true),
        ("outer-smime-bad-sig-inner-smime-enc.eml", false),
    ] {
        let message = corpus(&format!("thunderbird/smime-manual/{name}"));
        let opened = open(&message, &[&bob], &anchor, NOW, &mut rng())
            .unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()));
        let kinds = layer_kinds(&opened);
        let mut want = vec!["signed:detached", "encrypted:aes-128-cbc"];
        if inner_signed {
            want.push("signed:detached");
        }
        assert_eq!(kinds, want, "{name}");
        let reports = signers(&opened);
        assert!(
            reports[0].signature.is_err(),
            "{name}: the outer signature must not hold: {}",
            describe(&opened)
        );
        assert!(!opened.layers[0].is_valid(), "{name}");
        if inner_signed {
            assert_eq!(
                reports[1].signature,
                Ok(()),
                "{name}: {}",
                describe(&opened)
            );
            assert_eq!(reports[1].chain.label(), "trusted", "{name}");
        }
    }
}

/// MANIFEST §1 (browser-data): NSS `cmsutil -E` made two EnvelopedData parts (bait HTML, then
/// the "SECRET-TEXT" prey) inside one multipart/alternative, which ends without its closing
/// delimiter. Taken one at a time, both decrypt with Bob: AES-128-CBC, RSA PKCS#1 v1.5.
#[test]
fn multipart_alternative_parts_each_decrypt() {
    let message = corpus("thunderbird/browser-data/multipart-alternative.eml");
    let bob = thunderbird_bob();
    let entity = Entity::parse(&message).expect("MIME");
    assert_eq!(entity.content_type().mime_type, "multipart/alternative");
    let boundary = entity
        .content_type()
        .param("boundary")
        .expect("boundary")
        .to_owned();
    assert_eq!(
        split_multipart(entity.body(), &boundary)
            .map_err(|e| e.code())
            .err(),
        Some("ERR_MALFORMED_MIME"),
        "the body has no closing delimiter"
    );
    let parts = split_multipart_lenient(entity.body(), &boundary).expect("multipart");
    assert_eq!(parts.len(), 2);
    let plaintexts = alternative_plaintexts();
    for (i, part) in parts.iter().enumerate() {
        let part_entity = Entity::parse(part).expect("part");
        assert_eq!(
            part_entity.content_type().mime_type,
            "application/pkcs7-mime"
        );
        let raw = decrypt_raw(&part_entity.decoded_body().expect("base64"), &bob)
            .unwrap_or_else(|e| panic!("part {i}: {} {e}", e.code()));
        assert_eq!(raw.content_encryption, "aes-128-cbc", "part {i}");
        assert_eq!(raw.key_transport, "rsa-pkcs1v15", "part {i}");
        assert!(!raw.integrity_protected);
        assert!(
            String::from_utf8_lossy(&raw.plaintext).contains(plaintexts[i]),
            "part {i}"
        );
        // The part is itself an S/MIME entity: `decrypt` reads it as a message of its own.
        let opened = decrypt(part, &[&bob], NOW, &mut rng())
            .unwrap_or_else(|e| panic!("part {i}: {} {e}", e.code()));
        assert_eq!(
            only_encrypted_layer(&opened),
            (
                String::from("aes-128-cbc"),
                String::from("rsa-pkcs1v15"),
                false
            )
        );
        assert_eq!(opened.content, raw.plaintext, "part {i}");
    }
}

/// A line of each part's plaintext: the bait, then the prey.
fn alternative_plaintexts() -> [&'static str; 2] {
    [
        "<pre>Please reply to this harmless looking message</pre>",
        "SECRET-TEXT the attacker wants to steal",
    ]
}

/// The same message through `open`: no layer covers the multipart (it is not itself
/// protected), and each encrypted part is reported on its own, at its own path, never merged
/// into the content around it (the Efail "decryption oracle" Thunderbird's
/// browser_displayVarious.js guards against).
#[test]
fn multipart_alternative_parts_are_reported_separately() {
    let message = corpus("thunderbird/browser-data/multipart-alternative.eml");
    let bob = thunderbird_bob();
    let opened = open(&message, &[&bob], &thunderbird_anchor(), NOW, &mut rng())
        .unwrap_or_else(|e| panic!("{} {e}", e.code()));
    assert!(opened.layers.is_empty(), "{:?}", layer_kinds(&opened));
    assert_eq!(
        opened.content, message,
        "the outer content is the message as it came"
    );
    let paths: Vec<Vec<usize>> = opened.parts.iter().map(|p| p.path.clone()).collect();
    assert_eq!(paths, [vec![1], vec![2]]);
    for (part, plaintext) in opened.parts.iter().zip(alternative_plaintexts()) {
        let inner = part
            .result
            .as_ref()
            .unwrap_or_else(|e| panic!("part {:?}: {} {e}", part.path, e.code()));
        assert_eq!(
            only_encrypted_layer(inner),
            (
                String::from("aes-128-cbc"),
                String::from("rsa-pkcs1v15"),
                false
            )
        );
        let text = String::from_utf8_lossy(&inner.content);
        assert!(text.contains(plaintext), "part {:?}: {text}", part.path);
        let other = alternative_plaintexts()
            .into_iter()
            .find(|p| *p != plaintext)
            .expect("two");
        assert!(!text.contains(other), "part {:?} holds both", part.path);
        assert!(inner.parts.is_empty());
    }
}

// ---- OpenSSL-made messages for Fran (thunderbird/smime-interop) ------------------------------

/// Fran's and Fran-ec's identities (Thunderbird's derived PEM).
fn fran_keys() -> [Identity; 2] {
    [
        corpus_identity(
            "thunderbird/derived-pem/Fran-ec.cert.pem",
            "thunderbird/derived-pem/Fran-ec.key.pem",
        ),
        corpus_identity(
            "thunderbird/derived-pem/Fran.cert.pem",
            "thunderbird/derived-pem/Fran.key.pem",
        ),
    ]
}

/// The OpenSSL-made messages for Fran and what they use: content encryption, key transport.
const FRAN_FILES: [(&str, &str, &str); 6] = [
    (
        "fran-ec_ossl-aes128-sha256.env",
        "aes-128-cbc",
        "ecdh-p384-sha256kdf/aes128-wrap",
    ),
    (
        "fran-ec_ossl-aes256-sha512.env",
        "aes-256-cbc",
        "ecdh-p384-sha512kdf/aes256-wrap",
    ),
    ("fran-oaep-label_ossl.env", "aes-256-cbc", "rsa-oaep-sha1"),
    (
        "fran-oaep-sha256hash-sha256mgf_ossl.env",
        "aes-256-cbc",
        "rsa-oaep-sha256",
    ),
    (
        "fran-oaep-sha256hash_ossl.env",
        "aes-128-cbc",
        "rsa-oaep-sha256",
    ),
    ("fran-oaep_ossl.env", "des-ede3-cbc", "rsa-oaep-sha1"),
];

const FRAN_TEXT: &str = "This is a test message to Fran.";

/// MANIFEST §1: OpenSSL-made messages for Fran (RSA-OAEP with SHA-1, with a label, with
/// SHA-256; 3DES and AES content) and Fran-ec (P-384 ECDH with SHA-256 and SHA-512 KDFs).
/// They are RFC 5322 messages whose plaintext is the bare text line, not a MIME entity. Here
/// the CMS inside each goes through the raw API, with both of Fran's keys offered.
#[test]
fn thunderbird_interop_cms_decrypts_with_fran() {
    let files = names_in("thunderbird/smime-interop", |n| n.ends_with(".env"));
    assert_eq!(
        files,
        FRAN_FILES
            .iter()
            .map(|e| e.0.to_owned())
            .collect::<Vec<_>>()
    );
    let owned = fran_keys();
    let keys: Vec<&Identity> = owned.iter().collect();
    for (name, content_encryption, transport) in FRAN_FILES {
        let message = corpus(&format!("thunderbird/smime-interop/{name}"));
        let enveloped = EnvelopedMessage::from_content_info(&cms_of(&message))
            .unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()));
        let key = enveloped
            .unwrap_key(&keys, &mut rng())
            .unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()));
        let plaintext = enveloped
            .decrypt(&key)
            .unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()));
        assert_eq!(
            (
                enveloped.content_algorithm().name().to_string().as_str(),
                key.transport()
            ),
            (content_encryption, transport),
            "{name}"
        );
        assert!(!enveloped.integrity_protected());
        assert_eq!(
            String::from_utf8_lossy(&plaintext).trim_end(),
            FRAN_TEXT,
            "{name}"
        );
    }
}

/// The same messages through `decrypt`: the plaintext is not a MIME entity, so it is the
/// innermost content as it is, below one encrypted layer (OpenSSL decrypts them all).
#[test]
fn thunderbird_interop_messages_decrypt_with_fran() {
    let owned = fran_keys();
    let keys: Vec<&Identity> = owned.iter().collect();
    let mut failures = Vec::new();
    for (name, content_encryption, transport) in FRAN_FILES {
        let message = corpus(&format!("thunderbird/smime-interop/{name}"));
        match decrypt(&message, &keys, NOW, &mut rng()) {
            Ok(opened) => {
                let layer = only_encrypted_layer(&opened);
                if layer != (content_encryption.to_owned(), transport.to_owned(), false)
                    || String::from_utf8_lossy(&opened.content).trim_end() != FRAN_TEXT
                {
                    failures.push(format!(
                        "{name}: {layer:?} content {:?}",
                        String::from_utf8_lossy(&opened.content)
                    ));
                }
            }
            Err(e) => failures.push(format!("{name}: decrypt: {} {e}", e.code())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- RFC 4134 -------------------------------------------------------------------------------

fn rfc4134_bob() -> Identity {
    corpus_identity(
        "rfc4134/BobRSASignByCarl.cer",
        "rfc4134/BobPrivRSAEncrypt.pri",
    )
}

/// RFC 4134 §5.1 (3DES-CBC) and §5.2 (RC2-CBC, next to a kekri recipient we hold no key for):
/// raw EnvelopedData to Bob, decrypting to ExContent. §5.2's heading says RC2/128, but its
/// prose says RC2/40 and so does the file: rc2ParameterVersion 160 and a 5-byte content key
/// (the RFC's ASN.1 dump, with version 58, is of another encryption).
#[test]
fn rfc4134_enveloped_data_decrypts_with_bob() {
    let content = corpus("rfc4134/ExContent.bin");
    let bob = rfc4134_bob();
    for (name, algorithm) in [("5.1.bin", "des-ede3-cbc"), ("5.2.bin", "rc2-40-cbc")] {
        let raw = decrypt_raw(&corpus(&format!("rfc4134/{name}")), &bob)
            .unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()));
        assert_eq!(raw.plaintext, content, "{name}");
        assert_eq!(raw.content_encryption, algorithm, "{name}");
        assert_eq!(raw.key_transport, "rsa-pkcs1v15", "{name}");
        assert!(!raw.integrity_protected, "{name}");
    }
}

/// RFC 4134 §5.3: the S/MIME form of 5.1; its CMS decrypts to ExContent.
#[test]
fn rfc4134_smime_enveloped_cms_decrypts_with_bob() {
    let content = corpus("rfc4134/ExContent.bin");
    let message = corpus("rfc4134/5.3.eml");
    let raw = decrypt_raw(&cms_of(&message), &rfc4134_bob()).expect("raw 5.3");
    assert_eq!(raw.plaintext, content);
    assert_eq!(raw.content_encryption, "des-ede3-cbc");
}

/// RFC 4134 §5.3 through `decrypt` and `open`: the plaintext is ExContent, bare text (not
/// MIME), so the content is exactly those bytes below one encrypted layer.
#[test]
fn rfc4134_smime_enveloped_message_decrypts_with_bob() {
    let content = corpus("rfc4134/ExContent.bin");
    let message = corpus("rfc4134/5.3.eml");
    let opened = decrypt(&message, &[&rfc4134_bob()], NOW, &mut rng())
        .unwrap_or_else(|e| panic!("5.3.eml: {} {e}", e.code()));
    assert_eq!(
        only_encrypted_layer(&opened),
        (
            String::from("des-ede3-cbc"),
            String::from("rsa-pkcs1v15"),
            false
        )
    );
    assert_eq!(opened.content, content);
    let opened = open(
        &message,
        &[&rfc4134_bob()],
        &TrustStore::default(),
        NOW,
        &mut rng(),
    )
    .unwrap_or_else(|e| panic!("5.3.eml: open: {} {e}", e.code()));
    assert_eq!(opened.content, content);
}

// ---- Bouncy Castle --------------------------------------------------------------------------

/// `ecc.key` as `openssl ecparam -genkey` writes it: an `EC PARAMETERS` block, then the SEC1
/// `EC PRIVATE KEY`. The key is read from the second block.
fn bouncycastle_ecc() -> Identity {
    let text = String::from_utf8(corpus("bouncycastle/cms/ecdh/ecc.key")).expect("PEM");
    let start = text
        .find("-----BEGIN EC PRIVATE KEY-----")
        .expect("EC key block");
    let key = PrivateKey::from_pem(&text[start..], None).expect("SEC1 key");
    Identity::new(
        corpus_cert("bouncycastle/cms/ecdh/ecc.crt"),
        key,
        Vec::new(),
    )
    .expect("ecc")
}

/// MANIFEST §4c: P-256 ECDH (stdDH) key agreement with SHA-1/224/256/384/512 KDFs and
/// 3DES or AES key wrap, all 16 decrypting with ecc.key to sess.txt (CRLF line end: BC
/// canonicalised it before encrypting).
#[test]
fn bouncycastle_ecdh_messages_decrypt() {
    let files = names_in("bouncycastle/cms/ecdh", |n| {
        n.starts_with("encSess") && n.ends_with(".asc")
    });
    assert_eq!(files.len(), 16, "{files:?}");
    let expected = [
        ("1", "sha1", "3des", "des-ede3-cbc"),
        ("2", "sha256", "3des", "des-ede3-cbc"),
        ("3", "sha1", "aes128", "aes-128-cbc"),
        ("4", "sha256", "aes128", "aes-128-cbc"),
        ("5", "sha1", "aes192", "aes-192-cbc"),
        ("6", "sha256", "aes192", "aes-192-cbc"),
        ("7", "sha1", "aes256", "aes-256-cbc"),
        ("8", "sha256", "aes256", "aes-256-cbc"),
        ("A", "sha1", "3des", "des-ede3-cbc"),
        ("B", "sha224", "3des", "des-ede3-cbc"),
        ("C", "sha1", "aes128", "aes-128-cbc"),
        ("D", "sha256", "aes128", "aes-128-cbc"),
        ("E", "sha1", "aes192", "aes-192-cbc"),
        ("F", "sha384", "aes192", "aes-192-cbc"),
        ("G", "sha1", "aes256", "aes-256-cbc"),
        ("H", "sha512", "aes256", "aes-256-cbc"),
    ];
    let sess = corpus("bouncycastle/cms/ecdh/sess.txt");
    let mut want_content = sess
        .strip_suffix(b"\n")
        .expect("sess.txt ends in LF")
        .to_vec();
    want_content.extend_from_slice(b"\r\n");
    let ecc = bouncycastle_ecc();
    let mut failures = Vec::new();
    for (id, kdf, wrap, content_encryption) in expected {
        let name = format!("encSess{id}.asc");
        assert!(files.contains(&name), "{name}");
        let der = raw_cms(&corpus(&format!("bouncycastle/cms/ecdh/{name}")));
        match decrypt_raw(&der, &ecc) {
            Err(e) => failures.push(format!("{name}: {} {e}", e.code())),
            Ok(raw) => {
                let transport = format!("ecdh-p256-{kdf}kdf/{wrap}-wrap");
                if raw.plaintext != want_content
                    || raw.content_encryption != content_encryption
                    || raw.key_transport != transport
                    || raw.integrity_protected
                {
                    failures.push(format!(
                        "{name}: ({}, {}) {:?}; expected ({content_encryption}, {transport})",
                        raw.content_encryption,
                        raw.key_transport,
                        String::from_utf8_lossy(&raw.plaintext)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `openssl ecparam -genkey` output (EC PARAMETERS block before the key) is a common way to
/// hold an EC key: `PrivateKey::from_pem` should skip the parameters block.
#[test]
fn ec_private_key_pem_after_ec_parameters_block_loads() {
    let text = String::from_utf8(corpus("bouncycastle/cms/ecdh/ecc.key")).expect("PEM");
    let key = PrivateKey::from_pem(&text, None).unwrap_or_else(|e| panic!("{} {e}", e.code()));
    Identity::new(
        corpus_cert("bouncycastle/cms/ecdh/ecc.crt"),
        key,
        Vec::new(),
    )
    .expect("the key matches ecc.crt");
}

fn bouncycastle_tiani() -> Identity {
    corpus_identity("bouncycastle/smime/cert.pem", "bouncycastle/smime/key.pem")
}

/// MANIFEST §4c: test192.message decrypts (AES-192-CBC, 24-byte key). test128 and test256
/// carry the same 24-byte content key but declare AES-128 and AES-256: the key length must
/// match the algorithm, so they are rejected (as OpenSSL does: "invalid key length"), with
/// the one opaque decryption code and no content.
#[test]
fn bouncycastle_aes_key_length_must_match_algorithm() {
    let me = bouncycastle_tiani();
    let message = corpus("bouncycastle/smime/test192.message");
    let opened = decrypt(&message, &[&me], NOW, &mut rng())
        .unwrap_or_else(|e| panic!("test192: {} {e}", e.code()));
    let (content_encryption, transport, integrity) = match opened.layers.first() {
        Some(Layer::Encrypted {
            content_encryption,
            key_transport,
            integrity_protected,
            ..
        }) => (
            content_encryption.clone(),
            key_transport.clone(),
            *integrity_protected,
        ),
        _ => panic!("test192: {:?}", layer_kinds(&opened)),
    };
    assert_eq!(
        (content_encryption.as_str(), transport.as_str(), integrity),
        ("aes-192-cbc", "rsa-pkcs1v15", false)
    );
    assert!(
        String::from_utf8_lossy(&opened.content).contains("Ciao from vienna"),
        "{}",
        String::from_utf8_lossy(&opened.content)
    );
    for name in ["test128.message", "test256.message"] {
        let message = corpus(&format!("bouncycastle/smime/{name}"));
        let err = decrypt(&message, &[&me], NOW, &mut rng())
            .err()
            .unwrap_or_else(|| panic!("{name}: decrypted"));
        assert_eq!(err.code(), "ERR_DECRYPT_FAILED", "{name}");
        let err = open(&message, &[&me], &TrustStore::default(), NOW, &mut rng())
            .err()
            .unwrap_or_else(|| panic!("{name}: opened"));
        assert_eq!(err.code(), "ERR_DECRYPT_FAILED", "{name}");
    }
}

/// MANIFEST §4c: brokenEnv.message is a lone `application/pkcs7-signature` part holding a
/// SignedData (BC expects an error): `decrypt` says it is not encrypted, the raw reader says
/// the CMS is not an EnvelopedData, and `open` finds no S/MIME layer in it — no panic, no
/// content passed off as decrypted.
#[test]
fn bouncycastle_broken_enveloped_message_is_a_clean_error() {
    let message = corpus("bouncycastle/smime/brokenEnv.message");
    let me = bouncycastle_tiani();
    let err = decrypt(&message, &[&me], NOW, &mut rng()).expect_err("nothing to decrypt");
    assert_eq!(err.code(), "ERR_NOT_ENCRYPTED");
    let opened = open(&message, &[&me], &TrustStore::default(), NOW, &mut rng())
        .unwrap_or_else(|e| panic!("{} {e}", e.code()));
    assert!(opened.layers.is_empty(), "{:?}", layer_kinds(&opened));
    assert!(opened.parts.is_empty());
    let err = EnvelopedMessage::from_content_info(&cms_of(&message))
        .expect_err("a SignedData is not an EnvelopedData");
    assert_eq!(err.code(), "ERR_MALFORMED_CMS");
}

/// MANIFEST §4c: a .NET-made message (3DES, recipient by subjectKeyIdentifier, labelled
/// `smime-type=signed-data` although it is enveloped-data) and an Outlook 2010 one: not for
/// Bob, so `ERR_NO_MATCHING_RECIPIENT`; the .NET one names dotnet_enc_cert.pem.
#[test]
fn dotnet_and_outlook_messages_are_not_for_bob() {
    let owned = [thunderbird_bob(), common::signer("bob")];
    let bobs: Vec<&Identity> = owned.iter().collect();
    for name in [
        "dotnet_encrypted_mail.eml",
        "outlook_2010_beta_sime_msg.eml",
    ] {
        let message = corpus(&format!("bouncycastle/smime/{name}"));
        let err = decrypt(&message, &bobs, NOW, &mut rng())
            .err()
            .unwrap_or_else(|| panic!("{name}: decrypted"));
        assert_eq!(err.code(), "ERR_NO_MATCHING_RECIPIENT", "{name}");
        let err = open(&message, &bobs, &TrustStore::default(), NOW, &mut rng())
            .err()
            .unwrap_or_else(|| panic!("{name}: opened"));
        assert_eq!(err.code(), "ERR_NO_MATCHING_RECIPIENT", "{name}");
    }
    let message = corpus("bouncycastle/smime/dotnet_encrypted_mail.eml");
    let enveloped = EnvelopedMessage::from_content_info(&cms_of(&message)).expect("CMS");
    assert_eq!(
        enveloped.content_algorithm().name().to_string(),
        "des-ede3-cbc"
    );
    assert!(enveloped.is_addressed_to(&corpus_cert("bouncycastle/smime/dotnet_enc_cert.pem")));
    assert!(!enveloped.is_addressed_to(bobs[0].certificate()));
}

// ---- Robustness: every file, no panic -------------------------------------------------------

/// Untrusted input never panics: every corpus file through `open` and `decrypt` with Bob's
/// keys (Thunderbird's and the fixture's), and through the raw EnvelopedData reader.
#[test]
fn every_corpus_file_through_open_and_decrypt_never_panics() {
    let owned = [thunderbird_bob(), common::signer("bob"), rfc4134_bob()];
    let keys: Vec<&Identity> = owned.iter().collect();
    let anchor = thunderbird_anchor();
    let mut panicked = Vec::new();
    let mut decrypted = 0;
    for path in common::all_corpus_files() {
        let bytes = std::fs::read(&path).expect("readable");
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let opened = open(&bytes, &keys, &anchor, NOW, &mut rng());
            let _ = decrypt(&bytes, &keys, NOW, &mut rng());
            if let Ok(message) = EnvelopedMessage::from_content_info(&bytes)
                && let Ok(key) = message.unwrap_key(&keys, &mut rng())
            {
                let _ = message.decrypt(&key);
            }
            opened.is_ok_and(|o| {
                o.layers
                    .iter()
                    .any(|l| matches!(l, Layer::Encrypted { .. }))
            })
        }));
        match outcome {
            Err(_) => panicked.push(path.display().to_string()),
            Ok(true) => decrypted += 1,
            Ok(false) => {}
        }
    }
    assert!(panicked.is_empty(), "panicked on:\n{}", panicked.join("\n"));
    // Thunderbird's 29, browser-data's 4 copies of them, smime-manual's 3 (RFC 4134 5.3 and
    // the Fran messages join them once non-MIME plaintext opens).
    assert!(
        decrypted >= 36,
        "only {decrypted} files opened with an encrypted layer"
    );
}
