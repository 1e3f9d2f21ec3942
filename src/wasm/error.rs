//! Errors cross into JavaScript as real `Error` objects with `name` "SmimeError" and `code`.

use wasm_bindgen::JsValue;

use crate::error::Error;

/// A JS `Error` carrying the stable code of `error`.
pub fn to_js(error: &Error) -> JsValue {
    js_error(error.code(), &error.to_string())
}

/// A JS `Error` with the given code and message.
pub fn js_error(code: &str, message: &str) -> JsValue {
    let js = js_sys::Error::new(message);
    js.set_name("SmimeError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&js, &JsValue::from_str("code"), &JsValue::from_str(code));
    js.into()
}

/// `ERR_INVALID_ARGUMENT` for a caller mistake, naming what was wrong.
pub fn invalid(what: impl core::fmt::Display) -> JsValue {
    to_js(&Error::InvalidArgument(what.to_string()))
}
