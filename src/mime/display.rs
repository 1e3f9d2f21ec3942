//! What a mail reader shows of a message: its headers, readable text and HTML, and attachments.
//!
//! Every decoding step is mail-parser's: header fields, RFC 2047 encoded words, RFC 2231
//! parameters, addresses, dates, transfer encodings and charsets. The part tree is walked here,
//! over the same raw splitting that [`crate::smime::open`] sees ([`Entity`] and the multipart
//! splitter), with fixed bounds. mail-parser's whole-message `parse` is not used: it keeps a
//! nested message/rfc822 as a nested `Message`, built and dropped recursively, and a few
//! thousand of them in a few hundred kilobytes overflow the stack of a wasm instance.

use mail_parser::parsers::MessageStream;
use mail_parser::{ContentType as ParsedType, DateTime, Header, HeaderName, HeaderValue};

use super::Entity;
use super::multipart::split_multipart_at_most;
use crate::error::{Error, Result};

/// Largest message read, as large as the largest CMS structure decoded
/// ([`crate::cms::MAX_CMS_LEN`]): an encrypted message is read after decryption.
pub const MAX_MESSAGE_LEN: usize = crate::cms::MAX_CMS_LEN;
/// Most MIME entities (the message, multiparts and leaves) looked at; beyond, parts are left
/// out rather than the message refused.
const MAX_PARTS: usize = 256;
/// Deepest multipart nesting looked into; deeper parts are left out.
const MAX_DEPTH: usize = 16;

/// One address of an address field (RFC 5322 §3.4), with its display name decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mailbox {
    /// The display name, if any (RFC 2047 encoded words decoded).
    pub name: Option<String>,
    /// The address, `local@domain`.
    pub address: String,
}

/// The header fields a message list and a reader show (RFC 5322 §3.6), decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeaderView {
    /// From: the authors. Group syntax is flattened; entries without an address are left out.
    pub from: Vec<Mailbox>,
    /// To.
    pub to: Vec<Mailbox>,
    /// Cc.
    pub cc: Vec<Mailbox>,
    /// Reply-To.
    pub reply_to: Vec<Mailbox>,
    /// Subject, RFC 2047 encoded words decoded.
    pub subject: Option<String>,
    /// Date, as ISO 8601 in UTC (`2026-01-26T14:38:03Z`); absent when missing or unreadable.
    pub date: Option<String>,
    /// Message-ID, without angle brackets.
    pub message_id: Option<String>,
    /// The first message id of In-Reply-To, without angle brackets.
    pub in_reply_to: Option<String>,
    /// The message ids of References, oldest first, without angle brackets.
    pub references: Vec<String>,
}

/// What protection the top-level Content-Type announces. A label only: nothing has been
/// decrypted or verified; [`crate::smime::open`] does that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// application/pkcs7-mime (or x-pkcs7-mime) with smime-type enveloped-data or
    /// authEnveloped-data, or without smime-type but with a `.p7m` name (RFC 8551 §3.2.2).
    Encrypted,
    /// multipart/signed (RFC 1847 §2.1), or application/pkcs7-mime with smime-type signed-data.
    Signed,
    /// Anything else.
    Plain,
}

impl Protection {
    /// The label JavaScript sees: `encrypted`, `signed` or `plain`.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Encrypted => "encrypted",
            Self::Signed => "signed",
            Self::Plain => "plain",
        }
    }
}

/// A leaf part that is not the readable text or HTML: a file, an inline image, an S/MIME
/// signature, an embedded message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartView {
    /// The file name (Content-Disposition filename, else Content-Type name; RFC 2231 and RFC
    /// 2047 decoded).
    pub filename: Option<String>,
    /// Lower-case `type/subtype`, without parameters (RFC 2045 defaults when absent).
    pub content_type: String,
    /// Content-ID without angle brackets, as an HTML body's `cid:` URLs name it (RFC 2392).
    pub content_id: Option<String>,
    /// Content-Disposition inline; without a disposition, whether the part is a resource of a
    /// multipart/related (an image the HTML shows).
    pub inline: bool,
    /// The bytes with the transfer encoding removed; text keeps its own charset. An embedded
    /// message/rfc822 is its raw message.
    pub data: Vec<u8>,
}

