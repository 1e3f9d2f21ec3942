//! PKCS#12 import and export: every `.p12`/`.pfx` of the external corpus whose password
//! MANIFEST.md gives (Thunderbird/NSS, MimeKit), files the `openssl pkcs12 -export` CLI makes at
//! run time in each of its modes, our files read back by `openssl pkcs12`, round trips for every
//! key kind, wrong passwords, and truncated or bit-flipped files. The CLI is required, as in
//! `openssl_interop.rs`: a missing `openssl` fails these tests rather than skipping them.
#![cfg(not(target_arch = "wasm32"))] // native only: reads files and runs openssl

mod common;

use common::openssl::Workdir;

use common::{FIXTURES, SplitMix, cert, corpus, corpus_cert, rng, signer};
use smime_wasm::{
    Certificate, Identity, Pkcs12ExportOptions, PrivateKey, export_pkcs12, export_pkcs12_with,
    import_pkcs12,
};

fn fixture_path(name: &str) -> String {
    format!("{FIXTURES}{name}")
}

fn code<T: std::fmt::Debug>(result: smime_wasm::Result<T>) -> &'static str {
    match result {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.code(),
    }
}

fn import(bytes: &[u8], password: &str, what: &str) -> Identity {
    import_pkcs12(bytes, password).unwrap_or_else(|e| panic!("{what}: {} {e}", e.code()))
}

/// The identity's key belongs to its certificate (Identity::new checks this too; this test
/// must not depend on it).
fn assert_key_matches(identity: &Identity, what: &str) {
    assert_eq!(
        identity.certificate().public_key().unwrap(),
        identity.key().public_key(),
        "{what}"
    );
}

fn has_email(cert: &Certificate, email: &str) -> bool {
    cert.emails().iter().any(|e| e.eq_ignore_ascii_case(email))
}

/// Each certificate of the chain's path part issued the one before it.
fn assert_issuer_order(identity: &Identity, what: &str) {
    let mut issued = identity.certificate().x509().tbs_certificate();
    for c in identity.chain() {
        let tbs = c.x509().tbs_certificate();
        assert_eq!(tbs.subject(), issued.issuer(), "{what}: chain out of order");
        issued = tbs;
    }
}

// ---- The external corpus ----------------------------------------------------------------------

/// NSS-made identities (MANIFEST.md §1): PBES2/AES-256 key bags, AES-128 certificate bags and a
/// SHA-256 MAC for Alice, Bob, Dave, Eve, Alice-ec; pbeWithSHAAnd3-KeyTripleDES-CBC and a SHA-1
/// MAC for Fran and Fran-ec. Alice-ec and Fran-ec hold P-384 keys. Password `nss`.
#[test]
fn thunderbird_identities() {
    let cases = [
        ("smime/Alice.p12", "Alice", "Alice@example.com", "rsa-2048"),
        ("smime/Bob.p12", "Bob", "Bob@example.com", "rsa-2048"),
        ("smime/Dave.p12", "Dave", "Dave@example.com", "rsa-2048"),
        ("smime/Eve.p12", "Eve", "eve@example.net", "rsa-2048"),
        (
            "smime/Alice-ec.p12",
            "Alice-ec",
            "Alice-ec@example.com",
            "p-384",
        ),
        ("smime/Fran.p12", "Fran", "Fran@example.com", "rsa-2048"),
        (
            "smime/Fran-ec.p12",
            "Fran-ec",
            "Fran-ec@example.com",
            "p-384",
        ),
        (
            "browser-data/Alice.p12",
            "Alice",
            "Alice@example.com",
            "rsa-2048",
        ),
        ("browser-data/Bob.p12", "Bob", "Bob@example.com", "rsa-2048"),
        (
            "smime-interop/Fran.p12",
            "Fran",
            "Fran@example.com",
            "rsa-2048",
        ),
        (
            "smime-interop/Fran-ec.p12",
            "Fran-ec",
            "Fran-ec@example.com",
            "p-384",
        ),
    ];
    for (path, name, email, key) in cases {
        let identity = import(&corpus(&format!("thunderbird/{path}")), "nss", path);
        assert_key_matches(&identity, path);
        let leaf = identity.certificate();
        assert!(has_email(leaf, email), "{path}: {:?}", leaf.emails());
        assert_eq!(identity.key().public_key().description(), key, "{path}");
        // The same certificate as the PEM conversion in the corpus, and the CA as the chain.
        let expected = corpus_cert(&format!("thunderbird/derived-pem/{name}.cert.pem"));
        assert_eq!(leaf.der(), expected.der(), "{path}");
        // Fran's files hold no CA certificate (their `.ca.pem` is empty).
        let ca = corpus(&format!("thunderbird/derived-pem/{name}.ca.pem"));
        let ca = smime_wasm::certificates_in(&ca).unwrap_or_default();
        assert_eq!(identity.chain(), ca, "{path}");
        // The key is the one the corpus's PEM conversion holds.
        let pem = corpus(&format!("thunderbird/derived-pem/{name}.key.pem"));
        let expected_key = PrivateKey::from_pem_or_der(&pem, None).unwrap();
        assert_eq!(
            expected_key.public_key(),
            identity.key().public_key(),
            "{path}"
        );
    }
}

