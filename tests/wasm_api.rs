//! The JavaScript contract of `pkg/` (API.md), run in Node and in headless Chrome by
//! `wasm-pack test`. Fixtures are embedded: browser tests cannot read files.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect, Uint8Array};
use smime_wasm::wasm;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const CA: &str = include_str!("fixtures/demo-ca.cert.pem");
const OTHER_CA: &str = include_str!("fixtures/other-ca.cert.pem");
const ALICE_CERT: &str = include_str!("fixtures/alice.cert.pem");
const ALICE_KEY: &str = include_str!("fixtures/alice.key.pem");
const ALICE_KEY_ENC: &str = include_str!("fixtures/alice.key.enc.pem");
const CAROL_CERT: &str = include_str!("fixtures/carol.cert.pem");
const CAROL_KEY: &str = include_str!("fixtures/carol.key.pem");
const NOW_MS: f64 = 1_893_456_000_000.0; // 2030-01-01

fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in entries {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

/// `value.a.b.0.c` by a dotted path.
fn at(value: &JsValue, path: &str) -> JsValue {
    path.split('.')
        .fold(value.clone(), |v, key| match key.parse::<u32>() {
            Ok(i) => Reflect::get_u32(&v, i).unwrap(),
            Err(_) => Reflect::get(&v, &JsValue::from_str(key)).unwrap(),
        })
}

fn text(value: &JsValue, path: &str) -> String {
    at(value, path)
        .as_string()
        .unwrap_or_else(|| panic!("{path} is not a string"))
}

fn code(error: JsValue) -> String {
    assert!(
        error.dyn_ref::<js_sys::Error>().is_some(),
        "not a real Error"
    );
    assert_eq!(text(&error, "name"), "SmimeError");
    text(&error, "code")
}

fn identity(cert: &str, key: &str) -> wasm::Identity {
    wasm::import_identity(object(&[
        ("certificate", cert.into()),
        ("privateKey", key.into()),
    ]))
    .unwrap()
}

fn message() -> Vec<u8> {
    let o = object(&[
        ("from", "alice@example.org".into()),
        ("to", Array::of1(&"bob@example.org".into()).into()),
        ("subject", "Grüße".into()),
        ("text", "Hello Bob — signed in the browser.\n".into()),
        ("date", js_sys::Date::new(&NOW_MS.into()).into()),
        ("messageId", "1@example.org".into()),
    ]);
    wasm::compose_message(o).unwrap().to_vec()
}

fn sign_with(id: &wasm::Identity, format: &str) -> Vec<u8> {
    let handle = object(&[("handle", id.handle().into())]);
    let opts = object(&[
        ("signingKey", handle),
        ("format", format.into()),
        ("now", NOW_MS.into()),
    ]);
    wasm::sign(&message(), opts).unwrap().to_vec()
}

fn trust(anchor: &str) -> JsValue {
    object(&[
        ("trustAnchors", Array::of1(&anchor.into()).into()),
        ("now", NOW_MS.into()),
    ])
}

#[wasm_bindgen_test]
fn sign_then_verify_is_valid_and_trusted() {
    let alice = identity(ALICE_CERT, ALICE_KEY);
    for format in ["detached", "opaque"] {
        let signed = sign_with(&alice, format);
        let opened = wasm::verify(&signed, Some(trust(CA))).unwrap();
        assert_eq!(text(&opened, "layers.0.kind"), "signed");
        assert_eq!(text(&opened, "layers.0.format"), format);
        assert_eq!(text(&opened, "layers.0.signers.0.signature"), "valid");
        assert_eq!(text(&opened, "layers.0.signers.0.chain"), "trusted");
        assert_eq!(text(&opened, "layers.0.signers.0.digest"), "sha256");
        assert_eq!(
            text(&opened, "layers.0.signers.0.signingTime"),
            "2030-01-01T00:00:00Z"
        );
        assert_eq!(
            at(&opened, "layers.0.signers.0.addressMatch"),
            JsValue::TRUE
        );
        assert_eq!(
            text(&opened, "layers.0.signers.0.certificate.emails.0"),
            "alice@example.org"
        );
        assert!(at(&opened, "content").is_instance_of::<Uint8Array>());
        assert!(at(&opened, "layers.0.signers.0.signatureError").is_undefined());
    }
}

#[wasm_bindgen_test]
fn one_changed_body_byte_is_reported_invalid() {
    let alice = identity(ALICE_CERT, ALICE_KEY);
    let signed = String::from_utf8(sign_with(&alice, "detached")).unwrap();
    let tampered = signed.replacen("Hello Bob", "Hello Bub", 1);
    let opened = wasm::open(tampered.as_bytes(), Some(trust(CA))).unwrap();
    assert_eq!(text(&opened, "layers.0.signers.0.signature"), "invalid");
    assert_eq!(
        text(&opened, "layers.0.signers.0.signatureError"),
        "ERR_DIGEST_MISMATCH"
    );
}

#[wasm_bindgen_test]
fn ecdsa_signer_and_untrusted_anchor() {
    let carol = identity(CAROL_CERT, CAROL_KEY);
    let signed = sign_with(&carol, "opaque");
    let opened = wasm::open(&signed, Some(trust(OTHER_CA))).unwrap();
    assert_eq!(text(&opened, "layers.0.signers.0.signature"), "valid");
    assert_eq!(
        text(&opened, "layers.0.signers.0.signatureAlgorithm"),
        "ecdsa"
    );
    assert_eq!(text(&opened, "layers.0.signers.0.chain"), "untrusted");
    assert_eq!(
        text(&opened, "layers.0.signers.0.chainError"),
        "ERR_UNKNOWN_ISSUER"
    );
    // From is alice@, the signer is carol@ (RFC 8550 §3).
    assert_eq!(
        at(&opened, "layers.0.signers.0.addressMatch"),
        JsValue::FALSE
    );
    let opened = wasm::open(&signed, None).unwrap();
    assert_eq!(text(&opened, "layers.0.signers.0.chain"), "not-checked");
}

#[wasm_bindgen_test]
fn bad_input_gets_a_code_and_the_instance_keeps_working() {
    let cases: [(&[u8], &str); 3] = [
        (b"", "ERR_MALFORMED_MIME"),
        (b"\x00\x01 not mime", "ERR_MALFORMED_MIME"),
        (
            b"Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n",
            "ERR_MALFORMED_CMS",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(code(wasm::open(input, None).unwrap_err()), expected);
    }
    let plain = message();
    assert_eq!(
        code(wasm::verify(&plain, None).unwrap_err()),
        "ERR_NOT_SIGNED"
    );
    // Still alive: a full round trip after the failures.
    let alice = identity(ALICE_CERT, ALICE_KEY);
    let opened = wasm::verify(&sign_with(&alice, "detached"), Some(trust(CA))).unwrap();
    assert_eq!(text(&opened, "layers.0.signers.0.signature"), "valid");
}

#[wasm_bindgen_test]
fn caller_mistakes_are_invalid_arguments() {
    let alice = identity(ALICE_CERT, ALICE_KEY);
    let handle = object(&[("handle", alice.handle().into())]);
    let unknown = object(&[("signingKey", handle.clone()), ("colour", "red".into())]);
    let err = wasm::sign(&message(), unknown).unwrap_err();
    assert!(text(&err, "message").contains("colour"));
    assert_eq!(code(err), "ERR_INVALID_ARGUMENT");
    let bad_digest = object(&[("signingKey", handle), ("digest", "md5".into())]);
    assert_eq!(
        code(wasm::sign(&message(), bad_digest).unwrap_err()),
        "ERR_INVALID_ARGUMENT"
    );
    let no_key = object(&[("format", "opaque".into())]);
    assert_eq!(
        code(wasm::sign(&message(), no_key).unwrap_err()),
        "ERR_INVALID_ARGUMENT"
    );
    let freed_handle = alice.handle();
    drop(alice);
    let freed = object(&[("signingKey", object(&[("handle", freed_handle.into())]))]);
    assert_eq!(
        code(wasm::sign(&message(), freed).unwrap_err()),
        "ERR_INVALID_ARGUMENT"
    );
}

#[wasm_bindgen_test]
fn identities_check_their_keys() {
    let mismatch = object(&[
        ("certificate", CAROL_CERT.into()),
        ("privateKey", ALICE_KEY.into()),
    ]);
    assert_eq!(
        code(wasm::import_identity(mismatch).err().unwrap()),
        "ERR_KEY_MISMATCH"
    );
    let wrong = object(&[
        ("certificate", ALICE_CERT.into()),
        ("privateKey", ALICE_KEY_ENC.into()),
        ("password", "wrong".into()),
    ]);
    assert_eq!(
        code(wasm::import_identity(wrong).err().unwrap()),
        "ERR_BAD_PASSWORD"
    );
    let right = object(&[
        ("certificate", ALICE_CERT.into()),
        ("privateKey", ALICE_KEY_ENC.into()),
        ("password", "demo".into()),
    ]);
    let alice = wasm::import_identity(right).unwrap();
    assert_eq!(text(&alice.info().unwrap(), "keyAlgorithm"), "rsa-2048");
    assert!(alice.certificate().length() > 500);
    let info = wasm::certificate_info(CA.into()).unwrap();
    assert_eq!(at(&info, "isCa"), JsValue::TRUE);
    assert_eq!(
        code(wasm::certificate_info("nope".into()).unwrap_err()),
        "ERR_MALFORMED_CERTIFICATE"
    );
}

const DAVE_FRANK_P7C: &[u8] = include_bytes!("fixtures/dave-frank.p7c");
const FRANK_CERT: &str = include_str!("fixtures/frank.cert.pem");

/// The DER of each certificate `certificatesIn` returns.
fn certificates_in(file: JsValue) -> Result<Vec<Vec<u8>>, JsValue> {
    let found = wasm::certificates_in(file)?;
    Ok(found
        .iter()
        .map(|c| c.dyn_into::<Uint8Array>().unwrap().to_vec())
        .collect())
}

#[wasm_bindgen_test]
fn certificates_in_certificate_files() {
    let der = |pem: &str| certificates_in(pem.into()).unwrap().pop().unwrap();
    let (dave, frank) = (der(DAVE_CERT), der(FRANK_CERT));
    // A certs-only .p7c, in file order.
    let p7c = Uint8Array::from(DAVE_FRANK_P7C);
    assert_eq!(
        certificates_in(p7c.into()).unwrap(),
        vec![dave.clone(), frank.clone()]
    );
    // PEM text with several blocks and a key between them; duplicates once.
    let pem = format!("{FRANK_CERT}{DAVE_KEY}{DAVE_CERT}{FRANK_CERT}");
    assert_eq!(
        certificates_in(pem.as_str().into()).unwrap(),
        vec![frank.clone(), dave.clone()]
    );
    // One DER certificate.
    let one = Uint8Array::from(dave.as_slice());
    assert_eq!(certificates_in(one.into()).unwrap(), vec![dave]);
    // No certificate, a broken file, not bytes at all.
    let cases: [(JsValue, &str); 4] = [
        (DAVE_KEY.into(), "ERR_MALFORMED_CERTIFICATE"),
        (
            Uint8Array::from(&DAVE_FRANK_P7C[..DAVE_FRANK_P7C.len() - 1]).into(),
            "ERR_MALFORMED_CERTIFICATE",
        ),
        (
            Uint8Array::new_with_length(0).into(),
            "ERR_MALFORMED_CERTIFICATE",
        ),
        (JsValue::from_f64(7.0), "ERR_INVALID_ARGUMENT"),
    ];
    for (file, expected) in cases {
        assert_eq!(code(certificates_in(file).unwrap_err()), expected);
    }
}

// ---- Encryption (API.md `encrypt`, `decrypt`, `open` with `decryptionKeys`) ----

const BOB_CERT: &str = include_str!("fixtures/bob.cert.pem");
const BOB_KEY: &str = include_str!("fixtures/bob.key.pem");
const DAVE_CERT: &str = include_str!("fixtures/dave.cert.pem");
const DAVE_KEY: &str = include_str!("fixtures/dave.key.pem");
const ERIN_CERT: &str = include_str!("fixtures/erin.cert.pem");
const ERIN_KEY: &str = include_str!("fixtures/erin.key.pem");

/// `message` encrypted to `recipients` (PEM), with extra options.
fn encrypt_to(
    message: &[u8],
    recipients: &[&str],
    extra: &[(&str, JsValue)],
) -> Result<Vec<u8>, JsValue> {
    let certs: Array = recipients
        .iter()
        .map(|pem| JsValue::from_str(pem))
        .collect();
    let mut entries = vec![("recipients", JsValue::from(certs))];
    entries.extend(extra.iter().cloned());
    wasm::encrypt(message, object(&entries)).map(|m| m.to_vec())
}

/// `[{ handle }, ...]`: what an options list of identities holds.
fn key_list(ids: &[&wasm::Identity]) -> JsValue {
    ids.iter()
        .map(|id| object(&[("handle", id.handle().into())]))
        .collect::<Array>()
        .into()
}

fn decrypt_with(message: &[u8], ids: &[&wasm::Identity]) -> Result<JsValue, JsValue> {
    let o = object(&[("decryptionKeys", key_list(ids)), ("now", NOW_MS.into())]);
    wasm::decrypt(message, o)
}

fn open_with(message: &[u8], ids: &[&wasm::Identity]) -> Result<JsValue, JsValue> {
    let o = object(&[
        ("decryptionKeys", key_list(ids)),
        ("trustAnchors", Array::of1(&CA.into()).into()),
        ("now", NOW_MS.into()),
    ]);
    wasm::open(message, Some(o))
}

/// The body of an RFC 5322 message: everything after the first empty line.
fn body_of(message: &[u8]) -> &[u8] {
    let at = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header/body separator");
    &message[at + 4..]
}

fn content(opened: &JsValue) -> Vec<u8> {
    at(opened, "content")
        .dyn_into::<Uint8Array>()
        .expect("content is a Uint8Array")
        .to_vec()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn layer_count(opened: &JsValue) -> u32 {
    at(opened, "layers").dyn_into::<Array>().unwrap().length()
}

/// One recipient family: its fixture, the options to encrypt with, and what the layer reports.
struct Family {
    cert: &'static str,
    key: &'static str,
    options: &'static [(&'static str, &'static str)],
    cipher: &'static str,
    key_transport_prefix: &'static str,
}

#[wasm_bindgen_test]
fn every_recipient_family_round_trips() {
    let families = [
        Family {
            cert: ALICE_CERT,
            key: ALICE_KEY,
            options: &[("keyTransport", "rsa-pkcs1v15")],
            cipher: "aes-256-cbc",
            key_transport_prefix: "rsa-pkcs1v15",
        },
        Family {
            cert: BOB_CERT,
            key: BOB_KEY,
            options: &[
                ("keyTransport", "rsa-oaep"),
                ("recipientIdentifier", "subject-key-identifier"),
            ],
            cipher: "aes-128-gcm",
            key_transport_prefix: "rsa-oaep",
        },
        Family {
            cert: CAROL_CERT,
            key: CAROL_KEY,
            options: &[],
            cipher: "aes-256-gcm",
            key_transport_prefix: "ecdh-p256",
        },
        Family {
            cert: DAVE_CERT,
            key: DAVE_KEY,
            options: &[("recipientIdentifier", "subject-key-identifier")],
            cipher: "aes-192-cbc",
            key_transport_prefix: "ecdh-p384",
        },
        Family {
            cert: ERIN_CERT,
            key: ERIN_KEY,
            options: &[],
            cipher: "aes-128-cbc",
            key_transport_prefix: "x25519",
        },
    ];
    let plain = message();
    for family in families {
        let Family {
            cert,
            key,
            cipher,
            key_transport_prefix: reported,
            ..
        } = family;
        let mut extra = vec![("contentEncryption", JsValue::from_str(cipher))];
        extra.extend(
            family
                .options
                .iter()
                .map(|&(k, v)| (k, JsValue::from_str(v))),
        );
        let encrypted = encrypt_to(&plain, &[cert], &extra).unwrap();
        let gcm = cipher.ends_with("-gcm");
        let smime_type = if gcm {
            "smime-type=authEnveloped-data"
        } else {
            "smime-type=enveloped-data"
        };
        assert!(
            contains(&encrypted, smime_type.as_bytes()),
            "{cipher}: {smime_type}"
        );
        let head = &encrypted[..encrypted.len() - body_of(&encrypted).len()];
        assert!(
            contains(head, b"From: <alice@example.org>"),
            "outer headers stay outside"
        );
        assert!(
            !contains(&encrypted, b"Hello Bob"),
            "{cipher}: no plaintext"
        );

        let opened = decrypt_with(&encrypted, &[&identity(cert, key)]).unwrap();
        assert_eq!(layer_count(&opened), 1);
        assert_eq!(text(&opened, "layers.0.kind"), "encrypted");
        assert_eq!(text(&opened, "layers.0.contentEncryption"), cipher);
        assert_eq!(
            at(&opened, "layers.0.integrityProtected"),
            JsValue::from_bool(gcm)
        );
        let transport = text(&opened, "layers.0.keyTransport");
        assert!(
            transport.starts_with(reported),
            "{cipher}: {transport} is not {reported}"
        );
        assert!(
            content(&opened).ends_with(body_of(&plain)),
            "{cipher}: the body comes back"
        );
    }
}

#[wasm_bindgen_test]
fn several_recipients_each_read_the_message() {
    let encrypted = encrypt_to(
        &message(),
        &[ALICE_CERT, CAROL_CERT, ERIN_CERT],
        &[("contentEncryption", "aes-256-gcm".into())],
    )
    .unwrap();
    for (cert, key) in [
        (ALICE_CERT, ALICE_KEY),
        (CAROL_CERT, CAROL_KEY),
        (ERIN_CERT, ERIN_KEY),
    ] {
        let opened = decrypt_with(&encrypted, &[&identity(cert, key)]).unwrap();
        assert!(content(&opened).ends_with(body_of(&message())));
    }
    let dave = identity(DAVE_CERT, DAVE_KEY);
    let bob = identity(BOB_CERT, BOB_KEY);
    assert_eq!(
        code(decrypt_with(&encrypted, &[&dave, &bob]).unwrap_err()),
        "ERR_NO_MATCHING_RECIPIENT"
    );
    // A list of keys is tried against every RecipientInfo: Carol's is found after Dave's misses.
    let carol = identity(CAROL_CERT, CAROL_KEY);
    assert!(decrypt_with(&encrypted, &[&dave, &carol]).is_ok());
}

#[wasm_bindgen_test]
fn sign_then_encrypt_opens_as_encrypted_then_signed() {
    let alice = identity(ALICE_CERT, ALICE_KEY);
    let bob = identity(BOB_CERT, BOB_KEY);
    for format in ["detached", "opaque"] {
        let signed = sign_with(&alice, format);
        let sealed = encrypt_to(&signed, &[BOB_CERT, ALICE_CERT], &[]).unwrap();
        assert!(
            !contains(&sealed, b"multipart/signed"),
            "the signature is inside"
        );
        let opened = open_with(&sealed, &[&bob]).unwrap();
        assert_eq!(layer_count(&opened), 2);
        assert_eq!(text(&opened, "layers.0.kind"), "encrypted");
        assert_eq!(text(&opened, "layers.0.contentEncryption"), "aes-256-cbc");
        assert_eq!(at(&opened, "layers.0.integrityProtected"), JsValue::FALSE);
        assert_eq!(text(&opened, "layers.1.kind"), "signed");
        assert_eq!(text(&opened, "layers.1.format"), format);
        assert_eq!(text(&opened, "layers.1.signers.0.signature"), "valid");
        assert_eq!(text(&opened, "layers.1.signers.0.chain"), "trusted");
        assert_eq!(
            at(&opened, "layers.1.signers.0.addressMatch"),
            JsValue::TRUE
        );
        assert_eq!(
            text(&opened, "layers.1.signers.0.certificate.emails.0"),
            "alice@example.org"
        );
        // The sender can read her sent mail too.
        assert_eq!(layer_count(&open_with(&sealed, &[&alice]).unwrap()), 2);
    }
    // Encrypt, then sign: the layers come out in the other order.
    let sealed = encrypt_to(&message(), &[BOB_CERT], &[]).unwrap();
    let handle = object(&[("handle", alice.handle().into())]);
    let opts = object(&[
        ("signingKey", handle),
        ("format", "opaque".into()),
        ("now", NOW_MS.into()),
    ]);
    let signed = wasm::sign(&sealed, opts).unwrap().to_vec();
    let opened = open_with(&signed, &[&bob]).unwrap();
    assert_eq!(layer_count(&opened), 2);
    assert_eq!(text(&opened, "layers.0.kind"), "signed");
    assert_eq!(text(&opened, "layers.0.signers.0.signature"), "valid");
    assert_eq!(text(&opened, "layers.1.kind"), "encrypted");
}

#[wasm_bindgen_test]
fn a_message_for_someone_else_is_no_matching_recipient() {
    let encrypted = encrypt_to(&message(), &[BOB_CERT], &[]).unwrap();
    let carol = identity(CAROL_CERT, CAROL_KEY);
    let alice = identity(ALICE_CERT, ALICE_KEY);
    let err = decrypt_with(&encrypted, &[&carol, &alice]).unwrap_err();
    assert_eq!(code(err), "ERR_NO_MATCHING_RECIPIENT");
    let err = open_with(&encrypted, &[&carol]).unwrap_err();
    assert_eq!(code(err), "ERR_NO_MATCHING_RECIPIENT");
    // API.md: decryptionKeys is required for decrypt.
    let err = decrypt_with(&encrypted, &[]).unwrap_err();
    assert_eq!(code(err), "ERR_INVALID_ARGUMENT");
}

#[wasm_bindgen_test]
fn decrypting_a_message_that_is_not_encrypted() {
    let alice = identity(ALICE_CERT, ALICE_KEY);
    assert_eq!(
        code(decrypt_with(&message(), &[&alice]).unwrap_err()),
        "ERR_NOT_ENCRYPTED"
    );
    let signed = sign_with(&alice, "opaque");
    assert_eq!(
        code(decrypt_with(&signed, &[&alice]).unwrap_err()),
        "ERR_NOT_ENCRYPTED"
    );
}

/// `message` with one base64 character of its body changed, `from_end` characters before the
/// end of the base64 text (padding not counted).
fn change_base64(message: &[u8], from_end: usize) -> Vec<u8> {
    let start = message.len() - body_of(message).len();
    let positions: Vec<usize> = (start..message.len())
        .filter(|&i| message[i].is_ascii_alphanumeric() || message[i] == b'+' || message[i] == b'/')
        .collect();
    let at = positions[positions.len() - from_end];
    let mut changed = message.to_vec();
    changed[at] = if changed[at] == b'A' { b'B' } else { b'A' };
    changed
}

#[wasm_bindgen_test]
fn gcm_tampered_ciphertext_releases_nothing() {
    let bob = identity(BOB_CERT, BOB_KEY);
    let sealed = encrypt_to(
        &message(),
        &[BOB_CERT],
        &[("contentEncryption", "aes-256-gcm".into())],
    )
    .unwrap();
    assert!(decrypt_with(&sealed, &[&bob]).is_ok());
    // The last 16 bytes are the tag (RFC 5084 `mac`); the ciphertext lies just before it.
    for (from_end, what) in [(8, "tag"), (40, "ciphertext")] {
        let tampered = change_base64(&sealed, from_end);
        assert_ne!(tampered, sealed);
        let err = decrypt_with(&tampered, &[&bob]).unwrap_err();
        assert_eq!(code(err), "ERR_DECRYPT_FAILED", "a changed {what}");
        let err = open_with(&tampered, &[&bob]).unwrap_err();
        assert_eq!(
            code(err),
            "ERR_DECRYPT_FAILED",
            "a changed {what}, through open"
        );
    }
}

#[wasm_bindgen_test]
fn encrypt_rejects_caller_mistakes() {
    let plain = message();
    let cases: [(JsValue, &str); 5] = [
        (
            object(&[("recipients", Array::new().into())]),
            "ERR_INVALID_ARGUMENT",
        ),
        (
            object(&[("contentEncryption", "aes-256-cbc".into())]),
            "ERR_INVALID_ARGUMENT",
        ),
        (
            object(&[
                ("recipients", Array::of1(&BOB_CERT.into()).into()),
                ("colour", "red".into()),
            ]),
            "ERR_INVALID_ARGUMENT",
        ),
        (
            object(&[
                ("recipients", Array::of1(&BOB_CERT.into()).into()),
                ("contentEncryption", "des-ede3-cbc".into()),
            ]),
            "ERR_INVALID_ARGUMENT",
        ),
        (
            object(&[("recipients", Array::of1(&"nope".into()).into())]),
            "ERR_MALFORMED_CERTIFICATE",
        ),
    ];
    for (options, expected) in cases {
        assert_eq!(code(wasm::encrypt(&plain, options).unwrap_err()), expected);
    }
}

/// The large round trip of issue 3: 10 MiB. The dev profile is optimised (Cargo.toml), so this
/// takes a few seconds in Node and in Chrome.
const LARGE: usize = 10 * 1024 * 1024;

#[wasm_bindgen_test]
fn large_message_round_trip() {
    let data: Vec<u8> = (0..LARGE).map(|i| (i % 251) as u8).collect();
    let attachment = object(&[
        ("filename", "big.bin".into()),
        ("contentType", "application/octet-stream".into()),
        ("data", Uint8Array::from(data.as_slice()).into()),
    ]);
    let o = object(&[
        ("from", "alice@example.org".into()),
        ("to", Array::of1(&"bob@example.org".into()).into()),
        ("subject", "A large attachment".into()),
        ("text", "See the attachment.\n".into()),
        ("attachments", Array::of1(&attachment).into()),
        ("date", js_sys::Date::new(&NOW_MS.into()).into()),
        ("messageId", "big@example.org".into()),
    ]);
    let plain = wasm::compose_message(o).unwrap().to_vec();
    assert!(plain.len() > LARGE);
    let bob = identity(BOB_CERT, BOB_KEY);
    let started = js_sys::Date::now();
    let sealed = encrypt_to(
        &plain,
        &[BOB_CERT],
        &[("contentEncryption", "aes-256-gcm".into())],
    )
    .unwrap();
    let encrypted_at = js_sys::Date::now();
    let opened = decrypt_with(&sealed, &[&bob]).unwrap();
    let done = js_sys::Date::now();
    wasm_bindgen_test::console_log!(
        "{} MiB attachment ({} bytes of MIME): encrypt {} ms, decrypt {} ms",
        LARGE / (1024 * 1024),
        plain.len(),
        encrypted_at - started,
        done - encrypted_at
    );
    assert_eq!(text(&opened, "layers.0.contentEncryption"), "aes-256-gcm");
    let content = content(&opened);
    assert!(content.len() > LARGE);
    assert!(
        content.ends_with(body_of(&plain)),
        "the attachment comes back intact"
    );
}

// ---- Identities and trust (issue 4) ------------------------------------------------------------

fn generate(o: &[(&str, JsValue)]) -> wasm::Identity {
    let mut entries = vec![("now", JsValue::from(NOW_MS))];
    entries.extend(o.iter().cloned());
    wasm::generate_identity(object(&entries)).unwrap_or_else(|e| panic!("{}", code(e)))
}

#[wasm_bindgen_test]
fn pkcs12_export_then_import_and_wrong_password() {
    let alice = identity(ALICE_CERT, ALICE_KEY);
    let p12 = alice.export_pkcs12("correct horse", None).unwrap().to_vec();
    let back = wasm::import_pkcs12(&p12, "correct horse").unwrap();
    assert_eq!(back.certificate().to_vec(), alice.certificate().to_vec());
    // The imported key signs, and what it signs verifies.
    let opened = wasm::verify(&sign_with(&back, "opaque"), Some(trust(CA))).unwrap();
    assert_eq!(text(&opened, "layers.0.signers.0.signature"), "valid");
    assert_eq!(
        code(wasm::import_pkcs12(&p12, "wrong").err().unwrap()),
        "ERR_BAD_PASSWORD"
    );
    assert_eq!(
        code(
            wasm::import_pkcs12(b"\x30\x03\x02\x01\x03", "x")
                .err()
                .unwrap()
        ),
        "ERR_MALFORMED_PKCS12"
    );
}

#[wasm_bindgen_test]
fn generated_ca_issues_identities_that_verify_and_decrypt() {
    let ca = generate(&[
        ("email", "ca@example.net".into()),
        ("algorithm", "p-256".into()),
        ("ca", true.into()),
    ]);
    assert_eq!(at(&ca.info().unwrap(), "isCa"), JsValue::TRUE);
    let issuer = object(&[("handle", ca.handle().into())]);
    let zoe = generate(&[
        ("email", "alice@example.org".into()),
        ("name", "Zoë".into()),
        ("algorithm", "p-384".into()),
        ("issuer", issuer.clone()),
    ]);
    let info = zoe.info().unwrap();
    assert_eq!(text(&info, "keyAlgorithm"), "p-384");
    assert_eq!(text(&info, "emails.0"), "alice@example.org");
    assert_eq!(zoe.chain().length(), 1);
    let csr = wasm::create_csr(&zoe).unwrap();
    assert!(csr.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    // Signed by the generated identity, trusted under the generated CA.
    let ca_der: JsValue = ca.certificate().into();
    let anchors = object(&[
        ("trustAnchors", Array::of1(&ca_der).into()),
        ("now", NOW_MS.into()),
    ]);
    let opened = wasm::verify(&sign_with(&zoe, "detached"), Some(anchors)).unwrap();
    assert_eq!(text(&opened, "layers.0.signers.0.chain"), "trusted");
    // An X25519 identity needs an issuer, and then decrypts.
    let x = generate(&[
        ("email", "x@example.org".into()),
        ("algorithm", "x25519".into()),
        ("issuer", issuer),
    ]);
    let x_pem: JsValue = x.certificate().into();
    let certs = Array::of1(&x_pem);
    let sealed = wasm::encrypt(&message(), object(&[("recipients", certs.into())]))
        .unwrap()
        .to_vec();
    let opened = decrypt_with(&sealed, &[&x]).unwrap();
    assert_eq!(
        text(&opened, "layers.0.recipient.emails.0"),
        "x@example.org"
    );
    let bad = object(&[("email", "nobody".into()), ("now", NOW_MS.into())]);
    assert_eq!(
        code(wasm::generate_identity(bad).err().unwrap()),
        "ERR_INVALID_ARGUMENT"
    );
}

#[wasm_bindgen_test]
fn learned_capabilities_choose_gcm_for_the_reply() {
    // Alice's signature advertises AES-GCM and OAEP; her reply target carries them back.
    let alice = identity(ALICE_CERT, ALICE_KEY);
    let bob = identity(BOB_CERT, BOB_KEY);
    let opened = wasm::verify(&sign_with(&alice, "detached"), Some(trust(CA))).unwrap();
    let target = at(&opened, "layers.0.signers.0.encryptionCertificate");
    assert_eq!(text(&target, "capabilities.0"), "aes-256-gcm");
    assert!(text(&target, "pem").starts_with("-----BEGIN CERTIFICATE-----"));
    let recipient = object(&[
        ("certificate", at(&target, "pem")),
        ("capabilities", at(&target, "capabilities")),
    ]);
    let sealed = wasm::encrypt(
        &message(),
        object(&[("recipients", Array::of1(&recipient).into())]),
    )
    .unwrap()
    .to_vec();
    let opened = open_with(&sealed, &[&alice, &bob]).unwrap();
    assert_eq!(text(&opened, "layers.0.contentEncryption"), "aes-256-gcm");
    assert_eq!(text(&opened, "layers.0.keyTransport"), "rsa-oaep-sha256");
    // Without learned capabilities: AES-256-CBC and PKCS#1 v1.5.
    let plain = encrypt_to(&message(), &[ALICE_CERT], &[]).unwrap();
    let opened = open_with(&plain, &[&alice]).unwrap();
    assert_eq!(text(&opened, "layers.0.contentEncryption"), "aes-256-cbc");
    assert_eq!(text(&opened, "layers.0.keyTransport"), "rsa-pkcs1v15");
    assert!(at(&opened, "layers.0.integrityProtected").is_falsy());
}

fn js_strings(value: &JsValue) -> Vec<String> {
    Array::from(value)
        .iter()
        .map(|v| v.as_string().expect("a string"))
        .collect()
}

#[wasm_bindgen_test]
fn advertised_capabilities_are_what_our_signatures_advertise() {
    let advertised = js_strings(&wasm::advertised_capabilities());
    assert_eq!(
        advertised,
        [
            "aes-256-gcm",
            "aes-128-gcm",
            "aes-256-cbc",
            "aes-128-cbc",
            "rsa-oaep"
        ]
    );
    for (cert, key) in [(ALICE_CERT, ALICE_KEY), (CAROL_CERT, CAROL_KEY)] {
        let opened = wasm::verify(
            &sign_with(&identity(cert, key), "detached"),
            Some(trust(CA)),
        )
        .unwrap();
        let learned = at(
            &opened,
            "layers.0.signers.0.encryptionCertificate.capabilities",
        );
        assert_eq!(js_strings(&learned), advertised, "as a reader learns them");
    }
}

/// `{ certificate, capabilities }`.
fn learned(cert: &str, capabilities: &[&str]) -> JsValue {
    let list: Array = capabilities.iter().map(|c| JsValue::from_str(c)).collect();
    object(&[("certificate", cert.into()), ("capabilities", list.into())])
}

#[wasm_bindgen_test]
fn encryption_choice_is_what_encrypt_chooses() {
    let ours = js_strings(&wasm::advertised_capabilities());
    let ours: Vec<&str> = ours.iter().map(String::as_str).collect();
    let alice = identity(ALICE_CERT, ALICE_KEY);
    let bob = identity(BOB_CERT, BOB_KEY);
    let carol = identity(CAROL_CERT, CAROL_KEY);
    // Recipients as `encrypt` takes them: with what they advertised, or bare.
    let alice_ours = learned(ALICE_CERT, &ours);
    let bob_ours = learned(BOB_CERT, &ours);
    let bob_gcm128 = learned(BOB_CERT, &["aes-128-gcm"]);
    let bob_bare = JsValue::from_str(BOB_CERT);
    let carol_ours = learned(CAROL_CERT, &ours);
    let carol_gcm = learned(CAROL_CERT, &["aes-256-gcm"]);
    let carol_der = JsValue::from(Uint8Array::from(CAROL_CERT.as_bytes()));
    // Alice (RSA, advertising what we advertise) and one other recipient, as given and with its
    // key: the content encryption and key transport chosen. Carol (P-256) counts towards the
    // choice but takes the content key by ECDH key agreement whatever it says.
    let cases: [(&JsValue, &wasm::Identity, &str, &str); 6] = [
        (&bob_ours, &bob, "aes-256-gcm", "rsa-oaep"),
        (&bob_gcm128, &bob, "aes-128-gcm", "rsa-pkcs1v15"),
        (&bob_bare, &bob, "aes-256-cbc", "rsa-pkcs1v15"),
        (&carol_ours, &carol, "aes-256-gcm", "rsa-oaep"),
        (&carol_gcm, &carol, "aes-256-gcm", "rsa-pkcs1v15"),
        (&carol_der, &carol, "aes-256-cbc", "rsa-pkcs1v15"),
    ];
    for (other, reader, cipher, transport) in cases {
        let list = Array::of2(&alice_ours, other);
        let choice = wasm::encryption_choice(list.clone().into()).unwrap();
        assert_eq!(keys(&choice), ["contentEncryption", "keyTransport"]);
        assert_eq!(text(&choice, "contentEncryption"), cipher);
        assert_eq!(text(&choice, "keyTransport"), transport);

        let sealed = wasm::encrypt(&message(), object(&[("recipients", list.into())]))
            .unwrap()
            .to_vec();
        for reader in [&alice, reader] {
            let opened = open_with(&sealed, &[reader]).unwrap();
            assert_eq!(text(&opened, "layers.0.contentEncryption"), cipher);
            assert_eq!(
                at(&opened, "layers.0.integrityProtected"),
                JsValue::from_bool(cipher.ends_with("-gcm"))
            );
            let used = text(&opened, "layers.0.keyTransport");
            let expected = if std::ptr::eq(reader, &carol) {
                "ecdh-p256"
            } else {
                transport
            };
            assert!(used.starts_with(expected), "{used} is not {expected}");
        }
    }
}

#[wasm_bindgen_test]
fn encryption_choice_refuses_what_encrypt_refuses() {
    let cases: [(JsValue, &str); 5] = [
        (Array::new().into(), "ERR_INVALID_ARGUMENT"),
        ("not a list".into(), "ERR_INVALID_ARGUMENT"),
        (
            Array::of1(&object(&[
                ("certificate", BOB_CERT.into()),
                ("colour", "red".into()),
            ]))
            .into(),
            "ERR_INVALID_ARGUMENT",
        ),
        (
            Array::of1(&object(&[("capabilities", Array::new().into())])).into(),
            "ERR_INVALID_ARGUMENT",
        ),
        (
            Array::of1(&"nope".into()).into(),
            "ERR_MALFORMED_CERTIFICATE",
        ),
    ];
    for (recipients, expected) in cases {
        assert_eq!(
            code(wasm::encryption_choice(recipients.clone()).unwrap_err()),
            expected
        );
        let options = object(&[("recipients", recipients)]);
        assert_eq!(
            code(wasm::encrypt(&message(), options).unwrap_err()),
            expected,
            "encrypt says the same"
        );
    }
    assert_eq!(
        code(wasm::encryption_choice(JsValue::UNDEFINED).unwrap_err()),
        "ERR_INVALID_ARGUMENT"
    );
}

#[wasm_bindgen_test]
fn crls_and_warnings_cross_the_binding() {
    let alice = identity(ALICE_CERT, ALICE_KEY);
    let signed = sign_with(&alice, "detached");
    let garbage = object(&[
        ("trustAnchors", Array::of1(&CA.into()).into()),
        ("crls", Array::of1(&"not a crl".into()).into()),
    ]);
    assert_eq!(
        code(wasm::verify(&signed, Some(garbage)).unwrap_err()),
        "ERR_MALFORMED_CRL"
    );
    let opened = wasm::verify(&signed, Some(trust(CA))).unwrap();
    assert!(at(&opened, "layers.0.signers.0.warnings").is_instance_of::<Array>());
    assert_eq!(
        Array::from(&at(&opened, "layers.0.signers.0.warnings")).length(),
        0
    );
}

// ---- Reading for display, replies, PKCS#12 work factor (issue 5) ------------------------------

/// The own keys of a plain object, in order.
fn keys(value: &JsValue) -> Vec<String> {
    Object::keys(value.dyn_ref::<Object>().expect("an object"))
        .iter()
        .map(|k| k.as_string().unwrap())
        .collect()
}

fn strings(value: &JsValue, path: &str) -> Vec<String> {
    at(value, path)
        .dyn_into::<Array>()
        .unwrap_or_else(|_| panic!("{path} is not an array"))
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect()
}

fn reply() -> Vec<u8> {
    let attachment = object(&[
        ("filename", "résumé.pdf".into()),
        ("contentType", "application/pdf".into()),
        (
            "data",
            Uint8Array::from(b"%PDF-1.7 \x00\xff".as_slice()).into(),
        ),
    ]);
    let o = object(&[
        ("from", "Alice Example <alice@example.org>".into()),
        ("to", Array::of1(&"bob@example.org".into()).into()),
        ("cc", Array::of1(&"Carol <carol@example.org>".into()).into()),
        ("subject", "Re: Grüße".into()),
        ("text", "Hello Bob\n".into()),
        ("html", "<p>Hello Bob</p>".into()),
        ("attachments", Array::of1(&attachment).into()),
        ("date", NOW_MS.into()),
        ("messageId", "2@example.org".into()),
        ("inReplyTo", "<1@example.org>".into()),
        (
            "references",
            Array::of2(&"0@example.org".into(), &"<1@example.org>".into()).into(),
        ),
    ]);
    wasm::compose_message(o)
        .unwrap_or_else(|e| panic!("{}", code(e)))
        .to_vec()
}

#[wasm_bindgen_test]
fn read_message_has_the_documented_shape() {
    let view = wasm::read_message(&reply()).unwrap();
    assert_eq!(
        keys(&view),
        ["headers", "text", "html", "attachments", "protection"]
    );
    let headers = at(&view, "headers");
    assert_eq!(
        keys(&headers),
        [
            "from",
            "to",
            "cc",
            "replyTo",
            "subject",
            "date",
            "messageId",
            "inReplyTo",
            "references"
        ]
    );
    assert_eq!(keys(&at(&headers, "from.0")), ["name", "address"]);
    assert_eq!(text(&headers, "from.0.name"), "Alice Example");
    assert_eq!(text(&headers, "from.0.address"), "alice@example.org");
    // An absent display name is left out, not null.
    assert_eq!(keys(&at(&headers, "to.0")), ["address"]);
    assert_eq!(text(&headers, "to.0.address"), "bob@example.org");
    assert_eq!(text(&headers, "cc.0.name"), "Carol");
    assert_eq!(at(&headers, "replyTo.length").as_f64(), Some(0.0));
    assert_eq!(text(&headers, "subject"), "Re: Grüße");
    assert_eq!(text(&headers, "date"), "2030-01-01T00:00:00Z");
    assert_eq!(text(&headers, "messageId"), "2@example.org");
    assert_eq!(text(&headers, "inReplyTo"), "1@example.org");
    assert_eq!(
        strings(&headers, "references"),
        ["0@example.org", "1@example.org"]
    );
    assert_eq!(text(&view, "text"), "Hello Bob\r\n");
    assert_eq!(text(&view, "html"), "<p>Hello Bob</p>");
    assert_eq!(text(&view, "protection"), "plain");
    let part = at(&view, "attachments.0");
    assert_eq!(at(&view, "attachments.length").as_f64(), Some(1.0));
    assert_eq!(keys(&part), ["filename", "contentType", "inline", "data"]);
    assert_eq!(text(&part, "filename"), "résumé.pdf");
    assert_eq!(text(&part, "contentType"), "application/pdf");
    assert_eq!(at(&part, "inline").as_bool(), Some(false));
    let data = at(&part, "data")
        .dyn_into::<Uint8Array>()
        .expect("data is a Uint8Array");
    assert_eq!(data.to_vec(), b"%PDF-1.7 \x00\xff");
}

#[wasm_bindgen_test]
fn read_message_leaves_out_absent_bodies_and_reports_inline_parts() {
    let html_only = b"Subject: s\r\nContent-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n<img src=cid:i@x>\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <i@x>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw==\r\n--r--\r\n";
    let view = wasm::read_message(html_only).unwrap();
    assert_eq!(
        keys(&view),
        ["headers", "html", "attachments", "protection"]
    );
    assert_eq!(
        keys(&at(&view, "headers")),
        ["from", "to", "cc", "replyTo", "subject", "references"]
    );
    let part = at(&view, "attachments.0");
    assert_eq!(keys(&part), ["contentType", "contentId", "inline", "data"]);
    assert_eq!(text(&part, "contentId"), "i@x");
    assert_eq!(at(&part, "inline").as_bool(), Some(true));
    assert_eq!(
        at(&part, "data").dyn_into::<Uint8Array>().unwrap().to_vec(),
        b"\x89PNG"
    );
}

#[wasm_bindgen_test]
fn message_headers_says_what_protection_is_announced() {
    let alice = identity(ALICE_CERT, ALICE_KEY);
    let plain = reply();
    let summary = wasm::message_headers(&plain).unwrap();
    assert_eq!(
        keys(&summary),
        [
            "from",
            "to",
            "cc",
            "replyTo",
            "subject",
            "date",
            "messageId",
            "inReplyTo",
            "references",
            "protection"
        ]
    );
    assert_eq!(text(&summary, "subject"), "Re: Grüße");
    assert_eq!(text(&summary, "protection"), "plain");

    let signed = sign_with(&alice, "detached");
    let summary = wasm::message_headers(&signed).unwrap();
    assert_eq!(text(&summary, "protection"), "signed");
    assert_eq!(text(&summary, "subject"), "Grüße");
    // readMessage shows the signed text and the signature as an attachment; it verifies nothing.
    let view = wasm::read_message(&signed).unwrap();
    assert_eq!(text(&view, "protection"), "signed");
    assert_eq!(
        text(&view, "text"),
        "Hello Bob — signed in the browser.\r\n"
    );
    assert_eq!(
        text(&view, "attachments.0.contentType"),
        "application/pkcs7-signature"
    );
    let opaque = sign_with(&alice, "opaque");
    assert_eq!(
        text(&wasm::message_headers(&opaque).unwrap(), "protection"),
        "signed"
    );

    let sealed = encrypt_to(&signed, &[ALICE_CERT], &[]).unwrap();
    let summary = wasm::message_headers(&sealed).unwrap();
    assert_eq!(text(&summary, "protection"), "encrypted");
    assert_eq!(text(&summary, "from.0.address"), "alice@example.org");
    let view = wasm::read_message(&sealed).unwrap();
    assert_eq!(keys(&view), ["headers", "attachments", "protection"]);
    assert_eq!(
        text(&view, "attachments.0.contentType"),
        "application/pkcs7-mime"
    );
}

#[wasm_bindgen_test]
fn read_message_refuses_what_is_not_a_message() {
    for input in [
        b"".as_slice(),
        b"\x00\x01\x02 binary",
        b"no header line\r\n\r\n",
    ] {
        assert_eq!(
            code(wasm::read_message(input).unwrap_err()),
            "ERR_MALFORMED_MIME"
        );
        assert_eq!(
            code(wasm::message_headers(input).unwrap_err()),
            "ERR_MALFORMED_MIME"
        );
    }
}

#[wasm_bindgen_test]
fn compose_refuses_message_ids_that_would_inject_headers() {
    let base = |key: &str, value: JsValue| {
        object(&[
            ("from", "alice@example.org".into()),
            ("to", Array::of1(&"bob@example.org".into()).into()),
            ("subject", "s".into()),
            ("text", "t".into()),
            (key, value),
        ])
    };
    for (key, value) in [
        ("inReplyTo", JsValue::from("a@b\r\nBcc: eve@example.org")),
        ("inReplyTo", JsValue::from("")),
        ("inReplyTo", JsValue::from(7)),
        ("references", Array::of1(&"two words@b".into()).into()),
        ("references", JsValue::from("<a@b>")),
        ("references", Array::of1(&JsValue::from(1)).into()),
    ] {
        assert_eq!(
            code(wasm::compose_message(base(key, value)).unwrap_err()),
            "ERR_INVALID_ARGUMENT",
            "{key}"
        );
    }
}

#[wasm_bindgen_test]
fn pkcs12_export_takes_a_work_factor() {
    let carol = identity(CAROL_CERT, CAROL_KEY);
    // MacData ends in its iteration count: INTEGER 10,000 is 02 02 27 10, 100,000 is
    // 02 03 01 86 a0.
    let options = object(&[("iterations", 10_000.into())]);
    let p12 = carol.export_pkcs12("pw", Some(options)).unwrap().to_vec();
    assert_eq!(&p12[p12.len() - 4..], [0x02, 0x02, 0x27, 0x10]);
    let back = wasm::import_pkcs12(&p12, "pw").unwrap();
    assert_eq!(back.certificate().to_vec(), carol.certificate().to_vec());
    for options in [None, Some(JsValue::NULL), Some(object(&[]))] {
        let p12 = carol.export_pkcs12("pw", options).unwrap().to_vec();
        assert_eq!(&p12[p12.len() - 5..], [0x02, 0x03, 0x01, 0x86, 0xa0]);
    }
    for bad in [
        object(&[("iterations", 9_999.into())]),
        object(&[("iterations", 10_000_001.into())]),
        object(&[("iterations", 600_000.5.into())]),
        object(&[("iterations", "600000".into())]),
        object(&[("iterations", f64::NAN.into())]),
        object(&[("iter", 600_000.into())]),
        JsValue::from(600_000),
    ] {
        assert_eq!(
            code(carol.export_pkcs12("pw", Some(bad)).unwrap_err()),
            "ERR_INVALID_ARGUMENT"
        );
    }
}