/// A message as a reader shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageView {
    /// The decoded header fields.
    pub headers: HeaderView,
    /// The readable text/plain body in UTF-8 (the first text/plain part that is not an
    /// attachment); `None` when there is only HTML.
    pub text: Option<String>,
    /// The text/html body in UTF-8 (the first text/html part that is not an attachment), as
    /// sent: a reader must sanitise it (scripts, forms, remote content) before showing it.
    pub html: Option<String>,
    /// Every other leaf part, in order. Parts past the bounds (256 entities, 16 levels of
    /// nesting) are left out.
    pub attachments: Vec<PartView>,
    /// What the top-level Content-Type announces.
    pub protection: Protection,
}

/// The header fields and announced protection, read from the header block alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageHeaders {
    /// The decoded header fields.
    pub headers: HeaderView,
    /// What the top-level Content-Type announces.
    pub protection: Protection,
}

/// The header fields of `message` and the protection its Content-Type announces, for a message
/// list: only the header block is read, however large the body.
///
/// # Errors
/// [`Error::MalformedMime`] when `message` is not a message (empty, or a first line that is no
/// header field), [`Error::TooLarge`] over [`MAX_MESSAGE_LEN`] or 1000 header fields.
pub fn message_headers(message: &[u8]) -> Result<MessageHeaders> {
    let entity = top_entity(message)?;
    let fields = parse_fields(&entity);
    Ok(MessageHeaders {
        headers: header_view(&fields),
        protection: Mime::of(&fields).protection(),
    })
}

/// `message` as a reader shows it: decoded headers, the text and HTML bodies, the other parts,
/// and the protection its Content-Type announces. S/MIME entities are not opened: an
/// application/pkcs7-mime body or a detached signature is an attachment like any other.
///
/// # Errors
/// As [`message_headers`]. A broken body is not an error: what can be read is returned
/// (undecodable transfer encodings as their raw bytes, unsplittable multiparts as one part).
pub fn read_message(message: &[u8]) -> Result<MessageView> {
    let entity = top_entity(message)?;
    let fields = parse_fields(&entity);
    let mime = Mime::of(&fields);
    let mut reader = Reader {
        text: None,
        html: None,
        attachments: Vec::new(),
        budget: MAX_PARTS,
    };
    reader.visit(&entity, &mime, Place::Body, 0);
    Ok(MessageView {
        headers: header_view(&fields),
        text: reader.text,
        html: reader.html,
        attachments: reader.attachments,
        protection: mime.protection(),
    })
}

fn top_entity(message: &[u8]) -> Result<Entity<'_>> {
    if message.len() > MAX_MESSAGE_LEN {
        return Err(Error::TooLarge);
    }
    if message.is_empty() {
        return Err(Error::MalformedMime("empty message"));
    }
    Entity::parse(message)
}

/// An entity's header fields as mail-parser reads them (empty when it finds none).
fn parse_fields<'a>(entity: &Entity<'a>) -> Vec<Header<'a>> {
    mail_parser::MessageParser::new()
        .parse_headers(entity.header_block())
        .and_then(|m| m.parts.into_iter().next())
        .map(|part| part.headers)
        .unwrap_or_default()
}

fn values<'h, 'a>(
    fields: &'h [Header<'a>],
    name: HeaderName<'static>,
) -> impl Iterator<Item = &'h HeaderValue<'a>> {
    fields
        .iter()
        .filter(move |h| h.name == name)
        .map(|h| &h.value)
}

