//! Helpers shared by the API tests: fixtures, the external corpus, a fixed clock.
#![allow(dead_code)] // each test crate uses a different subset

pub mod openssl;

use std::path::PathBuf;

use smime_wasm::{Certificate, Identity, Opened, PrivateKey, SignerReport, TrustStore, UnixTime};

/// 2030-01-01T00:00:00Z: inside every fixture's validity period and the Thunderbird certs'.
pub const NOW: UnixTime = UnixTime::from_secs(1_893_456_000);

/// The demo PKI made by `tests/fixtures/make.sh`.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");

/// The external corpus described by `MANIFEST.md`: `shared/` sits beside the repository.
pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/interop/");

/// The bytes of a fixture file.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{FIXTURES}{name}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {path}: {e}"))
}

/// The bytes of a corpus file, by its path under `shared/interop/`.
pub fn corpus(path: &str) -> Vec<u8> {
    let full = format!("{CORPUS}{path}");
    std::fs::read(&full).unwrap_or_else(|e| panic!("cannot read corpus file {full}: {e}"))
}

/// A certificate from the corpus, PEM or DER.
pub fn corpus_cert(path: &str) -> Certificate {
    Certificate::from_pem_or_der(&corpus(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `tests/fixtures/<name>.cert.pem`.
pub fn cert(name: &str) -> Certificate {
    let pem = String::from_utf8(fixture(&format!("{name}.cert.pem"))).expect("PEM is text");
    Certificate::from_pem(&pem).unwrap_or_else(|e| panic!("{name}.cert.pem: {e}"))
}

/// The signing identity `<name>.{cert,key}.pem`.
pub fn signer(name: &str) -> Identity {
    let pem = String::from_utf8(fixture(&format!("{name}.key.pem"))).expect("PEM is text");
    let key = PrivateKey::from_pem(&pem, None).unwrap_or_else(|e| panic!("{name}.key.pem: {e}"));
    Identity::new(cert(name), key, Vec::new()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Trust only `anchors`.
pub fn trust(anchors: Vec<Certificate>) -> TrustStore {
    TrustStore::new(anchors, Vec::new())
}

/// Trust the demo CA.
pub fn demo_trust() -> TrustStore {
    trust(vec![cert("demo-ca")])
}

/// Every signer report of every layer, outermost first.
pub fn signers(opened: &Opened) -> Vec<&SignerReport> {
    opened
        .layers
        .iter()
        .flat_map(|layer| match layer {
            smime_wasm::Layer::Signed { signers, .. } => signers.iter(),
            _ => [].iter(),
        })
        .collect()
}

/// One line per signer, for failure messages.
pub fn describe(opened: &Opened) -> String {
    signers(opened)
        .iter()
        .map(|s| {
            format!(
                "[signature={} chain={} digest={} alg={} weak={}]",
                s.signature.map_or_else(|e| e.code(), |()| "ok"),
                s.chain.label(),
                s.digest,
                s.signature_algorithm,
                s.weak_digest
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// ---- Encryption helpers ----------------------------------------------------------------------

/// The operating system's CSPRNG, as the crate's `rng` parameters want it.
pub fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}

/// An identity from PEM or DER files of the corpus (certificate, unencrypted private key).
pub fn corpus_identity(cert_path: &str, key_path: &str) -> Identity {
    let key = PrivateKey::from_pem_or_der(&corpus(key_path), None)
        .unwrap_or_else(|e| panic!("{key_path}: {} {e}", e.code()));
    Identity::new(corpus_cert(cert_path), key, Vec::new())
        .unwrap_or_else(|e| panic!("{cert_path}: {} {e}", e.code()))
}

/// The transfer-decoded body of a message's outermost entity: the CMS of an
/// `application/pkcs7-mime` message.
pub fn cms_of(message: &[u8]) -> Vec<u8> {
    smime_wasm::mime::Entity::parse(message)
        .and_then(|e| e.decoded_body())
        .unwrap_or_else(|e| panic!("not a MIME message: {} {e}", e.code()))
}

/// `message` with its body replaced by `cms`, base64-encoded; the header block is kept.
pub fn with_cms(message: &[u8], cms: &[u8]) -> Vec<u8> {
    let entity = smime_wasm::mime::Entity::parse(message).expect("MIME message");
    let mut out = entity.header_block().to_vec();
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&smime_wasm::mime::encode_base64(cms));
    out
}

/// The layer kinds of an opened message, outermost first, for assertions and failure messages:
/// `signed:detached`, `signed:opaque`, `encrypted:<content encryption>`.
pub fn layer_kinds(opened: &Opened) -> Vec<String> {
    opened
        .layers
        .iter()
        .map(|layer| match layer {
            smime_wasm::Layer::Signed { format, .. } => format!("signed:{}", format.name()),
            smime_wasm::Layer::Encrypted {
                content_encryption, ..
            } => format!("encrypted:{content_encryption}"),
            other => format!("{other:?}"),
        })
        .collect()
}

/// A small deterministic generator (SplitMix64) for choosing bit flips and truncations, so
/// that a failure names a reproducible case.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform enough below `n` (n > 0) for test case selection.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Every corpus file under 4 MB, recursively, sorted.
pub fn all_corpus_files() -> Vec<PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.metadata().is_ok_and(|m| m.len() < 4 * 1024 * 1024) {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(std::path::Path::new(CORPUS), &mut files);
    files.sort();
    assert!(
        files.len() >= 300,
        "corpus looks incomplete: {} files under {CORPUS}",
        files.len()
    );
    files
}
