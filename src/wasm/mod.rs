//! The JavaScript binding (API.md): converts values in, calls the core, converts results out.
//! No logic lives here.

mod error;
mod options;
mod report;
mod types;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::cert::{Certificate, TrustStore};
use crate::key::PrivateKey;
use crate::mime::{Attachment, Composition};
use crate::smime::{
    ContentEncryption, DigestAlgorithm, EncryptOptions, KeyTransport, RecipientIdentifierKind,
    SignOptions, SignatureFormat,
};
use error::{invalid, to_js};
use options::{Options, Recipients, bytes_or_text};

thread_local! {
    /// Live identities by handle. wasm-bindgen can borrow an exported class only when it is a
    /// direct argument; inside an options object (`{ signingKey: identity }`) it could only move
    /// it out and destroy the caller's object, so options refer to identities by handle.
    static IDENTITIES: RefCell<BTreeMap<u32, Rc<crate::Identity>>> = const { RefCell::new(BTreeMap::new()) };
    static NEXT_HANDLE: RefCell<u32> = const { RefCell::new(1) };
}

/// A certificate with its private key. The key stays inside the wasm instance; `free()` drops
/// it (and zeroizes it).
#[wasm_bindgen]
pub struct Identity {
    handle: u32,
    inner: Rc<crate::Identity>,
}

impl Identity {
    fn new(identity: crate::Identity) -> Self {
        let inner = Rc::new(identity);
        let handle = NEXT_HANDLE.with(|n| {
            let mut n = n.borrow_mut();
            let handle = *n;
            *n = n.wrapping_add(1).max(1);
            handle
        });
        IDENTITIES.with(|m| m.borrow_mut().insert(handle, Rc::clone(&inner)));
        Self { handle, inner }
    }

    /// The identity an options value refers to.
    fn from_js(value: &JsValue, what: &str) -> Result<Rc<crate::Identity>, JsValue> {
        let handle = js_sys::Reflect::get(value, &JsValue::from_str("handle"))
            .ok()
            .and_then(|h| h.as_f64())
            .ok_or_else(|| invalid(format!("`{what}` must be an Identity")))?;
        let handle = handle as u32;
        IDENTITIES
            .with(|m| m.borrow().get(&handle).cloned())
            .ok_or_else(|| invalid(format!("`{what}` was freed")))
    }
}

impl Drop for Identity {
    fn drop(&mut self) {
        IDENTITIES.with(|m| m.borrow_mut().remove(&self.handle));
    }
}

#[wasm_bindgen]
impl Identity {
    /// The certificate, DER.
    #[wasm_bindgen(getter)]
    pub fn certificate(&self) -> Uint8Array {
        Uint8Array::from(self.inner.certificate().der())
    }

    /// The issuing certificates, DER, issuer first.
    #[wasm_bindgen(getter, unchecked_return_type = "Uint8Array[]")]
    pub fn chain(&self) -> Array {
        self.inner
            .chain()
            .iter()
            .map(|c| Uint8Array::from(c.der()))
            .collect()
    }

    /// Facts about the certificate.
    #[wasm_bindgen(getter, unchecked_return_type = "CertificateInfo")]
    pub fn info(&self) -> Result<JsValue, JsValue> {
        report::to_value(&self.inner.certificate().info())
    }

    /// A PKCS#12 file of this identity (PBES2, AES-256-CBC, PBKDF2-HMAC-SHA-256, SHA-256
    /// MAC) under `password`, which `openssl pkcs12` and mail clients read.
    /// `options.iterations` (10,000 to 10,000,000; default 100,000) sets the work factor.
    #[wasm_bindgen(js_name = exportPkcs12)]
    pub fn export_pkcs12(
        &self,
        password: &str,
        #[wasm_bindgen(unchecked_param_type = "ExportPkcs12Options | undefined")] options: Option<
            JsValue,
        >,
    ) -> Result<Uint8Array, JsValue> {
        let o = Options::new(
            &options.unwrap_or(JsValue::UNDEFINED),
            &["iterations"],
            true,
        )?;
        let mut export = crate::Pkcs12ExportOptions::default();
        if let Some(iterations) = o.integer(
            "iterations",
            crate::key::pkcs12::MIN_EXPORT_ITERATIONS..=crate::key::pkcs12::MAX_EXPORT_ITERATIONS,
        )? {
            export.iterations = iterations;
        }
        crate::export_pkcs12_with(&self.inner, password, &export, &mut rng())
            .map(|p| Uint8Array::from(p.as_slice()))
            .map_err(|e| to_js(&e))
    }

