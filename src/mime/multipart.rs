//! Multipart bodies (RFC 2046 §5.1.1) split into the exact bytes of each body part.

use super::{eol_len, line_at};
use crate::error::{Error, Result};

/// Upper bound on parts in one multipart body.
const MAX_PARTS: usize = 1000;

/// The exact bytes of each body part of a multipart `body` with `boundary`. The line ending
/// before a delimiter belongs to the delimiter (RFC 2046 §5.1.1), so it is not part of the
/// part: these are the bytes a multipart/signed signature covers (RFC 1847 §2.1).
pub fn split_multipart<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>> {
    split(body, boundary, Mode::Strict)
}

/// Like [`split_multipart`], but a body that ends without its closing delimiter ends its last
/// part there, as mail readers do. Used only to look for S/MIME parts inside a message, never
/// for the bytes a signature covers.
pub fn split_multipart_lenient<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>> {
    split(body, boundary, Mode::Lenient)
}

/// Like [`split_multipart_lenient`], but stops after the first `max` parts instead of failing
/// on too many: a reader shows what fits its bound.
pub(crate) fn split_multipart_at_most<'a>(
    body: &'a [u8],
    boundary: &str,
    max: usize,
) -> Result<Vec<&'a [u8]>> {
    split(body, boundary, Mode::AtMost(max))
}

#[derive(Clone, Copy)]
enum Mode {
    /// The closing delimiter is required.
    Strict,
    /// A missing closing delimiter ends the last part at the end of the body.
    Lenient,
    /// Lenient, and stop after this many parts.
    AtMost(usize),
}

fn split<'a>(body: &'a [u8], boundary: &str, mode: Mode) -> Result<Vec<&'a [u8]>> {
    if let Mode::AtMost(0) = mode {
        return Ok(Vec::new());
    }
    if boundary.is_empty() || boundary.len() > 200 {
        return Err(Error::MalformedMime("bad multipart boundary"));
    }
    let dash_boundary = [b"--".as_slice(), boundary.as_bytes()].concat();
    let mut parts = Vec::new();
    let mut open: Option<usize> = None;
    let mut pos = 0;
    while pos < body.len() {
        let (end, next) = line_at(body, pos);
        let line = body.get(pos..end).unwrap_or_default();
        if let Some(rest) = line.strip_prefix(dash_boundary.as_slice()) {
            let closing = rest.starts_with(b"--");
            let tail = if closing {
                rest.get(2..).unwrap_or_default()
            } else {
                rest
            };
            // RFC 2046: only transport padding (white space) may follow the boundary.
            if tail.iter().all(|&b| b == b' ' || b == b'\t') {
                if let Some(start) = open {
                    let eol = if pos >= 2 && eol_len(body, pos - 2) == 2 {
                        2
                    } else {
                        usize::from(pos >= 1 && eol_len(body, pos - 1) == 1)
                    };
                    let part_end = pos.saturating_sub(eol).max(start);
                    parts.push(body.get(start..part_end).unwrap_or_default());
                    if let Mode::AtMost(max) = mode
                        && parts.len() >= max
                    {
                        return Ok(parts);
                    }
                    if parts.len() > MAX_PARTS {
                        return Err(Error::TooLarge);
                    }
                }
                if closing {
                    return Ok(parts);
                }
                open = Some(next);
            }
        }
        pos = next;
    }
    match open {
        Some(start) if !matches!(mode, Mode::Strict) => {
            // A delimiter on the last line leaves an empty part; text after one is a part.
            if start < body.len() {
                parts.push(body.get(start..).unwrap_or_default());
            }
            Ok(parts)
        }
        _ => Err(Error::MalformedMime(
            "multipart body without a closing boundary",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_exclude_the_line_break_before_a_delimiter() {
        let body = b"preamble\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\n\r\nsig\r\n--b--\r\nepilogue";
        let parts = split_multipart(body, "b").unwrap();
        assert_eq!(
            parts,
            vec![
                b"Content-Type: text/plain\r\n\r\nhello".as_slice(),
                b"\r\nsig"
            ]
        );
    }

    #[test]
    fn bare_lf_and_similar_boundaries() {
        let body = b"--b\nx\n--bb\n--b \ny\n--b--\n";
        let parts = split_multipart(body, "b").unwrap();
        assert_eq!(parts, vec![b"x\n--bb".as_slice(), b"y"]);
    }

    #[test]
    fn lenient_split_ends_the_last_part_at_the_end() {
        assert_eq!(
            split_multipart_lenient(b"--b\r\nx\r\n--b\r\ny", "b").unwrap(),
            vec![b"x".as_slice(), b"y"]
        );
        assert_eq!(
            split_multipart_lenient(b"--b\r\nx\r\n--b", "b").unwrap(),
            vec![b"x".as_slice()]
        );
    }

    #[test]
    fn at_most_stops_at_the_bound() {
        let body: &[u8] = b"--b\r\n1\r\n--b\r\n2\r\n--b\r\n3\r\n--b--\r\n";
        assert_eq!(
            split_multipart_at_most(body, "b", 2).unwrap(),
            vec![b"1".as_slice(), b"2"]
        );
        assert_eq!(split_multipart_at_most(body, "b", 5).unwrap().len(), 3);
        assert!(split_multipart_at_most(body, "b", 0).unwrap().is_empty());
        let many = [b"--b\r\nx\r\n".repeat(5000), b"--b--".to_vec()].concat();
        assert_eq!(split_multipart_at_most(&many, "b", 256).unwrap().len(), 256);
        assert_eq!(
            split_multipart_lenient(&many, "b").unwrap_err().code(),
            "ERR_TOO_LARGE"
        );
    }

    #[test]
    fn unterminated_is_an_error() {
        assert_eq!(
            split_multipart(b"--b\r\nx\r\n", "b").unwrap_err().code(),
            "ERR_MALFORMED_MIME"
        );
    }
}
