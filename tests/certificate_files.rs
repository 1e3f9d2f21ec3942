//! Certificate files (`certificates_in`): `.cer`/`.der`, `.pem` with several blocks, and
//! certs-only `.p7c`/`.p7b` (RFC 8551 §3.6) as OpenSSL writes them, DER, BER and PEM.
#![cfg(not(target_arch = "wasm32"))] // native only: reads fixtures from disk, runs openssl

use smime_wasm::cert::{MAX_CERTIFICATES, MAX_FILE_LEN};
use smime_wasm::{Certificate, certificates_in};

mod common;

use common::openssl::Workdir;
use common::{SplitMix, cert, corpus, fixture};

/// The DER of each certificate `certificates_in` finds, or its error code.
fn ders(bytes: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
    certificates_in(bytes)
        .map(|found| found.iter().map(|c| c.der().to_vec()).collect())
        .map_err(|e| e.code())
}

fn der_of(names: &[&str]) -> Vec<Vec<u8>> {
    names.iter().map(|n| cert(n).der().to_vec()).collect()
}

/// A directory holding the fixture certificates as `<name>.pem`.
fn workdir(tag: &str, names: &[&str]) -> Workdir {
    let dir = Workdir::new(tag);
    for name in names {
        dir.write(&format!("{name}.pem"), fixture(&format!("{name}.cert.pem")));
    }
    dir
}

/// `openssl crl2pkcs7 -nocrl -certfile a.pem -certfile b.pem`, as a CA hands out its chain.
fn crl2pkcs7(dir: &Workdir, names: &[&str], outform: &str) -> Vec<u8> {
    let files: Vec<String> = names.iter().map(|n| format!("{n}.pem")).collect();
    let mut args = vec![
        "crl2pkcs7",
        "-nocrl",
        "-outform",
        outform,
        "-out",
        "out.p7c",
    ];
    for file in &files {
        args.extend(["-certfile", file.as_str()]);
    }
    dir.openssl_ok(&args);
    dir.read("out.p7c")
}

#[test]
fn openssl_certs_only_der_and_pem_in_file_order() {
    let dir = workdir("p7c", &["alice", "bob", "demo-ca"]);
    for order in [["alice", "bob"], ["bob", "alice"]] {
        let der = crl2pkcs7(&dir, &order, "DER");
        assert_eq!(ders(&der), Ok(der_of(&order)), "DER {order:?}");
        let pem = crl2pkcs7(&dir, &order, "PEM");
        assert!(pem.starts_with(b"-----BEGIN PKCS7-----"));
        assert_eq!(ders(&pem), Ok(der_of(&order)), "PEM {order:?}");
    }
    // The chain a CA hands out, and the same certificate twice (read once).
    let chain = crl2pkcs7(&dir, &["alice", "demo-ca", "alice"], "DER");
    assert_eq!(ders(&chain), Ok(der_of(&["alice", "demo-ca"])));
}

/// A signed message's SignedData as OpenSSL streams it (indefinite-length BER), and as
/// `openssl smime -pk7out` writes it (PEM): its certificates are the signer's and the chain's.
#[test]
fn certificates_of_a_ber_signed_message() {
    let dir = workdir("p7s", &["alice", "demo-ca"]);
    dir.write("alice.key", fixture("alice.key.pem"));
    dir.write("mail.txt", "hello\r\n");
    dir.openssl_ok(&[
        "cms",
        "-sign",
        "-nodetach",
        "-stream",
        "-binary",
        "-in",
        "mail.txt",
        "-signer",
        "alice.pem",
        "-inkey",
        "alice.key",
        "-certfile",
        "demo-ca.pem",
        "-outform",
        "DER",
        "-out",
        "signed.p7m",
    ]);
    let ber = dir.read("signed.p7m");
    assert_eq!(
        &ber[..2],
        &[0x30, 0x80],
        "OpenSSL streams indefinite lengths"
    );
    // `openssl cms` writes `certificates` as a DER SET OF, sorted; the file's order is kept.
    let mut expected = der_of(&["alice", "demo-ca"]);
    expected.sort();
    assert_eq!(ders(&ber), Ok(expected.clone()));

    dir.openssl_ok(&[
        "cms",
        "-cmsout",
        "-inform",
        "DER",
        "-in",
        "signed.p7m",
        "-outform",
        "PEM",
        "-out",
        "signed.pem",
    ]);
    let pem = dir.read("signed.pem");
    assert!(pem.starts_with(b"-----BEGIN CMS-----"));
    assert_eq!(ders(&pem), Ok(expected));
}

#[test]
fn pem_with_several_blocks_and_text_between_them() {
    let dir = workdir("pem", &["bob"]);
    // OpenSSL's trust settings follow the certificate inside a TRUSTED CERTIFICATE block.
    dir.openssl_ok(&[
        "x509",
        "-in",
        "bob.pem",
        "-trustout",
        "-addtrust",
        "emailProtection",
        "-out",
        "trusted.pem",
    ]);
    let trusted = String::from_utf8(dir.read("trusted.pem")).unwrap();
    assert!(trusted.contains("-----BEGIN TRUSTED CERTIFICATE-----"));
    let text = |name: &str| String::from_utf8(fixture(name)).unwrap();
    let x509_label = text("carol.cert.pem").replace("CERTIFICATE-----", "X509 CERTIFICATE-----");
    let bundle = format!(
        "Bag Attributes\n    friendlyName: alice\nsubject=CN = alice\n{}\n{}{trusted}{x509_label}\
         {}comment between blocks\n{}",
        text("alice.cert.pem"),
        text("alice.key.pem"),
        text("demo-ca.cert.pem"),
        text("alice.cert.pem"),
    );
    assert_eq!(
        ders(bundle.as_bytes()),
        Ok(der_of(&["alice", "bob", "carol", "demo-ca"]))
    );
    // CRLF line ends and 76-column lines (base64 as MIME tools wrap it).
    let crlf = bundle.replace('\n', "\r\n");
    assert_eq!(ders(crlf.as_bytes()).map(|d| d.len()), Ok(4));
    let der = cert("alice").der().to_vec();
    let body = <base64ct::Base64 as base64ct::Encoding>::encode_string(&der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(76)
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    let wide = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    );
    assert_eq!(ders(wide.as_bytes()), Ok(vec![der]));
}

