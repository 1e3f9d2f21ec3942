//! Encryption interop both ways with the `openssl cms` CLI (OpenSSL 3.0): we encrypt and
//! `openssl cms -decrypt` recovers exactly the entity we encrypted; OpenSSL encrypts and we
//! decrypt, reporting the algorithms it chose. Every combination the 3.0 CLI supports is run:
//! AES-CBC (EnvelopedData) and AES-GCM (AuthEnvelopedData), RSA PKCS#1 v1.5 and OAEP, ECDH on
//! P-256 and P-384, several recipients, subjectKeyIdentifier recipients and sign-then-encrypt.
//! X25519 (RFC 8418) has no OpenSSL 3.0 peer (its CMS code has no X25519 key agreement), so
//! only our own round trip covers it. The CLI is required: a missing `openssl` fails these
//! tests rather than skipping them.
#![cfg(not(target_arch = "wasm32"))] // native only: runs openssl in temp dirs

mod common;

use common::openssl::{Workdir, stderr};

use cms::content_info::ContentInfo;
use cms::enveloped_data::{
    EnvelopedData, KeyAgreeRecipientIdentifier, RecipientIdentifier, RecipientInfo,
};
use der::Decode;

use common::{FIXTURES, NOW, cert, cms_of, demo_trust, describe, layer_kinds, rng, signer};
use smime_wasm::mime::{Entity, canonicalize, split_outer};
use smime_wasm::{
    Certificate, ContentEncryption, DigestAlgorithm, EncryptOptions, Identity, KeyTransport, Layer,
    Opened, RecipientIdentifierKind, SignOptions, SignatureFormat, decrypt, encrypt, open, sign,
};

/// `NOW` for `openssl -attime`, so both sides judge validity at the same instant.
const ATTIME: &str = "1893456000";

const ALL_CIPHERS: [ContentEncryption; 5] = [
    ContentEncryption::Aes128Cbc,
    ContentEncryption::Aes192Cbc,
    ContentEncryption::Aes256Cbc,
    ContentEncryption::Aes128Gcm,
    ContentEncryption::Aes256Gcm,
];

/// The report name of a content-encryption choice, and its content-key length.
fn cipher_name(c: ContentEncryption) -> (&'static str, usize) {
    match c {
        ContentEncryption::Aes128Cbc => ("aes-128-cbc", 16),
        ContentEncryption::Aes192Cbc => ("aes-192-cbc", 24),
        ContentEncryption::Aes256Cbc => ("aes-256-cbc", 32),
        ContentEncryption::Aes128Gcm => ("aes-128-gcm", 16),
        ContentEncryption::Aes256Gcm => ("aes-256-gcm", 32),
    }
}

fn is_gcm(c: ContentEncryption) -> bool {
    cipher_name(c).0.ends_with("-gcm")
}

fn fixture_path(name: &str) -> String {
    format!("{FIXTURES}{name}")
}

/// The only layer of `opened`, which must be an encrypted one: (content, transport, integrity).
fn encrypted_layer(opened: &Opened) -> (&str, &str, bool) {
    match opened.layers.as_slice() {
        [
            Layer::Encrypted {
                content_encryption,
                key_transport,
                integrity_protected,
                ..
            },
        ] => (content_encryption, key_transport, *integrity_protected),
        _ => panic!(
            "expected one encrypted layer, got {:?}",
            layer_kinds(opened)
        ),
    }
}

// ---- We encrypt, OpenSSL decrypts ------------------------------------------------------------

/// A whole RFC 5322 message with 8-bit UTF-8 text: the outer headers stay outside.
fn sample_message() -> Vec<u8> {
    "From: alice@example.org\r\nTo: bob@example.org, carol@example.org\r\n\
     Subject: encrypted interop\r\nDate: Tue, 01 Jan 2030 00:00:00 +0000\r\n\
     Message-ID: <enc-interop@example.org>\r\nMIME-Version: 1.0\r\n\
     Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
     Hello,\r\nthis was encrypted by smime-wasm. Grüße ✓\r\n"
        .as_bytes()
        .to_vec()
}

/// The entity `encrypt` protects: the message's Content-* fields and its body, in canonical
/// form (CRLF, 7-bit transfer encodings).
fn protected_entity(message: &[u8]) -> Vec<u8> {
    canonicalize(&split_outer(message).expect("split").1).expect("canonical form")
}