fn first<'h, 'a>(
    fields: &'h [Header<'a>],
    name: HeaderName<'static>,
) -> Option<&'h HeaderValue<'a>> {
    values(fields, name).next()
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn mailboxes(fields: &[Header<'_>], name: HeaderName<'static>) -> Vec<Mailbox> {
    values(fields, name)
        .filter_map(HeaderValue::as_address)
        .flat_map(|list| list.iter())
        .filter_map(|addr| {
            Some(Mailbox {
                name: addr.name().and_then(non_empty),
                address: non_empty(addr.address()?)?,
            })
        })
        .collect()
}

/// Message ids of a Message-ID, In-Reply-To or References field, in order.
fn ids(fields: &[Header<'_>], name: HeaderName<'static>) -> Vec<String> {
    values(fields, name)
        .flat_map(|value| match value {
            HeaderValue::Text(id) => vec![id.as_ref()],
            HeaderValue::TextList(list) => list.iter().map(AsRef::as_ref).collect(),
            _ => Vec::new(),
        })
        .filter_map(non_empty)
        .collect()
}

/// RFC 5322 §3.3 date-time as ISO 8601 in UTC; `None` for an impossible date.
fn iso_date(date: &DateTime) -> Option<String> {
    date.is_valid()
        .then(|| DateTime::from_timestamp(date.to_timestamp()).to_rfc3339())
}

fn header_view(fields: &[Header<'_>]) -> HeaderView {
    HeaderView {
        from: mailboxes(fields, HeaderName::From),
        to: mailboxes(fields, HeaderName::To),
        cc: mailboxes(fields, HeaderName::Cc),
        reply_to: mailboxes(fields, HeaderName::ReplyTo),
        subject: first(fields, HeaderName::Subject)
            .and_then(HeaderValue::as_text)
            .map(str::to_owned),
        date: first(fields, HeaderName::Date)
            .and_then(HeaderValue::as_datetime)
            .and_then(iso_date),
        message_id: ids(fields, HeaderName::MessageId).into_iter().next(),
        in_reply_to: ids(fields, HeaderName::InReplyTo).into_iter().next(),
        references: ids(fields, HeaderName::References),
    }
}

/// What one entity's MIME fields (RFC 2045 §5, §6, §7; RFC 2183) say.
struct Mime<'h> {
    /// Lower-case `type/subtype`, `None` when absent or unreadable.
    mime_type: Option<String>,
    content_type: Option<&'h ParsedType<'h>>,
    disposition: Option<&'h ParsedType<'h>>,
    content_id: Option<String>,
    transfer_encoding: Option<String>,
}

/// A parameter of a Content-Type or Content-Disposition, by case-insensitive name.
fn param<'a>(value: Option<&'a ParsedType<'_>>, name: &str) -> Option<&'a str> {
    value?
        .attributes
        .as_deref()?
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .map(|a| a.value.as_ref())
}

impl<'h> Mime<'h> {
    fn of(fields: &'h [Header<'h>]) -> Self {
        let parsed = |name| first(fields, name).and_then(HeaderValue::as_content_type);
        let content_type = parsed(HeaderName::ContentType);
        let mime_type = content_type.map(|ct| {
            match &ct.c_subtype {
                Some(sub) => format!("{}/{sub}", ct.c_type),
                None => ct.c_type.to_string(),
            }
            .to_ascii_lowercase()
        });
        let text = |name| {
            first(fields, name)
                .and_then(HeaderValue::as_text)
                .and_then(non_empty)
        };
        Self {
            mime_type,
            content_type,
            disposition: parsed(HeaderName::ContentDisposition),
            content_id: text(HeaderName::ContentId),
            transfer_encoding: text(HeaderName::ContentTransferEncoding)
                .map(|e| e.to_ascii_lowercase()),
        }
    }

    fn param(&self, name: &str) -> Option<&str> {
        param(self.content_type, name)
    }

    /// Content-Disposition filename, else Content-Type name.
    fn filename(&self) -> Option<&str> {
        param(self.disposition, "filename").or_else(|| self.param("name"))
    }

    /// The disposition type, lower-case.
    fn disposition(&self) -> Option<String> {
        self.disposition.map(|d| d.c_type.to_ascii_lowercase())
    }

    fn protection(&self) -> Protection {
        match self.mime_type.as_deref() {
            Some("multipart/signed") => Protection::Signed,
            Some("application/pkcs7-mime" | "application/x-pkcs7-mime") => {
                match self
                    .param("smime-type")
                    .map(str::to_ascii_lowercase)
                    .as_deref()
                {
                    Some("enveloped-data" | "authenveloped-data") => Protection::Encrypted,
                    Some("signed-data") => Protection::Signed,
                    Some(_) => Protection::Plain,
                    None if [param(self.disposition, "filename"), self.param("name")]
                        .into_iter()
                        .flatten()
                        .any(|n| n.to_ascii_lowercase().ends_with(".p7m")) =>
                    {
                        Protection::Encrypted
                    }
                    None => Protection::Plain,
                }
            }
            _ => Protection::Plain,
        }
    }

    /// The body with its transfer encoding removed by mail-parser's MIME decoders (the ones its
    /// own parser uses); a body they cannot decode is kept as it is, as mail-parser does.
    fn decode_body(&self, body: &[u8]) -> Vec<u8> {
        let mut stream = MessageStream::new(body);
        let (end, decoded) = match self.transfer_encoding.as_deref() {
            Some("base64") => stream.decode_base64_mime(b""),
            Some("quoted-printable") => stream.decode_quoted_printable_mime(b""),
            _ => return body.to_vec(),
        };
        if end == usize::MAX {
            body.to_vec()
        } else {
            decoded.into_owned()
        }
    }

    /// Decoded text in UTF-8: the charset through mail-parser's decoders; without one, or with
    /// one it does not know, UTF-8 with replacement characters.
    fn decode_text(&self, body: &[u8]) -> String {
        let bytes = self.decode_body(body);
        match self
            .param("charset")
            .and_then(|c| mail_parser::decoders::charsets::map::charset_decoder(c.as_bytes()))
        {
            Some(decode) => decode(&bytes),
            None => String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

/// Where a part sits, for its defaults and its role.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Where the readable body may be: the message itself, a child of a multipart/mixed or
    /// alternative, the root of a multipart/related.
    Body,
    /// A child of a multipart/related after its root (RFC 2387 §3.2): an image or style sheet
    /// the root refers to, never the body.
    Resource,
    /// A child of a multipart/digest: message/rfc822 unless it says otherwise (RFC 2046 §5.1.5).
    Digest,
}

struct Reader {
    text: Option<String>,
    html: Option<String>,
    attachments: Vec<PartView>,
    /// Entities that may still be looked at.
    budget: usize,
}

impl Reader {
    fn visit(&mut self, entity: &Entity<'_>, mime: &Mime<'_>, place: Place, depth: usize) {
        if self.budget == 0 || depth > MAX_DEPTH {
            return;
        }
        self.budget -= 1;
        let mime_type = match (&mime.mime_type, place) {
            (Some(t), _) => t.clone(),
            (None, Place::Digest) => String::from("message/rfc822"),
            (None, _) => String::from("text/plain"),
        };
        if mime_type.starts_with("multipart/")
            && self.visit_children(entity, mime, &mime_type, depth)
        {
            return;
        }
        let disposition = mime.disposition();
        let is_body = place != Place::Resource
            && disposition.as_deref() != Some("attachment")
            && mime.filename().is_none();
        if is_body && mime_type == "text/plain" && self.text.is_none() {
            self.text = Some(mime.decode_text(entity.body()));
        } else if is_body && mime_type == "text/html" && self.html.is_none() {
            self.html = Some(mime.decode_text(entity.body()));
        } else {
            self.attachments.push(PartView {
                filename: mime.filename().and_then(non_empty),
                content_type: mime_type,
                content_id: mime.content_id.clone(),
                inline: match disposition.as_deref() {
                    Some(d) => d == "inline",
                    None => place == Place::Resource,
                },
                data: mime.decode_body(entity.body()),
            });
        }
    }

    /// Visit the parts of a multipart; `false` when its body cannot be split (no boundary
    /// parameter, no delimiter line), so that it is shown as one part.
    fn visit_children(
        &mut self,
        entity: &Entity<'_>,
        mime: &Mime<'_>,
        mime_type: &str,
        depth: usize,
    ) -> bool {
        let Some(Ok(children)) = mime
            .param("boundary")
            .map(|b| split_multipart_at_most(entity.body(), b, self.budget))
        else {
            return false;
        };
        if children.is_empty() {
            return false;
        }
        for (index, raw) in children.into_iter().enumerate() {
            let place = match mime_type {
                "multipart/related" if index > 0 => Place::Resource,
                "multipart/digest" => Place::Digest,
                _ => Place::Body,
            };
            match Entity::parse(raw) {
                Ok(child) => {
                    let fields = parse_fields(&child);
                    self.visit(&child, &Mime::of(&fields), place, depth + 1);
                }
                // A part whose first line is no header field (or that has too many) is still
                // shown, as the bytes it is.
                Err(_) => {
                    if self.budget == 0 || depth + 1 > MAX_DEPTH {
                        return true;
                    }
                    self.budget -= 1;
                    self.attachments.push(PartView {
                        filename: None,
                        content_type: String::from("application/octet-stream"),
                        content_id: None,
                        inline: false,
                        data: raw.to_vec(),
                    });
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(message: &str) -> MessageView {
        read_message(message.as_bytes()).unwrap()
    }

    fn mailbox(name: Option<&str>, address: &str) -> Mailbox {
        Mailbox {
            name: name.map(str::to_owned),
            address: address.to_owned(),
        }
    }

    #[test]
    fn headers_are_decoded() {
        let message = "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.org>\r\n\
            To: \"Bob Example\" <bob@example.org>, carol@example.org\r\n\
            Cc: friends: =?ISO-8859-1?Q?Ren=E9?= <rene@example.org>, dave@example.org;\r\n\
            Reply-To: <lists@example.org>\r\n\
            Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= aus =?UTF-8?B?S8O2bG4=?=\r\n\
            Date: Mon, 26 Jan 2026 15:38:03 +0100\r\n\
            Message-ID: <abc.1@example.org>\r\n\
            In-Reply-To: <parent@example.org>\r\n\
            References: <root@example.org>\r\n <parent@example.org>\r\n\
            \r\n\
            Hi\r\n";
        let expected = HeaderView {
            from: vec![mailbox(Some("Jörg Müller"), "joerg@example.org")],
            to: vec![
                mailbox(Some("Bob Example"), "bob@example.org"),
                mailbox(None, "carol@example.org"),
            ],
            cc: vec![
                mailbox(Some("René"), "rene@example.org"),
                mailbox(None, "dave@example.org"),
            ],
            reply_to: vec![mailbox(None, "lists@example.org")],
            subject: Some(String::from("Grüße aus Köln")),
            date: Some(String::from("2026-01-26T14:38:03Z")),
            message_id: Some(String::from("abc.1@example.org")),
            in_reply_to: Some(String::from("parent@example.org")),
            references: vec![
                String::from("root@example.org"),
                String::from("parent@example.org"),
            ],
        };
        let view = read(message);
        assert_eq!(view.headers, expected);
        assert_eq!(view.text.as_deref(), Some("Hi\r\n"));
        assert_eq!(view.html, None);
        assert!(view.attachments.is_empty());
        assert_eq!(view.protection, Protection::Plain);
        let headers = message_headers(message.as_bytes()).unwrap();
        assert_eq!(headers.headers, expected);
        assert_eq!(headers.protection, Protection::Plain);
    }

    #[test]
    fn dates_become_utc_or_nothing() {
        let date = |value: &str| {
            message_headers(format!("Date: {value}\r\n\r\n").as_bytes())
                .unwrap()
                .headers
                .date
        };
        assert_eq!(
            date("Thu, 31 Dec 2026 23:30:00 -0130").as_deref(),
            Some("2027-01-01T01:00:00Z")
        );
        assert_eq!(
            date("1 Feb 2026 08:00:00 GMT").as_deref(),
            Some("2026-02-01T08:00:00Z")
        );
        assert_eq!(date("yesterday"), None);
        assert_eq!(date("Mon, 45 Jan 2026 10:00:00 +0000"), None);
    }

    #[test]
    fn quoted_printable_with_soft_breaks() {
        let view = read(
            "Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\
             \r\n\
             Caf=C3=A9 au lait, a line that goes on =\r\n\
             and on; 1+1=3D2.\r\n\
             Tab at the end=09\r\n",
        );
        assert_eq!(
            view.text.as_deref(),
            Some("Café au lait, a line that goes on and on; 1+1=2.\r\nTab at the end\t\r\n")
        );
    }

    #[test]
    fn base64_body() {
        let view = read(
            "Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: base64\r\n\
             \r\n\
             SGVsbG8sIFfDtnJsZCEK\r\n",
        );
        assert_eq!(view.text.as_deref(), Some("Hello, Wörld!\n"));
    }

    #[test]
    fn iso_8859_1_and_windows_1252_bodies() {
        let latin1 = [
            b"Content-Type: text/plain; charset=\"ISO-8859-1\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                .as_slice(),
            b"Gr\xfc\xdfe, Fran\xe7ois \xa9\r\n",
        ]
        .concat();
        assert_eq!(
            read_message(&latin1).unwrap().text.as_deref(),
            Some("Grüße, François ©\r\n")
        );
        let cp1252 = [
            b"Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                .as_slice(),
            b"=80 5, =93quoted=94 =96 na=EFve\r\n",
        ]
        .concat();
        assert_eq!(
            read_message(&cp1252).unwrap().text.as_deref(),
            Some("€ 5, “quoted” – naïve\r\n")
        );
    }

    #[test]
    fn unknown_or_missing_charset_is_utf8_with_replacements() {
        let message = b"Content-Type: text/plain; charset=x-unknown\r\n\r\nok \xff \xc3\xa9\r\n";
        assert_eq!(
            read_message(message).unwrap().text.as_deref(),
            Some("ok \u{fffd} é\r\n")
        );
        assert_eq!(
            read_message(b"Subject: none\r\n\r\n\xc3\xa9")
                .unwrap()
                .text
                .as_deref(),
            Some("é")
        );
    }

    #[test]
    fn rfc2231_file_names() {
        let view = read(
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\
             \r\n\
             --b\r\n\
             Content-Type: text/plain\r\n\
             \r\n\
             see attached\r\n\
             --b\r\n\
             Content-Type: application/pdf\r\n\
             Content-Disposition: attachment; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf\r\n\
             Content-Transfer-Encoding: base64\r\n\
             \r\n\
             JVBERi0=\r\n\
             --b\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             Content-Disposition: attachment;\r\n filename*0*=ISO-8859-1''Gr%FC;\r\n filename*1=\"sse.txt\"\r\n\
             \r\n\
             bytes as sent\r\n\
             --b--\r\n",
        );
        assert_eq!(view.text.as_deref(), Some("see attached"));
        assert_eq!(
            view.attachments,
            vec![
                PartView {
                    filename: Some(String::from("naïve résumé.pdf")),
                    content_type: String::from("application/pdf"),
                    content_id: None,
                    inline: false,
                    data: b"%PDF-".to_vec(),
                },
                PartView {
                    filename: Some(String::from("Grüsse.txt")),
                    content_type: String::from("text/plain"),
                    content_id: None,
                    inline: false,
                    data: b"bytes as sent".to_vec(),
                },
            ]
        );
    }

    #[test]
    fn alternative_fills_text_and_html() {
        let view = read(
            "From: alice@example.org\r\n\
             Content-Type: multipart/alternative; boundary=\"alt\"\r\n\
             \r\n\
             preamble\r\n\
             --alt\r\n\
             Content-Type: text/plain; charset=us-ascii\r\n\
             \r\n\
             Hello *Bob*\r\n\
             --alt\r\n\
             Content-Type: text/html; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\
             \r\n\
             <p>Hello <b>Bob</b> =E2=80=94 bye</p>\r\n\
             --alt--\r\n\
             epilogue\r\n",
        );
        assert_eq!(view.text.as_deref(), Some("Hello *Bob*"));
        assert_eq!(view.html.as_deref(), Some("<p>Hello <b>Bob</b> — bye</p>"));
        assert!(view.attachments.is_empty());
    }

    #[test]
    fn html_only_leaves_text_empty() {
        let view = read("Content-Type: text/html\r\n\r\n<p>only html</p>\r\n");
        assert_eq!(view.text, None);
        assert_eq!(view.html.as_deref(), Some("<p>only html</p>\r\n"));
    }

    #[test]
    fn related_inline_image_with_content_id() {
        let view = read(
            "Content-Type: multipart/alternative; boundary=a\r\n\
             \r\n\
             --a\r\n\
             Content-Type: text/plain\r\n\
             \r\n\
             A dot.\r\n\
             --a\r\n\
             Content-Type: multipart/related; boundary=r\r\n\
             \r\n\
             --r\r\n\
             Content-Type: text/html\r\n\
             \r\n\
             <img src=\"cid:dot@example.org\">\r\n\
             --r\r\n\
             Content-Type: image/png\r\n\
             Content-ID: <dot@example.org>\r\n\
             Content-Transfer-Encoding: base64\r\n\
             \r\n\
             iVBORw0KGgo=\r\n\
             --r\r\n\
             Content-Type: image/gif; name=\"logo.gif\"\r\n\
             Content-Disposition: attachment\r\n\
             Content-ID: <logo@example.org>\r\n\
             \r\n\
             GIF89a\r\n\
             --r--\r\n\
             --a--\r\n",
        );
        assert_eq!(view.text.as_deref(), Some("A dot."));
        assert_eq!(
            view.html.as_deref(),
            Some("<img src=\"cid:dot@example.org\">")
        );
        assert_eq!(
            view.attachments,
            vec![
                PartView {
                    filename: None,
                    content_type: String::from("image/png"),
                    content_id: Some(String::from("dot@example.org")),
                    inline: true,
                    data: b"\x89PNG\r\n\x1a\n".to_vec(),
                },
                PartView {
                    filename: Some(String::from("logo.gif")),
                    content_type: String::from("image/gif"),
                    content_id: Some(String::from("logo@example.org")),
                    inline: false,
                    data: b"GIF89a".to_vec(),
                },
            ]
        );
    }

    #[test]
    fn embedded_message_is_one_attachment_of_its_raw_bytes() {
        let inner = "From: carol@example.org\r\n\
                     Subject: inner\r\n\
                     Content-Type: multipart/mixed; boundary=in\r\n\
                     \r\n\
                     --in\r\n\
                     \r\n\
                     inner text\r\n\
                     --in--\r\n";
        let outer = format!(
            "Subject: Fwd: inner\r\n\
             Content-Type: multipart/mixed; boundary=out\r\n\
             \r\n\
             --out\r\n\
             Content-Type: text/plain\r\n\
             \r\n\
             Forwarded.\r\n\
             --out\r\n\
             Content-Type: message/rfc822\r\n\
             Content-Disposition: inline\r\n\
             \r\n\
             {inner}\r\n\
             --out--\r\n"
        );
        let view = read(&outer);
        assert_eq!(view.headers.subject.as_deref(), Some("Fwd: inner"));
        assert_eq!(view.text.as_deref(), Some("Forwarded."));
        assert_eq!(
            view.attachments,
            vec![PartView {
                filename: None,
                content_type: String::from("message/rfc822"),
                content_id: None,
                inline: true,
                data: inner.as_bytes().to_vec(),
            }]
        );
        // The embedded message reads on its own.
        let nested = read_message(&view.attachments[0].data).unwrap();
        assert_eq!(nested.text.as_deref(), Some("inner text"));
        assert_eq!(nested.headers.subject.as_deref(), Some("inner"));
    }

    #[test]
    fn digest_parts_default_to_messages() {
        let view = read(
            "Content-Type: multipart/digest; boundary=d\r\n\
             \r\n\
             --d\r\n\
             \r\n\
             Subject: one\r\n\
             \r\n\
             1\r\n\
             --d--\r\n",
        );
        assert_eq!(view.text, None);
        assert_eq!(view.attachments.len(), 1);
        assert_eq!(view.attachments[0].content_type, "message/rfc822");
        assert_eq!(view.attachments[0].data, b"Subject: one\r\n\r\n1");
    }

    #[test]
    fn second_text_part_is_an_attachment_not_merged() {
        let view = read(
            "Content-Type: multipart/mixed; boundary=m\r\n\
             \r\n\
             --m\r\n\
             \r\n\
             body\r\n\
             --m\r\n\
             Content-Type: text/plain\r\n\
             Content-Disposition: inline\r\n\
             \r\n\
             list footer\r\n\
             --m--\r\n",
        );
        assert_eq!(view.text.as_deref(), Some("body"));
        assert_eq!(view.attachments.len(), 1);
        assert_eq!(view.attachments[0].data, b"list footer");
        assert!(view.attachments[0].inline);
    }

    #[test]
    fn protection_from_the_top_level_content_type() {
        let protection = |content_type: &str| {
            let message = format!("Content-Type: {content_type}\r\n\r\nx\r\n");
            let read = read_message(message.as_bytes()).unwrap().protection;
            assert_eq!(
                message_headers(message.as_bytes()).unwrap().protection,
                read
            );
            read
        };
        for (content_type, expected) in [
            (
                "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m",
                Protection::Encrypted,
            ),
            (
                "application/pkcs7-mime; smime-type=\"authEnveloped-data\"",
                Protection::Encrypted,
            ),
            (
                "application/x-pkcs7-mime; name=\"SMIME.P7M\"",
                Protection::Encrypted,
            ),
            (
                "application/pkcs7-mime; smime-type=signed-data; name=smime.p7m",
                Protection::Signed,
            ),
            (
                "multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=b",
                Protection::Signed,
            ),
            (
                "application/pkcs7-mime; smime-type=certs-only",
                Protection::Plain,
            ),
            ("application/pkcs7-mime", Protection::Plain),
            (
                "application/pkcs7-signature; name=smime.p7s",
                Protection::Plain,
            ),
            ("text/plain", Protection::Plain),
        ] {
            assert_eq!(protection(content_type), expected, "{content_type}");
        }
        let by_disposition = b"Content-Type: application/pkcs7-mime\r\nContent-Disposition: attachment; filename=mail.p7m\r\n\r\nx";
        assert_eq!(
            read_message(by_disposition).unwrap().protection,
            Protection::Encrypted
        );
        // Only the top level counts: a signed part inside a mixed does not make the message
        // signed (Efail: the parts around it are not covered).
        let wrapped = "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n\
                       Content-Type: multipart/signed; boundary=i\r\n\r\n--i\r\n\r\nx\r\n--i--\r\n--o--\r\n";
        assert_eq!(read(wrapped).protection, Protection::Plain);
    }

    #[test]
    fn smime_entities_are_attachments() {
        let view = read(
            "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n\
             Content-Transfer-Encoding: base64\r\n\
             Content-Disposition: attachment; filename=smime.p7m\r\n\
             \r\n\
             MIAGCSqGSIb3DQEHA6CAMIACAQA=\r\n",
        );
        assert_eq!(view.protection, Protection::Encrypted);
        assert_eq!(view.text, None);
        assert_eq!(view.attachments.len(), 1);
        assert_eq!(view.attachments[0].content_type, "application/pkcs7-mime");
        assert_eq!(view.attachments[0].filename.as_deref(), Some("smime.p7m"));
        assert_eq!(
            view.attachments[0].data,
            b"\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03\xa0\x80\x30\x80\x02\x01\x00"
        );
    }

    #[test]
    fn broken_bodies_are_shown_as_they_are() {
        // Not base64: kept raw. A multipart without delimiter lines: one part of its body.
        let view = read(
            "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nnot *base64*\r\n",
        );
        assert_eq!(view.text.as_deref(), Some("not *base64*\r\n"));
        let view = read("Content-Type: multipart/mixed; boundary=x\r\n\r\nno parts here\r\n");
        assert_eq!(view.text, None);
        assert_eq!(view.attachments.len(), 1);
        assert_eq!(view.attachments[0].content_type, "multipart/mixed");
        assert_eq!(view.attachments[0].data, b"no parts here\r\n");
        // A part that does not start with header fields is shown as bytes.
        let view = read(
            "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nno header here\r\n--x--\r\n",
        );
        assert_eq!(view.attachments.len(), 1);
        assert_eq!(view.attachments[0].content_type, "application/octet-stream");
        assert_eq!(view.attachments[0].data, b"no header here");
    }

    #[test]
    fn not_a_message() {
        for input in [
            b"".as_slice(),
            b"\x00\x01\x02\x03 binary",
            b"just some text without a colon\r\n\r\nbody",
        ] {
            assert_eq!(
                read_message(input).unwrap_err().code(),
                "ERR_MALFORMED_MIME"
            );
            assert_eq!(
                message_headers(input).unwrap_err().code(),
                "ERR_MALFORMED_MIME"
            );
        }
        let huge = vec![b'a'; MAX_MESSAGE_LEN + 1];
        assert_eq!(read_message(&huge).unwrap_err().code(), "ERR_TOO_LARGE");
        assert_eq!(message_headers(&huge).unwrap_err().code(), "ERR_TOO_LARGE");
    }

    #[test]
    fn headers_only_read_the_header_block() {
        // A body that is not even text: message_headers never looks at it.
        let mut message =
            b"Subject: big\r\nContent-Type: application/octet-stream\r\n\r\n".to_vec();
        message.extend(
            (0..10 * 1024 * 1024).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8),
        );
        let headers = message_headers(&message).unwrap();
        assert_eq!(headers.headers.subject.as_deref(), Some("big"));
    }

    #[test]
    fn bounds_stop_collecting() {
        let mut many = String::from("Content-Type: multipart/mixed; boundary=x\r\n\r\n");
        for i in 0..1000 {
            many.push_str(&format!(
                "--x\r\nContent-Type: application/octet-stream\r\n\r\n{i}\r\n"
            ));
        }
        many.push_str("--x--\r\n");
        let view = read(&many);
        // The multipart itself is one of the 256 entities.
        assert_eq!(view.attachments.len(), MAX_PARTS - 1);
        assert_eq!(view.attachments[254].data, b"254");

        let mut deep = String::from("Content-Type: text/plain\r\n\r\ninnermost\r\n");
        for depth in 0..=MAX_DEPTH {
            deep = format!(
                "Content-Type: multipart/mixed; boundary=\"d{depth}\"\r\n\r\n--d{depth}\r\n{deep}\r\n--d{depth}--\r\n"
            );
        }
        // 17 multiparts: the text sits at depth 17, one below the bound.
        assert_eq!(read(&deep).text, None);
        let (_, inner) = deep.split_once("--d16\r\n").unwrap();
        assert_eq!(read(inner).text.as_deref(), Some("innermost\r\n"));
    }
}