/// The checked-in `.p7c` of `tests/fixtures/make.sh` (the binding's and the shell's tests use it).
#[test]
fn fixture_p7c_holds_dave_then_frank() {
    assert_eq!(
        ders(&fixture("dave-frank.p7c")),
        Ok(der_of(&["dave", "frank"]))
    );
}

#[test]
fn one_der_certificate() {
    assert_eq!(ders(&fixture("carol.cert.der")), Ok(der_of(&["carol"])));
    let first = Certificate::from_pem_or_der(&fixture("carol.cert.der")).unwrap();
    assert_eq!(first, cert("carol"));
}

/// RFC 4134 §4.11: a certs-only SignedData with Alice's and Carl's (DSA) certificates and a CRL.
#[test]
fn rfc4134_certs_only_message() {
    let found = certificates_in(&corpus("rfc4134/4.11.bin")).expect("4.11.bin");
    assert_eq!(found.len(), 2);
    let carl = Certificate::from_pem_or_der(&corpus("rfc4134/CarlDSSSelf.cer")).unwrap();
    assert!(found.contains(&carl));
}

/// Every `.cer`/`.crt` of the corpus is one certificate; no corpus file, whatever it holds,
/// makes the reader panic.
#[test]
fn corpus_certificate_files() {
    let mut certificates = 0;
    for path in common::all_corpus_files() {
        let name = path.to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| certificates_in(&bytes))
            .unwrap_or_else(|_| panic!("{name}: panicked"));
        if name.ends_with(".cer") || name.ends_with(".crt") {
            let found = result.unwrap_or_else(|e| panic!("{name}: {}", e.code()));
            assert_eq!(found.len(), 1, "{name}");
            certificates += 1;
        }
    }
    assert!(certificates >= 10, "{certificates} .cer/.crt files");
}

#[test]
fn files_without_a_certificate_say_so() {
    let enveloped = corpus("rfc4134/5.1.bin");
    let cases: &[(&str, &[u8])] = &[
        ("empty", b""),
        ("text", b"not a certificate"),
        ("PEM private key only", &fixture("alice.key.pem")),
        ("DER private key", &fixture("carol.key.der")),
        ("encrypted private key", &fixture("alice.key.enc.pem")),
        (
            "a PEM CRL-like block",
            b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n",
        ),
        ("unterminated block", b"-----BEGIN CERTIFICATE-----\nMIIB\n"),
        (
            "bad base64",
            b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        ),
        ("enveloped-data", &enveloped),
        ("not a SEQUENCE", b"\x02\x01\x01"),
        ("empty SEQUENCE", b"\x30\x00"),
    ];
    for (what, bytes) in cases {
        assert_eq!(ders(bytes), Err("ERR_MALFORMED_CERTIFICATE"), "{what}");
    }
}

#[test]
fn bounded_in_size_and_count() {
    let alice = String::from_utf8(fixture("alice.cert.pem")).unwrap();
    assert_eq!(
        ders(alice.repeat(MAX_CERTIFICATES).as_bytes()).map(|d| d.len()),
        Ok(1)
    );
    assert_eq!(
        ders(alice.repeat(MAX_CERTIFICATES + 1).as_bytes()),
        Err("ERR_TOO_LARGE")
    );
    assert_eq!(ders(&vec![0x30; MAX_FILE_LEN + 1]), Err("ERR_TOO_LARGE"));
    // BER nesting deeper than the reader allows: an error, not a stack overflow.
    let mut deep = vec![0x30, 0x80, 0x06, 0x09];
    deep.extend([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);
    deep.extend(std::iter::repeat_n([0xa0, 0x80], 10_000).flatten());
    assert_eq!(ders(&deep), Err("ERR_MALFORMED_CERTIFICATE"));
}

/// Truncated and bit-flipped `.p7c` files end in a code, never a panic; a truncated one never
/// yields a certificate.
#[test]
fn truncations_and_bit_flips() {
    let dir = workdir("flip", &["alice", "bob"]);
    for outform in ["DER", "PEM"] {
        let p7c = crl2pkcs7(&dir, &["alice", "bob"], outform);
        // PEM: cutting off only the final newline leaves a complete block.
        let cuts = if outform == "DER" {
            0..p7c.len()
        } else {
            0..p7c.len() - 1
        };
        for len in cuts {
            let result = std::panic::catch_unwind(|| ders(&p7c[..len]))
                .unwrap_or_else(|_| panic!("{outform}: panicked at {len} bytes"));
            assert!(
                matches!(result, Err(code) if code.starts_with("ERR_")),
                "{outform} cut at {len}: {result:?}"
            );
        }
        let mut stream = SplitMix(0xC3C0_0001);
        for _ in 0..2000 {
            let mut flipped = p7c.clone();
            let at = stream.below(flipped.len());
            flipped[at] ^= 1 << stream.below(8);
            match std::panic::catch_unwind(|| ders(&flipped)) {
                Ok(Ok(found)) => assert!(!found.is_empty() && found.len() <= 2),
                Ok(Err(code)) => assert!(code.starts_with("ERR_")),
                Err(_) => panic!("{outform}: panicked with byte {at} flipped"),
            }
        }
    }
}
