//! Elliptic-curve domain parameters: a named curve (RFC 5480 §2.1.1), or the explicit form
//! (RFC 3279 §2.3.5 SpecifiedECDomain) that some tools wrote, recognised only when it is
//! exactly NIST P-256 or P-384 (MimeKit's EC test identity has it).

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use der::asn1::{BitString, OctetString, Uint};
use der::{Any, Decode, Sequence};

/// X9.62 prime-field (1.2.840.10045.1.1).
const PRIME_FIELD: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.1.1");

#[derive(Sequence)]
struct FieldId {
    field_type: ObjectIdentifier,
    prime: Uint,
}

#[derive(Sequence)]
struct CurveCoefficients {
    a: OctetString,
    b: OctetString,
    #[asn1(optional = "true")]
    seed: Option<BitString>,
}

#[derive(Sequence)]
struct SpecifiedEcDomain {
    version: u8,
    field_id: FieldId,
    curve: CurveCoefficients,
    base: OctetString,
    order: Uint,
    #[asn1(optional = "true")]
    cofactor: Option<Uint>,
}

/// The curve's parameters: prime, a, b, uncompressed generator, order (SEC 2 §2.4.2, §2.5.1).
struct Domain {
    oid: ObjectIdentifier,
    p: &'static str,
    a: &'static str,
    b: &'static str,
    g: &'static str,
    n: &'static str,
}

const DOMAINS: [Domain; 2] = [
    Domain {
        oid: rfc5912::SECP_256_R_1,
        p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        a: "ffffffff00000001000000000000000000000000fffffffffffffffffffffffc",
        b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
        g: "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
        n: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
    },
    Domain {
        oid: rfc5912::SECP_384_R_1,
        p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
        a: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc",
        b: "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
        g: "04aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab73617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
        n: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    },
];

/// The named curve that `parameters` (the AlgorithmIdentifier's, DER) denote: a namedCurve OID
/// as is, or explicit parameters equal to P-256 or P-384 in every field. `None` otherwise.
pub(crate) fn named_curve(parameters: &[u8]) -> Option<ObjectIdentifier> {
    if let Ok(oid) = ObjectIdentifier::from_der(parameters) {
        return Some(oid);
    }
    let explicit = SpecifiedEcDomain::from_der(parameters).ok()?;
    if explicit.field_id.field_type != PRIME_FIELD
        || explicit
            .cofactor
            .as_ref()
            .is_some_and(|h| h.as_bytes() != [1])
    {
        return None;
    }
    let hex = crate::cert::hex;
    DOMAINS.iter().find_map(|d| {
        let same = hex(explicit.field_id.prime.as_bytes()) == d.p
            && hex(explicit.curve.a.as_bytes()) == d.a
            && hex(explicit.curve.b.as_bytes()) == d.b
            && hex(explicit.base.as_bytes()) == d.g
            && hex(explicit.order.as_bytes()) == d.n;
        same.then_some(d.oid)
    })
}

/// `named_curve` of an optional parameters value.
pub(crate) fn named_curve_of(parameters: Option<&Any>) -> Option<ObjectIdentifier> {
    use der::Encode;
    named_curve(&parameters?.to_der().ok()?)
}

/// RFC 5915 ECPrivateKey, for keys whose own parameters are explicit.
#[derive(Sequence)]
pub(crate) struct EcPrivateKey {
    pub(crate) version: u8,
    pub(crate) private_key: OctetString,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) parameters: Option<Any>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) public_key: Option<BitString>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    #[test]
    fn named_and_explicit_p384_are_recognised_and_others_are_not() {
        let named = rfc5912::SECP_384_R_1.to_der().unwrap();
        assert_eq!(named_curve(&named), Some(rfc5912::SECP_384_R_1));
        let d = &DOMAINS[1];
        let unhex = |s: &str| {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect::<Vec<u8>>()
        };
        let explicit = |b: &str| {
            SpecifiedEcDomain {
                version: 1,
                field_id: FieldId {
                    field_type: PRIME_FIELD,
                    prime: Uint::new(&unhex(d.p)).unwrap(),
                },
                curve: CurveCoefficients {
                    a: OctetString::new(unhex(d.a)).unwrap(),
                    b: OctetString::new(unhex(b)).unwrap(),
                    seed: None,
                },
                base: OctetString::new(unhex(d.g)).unwrap(),
                order: Uint::new(&unhex(d.n)).unwrap(),
                cofactor: Some(Uint::new(&[1]).unwrap()),
            }
            .to_der()
            .unwrap()
        };
        assert_eq!(named_curve(&explicit(d.b)), Some(rfc5912::SECP_384_R_1));
        // One coefficient changed: a different (weak or hostile) curve is not P-384.
        let mut other_b = String::from(d.b);
        other_b.replace_range(0..2, "00");
        assert_eq!(named_curve(&explicit(&other_b)), None);
    }
}
