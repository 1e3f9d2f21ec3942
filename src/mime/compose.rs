//! Composing a new RFC 5322 message with `mail-builder`.

use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::mime::MimePart;

use crate::error::{Error, Result};
use crate::time::UnixTime;

/// A file attached to a composed message.
#[derive(Debug, Clone, Default)]
pub struct Attachment {
    /// File name offered to the recipient.
    pub filename: String,
    /// MIME type, e.g. `application/pdf`.
    pub content_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// What a person wrote: addresses, subject, text and/or HTML, attachments.
#[derive(Debug, Clone, Default)]
pub struct Composition {
    /// The author's address (`alice@example.org` or `Alice <alice@example.org>`).
    pub from: String,
    /// Primary recipients.
    pub to: Vec<String>,
    /// Copied recipients.
    pub cc: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: Option<String>,
    /// HTML body.
    pub html: Option<String>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// The Date header (required: the core reads no clock).
    pub date: UnixTime,
    /// The Message-ID without angle brackets (required, so output is reproducible).
    pub message_id: String,
    /// In-Reply-To: the message id of the message this one answers (RFC 5322 §3.6.4), with or
    /// without angle brackets.
    pub in_reply_to: Option<String>,
    /// References: the thread's message ids, oldest first (RFC 5322 §3.6.4), with or without
    /// angle brackets.
    pub references: Vec<String>,
}

/// Split `Name <addr>` into its parts; a bare address has no name.
fn address(text: &str) -> Result<Address<'static>> {
    let text = text.trim();
    let (name, addr) = match (text.rfind('<'), text.strip_suffix('>')) {
        (Some(open), Some(inner)) => {
            let name = text
                .get(..open)
                .unwrap_or_default()
                .trim()
                .trim_matches('"')
                .to_owned();
            let addr = inner.get(open + 1..).unwrap_or_default().trim().to_owned();
            ((!name.is_empty()).then_some(name), addr)
        }
        _ => (None, text.to_owned()),
    };
    let valid = addr
        .split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty())
        && !addr
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c));
    if !valid {
        return Err(Error::InvalidArgument(format!(
            "not an e-mail address: {text}"
        )));
    }
    Ok(Address::new_address(name, addr))
}

fn address_list(list: &[String]) -> Result<Address<'static>> {
    Ok(Address::new_list(
        list.iter()
            .map(|a| address(a))
            .collect::<Result<Vec<_>>>()?,
    ))
}

/// A message id given by the caller, without its angle brackets. What RFC 5322 §3.6.4 allows
/// inside them is not checked further, but nothing that would end the field or the id may be
/// there: a line break would let the caller's text become another header field.
fn message_id(what: &str, id: &str) -> Result<String> {
    let id = id.trim();
    let inner = id
        .strip_prefix('<')
        .and_then(|rest| rest.strip_suffix('>'))
        .unwrap_or(id);
    let valid = !inner.is_empty()
        && !inner
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if valid {
        Ok(inner.to_owned())
    } else {
        Err(Error::InvalidArgument(format!(
            "`{what}` is not a message id: {id:?}"
        )))
    }
}

/// The MIME body: text, HTML, both (multipart/alternative) and/or attachments
/// (multipart/mixed). Multipart boundaries are given here, derived from the Message-ID: left to
/// itself, `mail-builder` makes them from the system clock, and the core reads no clock.
fn body(c: &Composition) -> MimePart<'static> {
    let digest =
        crate::cert::hex(&crate::cms::DigestAlgorithm::Sha256.digest(c.message_id.as_bytes()));
    let boundary = |kind: &str| format!("{kind}-{}", digest.get(..32).unwrap_or_default());
    let multipart = |kind: &'static str, parts: Vec<MimePart<'static>>| {
        let content_type = ContentType::new(kind).attribute("boundary", boundary(kind));
        MimePart::new(content_type, parts)
    };
    let text = c.text.clone().map(|t| MimePart::new("text/plain", t));
    let html = c.html.clone().map(|h| MimePart::new("text/html", h));
    let readable = match (text, html) {
        (Some(text), Some(html)) => Some(multipart("multipart/alternative", vec![text, html])),
        (one, other) => one.or(other),
    };
    let attachments: Vec<MimePart<'static>> = c
        .attachments
        .iter()
        .map(|a| {
            MimePart::new(a.content_type.clone(), a.data.clone()).attachment(a.filename.clone())
        })
        .collect();
    match (readable, attachments.is_empty()) {
        (Some(readable), true) => readable,
        (None, true) => MimePart::new("text/plain", String::new()),
        (readable, false) => multipart(
            "multipart/mixed",
            readable.into_iter().chain(attachments).collect(),
        ),
    }
}