/// MimeKit's test identities (MANIFEST.md §4b), made by OpenSSL 1.x: pbeWithSHAAnd3-KeyTripleDES
/// key bags, pbeWithSHAAnd40BitRC2-CBC certificate bags, SHA-1 MAC, password `no.secret`.
#[test]
fn mimekit_identities() {
    let cases = [
        ("certificate-authority.pfx", Some("root@mimekit.net"), 0),
        ("intermediate1.pfx", None, 1),
        ("intermediate2.pfx", None, 2),
        ("revoked-intermediate.pfx", None, 1),
        ("rsa/smime.pfx", Some("rsa@mimekit.net"), 3),
        ("dnsnames/smime.pfx", None, 3),
        ("nochain/smime.pfx", None, 0),
        ("revoked/smime.pfx", None, 3),
        ("revokednochain/smime.pfx", None, 0),
        ("revokedsubca/smime.pfx", None, 2),
    ];
    for (path, email, chain_len) in cases {
        let identity = import(&corpus(&format!("mimekit/{path}")), "no.secret", path);
        assert_key_matches(&identity, path);
        if let Some(email) = email {
            assert!(has_email(identity.certificate(), email), "{path}");
        }
        assert_eq!(identity.chain().len(), chain_len, "{path}");
        assert_issuer_order(&identity, path);
        let description = identity.key().public_key().description();
        assert_eq!(description, "rsa-4096", "{path}");
    }
}

/// `mimekit/ec/smime.pfx` holds a P-384 key whose certificate and PKCS#8 both spell the curve
/// out as explicit parameters (specifiedCurve, which RFC 5480 §2.1.1 forbids in PKIX): they are
/// exactly P-384's, so the identity imports as P-384 and signs.
#[test]
fn mimekit_explicit_p384_curve_imports() {
    let bytes = corpus("mimekit/ec/smime.pfx");
    let identity = import_pkcs12(&bytes, "no.secret").expect("explicit P-384 parameters are read");
    let info = identity.certificate().info();
    assert_eq!(info.key_algorithm, "p-384");
    let mail = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: s\r\n\r\nx\r\n";
    let signed = smime_wasm::sign(
        mail,
        &identity,
        &smime_wasm::SignOptions::default(),
        common::NOW,
    )
    .expect("the key signs");
    let opened = smime_wasm::open(
        &signed,
        &[],
        &smime_wasm::TrustStore::default(),
        common::NOW,
        &mut rng(),
    )
    .expect("open");
    assert!(opened.layers[0].is_valid());
}

