//! Certificate files as people exchange them: `.cer`/`.crt`/`.der` (one DER certificate),
//! `.pem` (PEM blocks), `.p7c`/`.p7b` (a certs-only SignedData, RFC 8551 §3.6, DER, BER or PEM).

use super::Certificate;
use crate::error::{Error, Result};

/// At most this many certificates are read from one file (a CA bundle holds a few hundred).
pub const MAX_CERTIFICATES: usize = 256;
/// At most this many bytes: 256 large certificates, as PEM.
pub const MAX_FILE_LEN: usize = 4 * 1024 * 1024;

const PEM_BEGIN: &[u8] = b"-----BEGIN ";

/// Every certificate in a certificate file, in file order, each once (by its DER).
///
/// Reads one DER certificate; a ContentInfo holding SignedData, DER or BER (its `certificates`:
/// a `.p7c`/`.p7b` file, or a signed message's `.p7s`); or PEM text with any number of
/// `CERTIFICATE` (also `X509 CERTIFICATE` and OpenSSL's `TRUSTED CERTIFICATE`) and
/// `PKCS7`/`CMS` blocks (RFC 7468), skipping other blocks and the text around them. CRLs and
/// attribute certificates are left out.
///
/// Errors: [`Error::MalformedCertificate`] when the file is none of these, a block or a
/// certificate in it cannot be decoded, or it holds no certificate (a private key, a request,
/// an empty certs-only message; the message says so); [`Error::TooLarge`] beyond
/// [`MAX_FILE_LEN`] bytes or [`MAX_CERTIFICATES`] certificates.
pub fn certificates_in(bytes: &[u8]) -> Result<Vec<Certificate>> {
    if bytes.len() > MAX_FILE_LEN {
        return Err(Error::TooLarge);
    }
    let mut found = Found::default();
    // Text around PEM blocks may be in any charset (a Latin-1 friendlyName): only the blocks
    // need to be ASCII.
    if bytes.windows(PEM_BEGIN.len()).any(|w| w == PEM_BEGIN) {
        read_pem(&String::from_utf8_lossy(bytes), &mut found)?;
    } else {
        read_der(bytes, &mut found)?;
    }
    if found.certificates.is_empty() {
        let what = if found.skipped.is_empty() {
            String::from("the file holds no certificate")
        } else {
            format!(
                "the file holds no certificate, only {}",
                found.skipped.join(", ")
            )
        };
        return Err(Error::MalformedCertificate(what));
    }
    Ok(found.certificates)
}

/// What a file yielded so far.
#[derive(Default)]
struct Found {
    certificates: Vec<Certificate>,
    /// Certificates read, duplicates included: the work bound.
    read: usize,
    /// Labels of PEM blocks that hold no certificate, for the error message.
    skipped: Vec<String>,
}

impl Found {
    fn add(&mut self, certificate: Certificate) -> Result<()> {
        self.read += 1;
        if self.read > MAX_CERTIFICATES {
            return Err(Error::TooLarge);
        }
        if !self
            .certificates
            .iter()
            .any(|c| c.der() == certificate.der())
        {
            self.certificates.push(certificate);
        }
        Ok(())
    }

    /// The certificates of a ContentInfo(SignedData).
    fn add_signed_data(&mut self, der: &[u8]) -> Result<()> {
        let room = MAX_CERTIFICATES.saturating_sub(self.read);
        let certificates =
            crate::cms::certs_only::certificates(der, room).map_err(|e| match e {
                Error::MalformedCms(why) => {
                    Error::MalformedCertificate(format!("SignedData: {why}"))
                }
                other => other,
            })?;
        for der in certificates {
            self.add(Certificate::from_der(&der)?)?;
        }
        Ok(())
    }
}

fn read_pem(text: &str, found: &mut Found) -> Result<()> {
    for (n, block) in crate::pem::blocks(text).into_iter().enumerate() {
        let block = block.map_err(Error::MalformedCertificate)?;
        let failed = |e: Error| match e {
            Error::MalformedCertificate(why) => {
                Error::MalformedCertificate(format!("PEM block {} ({}): {why}", n + 1, block.label))
            }
            other => other,
        };
        let decode = || block.decode_public().map_err(Error::MalformedCertificate);
        match block.label {
            "CERTIFICATE" | "X509 CERTIFICATE" => {
                found.add(
                    decode()
                        .and_then(|der| Certificate::from_der(&der))
                        .map_err(failed)?,
                )?;
            }
            // OpenSSL's trust settings (X509_CERT_AUX) follow the certificate; they are not kept.
            "TRUSTED CERTIFICATE" => {
                let certificate = decode()
                    .and_then(|der| Certificate::from_der(first_element(&der)?))
                    .map_err(failed)?;
                found.add(certificate)?;
            }
            "PKCS7" | "CMS" => decode()
                .and_then(|der| found.add_signed_data(&der))
                .map_err(failed)?,
            // Keys are not decoded at all: their bytes would linger unwiped.
            other => found.skipped.push(other.to_owned()),
        }
    }
    Ok(())
}

fn read_der(bytes: &[u8], found: &mut Found) -> Result<()> {
    // A ContentInfo starts with its contentType OID, a Certificate with its tbsCertificate
    // SEQUENCE; telling them apart from the header alone keeps the right error for a
    // truncated file.
    if first_inner_tag(bytes) == Some(0x06) {
        return found.add_signed_data(bytes);
    }
    let certificate = Certificate::from_der(bytes).map_err(|e| {
        // PKCS#8 PrivateKeyInfo: a version INTEGER first (borrowed, not copied).
        if first_inner_tag(bytes) == Some(0x02) && pkcs8::PrivateKeyInfoRef::try_from(bytes).is_ok()
        {
            Error::MalformedCertificate(String::from(
                "the file holds no certificate, only a PRIVATE KEY",
            ))
        } else {
            e
        }
    })?;
    found.add(certificate)
}

/// The tag byte of the first element inside an outer SEQUENCE, read from the header bytes only.
fn first_inner_tag(bytes: &[u8]) -> Option<u8> {
    let (&outer, rest) = bytes.split_first()?;
    if outer != 0x30 {
        return None;
    }
    let (&length, rest) = rest.split_first()?;
    // Short form (and BER's indefinite 0x80): no more length octets; long form: `length & 0x7f`.
    let skip = if length <= 0x80 {
        0
    } else {
        usize::from(length & 0x7f)
    };
    rest.get(skip).copied()
}

/// The first DER element of `bytes`.
fn first_element(bytes: &[u8]) -> Result<&[u8]> {
    use der::Reader;
    der::SliceReader::new(bytes)
        .and_then(|mut reader| reader.tlv_bytes())
        .map_err(|e| Error::MalformedCertificate(e.to_string()))
}