    /// The handle options use to refer to this identity.
    #[wasm_bindgen(getter)]
    pub fn handle(&self) -> u32 {
        self.handle
    }
}

/// `importPkcs12(bytes, password)`: the identity in a `.p12`/`.pfx` file.
#[wasm_bindgen(js_name = importPkcs12)]
pub fn import_pkcs12(bytes: &[u8], password: &str) -> Result<Identity, JsValue> {
    crate::import_pkcs12(bytes, password)
        .map(Identity::new)
        .map_err(|e| to_js(&e))
}

/// `importIdentity({ certificate, privateKey, password?, chain? })`.
#[wasm_bindgen(js_name = importIdentity)]
pub fn import_identity(
    #[wasm_bindgen(unchecked_param_type = "ImportIdentityOptions")] o: JsValue,
) -> Result<Identity, JsValue> {
    let o = Options::new(
        &o,
        &["certificate", "privateKey", "password", "chain"],
        false,
    )?;
    let cert_value = o
        .get("certificate")?
        .ok_or_else(|| invalid("`certificate` is required"))?;
    let key_value = o
        .get("privateKey")?
        .ok_or_else(|| invalid("`privateKey` is required"))?;
    let certificate = Certificate::from_pem_or_der(&bytes_or_text(&cert_value, "certificate")?)
        .map_err(|e| to_js(&e))?;
    let password = o.opt_string("password")?;
    let key_bytes = zeroize::Zeroizing::new(bytes_or_text(&key_value, "privateKey")?);
    let key =
        PrivateKey::from_pem_or_der(&key_bytes, password.as_deref()).map_err(|e| to_js(&e))?;
    let chain = o.certificates("chain")?;
    let identity = crate::Identity::new(certificate, key, chain).map_err(|e| to_js(&e))?;
    Ok(Identity::new(identity))
}

/// `generateIdentity({ email, name?, algorithm?, validDays?, issuer?, ca?, now? })`: a new key
/// and certificate, self-signed unless `issuer` (a CA identity) signs it.
#[wasm_bindgen(js_name = generateIdentity)]
pub fn generate_identity(
    #[wasm_bindgen(unchecked_param_type = "GenerateIdentityOptions")] o: JsValue,
) -> Result<Identity, JsValue> {
    let o = Options::new(
        &o,
        &[
            "email",
            "name",
            "algorithm",
            "validDays",
            "issuer",
            "ca",
            "now",
        ],
        false,
    )?;
    let algorithm = match o.opt_string("algorithm")? {
        Some(name) => crate::KeyAlgorithm::from_name(&name).map_err(|e| to_js(&e))?,
        None => crate::KeyAlgorithm::Rsa2048,
    };
    let valid_days = o.integer("validDays", 1..=36_500)?.unwrap_or(730);
    let is_ca = match o.get("ca")? {
        None => false,
        Some(v) => v
            .as_bool()
            .ok_or_else(|| invalid("`ca` must be a boolean"))?,
    };
    let issuer = match o.get("issuer")? {
        Some(v) => Some(Identity::from_js(&v, "issuer")?),
        None => None,
    };
    let request = crate::IdentityRequest {
        email: o.string("email")?,
        name: o.opt_string("name")?,
        valid_days,
        not_before: o.time("now")?,
        is_ca,
    };
    crate::generate_identity(&request, algorithm, issuer.as_deref(), &mut rng())
        .map(Identity::new)
        .map_err(|e| to_js(&e))
}

/// `createCsr(identity)`: a PKCS#10 request (PEM) a CA can issue a certificate from.
#[wasm_bindgen(js_name = createCsr)]
pub fn create_csr(identity: &Identity) -> Result<String, JsValue> {
    crate::create_csr(&identity.inner).map_err(|e| to_js(&e))
}

