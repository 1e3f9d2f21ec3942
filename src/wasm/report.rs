//! Reports in the shape API.md gives them to JavaScript.

use js_sys::{Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::cert::CertificateInfo;
use crate::mime::{HeaderView, Mailbox, MessageHeaders, MessageView, PartView};
use crate::smime::{ContentEncryption, KeyTransport, Layer, Opened, SignerReport};

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum LayerView<'a> {
    Signed {
        format: &'static str,
        signers: Vec<SignerView<'a>>,
    },
    #[serde(rename_all = "camelCase")]
    Encrypted {
        content_encryption: &'a str,
        key_transport: &'a str,
        integrity_protected: bool,
        recipient: &'a CertificateInfo,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignerView<'a> {
    certificate: Option<&'a CertificateInfo>,
    signature: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    signature_error: Option<&'static str>,
    chain: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    chain_error: Option<&'static str>,
    digest: &'a str,
    signature_algorithm: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    signing_time: Option<String>,
    address_match: Option<bool>,
    weak_digest: bool,
    warnings: Vec<&'static str>,
    encryption_certificate: Option<EncryptionTarget>,
}

/// A reply target: the certificate's facts, what it can decrypt, and the certificate itself.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EncryptionTarget {
    #[serde(flatten)]
    info: CertificateInfo,
    pem: String,
}

impl<'a> From<&'a SignerReport> for SignerView<'a> {
    fn from(r: &'a SignerReport) -> Self {
        Self {
            certificate: r.certificate.as_ref(),
            signature: if r.signature.is_ok() {
                "valid"
            } else {
                "invalid"
            },
            signature_error: r.signature.err().map(|e| e.code()),
            chain: r.chain.label(),
            chain_error: r.chain.error().map(|e| e.code()),
            digest: &r.digest,
            signature_algorithm: &r.signature_algorithm,
            signing_time: r.signing_time.map(|t| t.to_iso8601()),
            address_match: r.address_match,
            weak_digest: r.weak_digest,
            warnings: r.warnings.iter().map(|w| w.label()).collect(),
            encryption_certificate: r.encryption_certificate.as_ref().map(|c| {
                let mut info = c.info();
                info.capabilities.clone_from(&r.capabilities);
                EncryptionTarget {
                    info,
                    pem: c.to_pem(),
                }
            }),
        }
    }
}

fn serializer() -> serde_wasm_bindgen::Serializer {
    serde_wasm_bindgen::Serializer::new()
        .serialize_missing_as_null(true)
        .serialize_maps_as_objects(true)
}

/// Any serialisable value as a plain JS object.
pub fn to_value<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serializer())
        .map_err(|e| super::error::js_error("ERR_INTERNAL", &e.to_string()))
}

/// `{ content: Uint8Array, layers: Layer[], parts: EmbeddedPart[] }`.
pub fn opened(opened: &Opened) -> Result<JsValue, JsValue> {
    let layers: Vec<LayerView<'_>> = opened
        .layers
        .iter()
        .map(|layer| match layer {
            Layer::Signed { format, signers } => LayerView::Signed {
                format: format.name(),
                signers: signers.iter().map(SignerView::from).collect(),
            },
            Layer::Encrypted {
                content_encryption,
                key_transport,
                integrity_protected,
                recipient,
            } => LayerView::Encrypted {
                content_encryption,
                key_transport,
                integrity_protected: *integrity_protected,
                recipient,
            },
        })
        .collect();
    let object = Object::new();
    Reflect::set(
        &object,
        &"content".into(),
        &Uint8Array::from(opened.content.as_slice()),
    )?;
    Reflect::set(&object, &"layers".into(), &to_value(&layers)?)?;
    let parts = js_sys::Array::new();
    for part in &opened.parts {
        let entry = Object::new();
        let path: js_sys::Array = part.path.iter().map(|&n| JsValue::from(n as u32)).collect();
        Reflect::set(&entry, &"path".into(), &path)?;
        match &part.result {
            Ok(inner) => Reflect::set(&entry, &"opened".into(), &self::opened(inner)?)?,
            Err(e) => Reflect::set(&entry, &"error".into(), &super::error::to_js(e))?,
        };
        parts.push(&entry);
    }
    Reflect::set(&object, &"parts".into(), &parts)?;
    Ok(object.into())
}

/// Bytes that cross as a `Uint8Array` (serde-wasm-bindgen's form of `serialize_bytes`), not as
/// an array of numbers.
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

#[derive(Serialize)]
struct MailboxJs<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    address: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HeaderJs<'a> {
    from: Vec<MailboxJs<'a>>,
    to: Vec<MailboxJs<'a>>,
    cc: Vec<MailboxJs<'a>>,
    reply_to: Vec<MailboxJs<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_reply_to: Option<&'a str>,
    references: &'a [String],
}

fn mailboxes(list: &[Mailbox]) -> Vec<MailboxJs<'_>> {
    list.iter()
        .map(|m| MailboxJs {
            name: m.name.as_deref(),
            address: &m.address,
        })
        .collect()
}

impl<'a> From<&'a HeaderView> for HeaderJs<'a> {
    fn from(h: &'a HeaderView) -> Self {
        Self {
            from: mailboxes(&h.from),
            to: mailboxes(&h.to),
            cc: mailboxes(&h.cc),
            reply_to: mailboxes(&h.reply_to),
            subject: h.subject.as_deref(),
            date: h.date.as_deref(),
            message_id: h.message_id.as_deref(),
            in_reply_to: h.in_reply_to.as_deref(),
            references: &h.references,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PartJs<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    filename: Option<&'a str>,
    content_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_id: Option<&'a str>,
    inline: bool,
    data: Bytes<'a>,
}

impl<'a> From<&'a PartView> for PartJs<'a> {
    fn from(p: &'a PartView) -> Self {
        Self {
            filename: p.filename.as_deref(),
            content_type: &p.content_type,
            content_id: p.content_id.as_deref(),
            inline: p.inline,
            data: Bytes(&p.data),
        }
    }
}

/// `{ headers, text?, html?, attachments, protection }`.
pub fn message_view(view: &MessageView) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Js<'a> {
        headers: HeaderJs<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        html: Option<&'a str>,
        attachments: Vec<PartJs<'a>>,
        protection: &'static str,
    }
    to_value(&Js {
        headers: HeaderJs::from(&view.headers),
        text: view.text.as_deref(),
        html: view.html.as_deref(),
        attachments: view.attachments.iter().map(PartJs::from).collect(),
        protection: view.protection.label(),
    })
}

/// `{ from, to, cc, replyTo, subject?, date?, messageId?, inReplyTo?, references, protection }`.
pub fn message_headers(headers: &MessageHeaders) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Js<'a> {
        #[serde(flatten)]
        headers: HeaderJs<'a>,
        protection: &'static str,
    }
    to_value(&Js {
        headers: HeaderJs::from(&headers.headers),
        protection: headers.protection.label(),
    })
}

/// `EncryptionChoice`: what `encrypt` chooses when the caller does not.
pub fn encryption_choice(
    content_encryption: ContentEncryption,
    key_transport: KeyTransport,
) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct EncryptionChoice {
        content_encryption: &'static str,
        key_transport: &'static str,
    }
    to_value(&EncryptionChoice {
        content_encryption: content_encryption.name(),
        key_transport: key_transport.name(),
    })
}
