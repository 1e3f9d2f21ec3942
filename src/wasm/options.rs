//! Reading option objects: known keys only (API.md: an unknown key is an error naming it).

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use super::error::{invalid, to_js};
use crate::cert::Certificate;
use crate::smime::{ContentEncryption, KeyTransport};
use crate::time::UnixTime;

/// A plain options object whose keys were checked against the allowed set.
pub struct Options {
    object: JsValue,
}

impl Options {
    /// Accept `value` (an object, or `undefined`/`null` when `optional`) with only `allowed` keys.
    pub fn new(value: &JsValue, allowed: &[&str], optional: bool) -> Result<Self, JsValue> {
        if value.is_undefined() || value.is_null() {
            if optional {
                return Ok(Self {
                    object: Object::new().into(),
                });
            }
            return Err(invalid("options object required"));
        }
        let object = value
            .dyn_ref::<Object>()
            .ok_or_else(|| invalid("options must be an object"))?;
        for key in Object::keys(object).iter() {
            let key = key.as_string().unwrap_or_default();
            if !allowed.contains(&key.as_str()) {
                return Err(invalid(format!("unknown option `{key}`")));
            }
        }
        Ok(Self {
            object: value.clone(),
        })
    }

    /// The raw value of `key`, or `None` when absent/undefined.
    pub fn get(&self, key: &str) -> Result<Option<JsValue>, JsValue> {
        let value = Reflect::get(&self.object, &JsValue::from_str(key))?;
        Ok((!value.is_undefined()).then_some(value))
    }

    /// A required string.
    pub fn string(&self, key: &str) -> Result<String, JsValue> {
        self.opt_string(key)?
            .ok_or_else(|| invalid(format!("`{key}` is required")))
    }

    /// An optional string.
    pub fn opt_string(&self, key: &str) -> Result<Option<String>, JsValue> {
        match self.get(key)? {
            None => Ok(None),
            Some(v) => v
                .as_string()
                .map(Some)
                .ok_or_else(|| invalid(format!("`{key}` must be a string"))),
        }
    }