/// `mimekit/dsa/smime.pfx` holds a DSA key: unsupported, not a panic and not "no key".
#[test]
fn mimekit_dsa_key_is_unsupported() {
    let bytes = corpus("mimekit/dsa/smime.pfx");
    assert_eq!(
        code(import_pkcs12(&bytes, "no.secret")),
        "ERR_UNSUPPORTED_ALGORITHM"
    );
    // The MAC is checked first: a wrong password says so, whatever the key.
    assert_eq!(code(import_pkcs12(&bytes, "secret")), "ERR_BAD_PASSWORD");
}

#[test]
fn wrong_password_is_bad_password() {
    for (path, right) in [
        ("thunderbird/smime/Alice.p12", "nss"),
        ("thunderbird/smime/Fran-ec.p12", "nss"),
        ("mimekit/rsa/smime.pfx", "no.secret"),
    ] {
        let bytes = corpus(path);
        for wrong in ["", "NSS", "nss ", "no.secret!", "pässwörd"] {
            if wrong != right {
                assert_eq!(
                    code(import_pkcs12(&bytes, wrong)),
                    "ERR_BAD_PASSWORD",
                    "{path}"
                );
            }
        }
    }
}

/// `bouncycastle/smime/johndoe.p12` (MANIFEST.md: "password unknown") opens with the empty
/// password: 40-bit RC2 certificates, a SHA-1 MAC.
#[test]
fn bouncycastle_johndoe_has_an_empty_password() {
    let bytes = corpus("bouncycastle/smime/johndoe.p12");
    let identity = import(&bytes, "", "johndoe.p12");
    assert_key_matches(&identity, "johndoe.p12");
    assert!(has_email(identity.certificate(), "john.doe@example.net"));
    assert!(identity.chain().is_empty());
    assert_eq!(code(import_pkcs12(&bytes, "john")), "ERR_BAD_PASSWORD");
}

// ---- Corruption -----------------------------------------------------------------------------

/// Every way a damaged file may fail; none may panic, and none may yield another identity.
const DAMAGED: [&str; 5] = [
    "ERR_MALFORMED_PKCS12",
    "ERR_BAD_PASSWORD",
    "ERR_NO_PRIVATE_KEY",
    "ERR_UNSUPPORTED_ALGORITHM",
    "ERR_NESTING_TOO_DEEP",
];

fn assert_damage_detected(damaged: &[u8], password: &str, original: &Identity, what: &str) {
    match import_pkcs12(damaged, password) {
        Err(e) => assert!(DAMAGED.contains(&e.code()), "{what}: {} {e}", e.code()),
        // A flip in a byte nothing reads (a BER end-of-contents' neighbour, an unused
        // attribute) may leave the identity whole: then it must be the same one.
        Ok(identity) => {
            assert_eq!(identity.certificate(), original.certificate(), "{what}");
            assert_eq!(
                identity.key().public_key(),
                original.key().public_key(),
                "{what}"
            );
        }
    }
}

#[test]
fn truncated_files_are_errors() {
    for (path, password) in [
        ("thunderbird/smime/Fran.p12", "nss"),
        ("thunderbird/smime/Alice-ec.p12", "nss"),
        ("mimekit/nochain/smime.pfx", "no.secret"),
    ] {
        let bytes = corpus(path);
        let original = import(&bytes, password, path);
        let mut cuts: Vec<usize> = (0..64.min(bytes.len())).collect();
        cuts.extend((64..bytes.len()).step_by(97));
        cuts.extend(bytes.len().saturating_sub(40)..bytes.len());
        for cut in cuts {
            let what = format!("{path} cut at {cut}");
            assert_damage_detected(&bytes[..cut], password, &original, &what);
        }
    }
}