/// `openssl cms -decrypt` as `name` (fixture cert and key): the content it writes, or its
/// complaint.
fn openssl_decrypt(dir: &Workdir, encrypted: &[u8], name: &str) -> Result<Vec<u8>, String> {
    dir.write("enc.eml", encrypted);
    let out_name = format!("dec-{name}.txt");
    let cert = fixture_path(&format!("{name}.cert.pem"));
    let key = fixture_path(&format!("{name}.key.pem"));
    let out = dir.openssl(&[
        "cms", "-decrypt", "-in", "enc.eml", "-recip", &cert, "-inkey", &key, "-out", &out_name,
    ]);
    if out.status.success() {
        Ok(dir.read(&out_name))
    } else {
        Err(stderr(&out))
    }
}

/// The headers RFC 8551 §3.3 / RFC 5083 ask for, and the outer headers kept.
fn check_headers(case: &str, encrypted: &[u8], gcm: bool) {
    let entity = Entity::parse(encrypted).unwrap_or_else(|e| panic!("{case}: {e}"));
    let ct = entity.content_type();
    assert_eq!(ct.mime_type, "application/pkcs7-mime", "{case}");
    let smime_type = if gcm {
        "authenveloped-data"
    } else {
        "enveloped-data"
    };
    assert_eq!(
        ct.param("smime-type")
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some(smime_type),
        "{case}"
    );
    assert_eq!(ct.param("name"), Some("smime.p7m"), "{case}");
    assert_eq!(entity.transfer_encoding(), "base64", "{case}");
    let headers = String::from_utf8_lossy(entity.header_block()).into_owned();
    for kept in [
        "From: alice@example.org",
        "To: bob@example.org, carol@example.org",
        "Subject: encrypted interop",
        "Message-ID: <enc-interop@example.org>",
    ] {
        assert!(headers.contains(kept), "{case}: {kept:?} lost in {headers}");
    }
    // The inner Content-Transfer-Encoding: 8bit must not leak outside.
    assert!(!headers.contains("8bit"), "{case}: {headers}");
}

/// The key-transport name we report for what `encrypt` writes to `recipient`.
fn our_transport(recipient: &str, transport: KeyTransport, key_len: usize) -> String {
    let wrap = key_len * 8;
    match recipient {
        "alice" | "bob" => match transport {
            KeyTransport::RsaOaep => String::from("rsa-oaep-sha256"),
            _ => String::from("rsa-pkcs1v15"),
        },
        "carol" => format!("ecdh-p256-sha256kdf/aes{wrap}-wrap"),
        "dave" => format!("ecdh-p384-sha384kdf/aes{wrap}-wrap"),
        "erin" => format!("x25519-hkdf-sha256/aes{wrap}-wrap"),
        other => panic!("no fixture {other}"),
    }
}

/// Encrypt [`sample_message`] to `recipients`; each of them opens it with `decrypt` (ours)
/// and, unless it is X25519, with `openssl cms -decrypt`, to exactly the protected entity.
fn we_encrypt_everyone_decrypts(recipients: &[&str], opts: &EncryptOptions) -> Vec<String> {
    let message = sample_message();
    let expected = protected_entity(&message);
    let certs: Vec<Certificate> = recipients.iter().map(|n| cert(n)).collect();
    let (name, key_len) = cipher_name(opts.content_encryption);
    let gcm = is_gcm(opts.content_encryption);
    let case = format!(
        "{recipients:?} {name} {:?} {:?}",
        opts.key_transport, opts.identifier
    );
    let encrypted = encrypt(&message, &certs, opts, &mut rng())
        .unwrap_or_else(|e| panic!("{case}: encrypt: {} {e}", e.code()));
    check_headers(&case, &encrypted, gcm);
    let dir = Workdir::new("we-encrypt");
    let mut failures = Vec::new();
    for recipient in recipients {
        let me: Identity = signer(recipient);
        match decrypt(&encrypted, &[&me], NOW, &mut rng()) {
            Err(e) => failures.push(format!(
                "{case}: we cannot decrypt as {recipient}: {}",
                e.code()
            )),
            Ok(opened) => {
                let (content, transport, integrity) = encrypted_layer(&opened);
                if opened.content != expected
                    || content != name
                    || transport != our_transport(recipient, opts.key_transport, key_len)
                    || integrity != gcm
                {
                    failures.push(format!(
                        "{case} as {recipient}: layer ({content}, {transport}, {integrity}), \
                         content {:?}",
                        String::from_utf8_lossy(&opened.content)
                    ));
                }
            }
        }
        if *recipient == "erin" {
            continue; // X25519: OpenSSL 3.0 has no RFC 8418 key agreement to compare with
        }
        match openssl_decrypt(&dir, &encrypted, recipient) {
            Err(complaint) => failures.push(format!(
                "{case}: openssl as {recipient} refuses: {complaint}"
            )),
            Ok(content) if content != expected => failures.push(format!(
                "{case}: openssl as {recipient} wrote {:?}, we encrypted {:?}",
                String::from_utf8_lossy(&content),
                String::from_utf8_lossy(&expected)
            )),
            Ok(_) => {}
        }
    }
    failures
}

