//! MIME entities (RFC 2045/2046, RFC 5322): the exact byte ranges S/MIME signs, canonical form,
//! transfer encodings, composing new messages and reading them for display.
//!
//! Header values are interpreted by `mail-parser`; the splitting into fields, header block and
//! body, and of multipart bodies into parts, is done here on raw bytes because a signature
//! covers exact byte ranges (RFC 1847 §2.1, RFC 8551 §3.5.3) that a decoding parser does not
//! promise to keep.

mod canonical;
mod compose;
mod display;
mod multipart;

pub use canonical::canonicalize;
pub(crate) use canonical::to_crlf;
pub use compose::{Attachment, Composition, compose};
pub use display::{
    HeaderView, MAX_MESSAGE_LEN, Mailbox, MessageHeaders, MessageView, PartView, Protection,
    message_headers, read_message,
};
pub use multipart::{split_multipart, split_multipart_lenient};

use core::ops::Range;

use mail_parser::{MessageParser, MimeHeaders};

use crate::error::{Error, Result};

/// Upper bound on the number of header fields of one entity.
const MAX_FIELDS: usize = 1000;

/// One header field: its name and the byte range of its lines (with the final line ending).
#[derive(Debug, Clone)]
pub struct Field {
    /// The field name as written.
    pub name: String,
    /// The range of the field's raw lines within the entity.
    pub range: Range<usize>,
}

/// A MIME entity split into header fields and body, borrowing the original bytes.
#[derive(Debug)]
pub struct Entity<'a> {
    raw: &'a [u8],
    fields: Vec<Field>,
    body_start: usize,
}

/// A parsed Content-Type: lower-case `type/subtype` and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType {
    /// Lower-case `type/subtype`.
    pub mime_type: String,
    /// Parameters as (lower-case name, value).
    pub params: Vec<(String, String)>,
}

impl ContentType {
    /// The value of parameter `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// RFC 2045 §5.2: absent Content-Type means text/plain; charset=us-ascii.
    fn default_text() -> Self {
        Self {
            mime_type: String::from("text/plain"),
            params: vec![(String::from("charset"), String::from("us-ascii"))],
        }
    }
}

/// The length of the line ending at `pos` (2 for CRLF, 1 for LF), or 0 if none starts there.
pub(crate) fn eol_len(bytes: &[u8], pos: usize) -> usize {
    match bytes.get(pos..) {
        Some([b'\r', b'\n', ..]) => 2,
        Some([b'\n', ..]) => 1,
        _ => 0,
    }
}

/// The end of the line starting at `pos` (the index of its line ending, or the input's end) and
/// the start of the next line.
pub(crate) fn line_at(bytes: &[u8], pos: usize) -> (usize, usize) {
    let rest = bytes.get(pos..).unwrap_or_default();
    match rest.iter().position(|&b| b == b'\n') {
        Some(i) => {
            let nl = pos + i;
            let end = if nl > pos && bytes.get(nl - 1) == Some(&b'\r') {
                nl - 1
            } else {
                nl
            };
            (end, nl + 1)
        }
        None => (bytes.len(), bytes.len()),
    }
}

impl<'a> Entity<'a> {
    /// Split `raw` into header fields and body. A first line that is neither a header field
    /// nor blank means the input is not a MIME entity.
    pub fn parse(raw: &'a [u8]) -> Result<Self> {
        let mut fields: Vec<Field> = Vec::new();
        let mut pos = 0;
        loop {
            if pos >= raw.len() {
                return Ok(Self {
                    raw,
                    fields,
                    body_start: raw.len(),
                });
            }
            let (end, next) = line_at(raw, pos);
            let line = raw.get(pos..end).unwrap_or_default();
            if line.is_empty() {
                return Ok(Self {
                    raw,
                    fields,
                    body_start: next,
                });
            }
            match line.first() {
                Some(b' ' | b'\t') => match fields.last_mut() {
                    Some(field) => field.range.end = next,
                    None => return Err(Error::MalformedMime("continuation line before any field")),
                },
                _ => {
                    let colon = line
                        .iter()
                        .position(|&b| b == b':')
                        .ok_or(Error::MalformedMime("not a header field"))?;
                    let name = line.get(..colon).unwrap_or_default();
                    let name_ok = !name.is_empty() && name.iter().all(|&b| (33..=126).contains(&b));
                    if !name_ok {
                        return Err(Error::MalformedMime("not a header field"));
                    }
                    if fields.len() >= MAX_FIELDS {
                        return Err(Error::TooLarge);
                    }
                    fields.push(Field {
                        name: String::from_utf8_lossy(name).into_owned(),
                        range: pos..next,
                    });
                }
            }
            pos = next;
        }
    }