#[test]
fn bit_flips_are_errors() {
    let mut rand = SplitMix(0x5EED_1234);
    for (path, password, flips) in [
        ("thunderbird/smime/Fran.p12", "nss", 300),
        ("thunderbird/smime/Alice.p12", "nss", 60),
        ("mimekit/rsa/smime.pfx", "no.secret", 300),
    ] {
        let bytes = corpus(path);
        let original = import(&bytes, password, path);
        for _ in 0..flips {
            let mut damaged = bytes.clone();
            let at = rand.below(damaged.len());
            let bit = rand.below(8);
            damaged[at] ^= 1 << bit;
            let what = format!("{path} bit {bit} of byte {at}");
            assert_damage_detected(&damaged, password, &original, &what);
        }
    }
}

#[test]
fn not_pkcs12_and_too_large() {
    assert_eq!(code(import_pkcs12(b"", "x")), "ERR_MALFORMED_PKCS12");
    assert_eq!(
        code(import_pkcs12(&[0x30, 0x80], "x")),
        "ERR_MALFORMED_PKCS12"
    );
    let pem = common::fixture("alice.cert.pem");
    assert_eq!(code(import_pkcs12(&pem, "x")), "ERR_MALFORMED_PKCS12");
    let der = cert("alice").der().to_vec();
    assert_eq!(code(import_pkcs12(&der, "x")), "ERR_MALFORMED_PKCS12");
    let huge = vec![0u8; 3 * 1024 * 1024];
    assert_eq!(code(import_pkcs12(&huge, "x")), "ERR_TOO_LARGE");
}

/// A MacData iteration count above the bound is refused before any work is done (a file that
/// would keep a browser busy for minutes).
#[test]
fn excessive_iteration_count_is_refused() {
    let dir = Workdir::new("iter");
    let bytes = openssl_export(&dir, "carol", "pw", &["-legacy"], false);
    // OpenSSL writes definite lengths: PFX ::= 30 82 LL LL, version 02 01 03, authSafe, MacData
    // ending in iterations 02 02 08 00 (2048). Make it 02 04 00 98 96 81 (10,000,001).
    assert_eq!(&bytes[..2], [0x30, 0x82]);
    assert_eq!(&bytes[bytes.len() - 4..], [0x02, 0x02, 0x08, 0x00]);
    let auth_safe_len = usize::from(bytes[9]) << 8 | usize::from(bytes[10]);
    let mac_at = 4 + 3 + 4 + auth_safe_len;
    assert_eq!(bytes[mac_at], 0x30);
    let mut patched = bytes[..bytes.len() - 4].to_vec();
    patched.extend_from_slice(&[0x02, 0x04, 0x00, 0x98, 0x96, 0x81]);
    patched[mac_at + 1] += 2;
    let outer = (usize::from(bytes[2]) << 8 | usize::from(bytes[3])) + 2;
    patched[2] = (outer >> 8) as u8;
    patched[3] = (outer & 0xff) as u8;
    let started = std::time::Instant::now();
    assert_eq!(code(import_pkcs12(&patched, "pw")), "ERR_MALFORMED_PKCS12");
    assert!(started.elapsed().as_secs() < 5);
}

// ---- OpenSSL writes, we read ----------------------------------------------------------------

/// `openssl pkcs12 -export` of fixture `name` (with the demo CA as -certfile when `with_ca`)
/// under `password` and `flags`; the file's bytes.
fn openssl_export(
    dir: &Workdir,
    name: &str,
    password: &str,
    flags: &[&str],
    with_ca: bool,
) -> Vec<u8> {
    let key = fixture_path(&format!("{name}.key.pem"));
    let cert = fixture_path(&format!("{name}.cert.pem"));
    let ca = fixture_path("demo-ca.cert.pem");
    let passout = format!("pass:{password}");
    let mut args = vec![
        "pkcs12", "-export", "-inkey", &key, "-in", &cert, "-passout", &passout, "-out", "out.p12",
    ];
    if with_ca {
        args.extend(["-certfile", &ca]);
    }
    args.extend(flags);
    dir.openssl_ok(&args);
    dir.read("out.p12")
}