    /// An optional whole number within `range`.
    pub fn integer(
        &self,
        key: &str,
        range: core::ops::RangeInclusive<u32>,
    ) -> Result<Option<u32>, JsValue> {
        let Some(value) = self.get(key)? else {
            return Ok(None);
        };
        value
            .as_f64()
            .filter(|n| {
                n.fract() == 0.0
                    && (f64::from(*range.start())..=f64::from(*range.end())).contains(n)
            })
            .map(|n| Some(n as u32))
            .ok_or_else(|| {
                invalid(format!(
                    "`{key}` must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                ))
            })
    }

    /// An optional array, each item read by `item`.
    pub fn each<T>(
        &self,
        key: &str,
        item: impl FnMut(&JsValue) -> Result<T, JsValue>,
    ) -> Result<Vec<T>, JsValue> {
        each(self.get(key)?, key, item)
    }

    /// An optional array of strings.
    pub fn strings(&self, key: &str) -> Result<Vec<String>, JsValue> {
        self.each(key, |s| {
            s.as_string()
                .ok_or_else(|| invalid(format!("`{key}` must hold strings")))
        })
    }

    /// An optional time (`Date` or milliseconds); defaults to the current time.
    pub fn time(&self, key: &str) -> Result<UnixTime, JsValue> {
        match self.get(key)? {
            None => Ok(now()),
            Some(v) => time_value(&v)
                .ok_or_else(|| invalid(format!("`{key}` must be a Date or milliseconds"))),
        }
    }

    /// An optional list of certificates (PEM strings or DER bytes; PEM may hold several).
    pub fn certificates(&self, key: &str) -> Result<Vec<Certificate>, JsValue> {
        let lists = self.each(key, |item| {
            crate::cert::certificates_in(&bytes_or_text(item, key)?).map_err(|e| to_js(&e))
        })?;
        Ok(lists.into_iter().flatten().collect())
    }

    /// An optional list of CRLs (PEM strings or DER bytes).
    pub fn crls(&self, key: &str) -> Result<Vec<crate::cert::Crl>, JsValue> {
        self.each(key, |item| {
            crate::cert::Crl::from_pem_or_der(&bytes_or_text(item, key)?).map_err(|e| to_js(&e))
        })
    }
}

/// An optional array (`None` for absent), each item read by `item`; `what` names it in errors.
pub fn each<T>(
    value: Option<JsValue>,
    what: &str,
    mut item: impl FnMut(&JsValue) -> Result<T, JsValue>,
) -> Result<Vec<T>, JsValue> {
    match value {
        None => Ok(Vec::new()),
        Some(v) => v
            .dyn_ref::<Array>()
            .ok_or_else(|| invalid(format!("`{what}` must be an array")))?
            .iter()
            .map(|x| item(&x))
            .collect(),
    }
}

/// Encryption recipients as `encrypt` and `encryptionChoice` take them (`Recipient[]`): each a
/// certificate (or certificate file), or `{ certificate, capabilities }` as learned from its
/// signed mail (`SignerReport.encryptionCertificate`).
pub struct Recipients {
    /// Every certificate, in order; a certificate file may hold several.
    pub certificates: Vec<Certificate>,
    /// What each entry advertised; `None` for a bare certificate or file.
    capabilities: Vec<Option<Vec<String>>>,
}

impl Recipients {
    /// Reads a `Recipient[]` (`None` when absent); it must name at least one certificate.
    pub fn from_js(value: Option<JsValue>) -> Result<Self, JsValue> {
        let mut certificates = Vec::new();
        let mut capabilities = Vec::new();
        for entry in each(value, "recipients", |item| Ok(item.clone()))? {
            if entry.is_string() || entry.is_instance_of::<Uint8Array>() {
                certificates.extend(
                    crate::cert::certificates_in(&bytes_or_text(&entry, "recipients")?)
                        .map_err(|e| to_js(&e))?,
                );
                capabilities.push(None);
                continue;
            }
            let r = Options::new(&entry, &["certificate", "capabilities"], false)?;
            let cert = r
                .get("certificate")?
                .ok_or_else(|| invalid("recipient `certificate` is required"))?;
            certificates.push(
                Certificate::from_pem_or_der(&bytes_or_text(&cert, "certificate")?)
                    .map_err(|e| to_js(&e))?,
            );
            capabilities.push(
                r.get("capabilities")?
                    .is_some()
                    .then(|| r.strings("capabilities"))
                    .transpose()?,
            );
        }
        if certificates.is_empty() {
            return Err(invalid("`recipients` must name at least one certificate"));
        }
        Ok(Self {
            certificates,
            capabilities,
        })
    }

    /// What `encrypt` uses when the caller leaves the algorithms to the recipients: the core's
    /// policy, `smime::choose_algorithms`.
    pub fn choice(&self) -> (ContentEncryption, KeyTransport) {
        let learned: Vec<Option<&[String]>> =
            self.capabilities.iter().map(Option::as_deref).collect();
        crate::smime::choose_algorithms(&learned)
    }
}

/// The current time from JavaScript (`SystemTime::now` panics on wasm32).
pub fn now() -> UnixTime {
    UnixTime::from_millis(js_sys::Date::now().max(0.0) as u64)
}

fn time_value(v: &JsValue) -> Option<UnixTime> {
    let millis = match v.dyn_ref::<js_sys::Date>() {
        Some(date) => date.get_time(),
        None => v.as_f64()?,
    };
    (millis.is_finite() && millis >= 0.0).then(|| UnixTime::from_millis(millis as u64))
}

/// A `Uint8Array`'s bytes, or a string's UTF-8 (PEM text).
pub fn bytes_or_text(v: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = v.as_string() {
        return Ok(s.into_bytes());
    }
    v.dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| invalid(format!("`{what}` must be a PEM string or a Uint8Array")))
}
