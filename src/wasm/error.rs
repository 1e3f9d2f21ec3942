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

#[cfg(test)]
mod tests {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::to_js;
    use crate::error::{ChainError, Error, SignatureError};

    /// The same table as the core's, seen from JavaScript: a real `Error`, named "SmimeError",
    /// whose `code` is the variant's stable code.
    #[wasm_bindgen_test]
    fn every_variant_crosses_as_a_js_error_with_its_code() {
        let variants = [
            Error::InvalidArgument(String::new()),
            Error::MalformedMime(""),
            Error::MalformedCms(String::new()),
            Error::MalformedCertificate(String::new()),
            Error::MalformedKey(String::new()),
            Error::BadPassword,
            Error::MalformedPkcs12(String::new()),
            Error::MalformedCrl(String::new()),
            Error::NoPrivateKey,
            Error::KeyMismatch,
            Error::UnsupportedAlgorithm(String::new()),
            Error::NotSigned,
            Error::NotEncrypted,
            Error::NestingTooDeep,
            Error::TooLarge,
            Error::Signature(SignatureError::DigestMismatch),
            Error::Signature(SignatureError::BadSignature),
            Error::Signature(SignatureError::SignerCertificateMissing),
            Error::Signature(SignatureError::BadSignedAttributes),
            Error::Signature(SignatureError::UnsupportedAlgorithm),
            Error::Chain(ChainError::UnknownIssuer),
            Error::Chain(ChainError::Expired),
            Error::Chain(ChainError::NotYetValid),
            Error::Chain(ChainError::BadCertificateSignature),
            Error::Chain(ChainError::NotCa),
            Error::Chain(ChainError::Revoked),
            Error::Chain(ChainError::KeyUsage),
            Error::Chain(ChainError::ExtendedKeyUsage),
            Error::Chain(ChainError::NameConstraints),
            Error::Chain(ChainError::PathLength),
            Error::Chain(ChainError::CriticalExtension),
            Error::Chain(ChainError::UnsupportedAlgorithm),
            Error::Chain(ChainError::Unsupported),
            Error::SigningFailed,
            Error::Random,
            Error::DecryptFailed,
            Error::NoMatchingRecipient,
        ];
        for error in variants {
            let js = to_js(&error);
            let as_error = js.dyn_ref::<js_sys::Error>().expect("a real Error");
            assert_eq!(as_error.name(), "SmimeError");
            let code = js_sys::Reflect::get(&js, &"code".into())
                .unwrap()
                .as_string()
                .unwrap();
            assert_eq!(code, error.code());
        }
    }
}