/// The fixture identities with their key kinds. Erin's X25519 key has a certificate the demo CA
/// issued, like the others.
const KINDS: [(&str, &str); 5] = [
    ("alice", "rsa-2048"),
    ("carol", "p-256"),
    ("dave", "p-384"),
    ("frank", "ed25519"),
    ("erin", "x25519"),
];

/// The modes `openssl pkcs12 -export` offers, each read for every key kind.
#[test]
fn openssl_exports_in_every_mode() {
    let modes: &[(&str, &[&str])] = &[
        ("default: PBES2 AES-256-CBC, SHA-256 MAC", &[]),
        (
            "-legacy: 3DES key, RC2-40 certificates, SHA-1 MAC",
            &["-legacy"],
        ),
        (
            "3DES both, SHA-1 MAC",
            &[
                "-keypbe",
                "PBE-SHA1-3DES",
                "-certpbe",
                "PBE-SHA1-3DES",
                "-macalg",
                "sha1",
            ],
        ),
        (
            "RC2-128 key, two-key 3DES certificates",
            &[
                "-legacy",
                "-keypbe",
                "PBE-SHA1-RC2-128",
                "-certpbe",
                "PBE-SHA1-2DES",
            ],
        ),
        (
            "PBES2 AES-128 key, PBES2 3DES certificates, SHA-512 MAC",
            &[
                "-keypbe",
                "AES-128-CBC",
                "-certpbe",
                "DES-EDE3-CBC",
                "-macalg",
                "sha512",
            ],
        ),
        (
            "PBES2 AES-192, SHA-384 MAC",
            &[
                "-keypbe",
                "AES-192-CBC",
                "-certpbe",
                "AES-192-CBC",
                "-macalg",
                "sha384",
            ],
        ),
        ("SHA-224 MAC", &["-macalg", "sha224"]),
        ("no MAC", &["-nomac"]),
        (
            "keyBag and certificates in the clear",
            &["-keypbe", "NONE", "-certpbe", "NONE"],
        ),
        ("one iteration", &["-noiter", "-nomaciter"]),
    ];
    for (name, kind) in KINDS {
        let expected = signer(name);
        for (mode, flags) in modes {
            let dir = Workdir::new(name);
            let what = format!("{name}, {mode}");
            let bytes = openssl_export(&dir, name, "s3cret", flags, name == "alice");
            let identity = import(&bytes, "s3cret", &what);
            assert_key_matches(&identity, &what);
            assert_eq!(identity.certificate(), expected.certificate(), "{what}");
            assert_eq!(identity.key().public_key().description(), kind, "{what}");
            let chain_len = usize::from(name == "alice");
            assert_eq!(identity.chain().len(), chain_len, "{what}");
            if name == "alice" {
                assert_eq!(identity.chain()[0], cert("demo-ca"), "{what}");
            }
            assert_eq!(
                code(import_pkcs12(&bytes, "s3cre")),
                "ERR_BAD_PASSWORD",
                "{what}"
            );
        }
    }
}

/// OpenSSL's empty password, with and without MAC.
#[test]
fn openssl_empty_password() {
    for flags in [&[][..], &["-legacy"], &["-nomac"]] {
        let dir = Workdir::new("empty");
        let bytes = openssl_export(&dir, "alice", "", flags, true);
        let identity = import(&bytes, "", &format!("empty password {flags:?}"));
        assert_eq!(identity.certificate(), &cert("alice"));
        assert_eq!(
            code(import_pkcs12(&bytes, "x")),
            "ERR_BAD_PASSWORD",
            "{flags:?}"
        );
    }
}