/// `certificateInfo(cert)`.
#[wasm_bindgen(js_name = certificateInfo, unchecked_return_type = "CertificateInfo")]
pub fn certificate_info(
    #[wasm_bindgen(unchecked_param_type = "Cert")] cert: JsValue,
) -> Result<JsValue, JsValue> {
    let cert =
        Certificate::from_pem_or_der(&bytes_or_text(&cert, "cert")?).map_err(|e| to_js(&e))?;
    report::to_value(&cert.info())
}

/// `certificatesIn(file)`: the certificates of a certificate file (`.cer`/`.der`, `.pem` with
/// any number of blocks, a certs-only `.p7c`/`.p7b`), as DER, in file order, each once.
#[wasm_bindgen(js_name = certificatesIn, unchecked_return_type = "Uint8Array[]")]
pub fn certificates_in(
    #[wasm_bindgen(unchecked_param_type = "CertificateFile")] file: JsValue,
) -> Result<Array, JsValue> {
    let found =
        crate::cert::certificates_in(&bytes_or_text(&file, "file")?).map_err(|e| to_js(&e))?;
    Ok(found.iter().map(|c| Uint8Array::from(c.der())).collect())
}

/// `composeMessage({ from, to, cc?, subject, text?, html?, attachments?, date?, messageId?,
/// inReplyTo?, references? })`.
#[wasm_bindgen(js_name = composeMessage)]
pub fn compose_message(
    #[wasm_bindgen(unchecked_param_type = "ComposeOptions")] o: JsValue,
) -> Result<Uint8Array, JsValue> {
    let o = Options::new(
        &o,
        &[
            "from",
            "to",
            "cc",
            "subject",
            "text",
            "html",
            "attachments",
            "date",
            "messageId",
            "inReplyTo",
            "references",
        ],
        false,
    )?;
    let date = o.time("date")?;
    let from = o.string("from")?;
    let message_id = match o.opt_string("messageId")? {
        Some(id) => id,
        None => random_message_id(&from)?,
    };
    let mut attachments = Vec::new();
    if let Some(list) = o.get("attachments")? {
        let list: &Array = list
            .dyn_ref()
            .ok_or_else(|| invalid("`attachments` must be an array"))?;
        for item in list.iter() {
            let a = Options::new(&item, &["filename", "contentType", "data"], false)?;
            let data = a
                .get("data")?
                .ok_or_else(|| invalid("attachment `data` is required"))?;
            attachments.push(Attachment {
                filename: a.string("filename")?,
                content_type: a.string("contentType")?,
                data: data
                    .dyn_ref::<Uint8Array>()
                    .ok_or_else(|| invalid("attachment `data` must be a Uint8Array"))?
                    .to_vec(),
            });
        }
    }
    let composition = Composition {
        from,
        to: o.strings("to")?,
        cc: o.strings("cc")?,
        subject: o.string("subject")?,
        text: o.opt_string("text")?,
        html: o.opt_string("html")?,
        attachments,
        date,
        message_id,
        in_reply_to: o.opt_string("inReplyTo")?,
        references: o.strings("references")?,
    };
    crate::mime::compose(&composition)
        .map(|m| Uint8Array::from(m.as_slice()))
        .map_err(|e| to_js(&e))
}

/// `readMessage(message)`: the message as a reader shows it (headers, text, HTML, attachments,
/// announced protection). Nothing is decrypted or verified: that is `open`.
#[wasm_bindgen(js_name = readMessage, unchecked_return_type = "MessageView")]
pub fn read_message(message: &[u8]) -> Result<JsValue, JsValue> {
    let view = crate::mime::read_message(message).map_err(|e| to_js(&e))?;
    report::message_view(&view)
}

/// `messageHeaders(message)`: the header fields and announced protection, from the header
/// block alone (for a message list).
#[wasm_bindgen(js_name = messageHeaders, unchecked_return_type = "MessageHeaders")]
pub fn message_headers(message: &[u8]) -> Result<JsValue, JsValue> {
    let headers = crate::mime::message_headers(message).map_err(|e| to_js(&e))?;
    report::message_headers(&headers)
}

