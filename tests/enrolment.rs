//! Key generation, certificate issuance and PKCS#10 requests (issue 4, "Key generation and
//! enrolment"): what `generate_identity` and `create_csr` make is checked field by field, by the
//! OpenSSL 3.0 CLI (`x509 -text`, `verify -purpose`, `req -verify`, `x509 -req`, `cms -verify`,
//! `cms -encrypt`/`-decrypt`), and by using the identities to sign, verify, encrypt and decrypt
//! here. The CLI is required: a missing `openssl` fails these tests rather than skipping them.
#![cfg(not(target_arch = "wasm32"))] // native only: writes files and runs openssl

mod common;

use common::openssl::Workdir;

use common::{NOW, rng, signers};
use der::pem::LineEnding;
use smime_wasm::cert::ChainStatus;
use smime_wasm::mime::{canonicalize, split_outer};
use smime_wasm::{
    Certificate, EncryptOptions, Identity, IdentityRequest, KeyAlgorithm, Layer, PrivateKey,
    SignOptions, SignatureFormat, TrustStore, UnixTime, create_csr, encrypt, generate_identity,
    open, sign, verify,
};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, SubjectKeyIdentifier};

/// `NOW` for `openssl -attime`, so both sides judge validity at the same instant.
const ATTIME: &str = "1893456000";
/// One day before `NOW`: every certificate here starts then, so it is valid at `NOW`.
const NOT_BEFORE: UnixTime = UnixTime::from_secs(1_893_456_000 - 86_400);
/// The algorithms that tests generate routinely; RSA-3072/4096 are in an ignored test (slow in
/// debug builds).
const ALGORITHMS: [KeyAlgorithm; 5] = [
    KeyAlgorithm::Rsa2048,
    KeyAlgorithm::P256,
    KeyAlgorithm::P384,
    KeyAlgorithm::Ed25519,
    KeyAlgorithm::X25519,
];
/// The CA kinds, so that certificates are signed with sha256WithRSAEncryption,
/// ecdsa-with-SHA384 and Ed25519.
const CA_ALGORITHMS: [KeyAlgorithm; 3] = [
    KeyAlgorithm::Rsa2048,
    KeyAlgorithm::P384,
    KeyAlgorithm::Ed25519,
];

// ---- Helpers ---------------------------------------------------------------------------------

fn request(email: &str, name: Option<&str>, is_ca: bool) -> IdentityRequest {
    IdentityRequest {
        email: email.to_owned(),
        name: name.map(str::to_owned),
        valid_days: 365,
        not_before: NOT_BEFORE,
        is_ca,
    }
}

/// A demo CA of the given kind.
fn demo_ca(algorithm: KeyAlgorithm) -> Identity {
    let name = format!("Enrolment Demo CA {}", algorithm.name());
    generate_identity(
        &request("ca@example.org", Some(&name), true),
        algorithm,
        None,
        &mut rng(),
    )
    .unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()))
}

fn leaf(algorithm: KeyAlgorithm, issuer: Option<&Identity>) -> Identity {
    generate_identity(
        &request("alice@example.org", Some("Alice Example"), false),
        algorithm,
        issuer,
        &mut rng(),
    )
    .unwrap_or_else(|e| panic!("{}: {} {e}", algorithm.name(), e.code()))
}

fn cert_pem(cert: &Certificate) -> String {
    der::pem::encode_string("CERTIFICATE", LineEnding::LF, cert.der()).expect("PEM")
}

/// PKCS#8 PEM of a generated key, for the OpenSSL side (the crate has no key export of its
/// own yet; PKCS#12 export is a separate part of issue 4).
fn key_pem(key: &PrivateKey) -> String {
    use pkcs8::EncodePrivateKey;
    let pem = match key {
        PrivateKey::Rsa(k) => k.to_pkcs8_pem(LineEnding::LF),
        PrivateKey::P256(k) => k.to_pkcs8_pem(LineEnding::LF),
        PrivateKey::P384(k) => k.to_pkcs8_pem(LineEnding::LF),
        other => panic!("no PKCS#8 export for {other:?} in these tests"),
    };
    pem.expect("PKCS#8 PEM").to_string()
}

