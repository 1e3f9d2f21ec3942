//! Path validation (RFC 5280 §6 for S/MIME, RFC 8550): the external corpus's verdicts
//! (Bouncy Castle's `SignedMailValidatorTest` mail and cert-path certificates, MimeKit's revoked
//! identities), and one test per rule on small PKIs made at run time with the `openssl` CLI
//! (`OPENSSL=/path` overrides it), in scratch directories under the system temp dir.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::openssl::Workdir;

use std::path::PathBuf;
use std::slice::from_ref;

use common::{NOW, corpus, corpus_cert, describe, signers};
use smime_wasm::cert::{Crl, Usage, Validation, danger};
use smime_wasm::smime::Warning;
use smime_wasm::{Certificate, SignerReport, TrustStore, UnixTime, open};

/// 2006-10-01: inside the validity of Bouncy Castle's validator root and of every validator
/// signer except the expired one (ended 2006-09-01) and the not-yet-valid one (from 2006-12-28).
const VALIDATOR_NOW: UnixTime = UnixTime::from_secs(1_159_660_800);
/// 2008-01-01: inside the validity of circular.eml's certificates (2007-04-02 to 2017-03-30).
const CIRCULAR_NOW: UnixTime = UnixTime::from_secs(1_199_145_600);
/// 2020-01-01: inside the validity of the certpath_* certificates (2007-05-09 to 2027-05-04).
const CERTPATH_NOW: UnixTime = UnixTime::from_secs(1_577_836_800);

// ---- Bouncy Castle: SignedMailValidatorTest ---------------------------------------------------

fn bc(name: &str) -> String {
    format!("bouncycastle/smime/{name}")
}

/// The validator root as the only anchor. Its signers' certificates are signed with MD5, which
/// only a store made through `danger` accepts.
fn validator_trust() -> TrustStore {
    danger::accept_md5_signatures(TrustStore::new(
        vec![corpus_cert(&bc("validator.root.crt"))],
        Vec::new(),
    ))
}

fn only_signer(message: &[u8], trust: &TrustStore, now: UnixTime) -> SignerReport {
    let opened = open(message, &[], trust, now, &mut common::rng()).expect("opens");
    let reports = signers(&opened);
    assert_eq!(reports.len(), 1, "{}", describe(&opened));
    reports[0].clone()
}

fn chain_code(report: &SignerReport) -> Option<&'static str> {
    report.chain.error().map(|e| e.code())
}

