//! Hostile and broken input: every case ends in a report or an error code, never a panic
//! (a panic would kill the wasm instance).
#![cfg(not(target_arch = "wasm32"))] // native only: reads fixtures from disk

use smime_wasm::{
    Layer, MessageView, SignOptions, SignatureFormat, message_headers, open, read_message, sign,
};

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

// ---- Reading for display ---------------------------------------------------------------------

/// A message with most of what a reader meets: alternative text and HTML, a related image, an
/// RFC 2231 file name, a forwarded message, quoted-printable and base64.
const RICH: &[u8] = b"From: =?UTF-8?Q?J=C3=B6rg?= <joerg@example.org>\r\n\
To: bob@example.org\r\n\
Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=\r\n\
Date: Mon, 26 Jan 2026 15:38:03 +0100\r\n\
Message-ID: <rich@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
\r\n\
--outer\r\n\
Content-Type: multipart/alternative; boundary=\"alt\"\r\n\
\r\n\
--alt\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Caf=C3=A9 with a soft =\r\n\
break.\r\n\
--alt\r\n\
Content-Type: multipart/related; boundary=\"rel\"\r\n\
\r\n\
--rel\r\n\
Content-Type: text/html; charset=windows-1252\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
<p>=80 <img src=3D\"cid:dot@example.org\"></p>\r\n\
--rel\r\n\
Content-Type: image/png\r\n\
Content-ID: <dot@example.org>\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n\
--rel--\r\n\
--alt--\r\n\
--outer\r\n\
Content-Type: application/pdf\r\n\
Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjcKJcK1wrYK\r\n\
--outer\r\n\
Content-Type: message/rfc822\r\n\
\r\n\
From: carol@example.org\r\n\
Subject: inner\r\n\
\r\n\
forwarded\r\n\
--outer--\r\n";

/// Whatever `read_message` says, it says it with a view or a code, agrees with
/// `message_headers`, and never returns more attachment bytes than it was given.
fn read_never_panics(input: &[u8]) -> Result<MessageView, &'static str> {
    let outcome = std::panic::catch_unwind(|| (read_message(input), message_headers(input)));
    match outcome {
        Ok((Ok(view), Ok(headers))) => {
            assert_eq!(view.headers, headers.headers);
            assert_eq!(view.protection, headers.protection);
            let data: usize = view.attachments.iter().map(|a| a.data.len()).sum();
            assert!(
                data <= input.len(),
                "{data} attachment bytes from {}",
                input.len()
            );
            assert!(view.attachments.len() < 256);
            Ok(view)
        }
        Ok((Err(a), Err(b))) => {
            assert_eq!(a.code(), b.code());
            assert!(a.code().starts_with("ERR_"));
            Err(a.code())
        }
        Ok((read, headers)) => panic!(
            "read_message and message_headers disagree on {} bytes: {:?} / {:?}",
            input.len(),
            read.map(|_| ()),
            headers.map(|_| ())
        ),
        Err(_) => panic!("read_message panicked on {} bytes", input.len()),
    }
}

#[test]
fn rich_sample_reads_completely() {
    let view = read_never_panics(RICH).unwrap();
    assert_eq!(view.headers.subject.as_deref(), Some("Grüße"));
    assert_eq!(view.text.as_deref(), Some("Café with a soft break."));
    assert_eq!(
        view.html.as_deref(),
        Some("<p>€ <img src=\"cid:dot@example.org\"></p>")
    );
    let summary: Vec<(&str, Option<&str>, bool)> = view
        .attachments
        .iter()
        .map(|a| (a.content_type.as_str(), a.filename.as_deref(), a.inline))
        .collect();
    assert_eq!(
        summary,
        [
            ("image/png", None, true),
            ("application/pdf", Some("résumé.pdf"), false),
            ("message/rfc822", None, false),
        ]
    );
}

#[test]
fn every_truncation_of_a_multipart_message_reads_or_gets_a_code() {
    let mut read = 0;
    for len in 0..=RICH.len() {
        if read_never_panics(&RICH[..len]).is_ok() {
            read += 1;
        }
    }
    // Only cuts inside the first line (no field yet, or no colon) fail.
    assert!(
        read > RICH.len() - 80,
        "{read} of {} truncations read",
        RICH.len()
    );
}

#[test]
fn random_bit_flips_in_a_multipart_message() {
    let mut stream = Stream(0x5EED_D15B_1A70_0002);
    for _ in 0..3000 {
        let mut flipped = RICH.to_vec();
        for _ in 0..1 + stream.next() % 4 {
            let at = (stream.next() % flipped.len() as u64) as usize;
            flipped[at] ^= 1 << (stream.next() % 8);
        }
        let _ = read_never_panics(&flipped);
    }
}