fn options(
    content_encryption: ContentEncryption,
    key_transport: KeyTransport,
    identifier: RecipientIdentifierKind,
) -> EncryptOptions {
    EncryptOptions {
        content_encryption,
        key_transport,
        identifier,
    }
}

fn run_matrix(recipients: &[&str], transports: &[KeyTransport], ids: &[RecipientIdentifierKind]) {
    let mut failures = Vec::new();
    for cipher in ALL_CIPHERS {
        for transport in transports {
            for id in ids {
                failures.extend(we_encrypt_everyone_decrypts(
                    recipients,
                    &options(cipher, *transport, *id),
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The documented defaults: AES-256-CBC, PKCS#1 v1.5, issuerAndSerialNumber.
#[test]
fn encrypt_options_default_to_aes256_cbc_pkcs1v15_issuer_and_serial() {
    let opts = EncryptOptions::default();
    assert_eq!(cipher_name(opts.content_encryption).0, "aes-256-cbc");
    assert!(matches!(opts.key_transport, KeyTransport::RsaPkcs1v15));
    assert!(matches!(
        opts.identifier,
        RecipientIdentifierKind::IssuerAndSerialNumber
    ));
    let failures = we_encrypt_everyone_decrypts(&["bob"], &opts);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn we_encrypt_rsa_pkcs1v15_openssl_decrypts() {
    run_matrix(
        &["bob"],
        &[KeyTransport::RsaPkcs1v15],
        &[RecipientIdentifierKind::IssuerAndSerialNumber],
    );
}

#[test]
fn we_encrypt_rsa_oaep_openssl_decrypts() {
    run_matrix(
        &["bob"],
        &[KeyTransport::RsaOaep],
        &[RecipientIdentifierKind::IssuerAndSerialNumber],
    );
}

#[test]
fn we_encrypt_p256_openssl_decrypts() {
    run_matrix(
        &["carol"],
        &[KeyTransport::default()],
        &[RecipientIdentifierKind::IssuerAndSerialNumber],
    );
}

#[test]
fn we_encrypt_p384_openssl_decrypts() {
    run_matrix(
        &["dave"],
        &[KeyTransport::default()],
        &[RecipientIdentifierKind::IssuerAndSerialNumber],
    );
}

/// X25519 (RFC 8418): OpenSSL 3.0's CMS has no X25519 key agreement, so only our own round
/// trip is checked here, in both identifier forms.
#[test]
fn we_encrypt_x25519_we_decrypt() {
    run_matrix(
        &["erin"],
        &[KeyTransport::default()],
        &[
            RecipientIdentifierKind::IssuerAndSerialNumber,
            RecipientIdentifierKind::SubjectKeyIdentifier,
        ],
    );
}

/// One message to RSA (both paddings on separate runs), P-256, P-384 and X25519 recipients:
/// each one decrypts it alone.
#[test]
fn we_encrypt_to_several_recipients_each_decrypts() {
    run_matrix(
        &["alice", "bob", "carol", "dave", "erin"],
        &[KeyTransport::RsaPkcs1v15, KeyTransport::RsaOaep],
        &[RecipientIdentifierKind::IssuerAndSerialNumber],
    );
}

/// The RecipientInfos of one of our messages, decoded with the `cms` crate's types.
fn recipient_infos(encrypted: &[u8]) -> Vec<RecipientInfo> {
    let info = ContentInfo::from_der(&cms_of(encrypted)).expect("our output is DER");
    if info.content_type == const_oid::db::rfc5911::ID_ENVELOPED_DATA {
        let data: EnvelopedData = info.content.decode_as().expect("EnvelopedData");
        data.recip_infos.0.into_vec()
    } else {
        let data: cms::authenveloped_data::AuthEnvelopedData =
            info.content.decode_as().expect("AuthEnvelopedData");
        data.recip_infos.0.into_vec()
    }
}

/// `-keyid` style recipients: every RecipientInfo names its certificate by
/// subjectKeyIdentifier (ktri `[0]`, kari `rKeyId`), and OpenSSL still finds its key.
#[test]
fn we_encrypt_with_subject_key_identifiers_openssl_decrypts() {
    run_matrix(
        &["bob", "carol", "dave"],
        &[KeyTransport::RsaPkcs1v15, KeyTransport::RsaOaep],
        &[RecipientIdentifierKind::SubjectKeyIdentifier],
    );
    for cipher in [ContentEncryption::Aes256Cbc, ContentEncryption::Aes128Gcm] {
        let certs = [cert("bob"), cert("carol"), cert("dave")];
        let opts = options(
            cipher,
            KeyTransport::RsaPkcs1v15,
            RecipientIdentifierKind::SubjectKeyIdentifier,
        );
        let encrypted = encrypt(&sample_message(), &certs, &opts, &mut rng()).expect("encrypt");
        let infos = recipient_infos(&encrypted);
        assert_eq!(infos.len(), 3);
        for info in infos {
            match info {
                RecipientInfo::Ktri(k) => assert!(
                    matches!(k.rid, RecipientIdentifier::SubjectKeyIdentifier(_)),
                    "{:?}",
                    k.rid
                ),
                RecipientInfo::Kari(k) => {
                    for rek in &k.recipient_enc_keys {
                        assert!(
                            matches!(rek.rid, KeyAgreeRecipientIdentifier::RKeyId(_)),
                            "{:?}",
                            rek.rid
                        );
                    }
                }
                other => panic!("unexpected RecipientInfo {other:?}"),
            }
        }
    }
}

/// Sign with us, encrypt with us: OpenSSL decrypts, then verifies the signature it finds
/// inside against the demo CA, and writes out the entity that was signed.
#[test]
fn we_sign_then_encrypt_openssl_decrypts_and_verifies() {
    let message = sample_message();
    let mut failures = Vec::new();
    for format in [SignatureFormat::Detached, SignatureFormat::Opaque] {
        for (cipher, transport) in [
            (ContentEncryption::Aes256Cbc, KeyTransport::RsaPkcs1v15),
            (ContentEncryption::Aes128Gcm, KeyTransport::RsaOaep),
        ] {
            let case = format!("{} {}", format.name(), cipher_name(cipher).0);
            let sign_opts = SignOptions {
                format,
                digest: DigestAlgorithm::Sha256,
            };
            let signed = sign(&message, &signer("alice"), &sign_opts, NOW).expect("sign");
            // The entity the signature covers, as our own `open` of the signed message sees it
            // (signing may re-encode 8-bit text).
            let signed_entity = open(&signed, &[], &demo_trust(), NOW, &mut rng())
                .expect("open signed")
                .content;
            let opts = options(cipher, transport, RecipientIdentifierKind::default());
            let encrypted = encrypt(&signed, &[cert("bob")], &opts, &mut rng()).expect("encrypt");

            // Ours: [Encrypted, Signed], signature and chain good, content the signed entity.
            let opened = open(
                &encrypted,
                &[&signer("bob")],
                &demo_trust(),
                NOW,
                &mut rng(),
            );
            let opened = match opened {
                Ok(o) => o,
                Err(e) => {
                    failures.push(format!("{case}: we cannot open: {}", e.code()));
                    continue;
                }
            };
            let kinds = layer_kinds(&opened);
            let ok = kinds.len() == 2
                && kinds[0] == format!("encrypted:{}", cipher_name(cipher).0)
                && kinds[1] == format!("signed:{}", format.name())
                && opened.layers[1].is_valid()
                && common::signers(&opened)
                    .iter()
                    .all(|s| s.chain.label() == "trusted")
                && opened.content == signed_entity;
            if !ok {
                failures.push(format!("{case}: we opened {kinds:?} {}", describe(&opened)));
            }

            // OpenSSL: decrypt, then verify what came out.
            let dir = Workdir::new("sign-then-encrypt");
            let decrypted = match openssl_decrypt(&dir, &encrypted, "bob") {
                Ok(d) => d,
                Err(complaint) => {
                    failures.push(format!("{case}: openssl -decrypt refuses: {complaint}"));
                    continue;
                }
            };
            dir.write("decrypted.eml", &decrypted);
            let ca = fixture_path("demo-ca.cert.pem");
            let out = dir.openssl(&[
                "cms",
                "-verify",
                "-in",
                "decrypted.eml",
                "-CAfile",
                &ca,
                "-purpose",
                "smimesign",
                "-attime",
                ATTIME,
                "-out",
                "verified.txt",
            ]);
            if !out.status.success() {
                failures.push(format!("{case}: openssl -verify refuses: {}", stderr(&out)));
            } else if dir.read("verified.txt") != signed_entity {
                failures.push(format!(
                    "{case}: openssl verified {:?}",
                    String::from_utf8_lossy(&dir.read("verified.txt"))
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- OpenSSL encrypts, we decrypt ------------------------------------------------------------

/// The entity OpenSSL encrypts: written with LF, which `openssl cms -encrypt` (text mode)
/// turns into CRLF.
const ENTITY: &[u8] =
    b"Content-Type: text/plain; charset=us-ascii\n\nHello Bob,\nthis was encrypted by OpenSSL.\n";

fn crlf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 8);
    for &b in text {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// `openssl cms -encrypt` of `input` (a file in `dir`) with `args` (cipher, recipients and
/// their -keyopt); returns the RFC 5322 message.
fn openssl_encrypt(dir: &Workdir, input: &str, args: &[&str]) -> Vec<u8> {
    let mut all = vec![
        "cms",
        "-encrypt",
        "-in",
        input,
        "-out",
        "enc.eml",
        "-from",
        "alice@example.org",
        "-to",
        "bob@example.org",
        "-subject",
        "encrypted by openssl",
    ];
    all.extend_from_slice(args);
    dir.openssl_ok(&all);
    dir.read("enc.eml")
}

/// One `openssl cms -encrypt` case: `flags` name the cipher and recipients (`-recip <name>`
/// is spelled `@name`); every name in `decrypt_as` opens it alone with our `decrypt`, to the
/// content OpenSSL itself decrypts, with the expected layer report.
struct OsslCase<'a> {
    flags: &'a [&'a str],
    decrypt_as: &'a [&'a str],
    content_encryption: &'a str,
    /// Expected key transport per name in `decrypt_as`.
    key_transport: &'a [&'a str],
}

fn openssl_encrypts_we_decrypt(case: &OsslCase<'_>) -> Vec<String> {
    let dir = Workdir::new("ossl-encrypt");
    dir.write("entity.txt", ENTITY);
    let cert_paths: Vec<String> = case
        .flags
        .iter()
        .map(|f| match f.strip_prefix('@') {
            Some(name) => fixture_path(&format!("{name}.cert.pem")),
            None => (*f).to_owned(),
        })
        .collect();
    let mut args = Vec::new();
    for (flag, path) in case.flags.iter().zip(&cert_paths) {
        if flag.starts_with('@') {
            args.push("-recip");
        }
        args.push(path.as_str());
    }
    let encrypted = openssl_encrypt(&dir, "entity.txt", &args);
    let label = case.flags.join(" ");
    let gcm = case.content_encryption.ends_with("-gcm");
    let mut failures = Vec::new();
    for (name, transport) in case.decrypt_as.iter().zip(case.key_transport) {
        let theirs = openssl_decrypt(&dir, &encrypted, name)
            .unwrap_or_else(|c| panic!("{label}: openssl cannot decrypt its own output: {c}"));
        assert_eq!(theirs, crlf(ENTITY), "{label}: openssl's own content");
        match decrypt(&encrypted, &[&signer(name)], NOW, &mut rng()) {
            Err(e) => failures.push(format!("{label} as {name}: {} {e}", e.code())),
            Ok(opened) => {
                let got = encrypted_layer(&opened);
                if got != (case.content_encryption, *transport, gcm) || opened.content != theirs {
                    failures.push(format!(
                        "{label} as {name}: layer {got:?}, content {:?}",
                        String::from_utf8_lossy(&opened.content)
                    ));
                }
            }
        }
        // `open` with the same key agrees (no signature inside: one layer).
        match open(&encrypted, &[&signer(name)], &demo_trust(), NOW, &mut rng()) {
            Ok(opened) if opened.content == theirs && opened.layers.len() == 1 => {}
            Ok(opened) => failures.push(format!(
                "{label} as {name}: open gives {:?}",
                layer_kinds(&opened)
            )),
            Err(e) => failures.push(format!("{label} as {name}: open: {}", e.code())),
        }
    }
    failures
}

fn check_all(cases: &[OsslCase<'_>]) {
    let failures: Vec<String> = cases.iter().flat_map(openssl_encrypts_we_decrypt).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn openssl_encrypts_aes_cbc_and_gcm_rsa_pkcs1v15_we_decrypt() {
    let rsa = &["rsa-pkcs1v15"][..];
    check_all(&[
        OsslCase {
            flags: &["-aes128", "@bob"],
            decrypt_as: &["bob"],
            content_encryption: "aes-128-cbc",
            key_transport: rsa,
        },
        OsslCase {
            flags: &["-aes192", "@bob"],
            decrypt_as: &["bob"],
            content_encryption: "aes-192-cbc",
            key_transport: rsa,
        },
        OsslCase {
            flags: &["-aes256", "@bob"],
            decrypt_as: &["bob"],
            content_encryption: "aes-256-cbc",
            key_transport: rsa,
        },
        OsslCase {
            flags: &["-aes-128-gcm", "@bob"],
            decrypt_as: &["bob"],
            content_encryption: "aes-128-gcm",
            key_transport: rsa,
        },
        OsslCase {
            flags: &["-aes-256-gcm", "@bob"],
            decrypt_as: &["bob"],
            content_encryption: "aes-256-gcm",
            key_transport: rsa,
        },
    ]);
}

#[test]
fn openssl_encrypts_rsa_oaep_sha1_and_sha256_we_decrypt() {
    check_all(&[
        OsslCase {
            flags: &["-aes256", "@bob", "-keyopt", "rsa_padding_mode:oaep"],
            decrypt_as: &["bob"],
            content_encryption: "aes-256-cbc",
            key_transport: &["rsa-oaep-sha1"],
        },
        OsslCase {
            flags: &[
                "-aes128",
                "@bob",
                "-keyopt",
                "rsa_padding_mode:oaep",
                "-keyopt",
                "rsa_oaep_md:sha256",
            ],
            decrypt_as: &["bob"],
            content_encryption: "aes-128-cbc",
            key_transport: &["rsa-oaep-sha256"],
        },
        OsslCase {
            flags: &[
                "-aes-256-gcm",
                "@bob",
                "-keyopt",
                "rsa_padding_mode:oaep",
                "-keyopt",
                "rsa_oaep_md:sha256",
            ],
            decrypt_as: &["bob"],
            content_encryption: "aes-256-gcm",
            key_transport: &["rsa-oaep-sha256"],
        },
        OsslCase {
            flags: &["-aes-128-gcm", "@bob", "-keyopt", "rsa_padding_mode:oaep"],
            decrypt_as: &["bob"],
            content_encryption: "aes-128-gcm",
            key_transport: &["rsa-oaep-sha1"],
        },
    ]);
}

/// OpenSSL's ECDH defaults to the SHA-1 KDF (dhSinglePass-stdDH-sha1kdf-scheme) with the AES
/// key wrap matching the content key; `-keyopt ecdh_kdf_md:` picks the others.
#[test]
fn openssl_encrypts_to_p256_and_p384_we_decrypt() {
    check_all(&[
        OsslCase {
            flags: &["-aes256", "@carol"],
            decrypt_as: &["carol"],
            content_encryption: "aes-256-cbc",
            key_transport: &["ecdh-p256-sha1kdf/aes256-wrap"],
        },
        OsslCase {
            flags: &["-aes128", "@carol", "-keyopt", "ecdh_kdf_md:sha256"],
            decrypt_as: &["carol"],
            content_encryption: "aes-128-cbc",
            key_transport: &["ecdh-p256-sha256kdf/aes128-wrap"],
        },
        OsslCase {
            flags: &["-aes-128-gcm", "@carol", "-keyopt", "ecdh_kdf_md:sha512"],
            decrypt_as: &["carol"],
            content_encryption: "aes-128-gcm",
            key_transport: &["ecdh-p256-sha512kdf/aes128-wrap"],
        },
        OsslCase {
            flags: &["-aes256", "@dave", "-keyopt", "ecdh_kdf_md:sha384"],
            decrypt_as: &["dave"],
            content_encryption: "aes-256-cbc",
            key_transport: &["ecdh-p384-sha384kdf/aes256-wrap"],
        },
        OsslCase {
            flags: &["-aes192", "@dave", "-keyopt", "ecdh_kdf_md:sha224"],
            decrypt_as: &["dave"],
            content_encryption: "aes-192-cbc",
            key_transport: &["ecdh-p384-sha224kdf/aes192-wrap"],
        },
        OsslCase {
            flags: &["-aes-256-gcm", "@dave"],
            decrypt_as: &["dave"],
            content_encryption: "aes-256-gcm",
            key_transport: &["ecdh-p384-sha1kdf/aes256-wrap"],
        },
    ]);
}

/// One OpenSSL message to four recipients of three key types and mixed paddings: each of
/// them decrypts it alone.
#[test]
fn openssl_encrypts_to_several_recipients_each_decrypts() {
    let everyone = &["alice", "bob", "carol", "dave"][..];
    let transports = &[
        "rsa-oaep-sha256",
        "rsa-pkcs1v15",
        "ecdh-p256-sha1kdf/aes256-wrap",
        "ecdh-p384-sha384kdf/aes256-wrap",
    ][..];
    let flags = &[
        "@alice",
        "-keyopt",
        "rsa_padding_mode:oaep",
        "-keyopt",
        "rsa_oaep_md:sha256",
        "@bob",
        "@carol",
        "@dave",
        "-keyopt",
        "ecdh_kdf_md:sha384",
    ];
    for (cipher, name) in [("-aes256", "aes-256-cbc"), ("-aes-256-gcm", "aes-256-gcm")] {
        let mut all = vec![cipher];
        all.extend_from_slice(flags);
        check_all(&[OsslCase {
            flags: &all,
            decrypt_as: everyone,
            content_encryption: name,
            key_transport: transports,
        }]);
    }
}

/// `-keyid`: recipients named by subjectKeyIdentifier.
#[test]
fn openssl_encrypts_with_keyid_we_decrypt() {
    check_all(&[
        OsslCase {
            flags: &["-aes256", "-keyid", "@bob", "@carol"],
            decrypt_as: &["bob", "carol"],
            content_encryption: "aes-256-cbc",
            key_transport: &["rsa-pkcs1v15", "ecdh-p256-sha1kdf/aes256-wrap"],
        },
        OsslCase {
            flags: &[
                "-aes-128-gcm",
                "-keyid",
                "@bob",
                "-keyopt",
                "rsa_padding_mode:oaep",
                "@dave",
            ],
            decrypt_as: &["bob", "dave"],
            content_encryption: "aes-128-gcm",
            key_transport: &["rsa-oaep-sha1", "ecdh-p384-sha1kdf/aes128-wrap"],
        },
    ]);
}

/// A message OpenSSL encrypted to Bob does not open for Alice: `ERR_NO_MATCHING_RECIPIENT`,
/// and no content.
#[test]
fn openssl_message_for_bob_is_not_for_alice() {
    let dir = Workdir::new("ossl-not-for-alice");
    dir.write("entity.txt", ENTITY);
    let bob = fixture_path("bob.cert.pem");
    let encrypted = openssl_encrypt(&dir, "entity.txt", &["-aes256", "-recip", &bob]);
    let err = decrypt(&encrypted, &[&signer("alice")], NOW, &mut rng()).unwrap_err();
    assert_eq!(err.code(), "ERR_NO_MATCHING_RECIPIENT");
    let err = open(
        &encrypted,
        &[&signer("alice")],
        &demo_trust(),
        NOW,
        &mut rng(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "ERR_NO_MATCHING_RECIPIENT");
}

/// `openssl cms -sign | openssl cms -encrypt`: we open [Encrypted, Signed] with the signature
/// valid, the chain trusted and the content the entity Alice signed.
#[test]
fn openssl_sign_then_encrypt_pipeline_we_open() {
    let mut failures = Vec::new();
    for (signer_name, sign_flags) in [
        ("alice", &[][..]),
        ("alice", &["-nodetach"][..]),
        ("carol", &["-md", "sha384"][..]),
        ("dave", &["-nodetach", "-keyid"][..]),
    ] {
        for (cipher, cipher_label) in [("-aes256", "aes-256-cbc"), ("-aes-128-gcm", "aes-128-gcm")]
        {
            let case = format!("{signer_name} {sign_flags:?} {cipher}");
            let dir = Workdir::new("ossl-sign-encrypt");
            dir.write("entity.txt", ENTITY);
            let cert_path = fixture_path(&format!("{signer_name}.cert.pem"));
            let key_path = fixture_path(&format!("{signer_name}.key.pem"));
            let mut args = vec![
                "cms",
                "-sign",
                "-in",
                "entity.txt",
                "-signer",
                &cert_path,
                "-inkey",
                &key_path,
                "-out",
                "signed.eml",
            ];
            args.extend_from_slice(sign_flags);
            dir.openssl_ok(&args);
            let bob = fixture_path("bob.cert.pem");
            let encrypted = openssl_encrypt(&dir, "signed.eml", &[cipher, "-recip", &bob]);
            let opened = match open(
                &encrypted,
                &[&signer("bob")],
                &demo_trust(),
                NOW,
                &mut rng(),
            ) {
                Ok(o) => o,
                Err(e) => {
                    failures.push(format!("{case}: {} {e}", e.code()));
                    continue;
                }
            };
            let format = if sign_flags.contains(&"-nodetach") {
                "opaque"
            } else {
                "detached"
            };
            let kinds = layer_kinds(&opened);
            let reports = common::signers(&opened);
            let gcm = cipher_label.ends_with("-gcm");
            let ok = kinds
                == [
                    format!("encrypted:{cipher_label}"),
                    format!("signed:{format}"),
                ]
                && matches!(
                    &opened.layers[0],
                    Layer::Encrypted { integrity_protected, key_transport, .. }
                        if *integrity_protected == gcm && key_transport == "rsa-pkcs1v15"
                )
                && opened.layers[1].is_valid()
                && reports.len() == 1
                && reports[0].chain.label() == "trusted"
                && opened.content == crlf(ENTITY);
            if !ok {
                failures.push(format!(
                    "{case}: {kinds:?} {} content {:?}",
                    describe(&opened),
                    String::from_utf8_lossy(&opened.content)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// RFC 8418 structure of what we write to an X25519 certificate (there is no OpenSSL 3.0 peer
/// to check it against): one KeyAgreeRecipientInfo, version 3, whose originator is an
/// ephemeral id-X25519 public key (32 bytes, absent parameters), whose key-encryption
/// algorithm is dhSinglePass-stdDH-hkdf-sha256-scheme with the AES key wrap of the content
/// key's size as parameter (absent parameters, RFC 3394), and whose wrapped key is 8 bytes
/// longer than the content key; a fresh ephemeral key every time.
#[test]
fn x25519_recipient_info_has_rfc8418_structure() {
    use cms::enveloped_data::OriginatorIdentifierOrKey;
    use spki::AlgorithmIdentifierOwned;

    let hkdf_sha256 = const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.3.19");
    let x25519 = const_oid::ObjectIdentifier::new_unwrap("1.3.101.110");
    let mut ephemeral_keys = Vec::new();
    for (cipher, wrap_oid, cek_len) in [
        (ContentEncryption::Aes128Cbc, "2.16.840.1.101.3.4.1.5", 16),
        (ContentEncryption::Aes256Cbc, "2.16.840.1.101.3.4.1.45", 32),
        (ContentEncryption::Aes128Gcm, "2.16.840.1.101.3.4.1.5", 16),
    ] {
        for id in [
            RecipientIdentifierKind::IssuerAndSerialNumber,
            RecipientIdentifierKind::SubjectKeyIdentifier,
        ] {
            let opts = options(cipher, KeyTransport::default(), id);
            let encrypted = encrypt(&sample_message(), &[cert("erin")], &opts, &mut rng())
                .expect("encrypt to erin");
            let infos = recipient_infos(&encrypted);
            let [RecipientInfo::Kari(kari)] = infos.as_slice() else {
                panic!("expected one kari, got {infos:?}");
            };
            assert_eq!(kari.version, cms::content_info::CmsVersion::V3);
            let OriginatorIdentifierOrKey::OriginatorKey(originator) = &kari.originator else {
                panic!("originator must be an ephemeral key: {:?}", kari.originator);
            };
            assert_eq!(originator.algorithm.oid, x25519);
            assert!(originator.algorithm.parameters.is_none());
            let public = originator.public_key.as_bytes().expect("whole bytes");
            assert_eq!(public.len(), 32);
            ephemeral_keys.push(public.to_vec());
            assert_eq!(kari.key_enc_alg.oid, hkdf_sha256);
            let wrap: AlgorithmIdentifierOwned = kari
                .key_enc_alg
                .parameters
                .as_ref()
                .expect("KeyWrapAlgorithm parameter")
                .decode_as()
                .expect("AlgorithmIdentifier");
            assert_eq!(wrap.oid.to_string(), wrap_oid);
            assert!(wrap.parameters.is_none(), "RFC 3394 wrap has no parameters");
            let keys = kari.recipient_enc_keys.as_slice();
            assert_eq!(keys.len(), 1);
            assert_eq!(keys[0].enc_key.as_bytes().len(), cek_len + 8);
            let by_ski = matches!(keys[0].rid, KeyAgreeRecipientIdentifier::RKeyId(_));
            assert_eq!(
                by_ski,
                matches!(id, RecipientIdentifierKind::SubjectKeyIdentifier)
            );
        }
    }
    let count = ephemeral_keys.len();
    ephemeral_keys.sort();
    ephemeral_keys.dedup();
    assert_eq!(
        ephemeral_keys.len(),
        count,
        "ephemeral keys are never reused"
    );
}
