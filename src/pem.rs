//! PEM text (RFC 7468): the labelled blocks of a file, each decoded only when its label is wanted.

/// One `-----BEGIN label-----` ... `-----END label-----` block, not yet decoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Block<'a> {
    /// The label, such as `CERTIFICATE` or `PRIVATE KEY`.
    pub label: &'a str,
    /// The block from its BEGIN line through its END line.
    text: &'a str,
}

impl Block<'_> {
    /// The contents under RFC 7468's strict grammar (64-column lines), in constant time: the one
    /// for secrets.
    pub fn decode(&self) -> Result<Vec<u8>, String> {
        der::pem::decode_vec(self.text.as_bytes())
            .map(|(_, der)| der)
            .map_err(|e| e.to_string())
    }

    /// The contents with base64 lines of any width (76-column MIME lines, one long line), as
    /// tools other than OpenSSL write them. Not constant time, so for public data only.
    pub fn decode_public(&self) -> Result<Vec<u8>, String> {
        let mut decoder =
            der::pem::Decoder::new_detect_wrap(self.text.as_bytes()).map_err(|e| e.to_string())?;
        let mut der = Vec::new();
        decoder.decode_to_end(&mut der).map_err(|e| e.to_string())?;
        Ok(der)
    }
}

/// Every block of `text`, in order; text around and between blocks (OpenSSL's "Bag Attributes"
/// and `subject=` lines) is ignored. A block without its END line is an error naming its label,
/// and ends the list.
pub(crate) fn blocks(text: &str) -> Vec<Result<Block<'_>, String>> {
    const BEGIN: &str = "-----BEGIN ";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let block = rest.get(start..).unwrap_or_default();
        let Some(label_end) = block.get(BEGIN.len()..).and_then(|b| b.find("-----")) else {
            out.push(Err(String::from("unterminated PEM BEGIN line")));
            break;
        };
        let label = block
            .get(BEGIN.len()..BEGIN.len() + label_end)
            .unwrap_or_default();
        let end_marker = format!("-----END {label}-----");
        let Some(end) = block.find(&end_marker) else {
            out.push(Err(format!("unterminated PEM block {label}")));
            break;
        };
        let whole = block.get(..end + end_marker.len()).unwrap_or_default();
        out.push(Ok(Block { label, text: whole }));
        rest = block.get(end + end_marker.len()..).unwrap_or_default();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../tests/fixtures/alice.cert.pem");

    #[test]
    fn blocks_with_text_around_them() {
        let text = format!("Bag Attributes\n    friendlyName: a\n{CERT}subject=b\n{CERT}");
        let found = blocks(&text);
        assert_eq!(found.len(), 2);
        for block in found {
            let block = block.unwrap();
            assert_eq!(block.label, "CERTIFICATE");
            assert_eq!(block.decode().unwrap(), block.decode_public().unwrap());
        }
    }

    #[test]
    fn unterminated_blocks_are_errors() {
        let cut = CERT.get(..CERT.len() - 20).unwrap();
        let found = blocks(cut);
        assert_eq!(found.len(), 1);
        assert!(found[0].is_err());
        assert!(blocks("-----BEGIN CERT").pop().unwrap().is_err());
        assert!(blocks("no PEM here").is_empty());
    }

    #[test]
    fn other_line_widths_are_public_only() {
        let block = blocks(CERT).pop().unwrap().unwrap();
        let der = block.decode().unwrap();
        for width in [76, 10_000] {
            let body = der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::CRLF, &der)
                .unwrap()
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>();
            let wrapped: Vec<&str> = body
                .as_bytes()
                .chunks(width)
                .map(|c| core::str::from_utf8(c).unwrap())
                .collect();
            let text = format!(
                "-----BEGIN CERTIFICATE-----\r\n{}\r\n-----END CERTIFICATE-----\r\n",
                wrapped.join("\r\n")
            );
            let block = blocks(&text).pop().unwrap().unwrap();
            assert_eq!(block.decode_public().unwrap(), der, "width {width}");
            assert!(block.decode().is_err(), "width {width}");
        }
    }
}