/// The keyUsage names `CertificateInfo` should list for a leaf of this kind.
fn leaf_key_usage(algorithm: KeyAlgorithm) -> Vec<&'static str> {
    match algorithm {
        KeyAlgorithm::Rsa2048 | KeyAlgorithm::Rsa3072 | KeyAlgorithm::Rsa4096 => {
            vec!["digitalSignature", "keyEncipherment"]
        }
        KeyAlgorithm::P256 | KeyAlgorithm::P384 => vec!["digitalSignature", "keyAgreement"],
        KeyAlgorithm::Ed25519 => vec!["digitalSignature"],
        KeyAlgorithm::X25519 => vec!["keyAgreement"],
    }
}

/// How `openssl x509 -text` names the signature algorithm a CA of this kind writes.
fn openssl_signature_name(ca: KeyAlgorithm) -> &'static str {
    match ca {
        KeyAlgorithm::P256 => "ecdsa-with-SHA256",
        KeyAlgorithm::P384 => "ecdsa-with-SHA384",
        KeyAlgorithm::Ed25519 => "ED25519",
        _ => "sha256WithRSAEncryption",
    }
}

/// Field-by-field check of a leaf for alice@example.org; one line per mismatch.
fn check_leaf_info(case: &str, cert: &Certificate, algorithm: KeyAlgorithm) -> Vec<String> {
    let info = cert.info();
    let mut failures = Vec::new();
    let mut expect = |what: &str, ok: bool| {
        if !ok {
            failures.push(format!("{case}: {what}: {info:?}"));
        }
    };
    expect("subject", info.subject == "CN=Alice Example");
    expect("emails", info.emails == ["alice@example.org"]);
    expect("keyUsage", info.key_usage == leaf_key_usage(algorithm));
    expect(
        "extKeyUsage",
        info.extended_key_usage == ["emailProtection"],
    );
    expect("isCa", !info.is_ca);
    expect("keyAlgorithm", info.key_algorithm == algorithm.name());
    expect("notBefore", info.not_before == "2029-12-31T00:00:00Z");
    expect("notAfter", info.not_after == "2030-12-31T00:00:00Z");
    // 16 random octets, top bit clear (positive without a leading zero octet).
    expect(
        "serial",
        info.serial_number.len() == 32 && info.serial_number.as_bytes()[0] < b'8',
    );
    failures
}

fn sample_message() -> Vec<u8> {
    b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: enrolment\r\n\
      Date: Tue, 01 Jan 2030 00:00:00 +0000\r\n\r\n\
      Hello Bob,\r\nthis comes from a freshly generated identity.\r\n"
        .to_vec()
}

/// What an encryption layer protects: the body and content fields, canonical.
fn protected_entity(message: &[u8]) -> Vec<u8> {
    canonicalize(&split_outer(message).expect("split").1).expect("canonical form")
}