/// A non-ASCII password: UTF-8 for PBES2, UTF-16 for the PKCS#12 KDF.
#[test]
fn openssl_non_ascii_password() {
    for flags in [&[][..], &["-legacy"]] {
        let dir = Workdir::new("utf8");
        let bytes = openssl_export(&dir, "carol", "pässwörd😀", flags, false);
        let identity = import(&bytes, "pässwörd😀", &format!("non-ASCII {flags:?}"));
        assert_eq!(identity.certificate(), &cert("carol"));
        assert_eq!(code(import_pkcs12(&bytes, "passwort")), "ERR_BAD_PASSWORD");
    }
}

/// The chain comes out issuer first even when the file lists it root first.
#[test]
fn chain_is_put_in_issuer_order() {
    let dir = Workdir::new("order");
    let pfx = corpus("mimekit/rsa/smime.pfx");
    dir.write("in.pfx", &pfx);
    let pass = ["-passin", "pass:no.secret", "-passout", "pass:x", "-legacy"];
    let base = ["pkcs12", "-in", "in.pfx", "-nodes"];
    let key = dir.openssl_ok(&[&base[..], &pass[..], &["-nocerts"]].concat());
    dir.write("key.pem", &key);
    let leaf = dir.openssl_ok(&[&base[..], &pass[..], &["-nokeys", "-clcerts"]].concat());
    dir.write("leaf.pem", &leaf);
    let cas = dir.openssl_ok(&[&base[..], &pass[..], &["-nokeys", "-cacerts"]].concat());
    let mut blocks: Vec<String> = String::from_utf8(cas)
        .unwrap()
        .split_inclusive("-----END CERTIFICATE-----\n")
        .filter(|b| b.contains("BEGIN CERTIFICATE"))
        .map(str::to_owned)
        .collect();
    assert_eq!(blocks.len(), 3);
    let original = import(&pfx, "no.secret", "rsa/smime.pfx");
    for (i, c) in original.chain().iter().enumerate() {
        let pem = Certificate::from_pem(&blocks[i]).unwrap();
        assert_eq!(&pem, c, "openssl -cacerts lists the chain issuer first");
    }
    blocks.reverse();
    dir.write("cas.pem", blocks.concat().as_bytes());
    let args = [
        "pkcs12",
        "-export",
        "-inkey",
        "key.pem",
        "-in",
        "leaf.pem",
        "-certfile",
        "cas.pem",
        "-passout",
        "pass:x",
        "-out",
        "out.p12",
    ];
    dir.openssl_ok(&args);
    let identity = import(&dir.read("out.p12"), "x", "reversed chain");
    assert_issuer_order(&identity, "reversed chain");
    assert_eq!(identity.chain(), original.chain());
}

/// A file without a key, or without the key's certificate, names the problem.
#[test]
fn no_key_or_no_matching_certificate() {
    let dir = Workdir::new("nokey");
    let cert = fixture_path("alice.cert.pem");
    dir.openssl_ok(&[
        "pkcs12", "-export", "-nokeys", "-in", &cert, "-passout", "pass:x", "-out", "out.p12",
    ]);
    let bytes = dir.read("out.p12");
    assert_eq!(code(import_pkcs12(&bytes, "x")), "ERR_NO_PRIVATE_KEY");

    // Alice's key with only Bob's certificate.
    let key = fixture_path("alice.key.pem");
    let bob = fixture_path("bob.cert.pem");
    dir.openssl_ok(&[
        "pkcs12", "-export", "-inkey", &key, "-nocerts", "-passout", "pass:x", "-out", "k.p12",
    ]);
    let key_only = dir.read("k.p12");
    assert_eq!(code(import_pkcs12(&key_only, "x")), "ERR_NO_PRIVATE_KEY");
    dir.openssl_ok(&[
        "pkcs12", "-export", "-nokeys", "-in", &bob, "-passout", "pass:x", "-out", "b.p12",
    ]);
    assert_eq!(
        code(import_pkcs12(&dir.read("b.p12"), "x")),
        "ERR_NO_PRIVATE_KEY"
    );
}

