//! Helpers shared by the API tests: fixtures, the external corpus, a fixed clock.
#![allow(dead_code)] // each test crate uses a different subset

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
            _ => [].iter(), // Layer is non_exhaustive: enveloped layers are to come
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