fn assert_no_failures(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---- Certificates ----------------------------------------------------------------------------

/// Self-signed identities for every key that can sign: the facts `info()` reports, and OpenSSL
/// parses them and accepts each as its own anchor for S/MIME signing (RSA also for encryption).
#[test]
fn self_signed_identities_are_accepted_by_openssl() {
    let dir = Workdir::new("self-signed");
    let mut failures = Vec::new();
    for algorithm in ALGORITHMS.into_iter().filter(|a| a.can_sign()) {
        let case = format!("self-signed {}", algorithm.name());
        let id = leaf(algorithm, None);
        let cert = id.certificate();
        failures.extend(check_leaf_info(&case, cert, algorithm));
        if cert.info().issuer != cert.info().subject || !id.chain().is_empty() {
            failures.push(format!("{case}: not self-issued or carries a chain"));
        }
        let file = format!("{}.pem", algorithm.name());
        dir.write(&file, cert_pem(cert));
        match dir.openssl_result(&["x509", "-text", "-noout", "-in", &file]) {
            Err(complaint) => failures.push(format!("{case}: {complaint}")),
            Ok(text) => {
                for needle in [
                    "CA:FALSE",
                    "E-mail Protection",
                    "email:alice@example.org",
                    "Subject: CN = Alice Example",
                    "X509v3 Subject Key Identifier",
                ] {
                    if !text.contains(needle) {
                        failures.push(format!("{case}: x509 -text lacks {needle:?}:\n{text}"));
                    }
                }
            }
        }
        let mut purposes = vec!["smimesign"];
        if matches!(algorithm, KeyAlgorithm::Rsa2048) {
            purposes.push("smimeencrypt");
        }
        for purpose in purposes {
            let args = [
                "verify", "-attime", ATTIME, "-CAfile", &file, "-purpose", purpose, &file,
            ];
            if let Err(complaint) = dir.openssl_result(&args) {
                failures.push(format!("{case}: {complaint}"));
            }
        }
    }
    assert_no_failures(&failures);
}

/// Every key kind issued by an RSA, a P-384 and an Ed25519 demo CA: the facts `info()`
/// reports, authorityKeyIdentifier = the CA's subjectKeyIdentifier, the chain, and OpenSSL's
/// and our own path checks at `NOW`.
///
/// OpenSSL's `smimeencrypt` purpose demands keyEncipherment whenever keyUsage is present
/// (`check_purpose_smime_encrypt` in crypto/x509/v3_purp.c), which RFC 5480 §3 and RFC 8410 §5
/// rule out for EC and X25519 keys: those use keyAgreement (RFC 8550 §4.4.2), exactly as the
/// OpenSSL-made fixtures carol, dave and erin do, which OpenSSL refuses in the same way. So
/// `smimeencrypt` is checked for RSA, and the EC and X25519 leaves get OpenSSL's purpose-free
/// path check plus the keyUsage check above; `encryption_*` tests below show they work.
#[test]
fn issued_identities_chain_to_their_ca_in_openssl_and_here() {
    let dir = Workdir::new("issued");
    let mut failures = Vec::new();
    for ca_algorithm in CA_ALGORITHMS {
        let ca = demo_ca(ca_algorithm);
        let ca_info = ca.certificate().info();
        let ca_file = format!("ca-{}.pem", ca_algorithm.name());
        dir.write(&ca_file, cert_pem(ca.certificate()));
        if !ca_info.is_ca
            || ca_info.key_usage != ["digitalSignature", "keyCertSign", "cRLSign"]
            || !ca_info.extended_key_usage.is_empty()
            || ca_info.emails != ["ca@example.org"]
        {
            failures.push(format!("CA {}: {ca_info:?}", ca_algorithm.name()));
        }
        let ca_ski = ca
            .certificate()
            .x509()
            .tbs_certificate()
            .get_extension::<SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .map(|(_, ski)| ski.0);
        let trust = TrustStore::new(vec![ca.certificate().clone()], Vec::new());

        for algorithm in ALGORITHMS {
            let case = format!("{} issued by {}", algorithm.name(), ca_algorithm.name());
            let id = leaf(algorithm, Some(&ca));
            let cert = id.certificate();
            failures.extend(check_leaf_info(&case, cert, algorithm));
            if cert.info().issuer != ca_info.subject {
                failures.push(format!("{case}: issuer {}", cert.info().issuer));
            }
            if id.chain() != [ca.certificate().clone()] {
                failures.push(format!("{case}: chain is not [CA]"));
            }
            let aki = cert
                .x509()
                .tbs_certificate()
                .get_extension::<AuthorityKeyIdentifier>()
                .ok()
                .flatten()
                .and_then(|(_, aki)| aki.key_identifier);
            if aki.is_none() || aki != ca_ski {
                failures.push(format!(
                    "{case}: AKI {aki:?} is not the CA's SKI {ca_ski:?}"
                ));
            }
            let status = trust.check(cert, &[], NOW);
            if status != ChainStatus::Trusted {
                failures.push(format!("{case}: our chain check says {status:?}"));
            }

            let file = format!("{}-by-{}.pem", algorithm.name(), ca_algorithm.name());
            dir.write(&file, cert_pem(cert));
            match dir.openssl_result(&["x509", "-text", "-noout", "-in", &file]) {
                Err(complaint) => failures.push(format!("{case}: {complaint}")),
                Ok(text) => {
                    let signature = openssl_signature_name(ca_algorithm);
                    for needle in [
                        signature,
                        "X509v3 Authority Key Identifier",
                        "email:alice@example.org",
                    ] {
                        if !text.contains(needle) {
                            failures.push(format!("{case}: x509 -text lacks {needle:?}"));
                        }
                    }
                }
            }
            // What OpenSSL can judge (see above); keyAgreement-only encryption keys get the
            // path check without a purpose.
            let purposes: &[Option<&str>] = match algorithm {
                KeyAlgorithm::Rsa2048 => &[Some("smimesign"), Some("smimeencrypt")],
                KeyAlgorithm::P256 | KeyAlgorithm::P384 => &[Some("smimesign"), None],
                KeyAlgorithm::Ed25519 => &[Some("smimesign")],
                _ => &[None],
            };
            for purpose in purposes {
                let mut args = vec!["verify", "-attime", ATTIME, "-CAfile", &ca_file];
                if let Some(purpose) = purpose {
                    args.extend(["-purpose", purpose]);
                }
                args.push(&file);
                if let Err(complaint) = dir.openssl_result(&args) {
                    failures.push(format!("{case}: {complaint}"));
                }
            }
        }
    }
    assert_no_failures(&failures);
}

/// Validity comes from the request alone (no clock): a certificate starting in December 2049
/// ends in 2050, so notAfter is a GeneralizedTime (RFC 5280 §4.1.2.5) that OpenSSL reads, and
/// both sides call it not yet valid before its start.
#[test]
fn validity_is_the_requested_window() {
    let not_before = UnixTime::from_secs(2_522_880_000); // 2049-12-12T00:00:00Z
    let mut req = request("alice@example.org", None, false);
    req.not_before = not_before;
    req.valid_days = 30;
    let id = generate_identity(&req, KeyAlgorithm::P256, None, &mut rng()).expect("identity");
    let info = id.certificate().info();
    assert_eq!(info.not_before, "2049-12-12T00:00:00Z");
    assert_eq!(info.not_after, "2050-01-11T00:00:00Z");
    assert_eq!(
        info.subject, "CN=alice@example.org",
        "the address stands in for a name"
    );

    let dir = Workdir::new("validity");
    dir.write("cert.pem", cert_pem(id.certificate()));
    let dates = dir
        .openssl_result(&["x509", "-noout", "-dates", "-in", "cert.pem"])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        dates.contains("notBefore=Dec 12 00:00:00 2049 GMT")
            && dates.contains("notAfter=Jan 11 00:00:00 2050 GMT"),
        "{dates}"
    );
    let before = (not_before.as_secs() - 1).to_string();
    let early = dir.openssl_result(&[
        "verify", "-attime", &before, "-CAfile", "cert.pem", "cert.pem",
    ]);
    assert!(
        early.as_ref().is_err_and(|e| e.contains("not yet valid")),
        "{early:?}"
    );
    let trust = TrustStore::new(vec![id.certificate().clone()], Vec::new());
    let inside = UnixTime::from_secs(not_before.as_secs() + 86_400);
    assert_eq!(
        trust.check(id.certificate(), &[], inside),
        ChainStatus::Trusted
    );
    assert!(matches!(
        trust.check(
            id.certificate(),
            &[],
            UnixTime::from_secs(not_before.as_secs() - 1)
        ),
        ChainStatus::Untrusted(_)
    ));
}

