//! Name constraints (RFC 5280 §4.2.1.10) as constrained S/MIME CAs write them: rfc822Name and
//! directoryName subtrees, which rustls-webpki rejects outright.
//!
//! Used by the path code when webpki refuses a path for a constraint it does not evaluate.
//! Forms S/MIME does not use (URIs, other names) fail closed: a certificate that presents a name
//! of a form that is constrained but not understood here is outside the constraint.

use der::asn1::Ia5String;
use der::{Encode, Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{NameConstraints, SubjectAltName};
use x509_cert::name::{Name, RelativeDistinguishedName};

use super::Certificate;

/// The names a certificate presents (RFC 5280 §4.2.1.10: the subject, its emailAddress
/// attributes, and the subjectAltName entries).
struct Presented {
    emails: Vec<String>,
    dns: Vec<String>,
    directories: Vec<Name>,
    ips: Vec<Vec<u8>>,
    /// Tags of the other forms present (otherName, URI, ...), compared by form only.
    others: Vec<u8>,
}

/// Whether every name `cert` presents satisfies `constraints`. `check_subject` is false for a
/// self-issued intermediate, whose subject RFC 5280 §6.1.3 (b) exempts.
pub(crate) fn permits(
    constraints: &NameConstraints,
    cert: &Certificate,
    check_subject: bool,
) -> bool {
    let Some(names) = presented(cert, check_subject) else {
        return false;
    };
    let permitted = constraints
        .permitted_subtrees
        .as_deref()
        .unwrap_or_default();
    let excluded = constraints.excluded_subtrees.as_deref().unwrap_or_default();
    // RFC 5280: minimum is always 0 and maximum absent; anything else is not understood.
    if permitted
        .iter()
        .chain(excluded)
        .any(|s| s.minimum != 0 || s.maximum.is_some())
    {
        return false;
    }
    let permitted: Vec<&GeneralName> = permitted.iter().map(|s| &s.base).collect();
    let excluded: Vec<&GeneralName> = excluded.iter().map(|s| &s.base).collect();

    // Within each form: every name must lie in one permitted subtree of that form, if there is
    // any, and in no excluded one.
    let form_holds = |tag: u8, matches: &dyn Fn(&GeneralName) -> Option<bool>| {
        let of_form = |list: &[&GeneralName]| {
            list.iter()
                .filter(|base| form(base) == tag)
                .map(|base| matches(base))
                .collect::<Vec<_>>()
        };
        let allowed = of_form(&permitted);
        let denied = of_form(&excluded);
        (allowed.is_empty() || allowed.contains(&Some(true)))
            && denied.iter().all(|d| *d == Some(false))
    };

    names.emails.iter().all(|email| {
        form_holds(1, &|base| match base {
            GeneralName::Rfc822Name(c) => Some(email_matches(email, c)),
            _ => None,
        })
    }) && names.dns.iter().all(|dns| {
        form_holds(2, &|base| match base {
            GeneralName::DnsName(c) => Some(dns_matches(dns, c.as_str())),
            _ => None,
        })
    }) && names.directories.iter().all(|name| {
        form_holds(4, &|base| match base {
            GeneralName::DirectoryName(c) => Some(directory_matches(name, c)),
            _ => None,
        })
    }) && names.ips.iter().all(|ip| {
        form_holds(7, &|base| match base {
            GeneralName::IpAddress(c) => Some(ip_matches(ip, c.as_bytes())),
            _ => None,
        })
    }) && names
        .others
        .iter()
        .all(|tag| !permitted.iter().chain(&excluded).any(|b| form(b) == *tag))
}

/// The GeneralName tag number of a name's form.
fn form(name: &GeneralName) -> u8 {
    match name {
        GeneralName::OtherName(_) => 0,
        GeneralName::Rfc822Name(_) => 1,
        GeneralName::DnsName(_) => 2,
        GeneralName::DirectoryName(_) => 4,
        GeneralName::EdiPartyName(_) => 5,
        GeneralName::UniformResourceIdentifier(_) => 6,
        GeneralName::IpAddress(_) => 7,
        GeneralName::RegisteredId(_) => 8,
    }
}

/// `None` when the certificate's names cannot be read: no constraint can be shown to hold.
fn presented(cert: &Certificate, check_subject: bool) -> Option<Presented> {
    let tbs = cert.x509().tbs_certificate();
    let mut names = Presented {
        emails: Vec::new(),
        dns: Vec::new(),
        directories: Vec::new(),
        ips: Vec::new(),
        others: Vec::new(),
    };
    if check_subject {
        if !tbs.subject().is_empty() {
            names.directories.push(tbs.subject().clone());
        }
        // §4.2.1.10: rfc822Name constraints also bind the subject's emailAddress attributes
        // (applied here even beside a subjectAltName, which is stricter).
        for atv in tbs.subject().iter() {
            if atv.oid == const_oid::db::rfc3280::EMAIL_ADDRESS {
                names
                    .emails
                    .push(atv.value.decode_as::<Ia5String>().ok()?.to_string());
            }
        }
    }
    match tbs.get_extension::<SubjectAltName>() {
        Ok(Some((_, san))) => {
            for name in san.0 {
                match name {
                    GeneralName::Rfc822Name(email) => names.emails.push(email.to_string()),
                    GeneralName::DnsName(dns) => names.dns.push(dns.to_string()),
                    GeneralName::DirectoryName(name) => names.directories.push(name),
                    GeneralName::IpAddress(ip) => names.ips.push(ip.as_bytes().to_vec()),
                    other => names.others.push(form(&other)),
                }
            }
        }
        Ok(None) => {}
        Err(_) => return None,
    }
    Some(names)
}

/// §4.2.1.10: `user@host` names one mailbox, `host` every mailbox on it, `.domain` every
/// mailbox below it. Hosts compare case-insensitively, local parts exactly.
fn email_matches(email: &str, constraint: &Ia5String) -> bool {
    let constraint = constraint.as_str();
    let Some((local, host)) = email.rsplit_once('@') else {
        return false;
    };
    match constraint.rsplit_once('@') {
        Some((c_local, c_host)) => local == c_local && host.eq_ignore_ascii_case(c_host),
        None if constraint.starts_with('.') => ends_with_ignore_case(host, constraint),
        None => host.eq_ignore_ascii_case(constraint),
    }
}

/// §4.2.1.10: a DNS name satisfies a constraint when labels added on its left make it so.
fn dns_matches(name: &str, constraint: &str) -> bool {
    let base = constraint.trim_start_matches('.');
    base.is_empty()
        || name.eq_ignore_ascii_case(base) && !constraint.starts_with('.')
        || ends_with_ignore_case(name, &format!(".{base}"))
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text
            .get(text.len() - suffix.len()..)
            .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
}

/// §4.2.1.10: an IPv4 or IPv6 address against an address and mask of twice its length.
fn ip_matches(ip: &[u8], constraint: &[u8]) -> bool {
    if constraint.len() != 2 * ip.len() {
        return false;
    }
    let (network, mask) = constraint.split_at(ip.len());
    ip.iter()
        .zip(network)
        .zip(mask)
        .all(|((a, n), m)| a & m == n & m)
}

/// §4.2.1.10: the constraint's RDNs begin the name's.
fn directory_matches(name: &Name, constraint: &Name) -> bool {
    constraint.len() <= name.len()
        && constraint
            .iter_rdn()
            .zip(name.iter_rdn())
            .all(|(c, n)| rdn_equal(c, n))
}

/// RFC 5280 §7.1: RDNs are equal when their attribute sets are.
fn rdn_equal(a: &RelativeDistinguishedName, b: &RelativeDistinguishedName) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| attribute_equal(x, y)))
}

