//! Canonical form before signing (RFC 8551 §3.1.1): CRLF line endings and a 7-bit transfer
//! encoding, so that no relay can alter the signed bytes.

use super::{Entity, split_multipart};
use crate::error::{Error, Result};

/// Nesting bound for multipart canonicalisation.
const MAX_DEPTH: usize = 32;
/// RFC 5322 §2.1.1 line-length limit, without the CRLF.
const MAX_LINE: usize = 998;

/// The entity in canonical form: every line ends in CRLF and every leaf part whose body is not
/// 7-bit safe is re-encoded (quoted-printable for text, base64 otherwise).
pub fn canonicalize(entity: &[u8]) -> Result<Vec<u8>> {
    canonicalize_at(entity, 0)
}

fn canonicalize_at(raw: &[u8], depth: usize) -> Result<Vec<u8>> {
    if depth > MAX_DEPTH {
        return Err(Error::NestingTooDeep);
    }
    let entity = Entity::parse(raw)?;
    let content_type = entity.content_type();
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 16);
    if content_type.mime_type.starts_with("multipart/") {
        let boundary = content_type
            .param("boundary")
            .ok_or(Error::MalformedMime("multipart without boundary"))?;
        out.extend(to_crlf(entity.header_block()));
        out.extend_from_slice(b"\r\n");
        for part in split_multipart(entity.body(), boundary)? {
            out.extend_from_slice(b"--");
            out.extend_from_slice(boundary.as_bytes());
            out.extend_from_slice(b"\r\n");
            out.extend(canonicalize_at(part, depth + 1)?);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"--");
        out.extend_from_slice(boundary.as_bytes());
        out.extend_from_slice(b"--\r\n");
        return Ok(out);
    }
    let encoding = entity.transfer_encoding();
    let already_encoded = matches!(encoding.as_str(), "base64" | "quoted-printable");
    if already_encoded || is_seven_bit(entity.body()) {
        return Ok(to_crlf(raw));
    }
    let is_text = content_type.mime_type.starts_with("text/");
    for field in entity.fields() {
        if !field.name.eq_ignore_ascii_case("Content-Transfer-Encoding") {
            out.extend(to_crlf(entity.field_bytes(field)));
        }
    }
    if is_text {
        out.extend_from_slice(b"Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        out.extend(encode_quoted_printable(&to_crlf(entity.body())));
    } else {
        out.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n\r\n");
        out.extend(super::encode_base64(entity.body()));
    }
    Ok(out)
}

/// 7-bit data (RFC 2045 §2.7): no NUL, no byte above 127, lines at most 998 octets.
fn is_seven_bit(body: &[u8]) -> bool {
    body.iter().all(|&b| b != 0 && b < 128)
        && body
            .split(|&b| b == b'\n')
            .all(|line| line.len() <= MAX_LINE + 1)
}

/// Every line ending (CRLF, bare LF, bare CR) as CRLF.
pub(crate) fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut iter = bytes.iter().peekable();
    while let Some(&b) = iter.next() {
        match b {
            b'\r' => {
                if iter.peek() == Some(&&b'\n') {
                    iter.next();
                }
                out.extend_from_slice(b"\r\n");
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            _ => out.push(b),
        }
    }
    out
}

/// Quoted-printable (RFC 2045 §6.7) of CRLF text, lines at most 76 characters.
fn encode_quoted_printable(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 2);
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let count = lines.len();
    for (index, line) in lines.into_iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut width = 0;
        for (i, &b) in line.iter().enumerate() {
            let last = i + 1 == line.len();
            let literal =
                (b == b' ' || b == b'\t') && !last || (33..=126).contains(&b) && b != b'=';
            let needed = if literal { 1 } else { 3 };
            if width + needed > 75 {
                out.extend_from_slice(b"=\r\n");
                width = 0;
            }
            if literal {
                out.push(b);
            } else {
                out.extend_from_slice(format!("={b:02X}").as_bytes());
            }
            width += needed;
        }
        if index + 1 < count {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_bit_text_becomes_quoted_printable_with_crlf() {
        let raw = "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGrüße \nzwei\n";
        let out = canonicalize(raw.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe=20\r\nzwei\r\n"
        );
    }

    #[test]
    fn binary_becomes_base64_and_seven_bit_only_gets_crlf() {
        let out = canonicalize(b"Content-Type: application/octet-stream\n\n\x00\xff").unwrap();
        assert!(out.ends_with(b"Content-Transfer-Encoding: base64\r\n\r\nAP8=\r\n"));
        assert_eq!(
            canonicalize(b"Subject: x\n\nhi\n").unwrap(),
            b"Subject: x\r\n\r\nhi\r\n"
        );
    }

    #[test]
    fn multipart_parts_are_canonicalised() {
        let raw = b"Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: text/plain\n\n\xe9\n--q--\n";
        let out = String::from_utf8(canonicalize(raw).unwrap()).unwrap();
        assert!(out.contains("--q\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E9\r\n--q--\r\n"));
    }

    #[test]
    fn long_lines_are_soft_broken() {
        let long = "a".repeat(200);
        let encoded = encode_quoted_printable(long.as_bytes());
        assert!(encoded.split(|&b| b == b'\n').all(|l| l.len() <= 77));
    }
}