/// Two identities never share a serial number or a key.
#[test]
fn serial_numbers_and_keys_are_fresh() {
    let a = leaf(KeyAlgorithm::Ed25519, None);
    let b = leaf(KeyAlgorithm::Ed25519, None);
    assert_ne!(
        a.certificate().info().serial_number,
        b.certificate().info().serial_number
    );
    assert_ne!(a.key().public_key(), b.key().public_key());
}

/// An X25519 key cannot sign: not its own certificate, not as a CA, not a request.
#[test]
fn x25519_keys_cannot_sign_certificates_or_requests() {
    let self_signed = generate_identity(
        &request("erin@example.org", None, false),
        KeyAlgorithm::X25519,
        None,
        &mut rng(),
    );
    assert_eq!(
        self_signed.map(|_| ()).unwrap_err().code(),
        "ERR_INVALID_ARGUMENT"
    );
    let ca = demo_ca(KeyAlgorithm::P256);
    let x25519_ca = generate_identity(
        &request("ca@example.org", None, true),
        KeyAlgorithm::X25519,
        Some(&ca),
        &mut rng(),
    );
    assert_eq!(
        x25519_ca.map(|_| ()).unwrap_err().code(),
        "ERR_INVALID_ARGUMENT"
    );
    let erin = leaf(KeyAlgorithm::X25519, Some(&ca));
    assert_eq!(
        create_csr(&erin).unwrap_err().code(),
        "ERR_INVALID_ARGUMENT"
    );
}