/// MANIFEST.md's verdicts for `validator.*.eml`: every signature is crypto-valid; the chain
/// verdicts follow Bouncy Castle's test (its path-valid-but-unusable cases, keyUsage and
/// extKeyUsage, are untrusted here with their own codes; its long-validity notice has no
/// counterpart). Every signer key has 1024 bits or fewer, and every trusted path runs through
/// MD5 signatures and a 1024-bit root: both are reported.
#[test]
fn bouncy_castle_validator_verdicts() {
    let crl = Crl::from_pem_or_der(&corpus(&bc("validator.revoked.crl"))).expect("CRL");
    let with_crl = validator_trust().with_crls(vec![crl]);
    let without = validator_trust();
    let cases = [
        ("validMail", &without, "trusted", None),
        ("shortKey", &without, "trusted", None),
        ("longValidity", &without, "trusted", None),
        (
            "keyUsage",
            &without,
            "untrusted",
            Some("ERR_CERT_KEY_USAGE"),
        ),
        (
            "extKeyUsage",
            &without,
            "untrusted",
            Some("ERR_CERT_EXT_KEY_USAGE"),
        ),
        ("noEmail", &without, "trusted", None),
        (
            "notYetValid",
            &without,
            "expired",
            Some("ERR_CERT_NOT_YET_VALID"),
        ),
        ("expired", &without, "expired", Some("ERR_CERT_EXPIRED")),
        ("revoked", &with_crl, "revoked", Some("ERR_CERT_REVOKED")),
        ("revoked", &without, "trusted", None),
    ];
    let mut failures = Vec::new();
    for (name, store, label, code) in cases {
        let file = bc(&format!("validator.{name}.eml"));
        let report = only_signer(&corpus(&file), store, VALIDATOR_NOW);
        let weak_chain = report.warnings.contains(&Warning::WeakChain);
        let got = (
            report.signature,
            report.chain.label(),
            chain_code(&report),
            report.warnings.contains(&Warning::WeakKey),
            weak_chain,
        );
        if got != (Ok(()), label, code, true, label == "trusted") {
            failures.push(format!("{file}: {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The 512-bit signer: the signature is valid, and reported weak (Bouncy Castle's
/// "shortSigningKey" notification).
#[test]
fn short_key_signature_is_valid_and_weak() {
    let report = only_signer(
        &corpus(&bc("validator.shortKey.eml")),
        &validator_trust(),
        VALIDATOR_NOW,
    );
    assert_eq!(report.signature, Ok(()));
    assert_eq!(
        report
            .certificate
            .as_ref()
            .map(|c| c.key_algorithm.as_str()),
        Some("rsa-512")
    );
    assert!(report.warnings.contains(&Warning::WeakKey));
    assert!(report.weak_digest);
}

/// No e-mail address in the signer's certificate: the path holds (as in Bouncy Castle's test),
/// but the From address cannot match it (Bouncy Castle's "noEmailInCert" error).
#[test]
fn certificate_without_email_does_not_match_from() {
    let report = only_signer(
        &corpus(&bc("validator.noEmail.eml")),
        &validator_trust(),
        VALIDATOR_NOW,
    );
    assert_eq!(report.signature, Ok(()));
    assert!(report.certificate.as_ref().expect("cert").emails.is_empty());
    assert_eq!(report.address_match, Some(false));
}

/// MD5-signed certificates are refused unless the caller asked for them through `danger`.
#[test]
fn md5_certificate_signatures_refused_by_default() {
    let trust = TrustStore::new(vec![corpus_cert(&bc("validator.root.crt"))], Vec::new());
    let report = only_signer(
        &corpus(&bc("validator.validMail.eml")),
        &trust,
        VALIDATOR_NOW,
    );
    assert_eq!(report.signature, Ok(()));
    assert_eq!(report.chain.label(), "untrusted");
    assert_eq!(chain_code(&report), Some("ERR_CERT_UNSUPPORTED_ALGORITHM"));
}

/// validator.fakeRoot.crt has the root's name but another key: it anchors nothing, although
/// the message also carries a certificate with the same name.
#[test]
fn anchor_with_the_same_name_but_another_key_does_not_anchor() {
    let trust = danger::accept_md5_signatures(TrustStore::new(
        vec![corpus_cert(&bc("validator.fakeRoot.crt"))],
        Vec::new(),
    ));
    for name in ["validMail", "shortKey", "longValidity"] {
        let report = only_signer(
            &corpus(&bc(&format!("validator.{name}.eml"))),
            &trust,
            VALIDATOR_NOW,
        );
        assert_eq!(report.signature, Ok(()), "{name}");
        assert_eq!(report.chain.label(), "untrusted", "{name}");
    }
}

/// circular.eml carries Inter1 ← Inter3 ← Inter2 ← Inter1: path building must stop (RFC 4158
/// §5.2) and fail, not loop.
#[test]
fn circular_certificates_fail_without_looping() {
    let started = std::time::Instant::now();
    for trust in [
        validator_trust(),
        TrustStore::new(vec![common::cert("demo-ca")], Vec::new()),
    ] {
        let report = only_signer(&corpus(&bc("circular.eml")), &trust, CIRCULAR_NOW);
        assert_eq!(report.signature, Ok(()));
        assert_eq!(report.chain.label(), "untrusted");
        assert_eq!(chain_code(&report), Some("ERR_UNKNOWN_ISSUER"));
    }
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

/// SignedMailValidatorTest.testCreateCertPath: two intermediates share a name; each end
/// certificate chains through the one whose key signed it.
#[test]
fn certpath_chains_build_through_the_right_intermediate() {
    let root = corpus_cert(&bc("certpath_root.crt"));
    let inter1 = corpus_cert(&bc("certpath_inter1.crt"));
    let inter2 = corpus_cert(&bc("certpath_inter2.crt"));
    for intermediates in [
        vec![inter1.clone(), inter2.clone()],
        vec![inter2.clone(), inter1.clone()],
    ] {
        let trust = TrustStore::new(vec![root.clone()], intermediates);
        for (end, inter) in [
            ("certpath_end1.crt", &inter1),
            ("certpath_end2.crt", &inter2),
        ] {
            let leaf = corpus_cert(&bc(end));
            let validation = trust.validate(&leaf, &[], &[], Usage::Signing, CERTPATH_NOW);
            assert_eq!(
                validation.path,
                [leaf.clone(), inter.clone(), root.clone()],
                "{end}"
            );
            assert_eq!(trust.check(&leaf, &[], CERTPATH_NOW).label(), "trusted");
        }
    }
    // Offered by the message instead of the store: the same.
    let trust = TrustStore::new(vec![root.clone()], Vec::new());
    let leaf = corpus_cert(&bc("certpath_end2.crt"));
    let offered = [inter1.clone(), inter2.clone()];
    assert_eq!(
        trust.check(&leaf, &offered, CERTPATH_NOW).label(),
        "trusted"
    );
    assert_eq!(
        trust
            .check(&leaf, &[inter1], CERTPATH_NOW)
            .error()
            .map(|e| e.code()),
        Some("ERR_CERT_SIGNATURE_INVALID")
    );
}

// ---- RFC 4134: version 1 CRLs -------------------------------------------------------------------

/// CarlRSACRLForAll.crl is a version 1 list (no extensions, no nextUpdate) signed with MD5 that
/// revokes Alice: it counts only where MD5 is accepted, since its signature is what makes it
/// Carl's.
#[test]
fn version_1_crl_revokes_when_its_signature_counts() {
    let carl = corpus_cert("rfc4134/CarlRSASelf.cer");
    let alice = corpus_cert("rfc4134/AliceRSASignByCarl.cer");
    let for_all = Crl::from_pem_or_der(&corpus("rfc4134/CarlRSACRLForAll.crl")).expect("v1 CRL");
    let empty = Crl::from_pem_or_der(&corpus("rfc4134/CarlRSACRLEmpty.crl")).expect("v1 CRL");
    let store = || TrustStore::new(vec![carl.clone()], Vec::new());
    let status = |trust: TrustStore| trust.validate(&alice, &[], &[], Usage::Signing, NOW).status;

    assert_eq!(status(store()).label(), "trusted");
    assert_eq!(
        status(store().with_crls(vec![for_all.clone()])).label(),
        "trusted"
    );
    let md5 = || danger::accept_md5_signatures(store());
    assert_eq!(
        status(md5().with_crls(vec![for_all.clone()])).label(),
        "revoked"
    );
    assert_eq!(
        status(md5().with_crls(vec![empty.clone()])).label(),
        "trusted"
    );
    assert_eq!(
        status(md5().with_crls(vec![empty, for_all])).label(),
        "revoked"
    );
    assert_eq!(
        Crl::from_pem_or_der(b"not a CRL").unwrap_err().code(),
        "ERR_MALFORMED_CRL"
    );
}

// ---- A scratch directory and the openssl CLI --------------------------------------------------

impl Workdir {
    fn cert(&self, name: &str) -> Certificate {
        Certificate::from_pem_or_der(&self.read(&format!("{name}.pem")))
            .unwrap_or_else(|e| panic!("{name}.pem: {e}"))
    }

    fn crl(&self, name: &str) -> Crl {
        Crl::from_pem_or_der(&self.read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

const CA: &str = "basicConstraints = critical, CA:TRUE\n\
                  keyUsage = critical, keyCertSign, cRLSign\n\
                  subjectKeyIdentifier = hash\n";

/// A signing leaf's extensions for `email`.
fn leaf_ext(email: &str) -> String {
    format!(
        "basicConstraints = critical, CA:FALSE\n\
         keyUsage = critical, digitalSignature\n\
         extendedKeyUsage = emailProtection\n\
         subjectAltName = email:{email}\n"
    )
}

/// A small PKI on P-256 keys (fast to make), 100 years from today, so `NOW` is inside.
struct Pki {
    dir: Workdir,
}

impl Pki {
    fn new(tag: &str) -> Self {
        let pki = Self {
            dir: Workdir::new(tag),
        };
        pki.root("root", "/CN=Trust Test Root");
        pki
    }

    fn key(&self, name: &str) {
        let out = format!("{name}.key");
        self.dir.openssl_ok(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            &out,
        ]);
    }

    fn root(&self, name: &str, subject: &str) -> Certificate {
        self.key(name);
        self.dir.write(&format!("{name}.ext"), CA.as_bytes());
        let (key, out) = (format!("{name}.key"), format!("{name}.pem"));
        self.dir.openssl_ok(&[
            "req",
            "-x509",
            "-new",
            "-key",
            &key,
            "-subj",
            subject,
            "-days",
            "36500",
            "-out",
            &out,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        self.dir.cert(name)
    }

    /// `name`, issued by `issuer` with the extensions `ext` (none at all: a version 1
    /// certificate).
    fn issue(&self, name: &str, subject: &str, issuer: &str, ext: &str) -> Certificate {
        self.key(name);
        let (key, csr, out) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
        );
        self.dir
            .openssl_ok(&["req", "-new", "-key", &key, "-subj", subject, "-out", &csr]);
        let (ca, ca_key, ext_file) = (
            format!("{issuer}.pem"),
            format!("{issuer}.key"),
            format!("{name}.ext"),
        );
        let mut args = vec![
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "36500",
            "-out",
            &out,
        ];
        if !ext.is_empty() {
            self.dir.write(&ext_file, ext.as_bytes());
            args.extend(["-extfile", &ext_file]);
        }
        self.dir.openssl(&args);
        self.dir.cert(name)
    }

    /// A CRL signed with `issuer`'s key and certificate, revoking `revoked` on `date`
    /// (`YYMMDDHHMMSSZ`).
    fn crl(&self, file: &str, issuer: &str, revoked: &[&Certificate], date: &str) -> Crl {
        let index: String = revoked
            .iter()
            .map(|c| {
                let serial = c.info().serial_number.to_uppercase();
                format!("R\t491231235959Z\t{date},keyCompromise\t{serial}\tunknown\t/CN=x\n")
            })
            .collect();
        self.dir.write(&format!("{file}.index"), index.as_bytes());
        self.dir.write(&format!("{file}.number"), b"1000\n");
        let config = format!(
            "[ca]\ndefault_ca = crl_only\n[crl_only]\ndatabase = {file}.index\n\
             crlnumber = {file}.number\ndefault_md = sha256\ndefault_crl_days = 36500\n"
        );
        self.dir.write(&format!("{file}.cnf"), config.as_bytes());
        let (cnf, key, cert) = (
            format!("{file}.cnf"),
            format!("{issuer}.key"),
            format!("{issuer}.pem"),
        );
        self.dir.openssl_ok(&[
            "ca", "-config", &cnf, "-gencrl", "-keyfile", &key, "-cert", &cert, "-out", file,
            "-batch",
        ]);
        self.dir.crl(file)
    }

    fn trust(&self) -> TrustStore {
        TrustStore::new(vec![self.dir.cert("root")], Vec::new())
    }
}

fn validate(trust: &TrustStore, leaf: &Certificate, offered: &[Certificate]) -> Validation {
    trust.validate(leaf, offered, &[], Usage::Signing, NOW)
}

fn code(validation: &Validation) -> &'static str {
    validation.status.error().map_or("ok", |e| e.code())
}

// ---- Rules, one by one (webpki's path) -----------------------------------------------------

/// pathLenConstraint 0 on the first CA forbids a second CA below it (RFC 5280 §4.2.1.9).
#[test]
fn path_length_constraint() {
    let pki = Pki::new("pathlen");
    let ca0 = pki.issue(
        "ca0",
        "/CN=CA zero",
        "root",
        &format!("{CA}basicConstraints = critical, CA:TRUE, pathlen:0\n"),
    );
    let ca1 = pki.issue("ca1", "/CN=CA one", "ca0", CA);
    let leaf = pki.issue("leaf", "/CN=leaf", "ca1", &leaf_ext("leaf@example.org"));
    let direct = pki.issue(
        "direct",
        "/CN=direct",
        "ca0",
        &leaf_ext("direct@example.org"),
    );
    let trust = pki.trust();
    assert_eq!(
        code(&validate(&trust, &leaf, &[ca0.clone(), ca1])),
        "ERR_CERT_PATH_LENGTH"
    );
    assert_eq!(code(&validate(&trust, &direct, &[ca0])), "ok");
}

/// A critical extension nobody here knows makes the certificate unusable (RFC 5280 §4.2).
#[test]
fn unknown_critical_extension() {
    let pki = Pki::new("critical");
    let ext = format!(
        "{}1.3.6.1.4.1.99999.1 = critical, ASN1:NULL\n",
        leaf_ext("x@example.org")
    );
    let leaf = pki.issue("leaf", "/CN=leaf", "root", &ext);
    assert_eq!(
        code(&validate(&pki.trust(), &leaf, &[])),
        "ERR_CERT_CRITICAL_EXTENSION"
    );
}

/// An issuer must be a CA (basicConstraints), and its keyUsage, if present, must allow
/// keyCertSign (RFC 5280 §6.1.4 (k), (n)); a CA certificate does not sign mail.
#[test]
fn issuer_roles_and_key_usage() {
    let pki = Pki::new("roles");
    let not_ca = pki.issue("notca", "/CN=not a CA", "root", &leaf_ext("n@example.org"));
    let under_not_ca = pki.issue("l1", "/CN=l1", "notca", &leaf_ext("l1@example.org"));
    let no_cert_sign = pki.issue(
        "nocs",
        "/CN=no keyCertSign",
        "root",
        "basicConstraints = critical, CA:TRUE\nkeyUsage = critical, digitalSignature, cRLSign\n",
    );
    let under_no_cert_sign = pki.issue("l2", "/CN=l2", "nocs", &leaf_ext("l2@example.org"));
    let ca_leaf = pki.issue("caleaf", "/CN=ca leaf", "root", CA);
    let trust = pki.trust();
    assert_eq!(
        code(&validate(&trust, &under_not_ca, &[not_ca])),
        "ERR_NOT_A_CA"
    );
    assert_eq!(
        code(&validate(&trust, &under_no_cert_sign, &[no_cert_sign])),
        "ERR_CERT_KEY_USAGE"
    );
    assert_eq!(code(&validate(&trust, &ca_leaf, &[])), "ERR_CERT_KEY_USAGE");
}

/// RFC 8550 §4.4.2 for the leaf: signing needs digitalSignature or nonRepudiation, encryption
/// keyEncipherment (RSA) or keyAgreement (EC); `Usage::Any` asks neither.
#[test]
fn leaf_key_usage_for_signing_and_encryption() {
    let pki = Pki::new("usage");
    let signing = pki.issue("sig", "/CN=sig", "root", &leaf_ext("sig@example.org"));
    let agreement = pki.issue(
        "enc",
        "/CN=enc",
        "root",
        "keyUsage = critical, keyAgreement\nextendedKeyUsage = emailProtection\n",
    );
    let non_repudiation = pki.issue(
        "nr",
        "/CN=nr",
        "root",
        "keyUsage = critical, nonRepudiation\nsubjectAltName = email:nr@example.org\n",
    );
    let trust = pki.trust();
    let status = |leaf: &Certificate, usage| {
        trust
            .validate(leaf, &[], &[], usage, NOW)
            .status
            .error()
            .map_or("ok", |e| e.code())
    };
    assert_eq!(status(&signing, Usage::Signing), "ok");
    assert_eq!(status(&signing, Usage::Encryption), "ERR_CERT_KEY_USAGE");
    assert_eq!(status(&agreement, Usage::Encryption), "ok");
    assert_eq!(status(&agreement, Usage::Signing), "ERR_CERT_KEY_USAGE");
    assert_eq!(status(&agreement, Usage::Any), "ok");
    assert_eq!(status(&non_repudiation, Usage::Signing), "ok");
}

/// RFC 8550 §4.4.4 on every certificate of the path: an extendedKeyUsage must include
/// emailProtection or anyExtendedKeyUsage; absent is fine.
#[test]
fn extended_key_usage_along_the_path() {
    let pki = Pki::new("eku");
    let tls_ca = pki.issue(
        "tlsca",
        "/CN=TLS-only CA",
        "root",
        &format!("{CA}extendedKeyUsage = serverAuth, clientAuth\n"),
    );
    let under_tls = pki.issue("l1", "/CN=l1", "tlsca", &leaf_ext("l1@example.org"));
    let any = pki.issue(
        "any",
        "/CN=any",
        "root",
        "keyUsage = critical, digitalSignature\nextendedKeyUsage = anyExtendedKeyUsage\n",
    );
    let none = pki.issue(
        "none",
        "/CN=none",
        "root",
        "keyUsage = critical, digitalSignature\n",
    );
    let code_signing = pki.issue(
        "cs",
        "/CN=cs",
        "root",
        "keyUsage = critical, digitalSignature\nextendedKeyUsage = codeSigning\n",
    );
    let trust = pki.trust();
    assert_eq!(
        code(&validate(&trust, &under_tls, &[tls_ca])),
        "ERR_CERT_EXT_KEY_USAGE"
    );
    assert_eq!(code(&validate(&trust, &any, &[])), "ok");
    assert_eq!(code(&validate(&trust, &none, &[])), "ok");
    assert_eq!(
        code(&validate(&trust, &code_signing, &[])),
        "ERR_CERT_EXT_KEY_USAGE"
    );
}

/// The trusted path comes back leaf first; a directly trusted certificate is its own path; a
/// strong P-256 path carries no weak link.
#[test]
fn validated_path_and_direct_trust() {
    let pki = Pki::new("path");
    let ca = pki.issue("ca", "/CN=CA", "root", CA);
    let leaf = pki.issue("leaf", "/CN=leaf", "ca", &leaf_ext("leaf@example.org"));
    let root = pki.dir.cert("root");
    let validation = validate(&pki.trust(), &leaf, from_ref(&ca));
    assert_eq!(validation.path, [leaf.clone(), ca, root]);
    assert!(!validation.has_weak_link());
    let direct = TrustStore::new(vec![leaf.clone()], Vec::new());
    assert_eq!(validate(&direct, &leaf, &[]).path, from_ref(&leaf));
    let later = UnixTime::from_secs(NOW.as_secs() + 200 * 365 * 86_400);
    assert_eq!(
        direct
            .validate(&leaf, &[], &[], Usage::Signing, later)
            .status
            .label(),
        "expired"
    );
}

// ---- Revocation -------------------------------------------------------------------------------

/// A CRL revokes a leaf and, from the root, an intermediate; the caller's and the message's
/// CRLs count alike; a revocation dated after `now` does not count yet.
#[test]
fn crls_revoke_leaves_and_intermediates() {
    let pki = Pki::new("crl");
    let ca = pki.issue("ca", "/CN=CA", "root", CA);
    let leaf = pki.issue("leaf", "/CN=leaf", "ca", &leaf_ext("leaf@example.org"));
    let other = pki.issue("other", "/CN=other", "ca", &leaf_ext("other@example.org"));
    let leaf_crl = pki.crl("leaf.crl", "ca", &[&leaf], "250101000000Z");
    let ca_crl = pki.crl("ca.crl", "root", &[&ca], "250101000000Z");
    let offered = [ca.clone()];

    let caller = pki.trust().with_crls(vec![leaf_crl.clone()]);
    assert_eq!(
        code(&validate(&caller, &leaf, &offered)),
        "ERR_CERT_REVOKED"
    );
    assert_eq!(validate(&caller, &leaf, &offered).status.label(), "revoked");
    assert_eq!(code(&validate(&caller, &other, &offered)), "ok");

    let from_message = pki
        .trust()
        .validate(&leaf, &offered, &[leaf_crl], Usage::Signing, NOW);
    assert_eq!(code(&from_message), "ERR_CERT_REVOKED");

    let root_says = pki.trust().with_crls(vec![ca_crl]);
    assert_eq!(
        code(&validate(&root_says, &other, &offered)),
        "ERR_CERT_REVOKED"
    );

    let future = pki.crl("future.crl", "ca", &[&leaf], "400101000000Z");
    let trust = pki.trust().with_crls(vec![future]);
    assert_eq!(code(&validate(&trust, &leaf, &offered)), "ok");
    let in_2041 = UnixTime::from_secs(2_240_611_200);
    assert_eq!(
        trust
            .validate(&leaf, &offered, &[], Usage::Signing, in_2041)
            .status
            .label(),
        "revoked"
    );
}

/// A message's CRLs are not signed by the message: one forged in the issuer's name (signed by
/// another key) revokes nothing, and a stale list in front does not hide a later revocation.
#[test]
fn forged_or_stale_crls_do_not_decide() {
    let pki = Pki::new("crlforge");
    let ca = pki.issue("ca", "/CN=CA", "root", CA);
    let leaf = pki.issue("leaf", "/CN=leaf", "ca", &leaf_ext("leaf@example.org"));
    let impostor = pki.root("impostor", "/CN=CA");
    assert_ne!(impostor, ca);
    let forged = pki.crl("forged.crl", "impostor", &[&leaf], "250101000000Z");
    let stale = pki.crl("stale.crl", "ca", &[], "250101000000Z");
    let real = pki.crl("real.crl", "ca", &[&leaf], "250101000000Z");
    let offered = [ca];
    let trust = pki.trust();
    let with = |crls: &[Crl]| code(&trust.validate(&leaf, &offered, crls, Usage::Signing, NOW));
    assert_eq!(with(from_ref(&forged)), "ok");
    assert_eq!(with(&[forged, stale.clone(), real]), "ERR_CERT_REVOKED");
    assert_eq!(with(&[stale]), "ok");
}

/// MimeKit's revoked identities (`revoked`, `revokednochain`, `revokedsubca`; password
/// no.secret) sign with `openssl cms`; with CRLs made from MimeKit's CA keys their signatures
/// stay valid and their chains read "revoked". MimeKit's `rsa` identity is the control. The
/// leaves of `revoked` and `revokednochain` are revoked by their issuer (the Secondary
/// Intermediate, whose key is `intermediate2.key`); `revokedsubca.pfx` chains through a
/// "Tertiary Intermediate CA" (not `revoked-intermediate.pfx`'s CA), which the root revokes.
#[test]
fn mimekit_revoked_identities() {
    let dir = Workdir::new("mimekit");
    let mimekit = |p: &str| format!("{}mimekit/{p}", common::CORPUS);
    // Each .pfx: its leaf (first) and the chain MimeKit put in it.
    let extract = |pfx: &str, name: &str| {
        let (certs, key) = (format!("{name}.certs.pem"), format!("{name}.key"));
        let pfx = mimekit(pfx);
        dir.openssl_ok(&[
            "pkcs12",
            "-legacy",
            "-in",
            &pfx,
            "-passin",
            "pass:no.secret",
            "-nokeys",
            "-out",
            &certs,
        ]);
        dir.openssl_ok(&[
            "pkcs12",
            "-legacy",
            "-in",
            &pfx,
            "-passin",
            "pass:no.secret",
            "-nocerts",
            "-nodes",
            "-out",
            &key,
        ]);
        smime_wasm::certificates_in(&dir.read(&certs)).expect("certificates")
    };
    let root = extract("certificate-authority.pfx", "root").remove(0);
    let intermediate2 = extract("intermediate2.pfx", "intermediate2");
    let (secondary, primary) = (intermediate2[0].clone(), intermediate2[1].clone());
    let revoked = extract("revoked/smime.pfx", "revoked");
    let nochain = extract("revokednochain/smime.pfx", "revokednochain");
    let subca = extract("revokedsubca/smime.pfx", "revokedsubca");
    let rsa = extract("rsa/smime.pfx", "rsa");
    let tertiary = subca[1].clone();

    // The CRLs MimeKit's tests fetch from mimekit.net, made here from the CA keys.
    let pki = Pki { dir };
    std::fs::copy(
        mimekit("intermediate2.key"),
        pki.dir.path().join("secondary.key"),
    )
    .unwrap();
    std::fs::copy(
        mimekit("certificate-authority.key"),
        pki.dir.path().join("ca.key"),
    )
    .unwrap();
    pki.dir.write("secondary.pem", pem(&secondary).as_bytes());
    pki.dir.write("ca.pem", pem(&root).as_bytes());
    let secondary_crl = pki.crl(
        "secondary.crl",
        "secondary",
        &[&revoked[0], &nochain[0]],
        "250101000000Z",
    );
    let root_crl = pki.crl("root.crl", "ca", &[&tertiary], "250101000000Z");

    let sign = |name: &str, from: &str, chain: &[Certificate]| {
        pki.dir.write(
            "entity.txt",
            b"Content-Type: text/plain\r\n\r\nrevoked?\r\n",
        );
        pki.dir
            .write(&format!("{name}.signer.pem"), pem(&chain[0]).as_bytes());
        let extra: String = chain[1..].iter().map(pem).collect();
        pki.dir
            .write(&format!("{name}.chain.pem"), extra.as_bytes());
        let (signer, key, out) = (
            format!("{name}.signer.pem"),
            format!("{name}.key"),
            format!("{name}.eml"),
        );
        let certfile = format!("{name}.chain.pem");
        let mut args = vec![
            "cms",
            "-sign",
            "-in",
            "entity.txt",
            "-signer",
            &signer,
            "-inkey",
            &key,
            "-from",
            from,
            "-to",
            "bob@example.org",
            "-subject",
            "revocation",
            "-md",
            "sha256",
            "-out",
            &out,
        ];
        if chain.len() > 1 {
            args.extend(["-certfile", &certfile]);
        }
        pki.dir.openssl(&args);
        pki.dir.read(&out)
    };
    let messages = [
        (
            "revoked",
            sign("revoked", "revoked@mimekit.net", &revoked),
            true,
        ),
        (
            "revokednochain",
            sign(
                "revokednochain",
                "revokednochain@mimekit.net",
                &nochain[..1],
            ),
            true,
        ),
        (
            "revokedsubca",
            sign("revokedsubca", "revokedsubca@mimekit.net", &subca),
            true,
        ),
        ("rsa", sign("rsa", "rsa@mimekit.net", &rsa), false),
    ];
    // revokednochain's message carries no chain: the caller offers MimeKit's intermediates.
    let plain = TrustStore::new(vec![root.clone()], vec![primary, secondary]);
    let with_crls = plain.clone().with_crls(vec![secondary_crl, root_crl]);
    for (name, message, is_revoked) in messages {
        let report = only_signer(&message, &plain, NOW);
        assert_eq!(
            (report.signature, report.chain.label()),
            (Ok(()), "trusted"),
            "{name}"
        );
        assert_eq!(report.address_match, Some(true), "{name}");
        let report = only_signer(&message, &with_crls, NOW);
        let expected = if is_revoked { "revoked" } else { "trusted" };
        assert_eq!(
            (report.signature, report.chain.label()),
            (Ok(()), expected),
            "{name}"
        );
    }
}

fn pem(cert: &Certificate) -> String {
    let b64 = smime_wasm::mime::encode_base64(cert.der());
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        String::from_utf8_lossy(&b64).trim_end()
    )
}

// ---- Name constraints and version 1 leaves (the fallback) ----------------------------------

/// A constrained S/MIME sub-CA (rfc822Name host form, RFC 5280 §4.2.1.10): webpki rejects the
/// constraint form outright, the fallback evaluates it. Addresses in the subject's emailAddress
/// count too; subdomains are outside a host constraint.
#[test]
fn rfc822_name_constraints_on_a_sub_ca() {
    let pki = Pki::new("nc-email");
    let sub = pki.issue(
        "sub",
        "/O=Example/CN=Example Mail CA",
        "root",
        &format!("{CA}nameConstraints = critical, permitted;email:example.com\n"),
    );
    let cases = [
        (
            "/CN=alice/emailAddress=alice@example.com",
            "alice@example.com",
            "ok",
        ),
        ("/CN=alice", "ALICE@Example.COM", "ok"),
        (
            "/CN=mallory",
            "mallory@evil.test",
            "ERR_CERT_NAME_CONSTRAINTS",
        ),
        (
            "/CN=m/emailAddress=mallory@evil.test",
            "alice@example.com",
            "ERR_CERT_NAME_CONSTRAINTS",
        ),
        (
            "/CN=sub",
            "alice@sub.example.com",
            "ERR_CERT_NAME_CONSTRAINTS",
        ),
    ];
    let trust = pki.trust();
    for (i, (subject, email, expected)) in cases.iter().enumerate() {
        let leaf = pki.issue(&format!("l{i}"), subject, "sub", &leaf_ext(email));
        let validation = validate(&trust, &leaf, from_ref(&sub));
        assert_eq!(code(&validation), *expected, "{subject} {email}");
        if *expected == "ok" {
            assert_eq!(validation.path.len(), 3);
        }
    }
    // The fallback applies every other rule too: revocation, validity, keyUsage.
    let alice = pki.dir.cert("l0");
    let crl = pki.crl("sub.crl", "sub", &[&alice], "250101000000Z");
    let revoking = pki.trust().with_crls(vec![crl]);
    assert_eq!(
        code(&validate(&revoking, &alice, from_ref(&sub))),
        "ERR_CERT_REVOKED"
    );
    let later = UnixTime::from_secs(NOW.as_secs() + 200 * 365 * 86_400);
    let expired = trust.validate(&alice, from_ref(&sub), &[], Usage::Signing, later);
    assert_eq!(code(&expired), "ERR_CERT_EXPIRED");
    let encryption = trust.validate(&alice, from_ref(&sub), &[], Usage::Encryption, NOW);
    assert_eq!(code(&encryption), "ERR_CERT_KEY_USAGE");
    assert_eq!(code(&validate(&trust, &alice, &[])), "ERR_UNKNOWN_ISSUER");
}

/// directoryName and excluded rfc822Name subtrees (a domain and everything below it).
#[test]
fn directory_name_and_excluded_constraints() {
    let pki = Pki::new("nc-dir");
    let dir_ca = pki.issue(
        "dirca",
        "/C=DE/O=Example Corp/CN=Example Corp CA",
        "root",
        &format!(
            "{CA}nameConstraints = critical, permitted;dirName:dir_sect\n\n\
             [dir_sect]\nC = DE\nO = example corp\n"
        ),
    );
    let inside = pki.issue(
        "inside",
        "/C=DE/O=Example Corp/CN=bob",
        "dirca",
        &leaf_ext("bob@example.org"),
    );
    let outside = pki.issue(
        "outside",
        "/C=DE/O=Other/CN=eve",
        "dirca",
        &leaf_ext("eve@example.org"),
    );
    let excluding = pki.issue(
        "excl",
        "/CN=Excluding CA",
        "root",
        &format!("{CA}nameConstraints = critical, excluded;email:.evil.test\n"),
    );
    let fine = pki.issue("fine", "/CN=carol", "excl", &leaf_ext("carol@fine.test"));
    let evil = pki.issue(
        "evil",
        "/CN=carol",
        "excl",
        &leaf_ext("carol@mail.evil.test"),
    );
    let trust = pki.trust();
    assert_eq!(code(&validate(&trust, &inside, from_ref(&dir_ca))), "ok");
    assert_eq!(
        code(&validate(&trust, &outside, &[dir_ca])),
        "ERR_CERT_NAME_CONSTRAINTS"
    );
    assert_eq!(code(&validate(&trust, &fine, from_ref(&excluding))), "ok");
    assert_eq!(
        code(&validate(&trust, &evil, &[excluding])),
        "ERR_CERT_NAME_CONSTRAINTS"
    );
}

/// A version 1 end-entity certificate (no extensions at all) is valid under RFC 5280; webpki
/// does not read it, the fallback does. A version 1 certificate cannot issue (§6.1.4 (k)).
#[test]
fn version_1_leaf() {
    let pki = Pki::new("v1");
    let leaf = pki.issue("v1", "/CN=old/emailAddress=old@example.org", "root", "");
    assert_eq!(
        leaf.x509().tbs_certificate().version(),
        x509_cert::certificate::Version::V1
    );
    let trust = pki.trust();
    assert_eq!(code(&validate(&trust, &leaf, &[])), "ok");
    let below = pki.issue("below", "/CN=below", "v1", &leaf_ext("below@example.org"));
    assert_eq!(code(&validate(&trust, &below, &[leaf])), "ERR_NOT_A_CA");
}

/// Two CAs that certify each other (A by B, B by A) beside a path the fallback must judge: the
/// search refuses a name and key already on the path (RFC 4158 §5.2) and ends.
#[test]
fn fallback_stops_at_loops() {
    let pki = Pki::new("loop");
    let dir = &pki.dir;
    pki.key("a");
    pki.key("b");
    let ca = "basicConstraints=critical,CA:TRUE";
    let a_constraint = "nameConstraints=critical,permitted;email:example.com";
    dir.openssl_ok(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "a.key",
        "-subj",
        "/CN=Loop A",
        "-days",
        "36500",
        "-addext",
        ca,
        "-addext",
        a_constraint,
        "-out",
        "a.pem",
    ]);
    dir.openssl_ok(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "b.key",
        "-subj",
        "/CN=Loop B",
        "-days",
        "36500",
        "-addext",
        ca,
        "-out",
        "b.pem",
    ]);
    dir.write("ca.ext", CA.as_bytes());
    for (name, key, subject, issuer) in [
        ("a-by-b", "a.key", "/CN=Loop A", "b"),
        ("b-by-a", "b.key", "/CN=Loop B", "a"),
    ] {
        let (csr, out) = (format!("{name}.csr"), format!("{name}.pem"));
        let (issuer_cert, issuer_key) = (format!("{issuer}.pem"), format!("{issuer}.key"));
        dir.openssl_ok(&["req", "-new", "-key", key, "-subj", subject, "-out", &csr]);
        dir.openssl_ok(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &issuer_cert,
            "-CAkey",
            &issuer_key,
            "-CAcreateserial",
            "-days",
            "36500",
            "-extfile",
            "ca.ext",
            "-out",
            &out,
        ]);
    }
    let outside = pki.issue("leaf", "/CN=mallory", "a", &leaf_ext("mallory@evil.test"));
    let inside = pki.issue("ok", "/CN=alice", "a", &leaf_ext("alice@example.com"));
    let trust = TrustStore::new(vec![dir.cert("a")], Vec::new());
    let offered = [dir.cert("a-by-b"), dir.cert("b-by-a")];
    let started = std::time::Instant::now();
    assert_eq!(
        code(&validate(&trust, &outside, &offered)),
        "ERR_CERT_NAME_CONSTRAINTS"
    );
    assert_eq!(code(&validate(&trust, &inside, &offered)), "ok");
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

/// Every certificate and CRL of the corpus, each certificate validated against every
/// self-signed one with all the others on offer, at two times: no panic, and no path that
/// does not end at an anchor.
#[test]
fn every_corpus_certificate_and_crl_validates_without_panic() {
    fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("corpus directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(std::path::Path::new(common::CORPUS), &mut files);
    files.sort();
    let mut certs: Vec<Certificate> = Vec::new();
    let mut crls = Vec::new();
    for file in &files {
        let name = file.to_string_lossy();
        let bytes = std::fs::read(file).expect("corpus file");
        if name.ends_with(".crl") {
            crls.push(Crl::from_pem_or_der(&bytes).unwrap_or_else(|e| panic!("{name}: {e}")));
        } else if [".pem", ".crt", ".cer"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            certs.extend(smime_wasm::certificates_in(&bytes).unwrap_or_default());
        }
    }
    assert!(
        certs.len() > 30 && crls.len() >= 7,
        "{} {}",
        certs.len(),
        crls.len()
    );
    let roots: Vec<Certificate> = certs
        .iter()
        .filter(|c| c.info().subject == c.info().issuer)
        .cloned()
        .collect();
    let trust =
        danger::accept_md5_signatures(TrustStore::new(roots.clone(), Vec::new())).with_crls(crls);
    for now in [NOW, VALIDATOR_NOW] {
        for leaf in &certs {
            for usage in [Usage::Any, Usage::Signing] {
                let validation = trust.validate(leaf, &certs, &[], usage, now);
                if let Some(last) = validation.path.last() {
                    assert!(roots.contains(last), "{}", leaf.info().subject);
                }
            }
        }
    }
}