    /// The whole entity.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The header fields, in order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The raw bytes of a field (its lines, with line endings).
    pub fn field_bytes(&self, field: &Field) -> &'a [u8] {
        self.raw.get(field.range.clone()).unwrap_or_default()
    }

    /// The header block, without the blank line that ends it.
    pub fn header_block(&self) -> &'a [u8] {
        let end = self.fields.last().map_or(0, |f| f.range.end);
        self.raw.get(..end).unwrap_or_default()
    }

    /// The body, after the blank line.
    pub fn body(&self) -> &'a [u8] {
        self.raw.get(self.body_start..).unwrap_or_default()
    }

    /// Whether a field named `name` (case-insensitive) exists.
    pub fn has_field(&self, name: &str) -> bool {
        self.fields
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The Content-Type, or the RFC 2045 default.
    pub fn content_type(&self) -> ContentType {
        let block = self.header_block();
        let parsed = MessageParser::new().parse_headers(block);
        let Some(ct) = parsed.as_ref().and_then(|m| m.content_type()) else {
            return ContentType::default_text();
        };
        let mime_type = match &ct.c_subtype {
            Some(sub) => format!("{}/{}", ct.c_type, sub),
            None => ct.c_type.to_string(),
        }
        .to_ascii_lowercase();
        let params = ct
            .attributes
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|a| (a.name.to_ascii_lowercase(), a.value.to_string()))
            .collect();
        ContentType { mime_type, params }
    }

    /// The Content-Transfer-Encoding, lower-case; `7bit` when absent (RFC 2045 §6.1).
    pub fn transfer_encoding(&self) -> String {
        MessageParser::new()
            .parse_headers(self.header_block())
            .and_then(|m| {
                m.content_transfer_encoding()
                    .map(|s| s.trim().to_ascii_lowercase())
            })
            .unwrap_or_else(|| String::from("7bit"))
    }

    /// The body with its transfer encoding removed.
    pub fn decoded_body(&self) -> Result<Vec<u8>> {
        decode_transfer(&self.transfer_encoding(), self.body())
    }

    /// The address of the From field, else of Sender (RFC 8550 §3 binds the signer to these).
    pub fn sender_addresses(&self) -> Vec<String> {
        let Some(message) = MessageParser::new().parse_headers(self.header_block()) else {
            return Vec::new();
        };
        let list = message.from().or_else(|| message.sender());
        list.map(|a| {
            a.iter()
                .filter_map(|addr| addr.address().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
    }
}

/// Split a message for signing or encryption: the routing header fields (everything but
/// `Content-*` and `MIME-Version`) stay outside; the `Content-*` fields and the body form the
/// entity to protect (text/plain us-ascii when the message names no Content-Type).
pub fn split_outer(message: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    if message.is_empty() {
        return Err(Error::MalformedMime("empty message"));
    }
    let outer = Entity::parse(message)?;
    let mut headers = Vec::new();
    let mut inner = Vec::new();
    for field in outer.fields() {
        let bytes = outer.field_bytes(field);
        let name = field.name.to_ascii_lowercase();
        if name.starts_with("content-") {
            inner.extend_from_slice(bytes);
        } else if name != "mime-version" {
            headers.extend_from_slice(bytes);
        }
    }
    if !outer.has_field("Content-Type") {
        inner.extend_from_slice(b"Content-Type: text/plain; charset=us-ascii\r\n");
    }
    inner.extend_from_slice(b"\r\n");
    inner.extend_from_slice(outer.body());
    Ok((headers, inner))
}

/// Remove a Content-Transfer-Encoding.
pub fn decode_transfer(encoding: &str, body: &[u8]) -> Result<Vec<u8>> {
    match encoding {
        "base64" => mail_parser::decoders::base64::base64_decode(body)
            .ok_or(Error::MalformedMime("bad base64 body")),
        "quoted-printable" => {
            mail_parser::decoders::quoted_printable::quoted_printable_decode(body)
                .ok_or(Error::MalformedMime("bad quoted-printable body"))
        }
        _ => Ok(body.to_vec()),
    }
}

/// Base64 with CRLF line breaks every 76 characters (RFC 2045 §6.8).
pub fn encode_base64(data: &[u8]) -> Vec<u8> {
    use base64ct::Encoding;
    let text = base64ct::Base64::encode_string(data);
    let mut out = Vec::with_capacity(text.len() + text.len() / 38 + 2);
    for chunk in text.as_bytes().chunks(76) {
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_fields_body_and_folded_lines() {
        let raw = b"From: a@example.org\r\nSubject: one\r\n two\r\nContent-Type: text/plain;\r\n\tcharset=utf-8\r\n\r\nbody\r\n";
        let e = Entity::parse(raw).unwrap();
        assert_eq!(e.fields().len(), 3);
        assert_eq!(e.field_bytes(&e.fields()[1]), b"Subject: one\r\n two\r\n");
        assert_eq!(e.body(), b"body\r\n");
        assert_eq!(e.content_type().mime_type, "text/plain");
        assert_eq!(e.content_type().param("charset"), Some("utf-8"));
        assert_eq!(e.sender_addresses(), vec![String::from("a@example.org")]);
    }

    #[test]
    fn rejects_non_mime() {
        assert_eq!(
            Entity::parse(b"\x00\x01garbage").unwrap_err().code(),
            "ERR_MALFORMED_MIME"
        );
        assert_eq!(
            Entity::parse(b"bad name: x\r\n\r\n").unwrap_err().code(),
            "ERR_MALFORMED_MIME"
        );
    }

    #[test]
    fn base64_lines_are_76_wide() {
        let out = encode_base64(&[0u8; 100]);
        let first = out.split(|&b| b == b'\n').next().unwrap();
        assert_eq!(first.len(), 77);
    }
}