fn random_message_id(from: &str) -> Result<String, JsValue> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| to_js(&crate::Error::Random))?;
    let domain = from
        .rsplit_once('@')
        .map_or("localhost", |(_, d)| d.trim_end_matches('>'));
    Ok(format!("{}@{domain}", crate::cert::hex(&bytes)))
}

/// `sign(message, { signingKey, format?, digest?, now? })`.
#[wasm_bindgen]
pub fn sign(
    message: &[u8],
    #[wasm_bindgen(unchecked_param_type = "SignOptions")] o: JsValue,
) -> Result<Uint8Array, JsValue> {
    let o = Options::new(&o, &["signingKey", "format", "digest", "now"], false)?;
    let key = o
        .get("signingKey")?
        .ok_or_else(|| invalid("`signingKey` is required"))?;
    let signer = Identity::from_js(&key, "signingKey")?;
    let format = match o.opt_string("format")?.as_deref() {
        None | Some("detached") => SignatureFormat::Detached,
        Some("opaque") => SignatureFormat::Opaque,
        Some(other) => return Err(invalid(format!("format `{other}`"))),
    };
    let digest = match o.opt_string("digest")?.as_deref() {
        None | Some("sha256") => DigestAlgorithm::Sha256,
        Some("sha384") => DigestAlgorithm::Sha384,
        Some("sha512") => DigestAlgorithm::Sha512,
        Some(other) => return Err(invalid(format!("digest `{other}`"))),
    };
    let now = o.time("now")?;
    crate::smime::sign(message, &signer, &SignOptions { format, digest }, now)
        .map(|m| Uint8Array::from(m.as_slice()))
        .map_err(|e| to_js(&e))
}

/// The browser's (or Node's) CSPRNG. `getrandom` on `crypto.getRandomValues` does not fail once
/// the module runs, and no input reaches it; `UnwrapErr` would only panic if it did.
fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}

/// The identities an options list refers to.
fn identities(o: &Options, key: &str) -> Result<Vec<Rc<crate::Identity>>, JsValue> {
    o.each(key, |item| Identity::from_js(item, key))
}

/// `encrypt(message, { recipients, contentEncryption?, keyTransport?, recipientIdentifier? })`.
#[wasm_bindgen]
pub fn encrypt(
    message: &[u8],
    #[wasm_bindgen(unchecked_param_type = "EncryptOptions")] o: JsValue,
) -> Result<Uint8Array, JsValue> {
    let o = Options::new(
        &o,
        &[
            "recipients",
            "contentEncryption",
            "keyTransport",
            "recipientIdentifier",
        ],
        false,
    )?;
    let recipients = Recipients::from_js(o.get("recipients")?)?;
    let (policy_content, policy_transport) = recipients.choice();
    let content_encryption = match o.opt_string("contentEncryption")?.as_deref() {
        None => policy_content,
        Some("aes-256-cbc") => ContentEncryption::Aes256Cbc,
        Some("aes-128-cbc") => ContentEncryption::Aes128Cbc,
        Some("aes-192-cbc") => ContentEncryption::Aes192Cbc,
        Some("aes-128-gcm") => ContentEncryption::Aes128Gcm,
        Some("aes-256-gcm") => ContentEncryption::Aes256Gcm,
        Some(other) => return Err(invalid(format!("contentEncryption `{other}`"))),
    };
    let key_transport = match o.opt_string("keyTransport")?.as_deref() {
        None => policy_transport,
        Some("rsa-pkcs1v15") => KeyTransport::RsaPkcs1v15,
        Some("rsa-oaep") => KeyTransport::RsaOaep,
        Some(other) => return Err(invalid(format!("keyTransport `{other}`"))),
    };
    let identifier = match o.opt_string("recipientIdentifier")?.as_deref() {
        None | Some("issuer-and-serial") => RecipientIdentifierKind::IssuerAndSerialNumber,
        Some("subject-key-identifier") => RecipientIdentifierKind::SubjectKeyIdentifier,
        Some(other) => return Err(invalid(format!("recipientIdentifier `{other}`"))),
    };
    let opts = EncryptOptions {
        content_encryption,
        key_transport,
        identifier,
    };
    crate::smime::encrypt(message, &recipients.certificates, &opts, &mut rng())
        .map(|m| Uint8Array::from(m.as_slice()))
        .map_err(|e| to_js(&e))
}