/// Only a CA issues: an end-entity identity (generated or the fixture Alice) is refused.
#[test]
fn only_a_ca_can_issue() {
    let not_ca = leaf(KeyAlgorithm::P256, None);
    let alice = common::signer("alice");
    for issuer in [&not_ca, &alice] {
        let issued = generate_identity(
            &request("bob@example.org", None, false),
            KeyAlgorithm::P256,
            Some(issuer),
            &mut rng(),
        );
        assert_eq!(
            issued.map(|_| ()).unwrap_err().code(),
            "ERR_INVALID_ARGUMENT"
        );
    }
    // The demo CA of the fixtures can issue (it is a CA), and its chain holds here.
    let demo = common::signer("demo-ca");
    let issued = leaf(KeyAlgorithm::P256, Some(&demo));
    assert_eq!(
        common::demo_trust().check(issued.certificate(), &[], NOW),
        ChainStatus::Trusted
    );
}

// ---- Requests --------------------------------------------------------------------------------

/// `openssl req -verify` accepts the request of every signing key kind, and shows the subject,
/// the address and the requested usages.
#[test]
fn csr_is_accepted_by_openssl() {
    let dir = Workdir::new("csr");
    let mut failures = Vec::new();
    for algorithm in ALGORITHMS.into_iter().filter(|a| a.can_sign()) {
        let case = format!("CSR {}", algorithm.name());
        let id = leaf(algorithm, None);
        let csr = match create_csr(&id) {
            Ok(csr) => csr,
            Err(e) => {
                failures.push(format!("{case}: {} {e}", e.code()));
                continue;
            }
        };
        if !csr.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n") {
            failures.push(format!("{case}: not a PEM request: {csr}"));
        }
        let file = format!("{}.csr", algorithm.name());
        dir.write(&file, &csr);
        if let Err(complaint) = dir.openssl_result(&["req", "-verify", "-noout", "-in", &file]) {
            failures.push(format!("{case}: {complaint}"));
        }
        match dir.openssl_result(&["req", "-text", "-noout", "-in", &file]) {
            Err(complaint) => failures.push(format!("{case}: {complaint}")),
            Ok(text) => {
                let usage = match algorithm {
                    KeyAlgorithm::Rsa2048 => "Digital Signature, Key Encipherment",
                    KeyAlgorithm::Ed25519 => "Digital Signature",
                    _ => "Digital Signature, Key Agreement",
                };
                for needle in [
                    "Subject: CN = Alice Example",
                    "Requested Extensions:",
                    "email:alice@example.org",
                    "E-mail Protection",
                    usage,
                ] {
                    if !text.contains(needle) {
                        failures.push(format!("{case}: req -text lacks {needle:?}:\n{text}"));
                    }
                }
            }
        }
    }
    assert_no_failures(&failures);
}