/// Same type and value, strings compared after RFC 4518-style folding: case and runs of
/// white space do not count, nor does the string type a CA chose.
fn attribute_equal(a: &AttributeTypeAndValue, b: &AttributeTypeAndValue) -> bool {
    let same_type: bool = a.oid == b.oid;
    same_type
        && match (folded(&a.value), folded(&b.value)) {
            (Some(x), Some(y)) => x == y,
            _ => a.value.to_der().ok() == b.value.to_der().ok(),
        }
}

fn folded(value: &der::Any) -> Option<String> {
    let bytes = value.value();
    let text = match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString => {
            String::from_utf8(bytes.to_vec()).ok()?
        }
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .filter_map(|pair| <[u8; 2]>::try_from(pair).ok())
                .map(u16::from_be_bytes)
                .collect();
            String::from_utf16(&units).ok()?
        }
        _ => return None,
    };
    Some(
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ia5(s: &str) -> Ia5String {
        Ia5String::new(s).unwrap()
    }

    #[test]
    fn rfc822_forms_of_rfc5280() {
        assert!(email_matches("alice@example.com", &ia5("example.com")));
        assert!(email_matches("alice@EXAMPLE.com", &ia5("example.com")));
        assert!(!email_matches("alice@sub.example.com", &ia5("example.com")));
        assert!(email_matches("alice@sub.example.com", &ia5(".example.com")));
        assert!(!email_matches("alice@example.com", &ia5(".example.com")));
        assert!(!email_matches("alice@badexample.com", &ia5(".example.com")));
        assert!(email_matches(
            "alice@example.com",
            &ia5("alice@example.com")
        ));
        assert!(!email_matches(
            "Alice@example.com",
            &ia5("alice@example.com")
        ));
        assert!(!email_matches("bob@example.com", &ia5("alice@example.com")));
        assert!(!email_matches("no-at-sign", &ia5("example.com")));
    }

    #[test]
    fn dns_and_ip_forms() {
        assert!(dns_matches("mail.example.com", "example.com"));
        assert!(dns_matches("example.com", "example.com"));
        assert!(!dns_matches("badexample.com", "example.com"));
        assert!(!dns_matches("example.com", ".example.com"));
        assert!(ip_matches(&[10, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]));
        assert!(!ip_matches(&[11, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]));
        assert!(!ip_matches(&[10, 1, 2, 3], &[10, 0, 0, 0]));
    }

    #[test]
    fn directory_prefixes_fold_case_and_string_type() {
        let name: Name = "CN=alice,O=Example Corp,C=DE".parse().unwrap();
        let prefix: Name = "O=example  corp,C=DE".parse().unwrap();
        let other: Name = "O=Other,C=DE".parse().unwrap();
        assert!(directory_matches(&name, &prefix));
        assert!(!directory_matches(&name, &other));
        assert!(!directory_matches(&prefix, &name));
    }
}
