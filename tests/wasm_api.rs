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
