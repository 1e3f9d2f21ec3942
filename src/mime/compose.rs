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
    fn rejects_bad_addresses_and_no_recipients() {
        let mut c = sample();
        c.to = vec![String::from("not an address")];
        assert_eq!(compose(&c).unwrap_err().code(), "ERR_INVALID_ARGUMENT");
        c.to.clear();
        assert_eq!(compose(&c).unwrap_err().code(), "ERR_INVALID_ARGUMENT");
    }
}
