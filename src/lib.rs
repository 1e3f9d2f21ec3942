//! S/MIME for webmail, in the browser.
//!
//! `smime-wasm` signs, verifies, encrypts and decrypts real mail (RFC 5322 messages, RFC 8551
//! S/MIME 4.0) in plain Rust, so that the same core runs natively under `cargo test` and as
//! WebAssembly in a browser Worker, where private keys never leave the user's machine.
//!
//! It does not fetch anything (CRLs, certificates), keep any global keyring, or read the clock:
//! time and randomness are parameters.
//!
//! # Quick start
//! ```
//! # fn main() -> Result<(), smime_wasm::Error> {
//! use smime_wasm::{Certificate, PrivateKey, Identity, SignOptions, TrustStore, UnixTime};
//! let cert = Certificate::from_pem(include_str!("../tests/fixtures/alice.cert.pem"))?;
//! let key = PrivateKey::from_pem(include_str!("../tests/fixtures/alice.key.pem"), None)?;
//! let signer = Identity::new(cert, key, Vec::new())?;
//! let now = UnixTime::from_secs(1_893_456_000); // 2030-01-01
//! let mail = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHello Bob\r\n";
//! let signed = smime_wasm::sign(mail, &signer, &SignOptions::default(), now)?;
//!
//! let anchor = Certificate::from_pem(include_str!("../tests/fixtures/demo-ca.cert.pem"))?;
//! let trust = TrustStore::new(vec![anchor], Vec::new());
//! let opened = smime_wasm::verify(&signed, &trust, now)?;
//! assert!(opened.layers[0].is_valid());
//! # Ok(()) }
//! ```
//!
//! # Layers
//! [`cert`] and [`key`] parse X.509 certificates and private keys; [`cms`] reads and writes
//! RFC 5652 structures; [`mime`] handles the RFC 5322/2045 entities around them and reads
//! messages for display; [`smime`] is the message-level paved path (`sign`, `open`). `wasm`
//! (only on `wasm32`) is the JavaScript binding and contains no logic of its own.
//!
//! # Security notes
//! Untrusted input never panics: it yields an [`Error`] with a stable [`Error::code`]. A
//! signature that does not hold is not an error but a report ([`smime::SignerReport`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod cert;
pub mod cms;
mod error;
pub mod key;
pub mod mime;
mod pem;
pub mod smime;
mod time;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use cert::issue::{IdentityRequest, create_csr, generate_identity};
pub use cert::{Certificate, CertificateInfo, Crl, TrustStore, certificates_in};
pub use error::{ChainError, Error, Result, SignatureError};
pub use key::generate::{KeyAlgorithm, generate_key};
pub use key::pkcs12::{Pkcs12ExportOptions, export_pkcs12, export_pkcs12_with, import_pkcs12};
pub use key::{Identity, PrivateKey, PublicKey};
pub use mime::{
    HeaderView, Mailbox, MessageHeaders, MessageView, PartView, Protection, message_headers,
    read_message,
};
pub use smime::{
    ContentEncryption, DigestAlgorithm, EmbeddedPart, EncryptOptions, KeyTransport, Layer, Opened,
    RecipientIdentifierKind, SignOptions, SignatureFormat, SignerReport, Warning, decrypt, encrypt,
    open, sign, verify,
};
pub use time::UnixTime;