// ---- We write, OpenSSL and we read ----------------------------------------------------------

fn identity_with_chain(name: &str) -> Identity {
    let pem = String::from_utf8(common::fixture(&format!("{name}.key.pem"))).unwrap();
    let key = PrivateKey::from_pem(&pem, None).unwrap();
    Identity::new(cert(name), key, vec![cert("demo-ca")]).unwrap()
}

/// Our file, read by `openssl pkcs12 -nodes` (no `-legacy`) and by us: the key OpenSSL finds is
/// ours, every certificate is there, the algorithms are the promised ones, and a wrong password
/// is refused. Each key kind gets another password, the empty and a non-ASCII one among them.
/// (An export costs three derivations of 100,000 iterations: seconds in a debug build, so each
/// file serves every check.)
fn we_export_openssl_and_we_read(name: &str, kind: &str, password: &str) {
    let identity = identity_with_chain(name);
    let bytes = export_pkcs12(&identity, password, &mut rng()).unwrap();
    let what = format!("{name} with {password:?}");

    let dir = Workdir::new(name);
    dir.write("ours.p12", &bytes);
    let passin = format!("pass:{password}");
    let dump = dir.openssl_ok(&[
        "pkcs12", "-in", "ours.p12", "-passin", &passin, "-nodes", "-out", "dump.pem",
    ]);
    assert!(dump.is_empty());
    let dump = String::from_utf8(dir.read("dump.pem")).unwrap();
    assert_eq!(dump.matches("BEGIN CERTIFICATE").count(), 2, "{what}");
    assert_eq!(dump.matches("BEGIN PRIVATE KEY").count(), 1, "{what}");
    // localKeyID ties the key to the leaf, as OpenSSL reports it.
    assert_eq!(dump.matches("localKeyID").count(), 2, "{what}");
    let theirs = dir.openssl_ok(&["pkey", "-in", "dump.pem", "-pubout"]);
    let cert_path = fixture_path(&format!("{name}.cert.pem"));
    let expected = dir.openssl_ok(&["x509", "-in", &cert_path, "-noout", "-pubkey"]);
    assert_eq!(theirs, expected, "{what}");
    let info = dir.openssl(&[
        "pkcs12", "-in", "ours.p12", "-passin", &passin, "-info", "-noout",
    ]);
    assert!(info.status.success(), "{what}");
    let info = String::from_utf8_lossy(&info.stderr).into_owned();
    assert!(
        info.contains("MAC: sha256, Iteration 100000"),
        "{what}: {info}"
    );
    assert!(
        info.contains(
            "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 100000, PRF hmacWithSHA256"
        ) && info.contains(
            "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 100000, PRF hmacWithSHA256"
        ),
        "{what}: {info}"
    );

    let back = import(&bytes, password, &what);
    assert_eq!(back.certificate(), identity.certificate(), "{what}");
    assert_eq!(back.chain(), identity.chain(), "{what}");
    assert_eq!(
        back.key().public_key(),
        identity.key().public_key(),
        "{what}"
    );
    assert_eq!(back.key().public_key().description(), kind, "{what}");
    assert_eq!(
        code(import_pkcs12(&bytes, "wrong")),
        "ERR_BAD_PASSWORD",
        "{what}"
    );
}

#[test]
fn we_export_rsa() {
    we_export_openssl_and_we_read("alice", "rsa-2048", "correct horse battery staple");
}

#[test]
fn we_export_p256_with_empty_password() {
    we_export_openssl_and_we_read("carol", "p-256", "");
}

#[test]
fn we_export_p384_with_non_ascii_password() {
    we_export_openssl_and_we_read("dave", "p-384", "pässwörd😀");
}

#[test]
fn we_export_ed25519() {
    we_export_openssl_and_we_read("frank", "ed25519", "frank");
}

