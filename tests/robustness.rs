//! Hostile and broken input: every case ends in a report or an error code, never a panic
//! (a panic would kill the wasm instance).
#![cfg(not(target_arch = "wasm32"))] // native only: reads fixtures from disk

use smime_wasm::{Layer, SignOptions, SignatureFormat, open, sign};

mod common;

use common::{NOW, demo_trust as trust, signer};

const MAIL: &[u8] =
    b"From: carol@example.org\r\nTo: bob@example.org\r\nSubject: s\r\n\r\nbody line\r\n";

fn signed(format: SignatureFormat) -> Vec<u8> {
    sign(
        MAIL,
        &signer("carol"),
        &SignOptions {
            format,
            ..SignOptions::default()
        },
        NOW,
    )
    .unwrap()
}

/// xorshift64*: a fixed, dependency-free stream for reproducible bit flips.
struct Stream(u64);
impl Stream {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Whatever `open` says, it must say it with a report or a code.
fn open_never_panics(input: &[u8]) -> Result<Vec<Layer>, &'static str> {
    match std::panic::catch_unwind(|| open(input, &[], &trust(), NOW, &mut common::rng())) {
        Ok(Ok(opened)) => Ok(opened.layers),
        Ok(Err(e)) => {
            assert!(e.code().starts_with("ERR_"));
            Err(e.code())
        }
        Err(_) => panic!("open panicked on {} bytes", input.len()),
    }
}

fn valid_layer_count(layers: &[Layer]) -> usize {
    layers.iter().filter(|l| l.is_valid()).count()
}

#[test]
fn every_truncation_of_a_signed_message() {
    for format in [SignatureFormat::Detached, SignatureFormat::Opaque] {
        let message = signed(format);
        let mut valid = 0;
        for len in 0..message.len() {
            if let Ok(layers) = open_never_panics(&message[..len]) {
                valid += valid_layer_count(&layers);
            }
        }
        // Only cuts inside the trailing line breaks/base64 padding can still verify.
        assert!(valid < 8, "{format:?}: {valid} truncations verified");
    }
}

#[test]
fn random_bit_flips_never_verify_the_changed_content() {
    let mut stream = Stream(0x5EED_1234_ABCD_0001);
    for format in [SignatureFormat::Detached, SignatureFormat::Opaque] {
        let message = signed(format);
        for _ in 0..1500 {
            let mut flipped = message.clone();
            let at = (stream.next() % flipped.len() as u64) as usize;
            flipped[at] ^= 1 << (stream.next() % 8);
            if let Ok(layers) = open_never_panics(&flipped) {
                // A flip may land in ignorable bytes (header case, base64 whitespace), but the
                // content a valid layer vouches for must then be the original content.
                if valid_layer_count(&layers) > 0 {
                    let opened = open(&flipped, &[], &trust(), NOW, &mut common::rng()).unwrap();
                    let original = open(&message, &[], &trust(), NOW, &mut common::rng()).unwrap();
                    assert_eq!(
                        opened.content, original.content,
                        "flip at {at} verified changed content"
                    );
                }
            }
        }
    }
}

#[test]
fn garbage_of_every_shape_gets_a_code() {
    let mut stream = Stream(42);
    let random: Vec<u8> = (0..4 * 1024 * 1024).map(|_| stream.next() as u8).collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "ERR_MALFORMED_MIME"),
        ("random megabytes", random, "ERR_MALFORMED_MIME"),
        ("not MIME", b"\x00\x01\x02 hello".to_vec(), "ERR_MALFORMED_MIME"),
        (
            "pkcs7-mime with a non-CMS body",
            b"Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n".to_vec(),
            "ERR_MALFORMED_CMS",
        ),
        (
            "pkcs7-mime holding id-data",
            b"Content-Type: application/pkcs7-mime\r\nContent-Transfer-Encoding: base64\r\n\r\nMBAGCSqGSIb3DQEHAaADBAFh\r\n".to_vec(),
            "ERR_UNSUPPORTED_ALGORITHM",
        ),
        (
            "multipart/signed without its closing boundary",
            b"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=b\r\n\r\n--b\r\nx\r\n--b\r\n".to_vec(),
            "ERR_MALFORMED_MIME",
        ),
        (
            "multipart/signed with one part",
            b"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=b\r\n\r\n--b\r\nx\r\n--b--\r\n".to_vec(),
            "ERR_MALFORMED_MIME",
        ),
        ("a million header fields", b"A: b\r\n".repeat(1_000_000), "ERR_TOO_LARGE"),
    ];
    for (name, input, code) in cases {
        match open_never_panics(&input) {
            Ok(layers) => assert!(code.is_empty() && layers.is_empty(), "{name}: opened"),
            Err(got) => assert_eq!(got, code, "{name}"),
        }
    }
}

