//! The S/MIME signed attributes that tell correspondents how to encrypt to the signer:
//! SMIMECapabilities (RFC 8551 §2.5.2) and SMIMEEncryptionKeyPreference (RFC 8551 §2.5.3, and
//! Microsoft's equivalent), written when signing and learned when verifying.

use cms::cert::IssuerAndSerialNumber;
use cms::signed_data::SignedAttributes;
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use der::asn1::SetOfVec;
use der::{Any, Decode, Encode, Sequence};
use x509_cert::attr::Attribute;

use super::content::ContentAlgorithm;
use crate::error::Result;

/// RFC 8551 §2.5.2 smimeCapabilities.
const SMIME_CAPABILITIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.15");
/// RFC 8551 §2.5.3 id-aa-encrypKeyPref.
const ENCRYPTION_KEY_PREFERENCE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.11");
/// Microsoft's encryption key preference (Outlook writes it beside the standard one).
const MS_ENCRYPTION_KEY_PREFERENCE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.16.4");
/// The context tag of the issuerAndSerialNumber choice of SMIMEEncryptionKeyPreference.
const PREFERENCE_ISN_TAG: der::Tag = der::Tag::ContextSpecific {
    constructed: true,
    number: der::TagNumber(0),
};
/// Bound on capabilities read from one signature.
const MAX_CAPABILITIES: usize = 64;

/// RFC 8551 §2.5.2 SMIMECapability.
#[derive(Sequence)]
struct SmimeCapability {
    capability_id: ObjectIdentifier,
    parameters: Option<Any>,
}

/// What we decrypt, strongest first (RFC 8551 §2.5.2 lists in order of preference).
const ADVERTISED: [ContentAlgorithm; 4] = [
    ContentAlgorithm::Aes256Gcm,
    ContentAlgorithm::Aes128Gcm,
    ContentAlgorithm::Aes256Cbc,
    ContentAlgorithm::Aes128Cbc,
];

/// Content algorithms a capability may name.
const KNOWN: [ContentAlgorithm; 8] = [
    ContentAlgorithm::Aes128Cbc,
    ContentAlgorithm::Aes192Cbc,
    ContentAlgorithm::Aes256Cbc,
    ContentAlgorithm::Aes128Gcm,
    ContentAlgorithm::Aes192Gcm,
    ContentAlgorithm::Aes256Gcm,
    ContentAlgorithm::DesEde3Cbc,
    ContentAlgorithm::Rc2Cbc {
        effective_key_bits: 0,
    },
];

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

/// What our signatures advertise, in preference order: the content algorithms of
/// [`ADVERTISED`], then RSAES-OAEP.
fn advertised_oids() -> impl Iterator<Item = ObjectIdentifier> {
    ADVERTISED
        .iter()
        .map(|a| a.oid())
        .chain([rfc5912::ID_RSAES_OAEP])
}

/// The capabilities our signatures advertise, by name ([`capability_name`]) and in preference
/// order (`aes-256-gcm`, ..., `rsa-oaep`): what a correspondent learns from our signed mail, so
/// what to assume of an account that runs this engine before any of its mail was read.
pub fn advertised_capabilities() -> Vec<String> {
    advertised_oids().map(|oid| capability_name(&oid)).collect()
}

/// Our SMIMECapabilities attribute: AES-GCM, AES-CBC, then RSAES-OAEP.
pub(crate) fn capabilities_attribute() -> Result<Attribute> {
    let caps: Vec<SmimeCapability> = advertised_oids()
        .map(|capability_id| SmimeCapability {
            capability_id,
            parameters: None,
        })
        .collect();
    attribute(SMIME_CAPABILITIES, Any::encode_from(&caps)?)
}

/// SMIMEEncryptionKeyPreference naming `isn` ([0] IMPLICIT IssuerAndSerialNumber).
pub(crate) fn preference_attribute(isn: &IssuerAndSerialNumber) -> Result<Attribute> {
    let sequence = Any::from_der(&isn.to_der()?)?;
    attribute(
        ENCRYPTION_KEY_PREFERENCE,
        Any::new(PREFERENCE_ISN_TAG, sequence.value())?,
    )
}

/// A capability's name in the vocabulary of `ContentEncryption`/`KeyTransport` labels
/// (`aes-256-gcm`, `rsa-oaep`, ...); the OID for others.
pub fn capability_name(oid: &ObjectIdentifier) -> String {
    if let Some(algorithm) = KNOWN.iter().find(|a| a.oid() == *oid) {
        return match algorithm {
            ContentAlgorithm::Rc2Cbc { .. } => String::from("rc2-cbc"),
            other => other.name().to_owned(),
        };
    }
    match *oid {
        rfc5912::ID_RSAES_OAEP => String::from("rsa-oaep"),
        rfc5912::RSA_ENCRYPTION => String::from("rsa-pkcs1v15"),
        other => other.to_string(),
    }
}

/// The SMIMECapabilities attribute, by name, in the sender's order.
pub(crate) fn read_capabilities(attrs: &SignedAttributes) -> Option<Vec<String>> {
    let attr = attrs.iter().find(|a| a.oid == SMIME_CAPABILITIES)?;
    let value = attr.values.get(0)?;
    let list = Vec::<SmimeCapability>::from_der(&value.to_der().ok()?).ok()?;
    Some(
        list.iter()
            .take(MAX_CAPABILITIES)
            .map(|c| capability_name(&c.capability_id))
            .collect(),
    )
}

/// The certificate named by SMIMEEncryptionKeyPreference (issuerAndSerialNumber choice), else
/// by Microsoft's attribute, which holds an IssuerAndSerialNumber directly.
pub(crate) fn read_preference(attrs: &SignedAttributes) -> Option<IssuerAndSerialNumber> {
    if let Some(attr) = attrs.iter().find(|a| a.oid == ENCRYPTION_KEY_PREFERENCE) {
        let value = attr.values.get(0)?;
        if der::Tagged::tag(value) != PREFERENCE_ISN_TAG {
            return None;
        }
        let sequence = Any::new(der::Tag::Sequence, value.value()).ok()?;
        return IssuerAndSerialNumber::from_der(&sequence.to_der().ok()?).ok();
    }
    let attr = attrs
        .iter()
        .find(|a| a.oid == MS_ENCRYPTION_KEY_PREFERENCE)?;
    IssuerAndSerialNumber::from_der(&attr.values.get(0)?.to_der().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advertised_capabilities_are_what_the_signed_attribute_carries() {
        let mut attrs = SignedAttributes::new();
        attrs.insert(capabilities_attribute().unwrap()).unwrap();
        assert_eq!(
            read_capabilities(&attrs),
            Some(advertised_capabilities()),
            "one list for the attribute we write and the names we report"
        );
        assert_eq!(
            advertised_capabilities(),
            [
                "aes-256-gcm",
                "aes-128-gcm",
                "aes-256-cbc",
                "aes-128-cbc",
                "rsa-oaep"
            ]
        );
    }

    #[test]
    fn our_own_capabilities_choose_gcm_and_oaep() {
        let ours = advertised_capabilities();
        assert_eq!(
            crate::smime::choose_algorithms(&[Some(&ours), Some(&ours)]),
            (
                crate::smime::ContentEncryption::Aes256Gcm,
                crate::smime::KeyTransport::RsaOaep
            )
        );
    }
}