/// Build the message: RFC 5322 headers, and a MIME body that is text, HTML, both
/// (multipart/alternative) and/or attachments (multipart/mixed), with CRLF line endings.
pub fn compose(c: &Composition) -> Result<Vec<u8>> {
    if c.to.is_empty() && c.cc.is_empty() {
        return Err(Error::InvalidArgument(String::from("no recipients")));
    }
    if c.message_id.is_empty() || c.message_id.contains(['<', '>', ' ', '\r', '\n']) {
        return Err(Error::InvalidArgument(String::from("messageId")));
    }
    let date = i64::try_from(c.date.as_secs())
        .map_err(|_| Error::InvalidArgument(String::from("date")))?;
    let mut builder = MessageBuilder::new()
        .from(address(&c.from)?)
        .subject(c.subject.clone())
        .date(date)
        .message_id(c.message_id.clone());
    if !c.to.is_empty() {
        builder = builder.to(address_list(&c.to)?);
    }
    if !c.cc.is_empty() {
        builder = builder.cc(address_list(&c.cc)?);
    }
    if let Some(id) = &c.in_reply_to {
        builder = builder.in_reply_to(message_id("inReplyTo", id)?);
    }
    if !c.references.is_empty() {
        let ids = c
            .references
            .iter()
            .map(|id| message_id("references", id))
            .collect::<Result<Vec<_>>>()?;
        builder = builder.references(ids);
    }
    builder = builder.body(body(c));
    builder
        .write_to_vec()
        .map_err(|_| Error::InvalidArgument(String::from("message")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::Entity;

    fn sample() -> Composition {
        Composition {
            from: String::from("Alice <alice@example.org>"),
            to: vec![String::from("bob@example.org")],
            subject: String::from("Grüße"),
            text: Some(String::from("Hallo Bob — ünïcödé\n")),
            attachments: vec![Attachment {
                filename: String::from("a.bin"),
                content_type: String::from("application/octet-stream"),
                data: vec![0, 1, 2, 255],
            }],
            date: UnixTime::from_secs(1_893_456_000),
            message_id: String::from("1@example.org"),
            ..Composition::default()
        }
    }

    #[test]
    fn composes_a_seven_bit_multipart_message() {
        let out = compose(&sample()).unwrap();
        // No clock and no hidden randomness: the same composition gives the same bytes.
        assert_eq!(out, compose(&sample()).unwrap());
        assert!(out.iter().all(|&b| b < 128), "output must be 7-bit");
        let entity = Entity::parse(&out).unwrap();
        assert_eq!(entity.content_type().mime_type, "multipart/mixed");
        assert_eq!(
            entity.sender_addresses(),
            vec![String::from("alice@example.org")]
        );
        assert!(String::from_utf8_lossy(&out).contains("Message-ID: <1@example.org>"));
    }

    #[test]
    fn text_and_html_go_in_an_alternative_inside_the_mixed() {
        let mut c = sample();
        c.html = Some(String::from("<p>Hallo</p>"));
        let out = compose(&c).unwrap();
        let top = Entity::parse(&out).unwrap();
        let boundary = top.content_type().param("boundary").unwrap().to_owned();
        let parts = crate::mime::split_multipart(top.body(), &boundary).unwrap();
        assert_eq!(parts.len(), 2);
        let first = Entity::parse(parts[0]).unwrap();
        assert_eq!(first.content_type().mime_type, "multipart/alternative");
        let alt = first.content_type().param("boundary").unwrap().to_owned();
        assert_eq!(
            crate::mime::split_multipart(first.body(), &alt)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn replies_carry_in_reply_to_and_references() {
        let mut c = sample();
        c.attachments.clear();
        c.in_reply_to = Some(String::from("<parent.2@example.org>"));
        c.references = vec![
            String::from("root.1@example.org"),
            String::from(" <parent.2@example.org> "),
        ];
        let out = compose(&c).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(
            text.contains("\r\nIn-Reply-To: <parent.2@example.org>\r\n"),
            "{text}"
        );
        assert!(
            text.contains("\r\nReferences: <root.1@example.org> <parent.2@example.org>\r\n"),
            "{text}"
        );
        let read = crate::mime::read_message(&out).unwrap();
        assert_eq!(
            read.headers.in_reply_to.as_deref(),
            Some("parent.2@example.org")
        );
        assert_eq!(
            read.headers.references,
            ["root.1@example.org", "parent.2@example.org"]
        );
        assert_eq!(read.headers.message_id.as_deref(), Some("1@example.org"));
        assert_eq!(read.headers.subject.as_deref(), Some("Grüße"));
        assert_eq!(read.text.as_deref(), Some("Hallo Bob — ünïcödé\n"));
    }

    #[test]
    fn a_long_thread_folds_its_references() {
        let mut c = sample();
        c.references = (0..20).map(|i| format!("{i}.thread@example.org")).collect();
        let out = compose(&c).unwrap();
        let entity = Entity::parse(&out).unwrap();
        let field = entity
            .fields()
            .iter()
            .find(|f| f.name == "References")
            .unwrap();
        let raw = entity.field_bytes(field);
        assert!(raw.split(|&b| b == b'\n').all(|line| line.len() <= 80));
        let read = crate::mime::read_message(&out).unwrap();
        assert_eq!(read.headers.references, c.references);
    }

    #[test]
    fn header_injection_through_message_ids_is_refused() {
        for bad in [
            "",
            "<>",
            "a@b\r\nBcc: eve@example.org",
            "a@b\nX: y",
            "two ids@example.org",
            "<a@b> <c@d>",
            "a<b@example.org",
            "a@b>",
            "<<a@b>>",
            "tab\t@example.org",
        ] {
            let mut c = sample();
            c.in_reply_to = Some(String::from(bad));
            assert_eq!(
                compose(&c).unwrap_err().code(),
                "ERR_INVALID_ARGUMENT",
                "inReplyTo {bad:?}"
            );
            let mut c = sample();
            c.references = vec![String::from("ok@example.org"), String::from(bad)];
            assert_eq!(
                compose(&c).unwrap_err().code(),
                "ERR_INVALID_ARGUMENT",
                "references {bad:?}"
            );
        }
    }

    #[test]
    fn rejects_bad_addresses_and_no_recipients() {
        let mut c = sample();
        c.to = vec![String::from("not an address")];
        assert_eq!(compose(&c).unwrap_err().code(), "ERR_INVALID_ARGUMENT");
        c.to.clear();
        assert_eq!(compose(&c).unwrap_err().code(), "ERR_INVALID_ARGUMENT");
    }
}