#[test]
fn deeply_nested_ber_is_refused() {
    let mut der = Vec::new();
    for _ in 0..100_000 {
        der.extend_from_slice(&[0x30, 0x80]);
    }
    let body = {
        use base64ct::Encoding;
        base64ct::Base64::encode_string(&der)
    };
    let message = format!(
        "Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n"
    );
    assert_eq!(
        open_never_panics(message.as_bytes()).unwrap_err(),
        "ERR_MALFORMED_CMS"
    );
}

#[test]
fn hundred_nested_signature_layers_stop_at_the_bound() {
    // A real signature part reused at every level: each layer parses (and fails to verify).
    let detached = String::from_utf8(signed(SignatureFormat::Detached)).unwrap();
    let p7s_start = detached
        .find("Content-Type: application/pkcs7-signature")
        .unwrap();
    let p7s_end = detached.rfind("\r\n--").unwrap();
    let p7s = &detached[p7s_start..p7s_end];
    let mut entity = String::from("Content-Type: text/plain\r\n\r\ninnermost\r\n");
    for depth in 0..100 {
        entity = format!(
            "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"b{depth}\"\r\n\r\n--b{depth}\r\n{entity}\r\n--b{depth}\r\n{p7s}\r\n--b{depth}--\r\n"
        );
    }
    assert_eq!(
        open_never_panics(entity.as_bytes()).unwrap_err(),
        "ERR_NESTING_TOO_DEEP"
    );
    // Sign refuses to canonicalise a 100-deep multipart as well.
    let mut nested = String::from("Content-Type: text/plain\r\n\r\nx\r\n");
    for depth in 0..100 {
        nested = format!(
            "Content-Type: multipart/mixed; boundary=\"m{depth}\"\r\n\r\n--m{depth}\r\n{nested}\r\n--m{depth}--\r\n"
        );
    }
    let message = format!("From: carol@example.org\r\n{nested}");
    let err = sign(
        message.as_bytes(),
        &signer("carol"),
        &SignOptions::default(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(err.code(), "ERR_NESTING_TOO_DEEP");
}

#[test]
fn nested_opaque_signatures_are_reported_layer_by_layer() {
    let inner = sign(
        MAIL,
        &signer("carol"),
        &SignOptions {
            format: SignatureFormat::Opaque,
            ..SignOptions::default()
        },
        NOW,
    )
    .unwrap();
    let outer = sign(&inner, &signer("alice"), &SignOptions::default(), NOW).unwrap();
    let opened = open(&outer, &[], &trust(), NOW, &mut common::rng()).unwrap();
    assert_eq!(opened.layers.len(), 2);
    assert!(opened.layers.iter().all(Layer::is_valid));
    let emails: Vec<String> = opened
        .layers
        .iter()
        .map(|l| match l {
            Layer::Signed { signers, .. } => {
                signers[0].certificate.as_ref().unwrap().emails[0].clone()
            }
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(emails, ["alice@example.org", "carol@example.org"]);
    assert!(opened.content.ends_with(b"body line\r\n"));
}

#[test]
fn embedded_part_fan_out_is_bounded() {
    // A thousand signed parts in one multipart/mixed, each two multiparts deep: only a bounded
    // number is opened (32), and a part nested deeper than the search bound is not opened.
    let detached = String::from_utf8(signed(SignatureFormat::Detached)).unwrap();
    let entity = detached
        .split_once("MIME-Version: 1.0\r\n")
        .map(|(_, rest)| rest.to_owned())
        .unwrap();
    let mut leaf = entity;
    for depth in 0..2 {
        leaf = format!(
            "Content-Type: multipart/mixed; boundary=\"d{depth}\"\r\n\r\n--d{depth}\r\n{leaf}\r\n--d{depth}--\r\n"
        );
    }
    let mut body = String::from(
        "From: carol@example.org\r\nContent-Type: multipart/mixed; boundary=\"top\"\r\n\r\n",
    );
    for _ in 0..1000 {
        body.push_str("--top\r\n");
        body.push_str(&leaf);
        body.push_str("\r\n");
    }
    body.push_str("--top--\r\n");
    let opened = open(body.as_bytes(), &[], &trust(), NOW, &mut common::rng()).unwrap();
    assert!(opened.layers.is_empty());
    assert_eq!(opened.parts.len(), 32);
    assert_eq!(opened.parts[0].path, [1, 1, 1]);
    assert!(
        opened
            .parts
            .iter()
            .all(|p| p.result.as_ref().is_ok_and(|o| o.layers.len() == 1))
    );
    let mut deep = leaf;
    for depth in 2..6 {
        deep = format!(
            "Content-Type: multipart/mixed; boundary=\"d{depth}\"\r\n\r\n--d{depth}\r\n{deep}\r\n--d{depth}--\r\n"
        );
    }
    let opened = open(
        format!("From: carol@example.org\r\n{deep}").as_bytes(),
        &[],
        &trust(),
        NOW,
        &mut common::rng(),
    )
    .unwrap();
    assert!(opened.parts.is_empty());
}