/// `encryptionChoice(recipients)`: the algorithms `encrypt` uses for these recipients (taken as
/// `encrypt` takes them) when `contentEncryption` and `keyTransport` are left out.
/// `keyTransport` is what RSA recipients get: EC and X25519 recipients take the content key by
/// ECDH key agreement whatever it says (`smime::choose_algorithms`).
#[wasm_bindgen(js_name = encryptionChoice, unchecked_return_type = "EncryptionChoice")]
pub fn encryption_choice(
    #[wasm_bindgen(unchecked_param_type = "Recipient[]")] recipients: JsValue,
) -> Result<JsValue, JsValue> {
    let given = (!recipients.is_undefined()).then_some(recipients);
    let (content_encryption, key_transport) = Recipients::from_js(given)?.choice();
    report::encryption_choice(content_encryption, key_transport)
}

/// `advertisedCapabilities()`: what our signatures advertise (SMIMECapabilities), by name and
/// in preference order, `rsa-oaep` last: what to assume of a correspondent that runs this
/// engine before any of its signed mail was read.
#[wasm_bindgen(js_name = advertisedCapabilities, unchecked_return_type = "string[]")]
pub fn advertised_capabilities() -> Array {
    crate::smime::advertised_capabilities()
        .into_iter()
        .map(JsValue::from)
        .collect()
}

/// `decrypt(message, { decryptionKeys, now? })`.
#[wasm_bindgen(unchecked_return_type = "Opened")]
pub fn decrypt(
    message: &[u8],
    #[wasm_bindgen(unchecked_param_type = "DecryptOptions")] o: JsValue,
) -> Result<JsValue, JsValue> {
    let o = Options::new(&o, &["decryptionKeys", "now"], false)?;
    let keys = identities(&o, "decryptionKeys")?;
    if keys.is_empty() {
        return Err(invalid("`decryptionKeys` must hold at least one identity"));
    }
    let keys: Vec<&crate::Identity> = keys.iter().map(Rc::as_ref).collect();
    let opened =
        crate::smime::decrypt(message, &keys, o.time("now")?, &mut rng()).map_err(|e| to_js(&e))?;
    report::opened(&opened)
}

fn trust_and_time(o: &Options) -> Result<(TrustStore, crate::UnixTime), JsValue> {
    let trust = TrustStore::new(
        o.certificates("trustAnchors")?,
        o.certificates("intermediates")?,
    )
    .with_crls(o.crls("crls")?);
    Ok((trust, o.time("now")?))
}

/// `verify(message, { trustAnchors?, intermediates?, now? })`.
#[wasm_bindgen(unchecked_return_type = "Opened")]
pub fn verify(
    message: &[u8],
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions | undefined")] o: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let o = Options::new(
        &o.unwrap_or(JsValue::UNDEFINED),
        &["trustAnchors", "intermediates", "crls", "now"],
        true,
    )?;
    let (trust, now) = trust_and_time(&o)?;
    let opened = crate::smime::verify(message, &trust, now).map_err(|e| to_js(&e))?;
    report::opened(&opened)
}

/// `open(message, { decryptionKeys?, trustAnchors?, intermediates?, now? })`.
#[wasm_bindgen(unchecked_return_type = "Opened")]
pub fn open(
    message: &[u8],
    #[wasm_bindgen(unchecked_param_type = "OpenOptions | undefined")] o: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let o = Options::new(
        &o.unwrap_or(JsValue::UNDEFINED),
        &[
            "decryptionKeys",
            "trustAnchors",
            "intermediates",
            "crls",
            "now",
        ],
        true,
    )?;
    let (trust, now) = trust_and_time(&o)?;
    let keys = identities(&o, "decryptionKeys")?;
    let keys: Vec<&crate::Identity> = keys.iter().map(Rc::as_ref).collect();
    let opened =
        crate::smime::open(message, &keys, &trust, now, &mut rng()).map_err(|e| to_js(&e))?;
    report::opened(&opened)
}