#[test]
fn we_export_x25519() {
    we_export_openssl_and_we_read("erin", "x25519", "erin");
}

/// A corpus identity with a three-certificate chain survives export and import, chain order
/// included; and every export draws fresh salts and IVs, so the same identity and password
/// never give the same file.
#[test]
fn corpus_identity_reexported_with_fresh_randomness() {
    let original = import(
        &corpus("mimekit/rsa/smime.pfx"),
        "no.secret",
        "rsa/smime.pfx",
    );
    let a = export_pkcs12(&original, "new", &mut rng()).unwrap();
    let b = export_pkcs12(&original, "new", &mut rng()).unwrap();
    assert_ne!(a, b);
    let back = import(&a, "new", "re-exported rsa/smime.pfx");
    assert_eq!(back.certificate(), original.certificate());
    assert_eq!(back.chain(), original.chain());
    assert_eq!(back.key().public_key(), original.key().public_key());
}

/// An identity without chain gives a file with one certificate.
#[test]
fn export_without_chain() {
    let bytes = export_pkcs12(&signer("carol"), "pw", &mut rng()).unwrap();
    let back = import(&bytes, "pw", "carol without chain");
    assert_eq!(back.certificate(), &cert("carol"));
    assert!(back.chain().is_empty());
}

/// The shell keeps account keys as PKCS#12 at OWASP's 600,000 iterations of
/// PBKDF2-HMAC-SHA-256 (2023): every derivation of the file uses them, OpenSSL reads it, and
/// it comes back whole.
#[test]
fn export_at_owasp_iterations_round_trips() {
    let identity = identity_with_chain("carol");
    let options = Pkcs12ExportOptions {
        iterations: 600_000,
    };
    let bytes = export_pkcs12_with(&identity, "account key", &options, &mut rng()).unwrap();

    let dir = Workdir::new("owasp");
    dir.write("account.p12", &bytes);
    let info = dir.openssl(&[
        "pkcs12",
        "-in",
        "account.p12",
        "-passin",
        "pass:account key",
        "-info",
        "-noout",
    ]);
    let report = String::from_utf8_lossy(&info.stderr).into_owned();
    assert!(info.status.success(), "{report}");
    assert!(report.contains("MAC: sha256, Iteration 600000"), "{report}");
    assert!(
        report.contains(
            "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 600000, PRF hmacWithSHA256"
        ) && report.contains(
            "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 600000, PRF hmacWithSHA256"
        ),
        "{report}"
    );

    let back = import(&bytes, "account key", "600,000 iterations");
    assert_eq!(back.certificate(), identity.certificate());
    assert_eq!(back.chain(), identity.chain());
    assert_eq!(back.key().public_key(), identity.key().public_key());
}

/// The work factor is bounded both ways: under NSS's 10,000 is too cheap to guess at, over
/// 10,000,000 is a file that imports (ours included) refuse.
#[test]
fn export_iterations_out_of_range_are_invalid_arguments() {
    let identity = signer("carol");
    for iterations in [0, 1, 2048, 9_999, 10_000_001, u32::MAX] {
        let options = Pkcs12ExportOptions { iterations };
        assert_eq!(
            code(export_pkcs12_with(&identity, "pw", &options, &mut rng())),
            "ERR_INVALID_ARGUMENT",
            "{iterations}"
        );
    }
    let options = Pkcs12ExportOptions { iterations: 10_000 };
    let bytes = export_pkcs12_with(&identity, "pw", &options, &mut rng()).unwrap();
    // MacData ends in its iteration count: INTEGER 10,000 is 02 02 27 10.
    assert_eq!(&bytes[bytes.len() - 4..], [0x02, 0x02, 0x27, 0x10]);
    assert_eq!(
        import(&bytes, "pw", "10,000 iterations").certificate(),
        &cert("carol")
    );
    assert_eq!(Pkcs12ExportOptions::default().iterations, 100_000);
}
