//! The certificates a SignedData carries: a certs-only message (RFC 8551 §3.6, the `.p7c` and
//! `.p7b` files CAs and mail clients hand out) or any signed message.
//!
//! Each certificate is kept as the exact bytes received, not decoded and re-encoded (as
//! [`super::SignedMessage`] does through `x509-cert`), so that its fingerprint and its issuer's
//! signature over it are those of the file.

use cms::content_info::CmsVersion;
use const_oid::db::rfc5911;
use der::{Any, EncodingRules, Reader, Sequence, SliceReader};

use super::decode_ber;
use super::verify::RawSet;
use crate::error::{Error, Result};

/// RFC 5652 §5.1 SignedData, read for its `certificates` only: a certs-only message has no
/// content and no signers, and a signed one's are not looked at here.
#[derive(Sequence)]
struct SignedDataCertificates {
    version: CmsVersion,
    digest_algorithms: Any,
    encap_content_info: Any,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    certificates: Option<RawSet>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    crls: Option<RawSet>,
    signer_infos: Any,
}

/// The DER of each X.509 certificate in the `certificates` of a ContentInfo holding SignedData
/// (DER or BER), in the order received. The other CertificateChoices (RFC 5652 §10.2.2: the
/// obsolete extendedCertificate, attribute certificates, `other`) are left out. More than `max`
/// certificates is [`Error::TooLarge`].
pub(crate) fn certificates(content_info: &[u8], max: usize) -> Result<Vec<Vec<u8>>> {
    let (content_type, content) = super::read_content_info(content_info)?;
    if content_type != rfc5911::ID_SIGNED_DATA {
        return Err(Error::MalformedCms(format!(
            "expected signed-data, found {content_type}"
        )));
    }
    let read: SignedDataCertificates = decode_ber(&content)?;
    let Some(set) = read.certificates else {
        return Ok(Vec::new());
    };
    let mut reader = SliceReader::new_with_encoding_rules(&set.0, EncodingRules::Ber)?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        let tlv = reader.tlv_bytes()?;
        // Only the `certificate` choice is a SEQUENCE; the others are tagged [0] to [3].
        if tlv.first() != Some(&0x30) {
            continue;
        }
        if out.len() == max {
            return Err(Error::TooLarge);
        }
        out.push(tlv.to_vec());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::Certificate;

    /// `tag length contents`, DER.
    fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match contents.len() {
            n @ 0..0x80 => out.push(n as u8),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend_from_slice(contents);
        out
    }

    /// ContentInfo { id-signedData, [0] SignedData { v1, {}, { id-data }, [0] choices, {} } }.
    fn certs_only(choices: &[&[u8]]) -> Vec<u8> {
        let signed_data_oid = [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
        ];
        let data_oid = [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
        ];
        let mut signed = vec![0x02, 0x01, 0x01, 0x31, 0x00];
        signed.extend(tlv(0x30, &data_oid));
        signed.extend(tlv(0xa0, &choices.concat()));
        signed.extend([0x31, 0x00]);
        let mut info = signed_data_oid.to_vec();
        info.extend(tlv(0xa0, &tlv(0x30, &signed)));
        tlv(0x30, &info)
    }

    #[test]
    fn certificates_in_order_and_other_choices_left_out() {
        let alice = Certificate::from_pem(include_str!("../../tests/fixtures/alice.cert.pem"));
        let ca = Certificate::from_pem(include_str!("../../tests/fixtures/demo-ca.cert.pem"));
        let (alice, ca) = (alice.unwrap(), ca.unwrap());
        // [2] IMPLICIT AttributeCertificateV2 (its contents do not matter here).
        let attribute_certificate: &[u8] = &[0xa2, 0x02, 0x05, 0x00];
        let p7c = certs_only(&[alice.der(), attribute_certificate, ca.der()]);
        let found = certificates(&p7c, 8).unwrap();
        assert_eq!(found, vec![alice.der().to_vec(), ca.der().to_vec()]);
        assert_eq!(certificates(&p7c, 1).unwrap_err().code(), "ERR_TOO_LARGE");
        assert!(certificates(&certs_only(&[]), 8).unwrap().is_empty());
    }
}
