//! Reports in the shape API.md gives them to JavaScript.

use js_sys::{Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::cert::CertificateInfo;
use crate::smime::{Layer, Opened, SignerReport};

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