/// A CA takes the request: `openssl x509 -req -copy_extensions copy` issues a certificate from
/// it (signed by our generated RSA demo CA), and that certificate, with the key that made the
/// request, is a working identity whose signature chains to the CA.
#[test]
fn openssl_issues_a_certificate_from_our_request() {
    let dir = Workdir::new("csr-issue");
    let ca = demo_ca(KeyAlgorithm::Rsa2048);
    dir.write("ca.pem", cert_pem(ca.certificate()));
    dir.write("ca.key", key_pem(ca.key()));
    let requester = leaf(KeyAlgorithm::P256, None);
    dir.write("req.csr", create_csr(&requester).expect("CSR"));
    // -days from the real clock: wide enough to cover NOW (2030) from any plausible today.
    dir.openssl_result(&[
        "x509",
        "-req",
        "-in",
        "req.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-copy_extensions",
        "copy",
        "-days",
        "7300",
        "-out",
        "issued.pem",
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let issued = Certificate::from_pem(&String::from_utf8(dir.read("issued.pem")).expect("PEM"))
        .expect("OpenSSL's certificate");
    let info = issued.info();
    assert_eq!(info.emails, ["alice@example.org"]);
    assert_eq!(info.extended_key_usage, ["emailProtection"]);
    assert_eq!(info.key_usage, ["digitalSignature", "keyAgreement"]);
    let key = PrivateKey::from_pem(&key_pem(requester.key()), None).expect("key");
    let id = Identity::new(issued, key, vec![ca.certificate().clone()]).expect("same key");
    let signed = sign(&sample_message(), &id, &SignOptions::default(), NOW).expect("sign");
    let trust = TrustStore::new(vec![ca.certificate().clone()], Vec::new());
    let opened = verify(&signed, &trust, NOW).expect("verify");
    let reports = signers(&opened);
    assert!(
        reports.len() == 1
            && reports[0].signature.is_ok()
            && reports[0].chain == ChainStatus::Trusted,
        "{}",
        common::describe(&opened)
    );
}

// ---- Using the identities --------------------------------------------------------------------

/// Mail signed with generated identities (issued by each kind of demo CA) verifies in
/// `openssl cms -verify -purpose smimesign` against the generated CA, and here: signature
/// valid, chain trusted, From matching the certificate.
///
/// OpenSSL 3.0 cannot verify Ed25519 SignedData at all ("eddsa_digest_signverify_init: invalid
/// digest", see tests/openssl_interop.rs), so Ed25519 signers are checked here only; Ed25519
/// *certificate* signatures (the Ed25519 CA) are checked by OpenSSL all the same.
#[test]
fn mail_signed_with_generated_identities_verifies_in_openssl_and_here() {
    let dir = Workdir::new("sign");
    let mut failures = Vec::new();
    for ca_algorithm in CA_ALGORITHMS {
        let ca = demo_ca(ca_algorithm);
        let ca_file = format!("ca-{}.pem", ca_algorithm.name());
        dir.write(&ca_file, cert_pem(ca.certificate()));
        let trust = TrustStore::new(vec![ca.certificate().clone()], Vec::new());
        for algorithm in ALGORITHMS.into_iter().filter(|a| a.can_sign()) {
            for format in [SignatureFormat::Detached, SignatureFormat::Opaque] {
                let case = format!(
                    "{} by {} {}",
                    algorithm.name(),
                    ca_algorithm.name(),
                    format.name()
                );
                let id = leaf(algorithm, Some(&ca));
                let opts = SignOptions {
                    format,
                    ..SignOptions::default()
                };
                let signed = match sign(&sample_message(), &id, &opts, NOW) {
                    Ok(signed) => signed,
                    Err(e) => {
                        failures.push(format!("{case}: sign: {} {e}", e.code()));
                        continue;
                    }
                };
                let mut rng = rng();
                match open(&signed, &[], &trust, NOW, &mut rng) {
                    Err(e) => failures.push(format!("{case}: open: {} {e}", e.code())),
                    Ok(opened) => {
                        let reports = signers(&opened);
                        let holds = reports.len() == 1
                            && reports[0].signature.is_ok()
                            && reports[0].chain == ChainStatus::Trusted
                            && reports[0].address_match == Some(true);
                        if !holds {
                            failures.push(format!("{case}: {}", common::describe(&opened)));
                        }
                    }
                }
                if algorithm == KeyAlgorithm::Ed25519 {
                    continue; // no OpenSSL 3.0 peer for Ed25519 SignedData (see above)
                }
                let input = format!("{case}.eml").replace(' ', "-");
                dir.write(&input, &signed);
                let args = [
                    "cms",
                    "-verify",
                    "-in",
                    &input,
                    "-inform",
                    "SMIME",
                    "-CAfile",
                    &ca_file,
                    "-purpose",
                    "smimesign",
                    "-attime",
                    ATTIME,
                    "-out",
                    "verified.txt",
                ];
                if let Err(complaint) = dir.openssl_result(&args) {
                    failures.push(format!("{case}: {complaint}"));
                }
            }
        }
    }
    assert_no_failures(&failures);
}

/// Mail encrypted to generated RSA, P-256, P-384 and X25519 identities: our `encrypt` and
/// `open` round-trip, OpenSSL decrypts ours with the generated key, and we decrypt what
/// `openssl cms -encrypt` makes for the generated certificate. X25519 has no OpenSSL 3.0 peer
/// (its CMS code has no RFC 8418 key agreement; see tests/encrypt_interop.rs).
#[test]
fn encryption_to_generated_identities_round_trips() {
    let dir = Workdir::new("encrypt");
    let ca = demo_ca(KeyAlgorithm::P256);
    let trust = TrustStore::new(vec![ca.certificate().clone()], Vec::new());
    let message = sample_message();
    let expected = protected_entity(&message);
    dir.write("message.eml", &message);
    let mut failures = Vec::new();
    for algorithm in [
        KeyAlgorithm::Rsa2048,
        KeyAlgorithm::P256,
        KeyAlgorithm::P384,
        KeyAlgorithm::X25519,
    ] {
        let case = format!("encrypt to {}", algorithm.name());
        let id = leaf(algorithm, Some(&ca));
        let recipients = [id.certificate().clone()];
        let encrypted = match encrypt(
            &message,
            &recipients,
            &EncryptOptions::default(),
            &mut rng(),
        ) {
            Ok(encrypted) => encrypted,
            Err(e) => {
                failures.push(format!("{case}: encrypt: {} {e}", e.code()));
                continue;
            }
        };
        match open(&encrypted, &[&id], &trust, NOW, &mut rng()) {
            Err(e) => failures.push(format!("{case}: open: {} {e}", e.code())),
            Ok(opened) => {
                if opened.content != expected
                    || !matches!(opened.layers.as_slice(), [Layer::Encrypted { .. }])
                {
                    failures.push(format!(
                        "{case}: opened {:?} with layers {:?}",
                        String::from_utf8_lossy(&opened.content),
                        common::layer_kinds(&opened)
                    ));
                }
            }
        }
        if algorithm == KeyAlgorithm::X25519 {
            continue; // no OpenSSL 3.0 peer for RFC 8418 (see above)
        }

        // OpenSSL decrypts ours.
        let name = algorithm.name();
        dir.write(&format!("{name}.pem"), cert_pem(id.certificate()));
        dir.write(&format!("{name}.key"), key_pem(id.key()));
        dir.write(&format!("{name}-ours.eml"), &encrypted);
        let (cert_file, key_file) = (format!("{name}.pem"), format!("{name}.key"));
        let (ours, decrypted) = (format!("{name}-ours.eml"), format!("{name}-dec.txt"));
        match dir.openssl_result(&[
            "cms", "-decrypt", "-in", &ours, "-recip", &cert_file, "-inkey", &key_file, "-out",
            &decrypted,
        ]) {
            Err(complaint) => failures.push(format!("{case}: {complaint}")),
            Ok(_) if dir.read(&decrypted) != expected => {
                failures.push(format!("{case}: OpenSSL decrypted something else"));
            }
            Ok(_) => {}
        }

        // We decrypt OpenSSL's.
        let theirs = format!("{name}-theirs.eml");
        let encrypted_by_openssl = dir.openssl_result(&[
            "cms",
            "-encrypt",
            "-aes256",
            "-in",
            "message.eml",
            "-out",
            &theirs,
            &cert_file,
        ]);
        if let Err(complaint) = encrypted_by_openssl {
            failures.push(format!("{case}: {complaint}"));
            continue;
        }
        match open(&dir.read(&theirs), &[&id], &trust, NOW, &mut rng()) {
            Err(e) => failures.push(format!("{case}: open OpenSSL's: {} {e}", e.code())),
            Ok(opened) if opened.layers.is_empty() => {
                failures.push(format!("{case}: OpenSSL's message opened without a layer"));
            }
            Ok(_) => {}
        }
    }
    assert_no_failures(&failures);
}

/// RSA-3072 and RSA-4096 identities, ignored by default: generating them takes long in debug
/// builds. Run with `cargo test --release --test enrolment -- --ignored`.
#[test]
#[ignore = "slow: RSA-3072/4096 key generation"]
fn large_rsa_identities() {
    let dir = Workdir::new("large-rsa");
    let ca = demo_ca(KeyAlgorithm::Rsa4096);
    dir.write("ca.pem", cert_pem(ca.certificate()));
    assert_eq!(ca.certificate().info().key_algorithm, "rsa-4096");
    let id = leaf(KeyAlgorithm::Rsa3072, Some(&ca));
    assert_no_failures(&check_leaf_info(
        "rsa-3072",
        id.certificate(),
        KeyAlgorithm::Rsa3072,
    ));
    dir.write("leaf.pem", cert_pem(id.certificate()));
    dir.openssl_result(&[
        "verify",
        "-attime",
        ATTIME,
        "-CAfile",
        "ca.pem",
        "-purpose",
        "smimesign",
        "leaf.pem",
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    dir.write("leaf.csr", create_csr(&id).expect("CSR"));
    dir.openssl_result(&["req", "-verify", "-noout", "-in", "leaf.csr"])
        .unwrap_or_else(|e| panic!("{e}"));
}
