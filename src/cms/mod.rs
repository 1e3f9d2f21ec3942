//! CMS (RFC 5652) structures: reading and writing the content types S/MIME uses, on the ASN.1
//! types of the RustCrypto `cms` crate.

pub mod algorithm;
pub mod capabilities;
pub(crate) mod certs_only;
pub mod content;
pub mod enveloped;
pub mod kari;
pub mod keywrap;
pub mod ktri;
pub mod recipient;
mod signed_data;
mod verify;

pub use algorithm::DigestAlgorithm;
pub use signed_data::{PreparedSignature, SignedAttributesSpec, prepare_signature};
pub use verify::{SignedMessage, SignerVerdict};

use cms::content_info::ContentInfo;
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};

use crate::error::{Error, Result};

/// Upper bound on any CMS blob we decode (decoding is in memory, so this bounds memory).
pub const MAX_CMS_LEN: usize = 256 * 1024 * 1024;

/// Decode a BER structure, which includes DER (NSS and OpenSSL stream indefinite-length BER).
/// Reading under DER rules first is not safer: a DER reader takes a constructed OCTET STRING's
/// chunk headers as content, where the BER reader joins the chunks.
pub(crate) fn decode_ber<'a, T>(bytes: &'a [u8]) -> Result<T>
where
    T: Decode<'a, Error = der::Error>,
{
    T::from_ber(bytes).map_err(Error::cms)
}

/// The content type of a ContentInfo and its content, re-encoded as a DER/BER TLV.
pub fn read_content_info(bytes: &[u8]) -> Result<(ObjectIdentifier, Vec<u8>)> {
    if bytes.len() > MAX_CMS_LEN {
        return Err(Error::TooLarge);
    }
    let info: ContentInfo = decode_ber(bytes)?;
    Ok((info.content_type, info.content.to_der()?))
}