#[test]
fn ten_thousand_parts_stop_at_the_bound() {
    let mut message =
        String::from("Subject: many\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n");
    for i in 0..10_000 {
        message.push_str(&format!(
            "--x\r\nContent-Type: application/octet-stream\r\n\r\n{i}\r\n"
        ));
    }
    message.push_str("--x--\r\n");
    let view = read_never_panics(message.as_bytes()).unwrap();
    assert_eq!(view.attachments.len(), 255);
    assert_eq!(view.attachments[0].data, b"0");
    assert_eq!(view.attachments[254].data, b"254");
}

/// `depth` levels of `open` around `inner`, then the matching `close` levels: built in linear
/// time (nesting with `format!` would copy the whole message at every level).
fn nest(
    depth: usize,
    open: impl Fn(usize) -> String,
    inner: &str,
    close: impl Fn(usize) -> String,
) -> String {
    let mut out = String::new();
    for level in 0..depth {
        out.push_str(&open(level));
    }
    out.push_str(inner);
    for level in (0..depth).rev() {
        out.push_str(&close(level));
    }
    out
}

#[test]
fn ten_thousand_deep_nesting_is_read_to_the_bound() {
    let inner = "Content-Type: text/plain\r\n\r\ninnermost\r\n";
    let multiparts = nest(
        10_000,
        |d| format!("Content-Type: multipart/mixed; boundary=\"b{d}\"\r\n\r\n--b{d}\r\n"),
        inner,
        |d| format!("\r\n--b{d}--\r\n"),
    );
    let view = read_never_panics(multiparts.as_bytes()).unwrap();
    assert_eq!(view.text, None);
    assert!(view.attachments.is_empty());

    // mail-parser's own parse builds (and drops) a nested message/rfc822 chain recursively;
    // ours keeps an embedded message as one attachment and never looks inside.
    let messages = nest(
        10_000,
        |d| format!("Subject: level {d}\r\nContent-Type: message/rfc822\r\n\r\n"),
        inner,
        |_| String::new(),
    );
    let view = read_never_panics(messages.as_bytes()).unwrap();
    assert_eq!(view.headers.subject.as_deref(), Some("level 0"));
    assert_eq!(view.attachments.len(), 1);
    assert_eq!(view.attachments[0].content_type, "message/rfc822");

    // The same chain, base64-encoded inside a multipart.
    let encoded = {
        use base64ct::Encoding;
        base64ct::Base64::encode_string(messages.as_bytes())
    };
    let wrapped = format!(
        "Content-Type: multipart/mixed; boundary=w\r\n\r\n--w\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--w--\r\n"
    );
    let view = read_never_panics(wrapped.as_bytes()).unwrap();
    assert_eq!(view.attachments.len(), 1);
    assert_eq!(view.attachments[0].data, messages.as_bytes());
    // Reading the attachment goes one level down, no more.
    let next = read_never_panics(&view.attachments[0].data).unwrap();
    assert_eq!(next.headers.subject.as_deref(), Some("level 0"));
}

#[test]
fn a_one_mebibyte_header_line() {
    let subject = "s".repeat(1024 * 1024);
    let message =
        format!("From: a@example.org\r\nSubject: {subject}\r\nX-Long: {subject}\r\n\r\nbody\r\n");
    let view = read_never_panics(message.as_bytes()).unwrap();
    assert_eq!(view.headers.subject.as_deref(), Some(subject.as_str()));
    assert_eq!(view.text.as_deref(), Some("body\r\n"));
    // The same inside a part, as a Content-Type parameter.
    let part = format!(
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/x-y; name=\"{subject}\"\r\n\r\nz\r\n--b--\r\n"
    );
    let view = read_never_panics(part.as_bytes()).unwrap();
    assert_eq!(
        view.attachments[0].filename.as_deref(),
        Some(subject.as_str())
    );
}

#[test]
fn garbage_is_not_a_message() {
    let mut stream = Stream(7);
    let random: Vec<u8> = (0..4 * 1024 * 1024).map(|_| stream.next() as u8).collect();
    for (name, input, code) in [
        ("empty", Vec::new(), "ERR_MALFORMED_MIME"),
        ("random megabytes", random.clone(), "ERR_MALFORMED_MIME"),
        ("NUL bytes", vec![0; 1000], "ERR_MALFORMED_MIME"),
        (
            "no colon",
            b"hello world\r\n\r\nbody".to_vec(),
            "ERR_MALFORMED_MIME",
        ),
        (
            "a continuation first",
            b" folded: x\r\n\r\nbody".to_vec(),
            "ERR_MALFORMED_MIME",
        ),
        (
            "a million header fields",
            b"A: b\r\n".repeat(1_000_000),
            "ERR_TOO_LARGE",
        ),
    ] {
        assert_eq!(read_never_panics(&input).err(), Some(code), "{name}");
    }
    // Garbage after a header block is a body like any other.
    let mut message = b"Subject: noise\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
    message.extend_from_slice(&random);
    let view = read_never_panics(&message).unwrap();
    assert_eq!(view.headers.subject.as_deref(), Some("noise"));
    assert!(view.text.is_some());
}
