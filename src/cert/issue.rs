//! New S/MIME certificates (RFC 5280, RFC 8550) and PKCS#10 certificate requests (RFC 2986).
//!
//! Both go through x509-cert's builders in two phases, as every signature in this crate does:
//! the builder yields the DER to be signed, [`PrivateKey::sign`] signs it, and the builder
//! assembles the result. The builders only ever see public keys, and no clock: validity comes
//! from the caller's [`IdentityRequest::not_before`].

use const_oid::db::{rfc4519, rfc5280};
use der::asn1::{Any, BitString, Ia5String, OctetString, Utf8StringRef};
use der::referenced::OwnedToRef;
use der::{Decode, Document, Encode, EncodePem};
use rand_core::CryptoRng;
use signature::Keypair;
use spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, EncodePublicKey,
    SubjectPublicKeyInfoOwned,
};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::request::RequestBuilder;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use super::Certificate;
use crate::cms::DigestAlgorithm;
use crate::cms::algorithm::signature_identifier;
use crate::error::{Error, Result};
use crate::key::generate::{KeyAlgorithm, generate_key};
use crate::key::{Identity, PrivateKey, PublicKey};
use crate::time::UnixTime;

/// RFC 5280 appendix A.1: ub-common-name.
const MAX_COMMON_NAME_CHARS: usize = 64;
/// RFC 5321 §4.5.3.1.3: the longest forward-path is 256 octets, angle brackets included.
const MAX_EMAIL_LEN: usize = 254;
/// Random serial numbers of 16 octets (RFC 5280 §4.1.2.2 allows up to 20): 126 random bits,
/// far beyond the 64 that CA/Browser Forum ballot 164 asks for.
const SERIAL_LEN: usize = 16;
const SECONDS_PER_DAY: u64 = 86_400;

/// What to put in a new certificate made by [`generate_identity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRequest {
    /// The address the certificate binds (rfc822Name subjectAltName, RFC 8550 §3). ASCII only:
    /// internationalised addresses (RFC 8398 SmtpUTF8Mailbox) are not written.
    pub email: String,
    /// The subject's common name; the e-mail address when `None` or empty. At most 64 characters
    /// (RFC 5280 ub-common-name).
    pub name: Option<String>,
    /// How long the certificate is valid, from `not_before`; at least 1.
    pub valid_days: u32,
    /// Start of validity (the caller's clock: the core never reads one).
    pub not_before: UnixTime,
    /// Make a CA certificate (keyCertSign, cRLSign, no extKeyUsage) that can issue others, for
    /// example a demo CA.
    pub is_ca: bool,
}

/// Generate a key of `algorithm` and a certificate for it that S/MIME clients accept.
///
/// The certificate has the subject `CN=<name or email>`, the address as rfc822Name
/// subjectAltName, keyUsage as the key allows (RSA: digitalSignature, keyEncipherment; P-256
/// and P-384: digitalSignature, keyAgreement; Ed25519: digitalSignature; X25519: keyAgreement;
/// a CA: keyCertSign, cRLSign, digitalSignature), extKeyUsage emailProtection (not for a CA),
/// critical basicConstraints, subjectKeyIdentifier, a random positive 16-octet serial number and
/// validity from `not_before` for `valid_days` days (UTCTime through 2049, GeneralizedTime from
/// 2050, RFC 5280 §4.1.2.5).
///
/// With no `issuer` it is self-signed. Otherwise `issuer` (a CA certificate with its key)
/// signs it, the certificate carries an authorityKeyIdentifier, and the new identity's chain
/// is the issuer's certificate followed by the issuer's chain. Signatures use SHA-256 (SHA-384
/// for a P-384 signer; Ed25519 is pure).
///
/// `ERR_INVALID_ARGUMENT` for an address or name that cannot be written, zero days, an
/// X25519 key that would have to sign (self-signed or a CA), an issuer that is not a CA, or a
/// subject name equal to the issuer's.
pub fn generate_identity<R: CryptoRng + ?Sized>(
    request: &IdentityRequest,
    algorithm: KeyAlgorithm,
    issuer: Option<&Identity>,
    rng: &mut R,
) -> Result<Identity> {
    // Everything is checked before the key is made: RSA generation is slow.
    let email = rfc822_name(&request.email)?;
    let subject = subject_name(request)?;
    let validity = validity(request.not_before, request.valid_days)?;
    if !algorithm.can_sign() && (issuer.is_none() || request.is_ca) {
        return Err(Error::InvalidArgument(String::from(
            "an X25519 key cannot sign, so it needs an issuer and cannot be a CA",
        )));
    }
    let authority = issuer.map(Authority::of).transpose()?;
    if authority.as_ref().is_some_and(|a| a.name == subject) {
        // RFC 5280 §3.2, §6.1: a certificate whose subject is its issuer's name reads as
        // self-issued, which path validation treats differently; ask for another name.
        return Err(Error::InvalidArgument(String::from(
            "the new certificate would have the same name as its issuer",
        )));
    }

    let key = generate_key(algorithm, rng)?;
    let public = key.public_key();
    let subject_spki = encode_spki(&public)?;
    let signer_key = issuer.map_or(&key, |i| i.key());
    let signer_public = signer_key.public_key();
    let digest = signing_digest(&signer_public);
    let party = SigningParty {
        spki: encode_spki(&signer_public)?,
        algorithm: signature_identifier(&signer_public, digest)?,
    };
    let profile = SmimeProfile {
        subject,
        authority,
        is_ca: request.is_ca,
        key_usage: key_usage(&public, request.is_ca),
        email,
    };

    let mut builder = CertificateBuilder::new(profile, serial_number(rng)?, validity, subject_spki)
        .map_err(build_error)?;
    let tbs = builder.finalize(&party).map_err(build_error)?;
    let signature = BitString::from_bytes(&signer_key.sign(digest, &tbs)?)?;
    let x509 = builder.assemble(signature, &party).map_err(build_error)?;
    let certificate = Certificate::from_x509(x509)?;

    let chain = match issuer {
        Some(i) => core::iter::once(i.certificate())
            .chain(i.chain())
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    Identity::new(certificate, key, chain)
}

/// A PKCS#10 certificate request (RFC 2986) for `identity`'s key, as PEM `CERTIFICATE
/// REQUEST`: the certificate's subject, and an extensionRequest attribute asking for its
/// e-mail addresses as rfc822Name subjectAltName, keyUsage as the key allows and extKeyUsage
/// emailProtection. The key signs it (proof of possession), so an X25519 identity gets
/// `ERR_INVALID_ARGUMENT`, as does a certificate without an e-mail address.
pub fn create_csr(identity: &Identity) -> Result<String> {
    let key = identity.key();
    let public = key.public_key();
    if matches!(public, PublicKey::X25519(_)) {
        return Err(Error::InvalidArgument(String::from(
            "an X25519 key cannot sign a certificate request",
        )));
    }
    let emails = identity
        .certificate()
        .emails()
        .iter()
        .map(|e| rfc822_name(e))
        .collect::<Result<Vec<_>>>()?;
    if emails.is_empty() {
        return Err(Error::InvalidArgument(String::from(
            "the certificate names no e-mail address to request",
        )));
    }
    let subject = identity.certificate().x509().tbs_certificate().subject();

    let mut builder = RequestBuilder::new(subject.clone()).map_err(build_error)?;
    builder.add_extension(&subject_alt_name(emails))?;
    builder.add_extension(&key_usage(&public, false))?;
    builder.add_extension(&email_protection())?;

    let digest = signing_digest(&public);
    let party = SigningParty {
        spki: encode_spki(&public)?,
        algorithm: signature_identifier(&public, digest)?,
    };
    let info = builder.finalize(&party).map_err(build_error)?;
    let signature = BitString::from_bytes(&key.sign(digest, &info)?)?;
    let request = builder.assemble(signature, &party).map_err(build_error)?;
    request
        .to_pem(der::pem::LineEnding::LF)
        .map_err(|e| Error::InvalidArgument(format!("cannot encode the request: {e}")))
}

/// The issuing side of a certificate: its name and key identifier, once checked to be a CA.
struct Authority {
    name: Name,
    key_identifier: OctetString,
}

impl Authority {
    fn of(issuer: &Identity) -> Result<Self> {
        let not_ca = || Error::InvalidArgument(String::from("the issuer is not a CA"));
        let cert = issuer.certificate();
        if !cert.is_ca() {
            return Err(not_ca());
        }
        let tbs = cert.x509().tbs_certificate();
        // RFC 5280 §4.2.1.3: with keyUsage present, keyCertSign must be set to sign certificates.
        match tbs.get_extension::<KeyUsage>() {
            Ok(Some((_, usage))) if !usage.0.contains(KeyUsages::KeyCertSign) => {
                return Err(not_ca());
            }
            Err(e) => return Err(Error::MalformedCertificate(e.to_string())),
            _ => {}
        }
        if matches!(issuer.key(), PrivateKey::X25519(_)) {
            return Err(not_ca());
        }
        // RFC 5280 §4.2.1.1: the authorityKeyIdentifier repeats the issuer's own
        // subjectKeyIdentifier, however the issuer derived it; method 1 when it has none.
        let key_identifier = match tbs.get_extension::<SubjectKeyIdentifier>() {
            Ok(Some((_, ski))) => ski.0,
            _ => SubjectKeyIdentifier::try_from(tbs.subject_public_key_info().owned_to_ref())?.0,
        };
        Ok(Self {
            name: tbs.subject().clone(),
            key_identifier,
        })
    }
}

/// The extensions of an S/MIME certificate; x509-cert's builder asks for them.
struct SmimeProfile {
    subject: Name,
    /// `None` for a self-signed certificate.
    authority: Option<Authority>,
    is_ca: bool,
    key_usage: KeyUsage,
    email: Ia5String,
}

impl BuilderProfile for SmimeProfile {
    fn get_issuer(&self, subject: &Name) -> Name {
        match &self.authority {
            Some(a) => a.name.clone(),
            None => subject.clone(),
        }
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        // x509-cert picks each extension's criticality as RFC 5280 asks: basicConstraints and
        // keyUsage critical (§4.2.1.9, §4.2.1.3), subjectAltName critical only under an empty
        // subject (§4.2.1.6), the others not.
        let subject = tbs.subject();
        let mut out: Vec<Extension> = Vec::new();
        let basic = BasicConstraints {
            ca: self.is_ca,
            path_len_constraint: None,
        };
        out.push(basic.to_extension(subject, &out)?);
        out.push(self.key_usage.to_extension(subject, &out)?);
        if !self.is_ca {
            // RFC 8550 §4.4.4: emailProtection for S/MIME. A CA gets none, so that it does not
            // restrict the purposes of what it issues (RFC 5280 §4.2.1.12).
            out.push(email_protection().to_extension(subject, &out)?);
        }
        let san = subject_alt_name(vec![self.email.clone()]);
        out.push(san.to_extension(subject, &out)?);
        out.push(SubjectKeyIdentifier::try_from(spk)?.to_extension(subject, &out)?);
        if let Some(authority) = &self.authority {
            let aki = AuthorityKeyIdentifier {
                key_identifier: Some(authority.key_identifier.clone()),
                ..Default::default()
            };
            out.push(aki.to_extension(subject, &out)?);
        }
        Ok(out)
    }
}

/// The public half of whoever signs, in the shape x509-cert's builders want (`Keypair` and
/// `DynSignatureAlgorithmIdentifier`). It holds no private key: the builders only fill in the
/// signer's key and algorithm, and [`PrivateKey::sign`] makes the signature apart.
struct SigningParty {
    spki: SubjectPublicKeyInfoOwned,
    algorithm: AlgorithmIdentifierOwned,
}

/// A SubjectPublicKeyInfo that is already encoded, so any key kind can stand as a builder's
/// verifying key.
#[derive(Clone)]
struct EncodedSpki(SubjectPublicKeyInfoOwned);

impl EncodePublicKey for EncodedSpki {
    fn to_public_key_der(&self) -> spki::Result<Document> {
        Ok(Document::encode_msg(&self.0)?)
    }
}

impl Keypair for SigningParty {
    type VerifyingKey = EncodedSpki;

    fn verifying_key(&self) -> EncodedSpki {
        EncodedSpki(self.spki.clone())
    }
}

impl DynSignatureAlgorithmIdentifier for SigningParty {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(self.algorithm.clone())
    }
}

/// The key's SubjectPublicKeyInfo: RSA (RFC 3279, NULL parameters), id-ecPublicKey with the
/// named curve and the uncompressed point (RFC 5480), id-X25519 and id-Ed25519 without
/// parameters (RFC 8410 §4).
fn encode_spki(key: &PublicKey) -> Result<SubjectPublicKeyInfoOwned> {
    let encoding = |e: spki::Error| Error::InvalidArgument(format!("cannot encode the key: {e}"));
    let der = match key {
        PublicKey::Rsa(k) => k.to_public_key_der().map_err(encoding)?,
        PublicKey::P256(k) => k.to_public_key_der().map_err(encoding)?,
        PublicKey::P384(k) => k.to_public_key_der().map_err(encoding)?,
        PublicKey::X25519(k) => {
            return rfc8410_spki(const_oid::db::rfc8410::ID_X_25519, k.as_bytes());
        }
        PublicKey::Ed25519(k) => {
            return rfc8410_spki(const_oid::db::rfc8410::ID_ED_25519, k.as_bytes());
        }
    };
    Ok(SubjectPublicKeyInfoOwned::from_der(der.as_bytes())?)
}

fn rfc8410_spki(
    oid: const_oid::ObjectIdentifier,
    public: &[u8],
) -> Result<SubjectPublicKeyInfoOwned> {
    Ok(SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid,
            parameters: None,
        },
        subject_public_key: BitString::from_bytes(public)?,
    })
}

/// SHA-256, except SHA-384 to match a P-384 key's strength (RFC 5480 §4); ignored by Ed25519.
fn signing_digest(key: &PublicKey) -> DigestAlgorithm {
    match key {
        PublicKey::P384(_) => DigestAlgorithm::Sha384,
        _ => DigestAlgorithm::Sha256,
    }
}

/// The keyUsage bits that fit the key: RSA encrypts content keys (keyEncipherment), EC and
/// X25519 keys agree on them (keyAgreement; RFC 5480 §3 and RFC 8410 §5 do not allow
/// keyEncipherment for them), and only signing keys get digitalSignature.
fn key_usage(key: &PublicKey, is_ca: bool) -> KeyUsage {
    use KeyUsages as K;
    KeyUsage(match (key, is_ca) {
        (_, true) => K::KeyCertSign | K::CRLSign | K::DigitalSignature,
        (PublicKey::Rsa(_), false) => K::DigitalSignature | K::KeyEncipherment,
        (PublicKey::P256(_) | PublicKey::P384(_), false) => K::DigitalSignature | K::KeyAgreement,
        (PublicKey::Ed25519(_), false) => K::DigitalSignature.into(),
        (PublicKey::X25519(_), false) => K::KeyAgreement.into(),
    })
}

fn email_protection() -> ExtendedKeyUsage {
    ExtendedKeyUsage(vec![rfc5280::ID_KP_EMAIL_PROTECTION])
}

fn subject_alt_name(emails: Vec<Ia5String>) -> SubjectAltName {
    SubjectAltName(emails.into_iter().map(GeneralName::Rfc822Name).collect())
}

/// An addr-spec as rfc822Name takes it (RFC 5280 §4.2.1.6): printable ASCII, one `@`
/// between a non-empty local part and domain.
fn rfc822_name(email: &str) -> Result<Ia5String> {
    let invalid = || Error::InvalidArgument(format!("not a usable e-mail address: {email:?}"));
    let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
    let well_formed = email.len() <= MAX_EMAIL_LEN
        && email.bytes().all(|b| b.is_ascii_graphic())
        && !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if !well_formed {
        return Err(invalid());
    }
    Ia5String::new(email).map_err(|_| invalid())
}

/// `CN=<name>` (UTF8String, RFC 5280 §4.1.2.6), the address standing in for an absent name.
fn subject_name(request: &IdentityRequest) -> Result<Name> {
    let common_name = match request.name.as_deref() {
        Some(name) if !name.trim().is_empty() => name,
        _ => request.email.as_str(),
    };
    if common_name.chars().count() > MAX_COMMON_NAME_CHARS
        || common_name.chars().any(char::is_control)
    {
        return Err(Error::InvalidArgument(format!(
            "the name must be at most {MAX_COMMON_NAME_CHARS} printable characters: \
             {common_name:?}"
        )));
    }
    let value = Any::encode_from(&Utf8StringRef::new(common_name)?)?;
    let attribute = AttributeTypeAndValue {
        oid: rfc4519::COMMON_NAME,
        value,
    };
    let mut rdns = RdnSequence::default();
    rdns.push(RelativeDistinguishedName::try_from(vec![attribute])?);
    // `Name` has no public constructor from an RdnSequence (outside x509-cert's `hazmat`), but
    // it decodes from the same DER.
    Ok(Name::from_der(&rdns.to_der()?)?)
}

fn validity(not_before: UnixTime, valid_days: u32) -> Result<Validity> {
    if valid_days == 0 {
        return Err(Error::InvalidArgument(String::from(
            "a certificate must be valid for at least one day",
        )));
    }
    let not_after = not_before
        .as_secs()
        .checked_add(u64::from(valid_days) * SECONDS_PER_DAY)
        .map(UnixTime::from_secs);
    let time = |t: Option<UnixTime>| {
        // `Time::from` writes UTCTime for 1950-2049 and GeneralizedTime otherwise (§4.1.2.5).
        t.and_then(UnixTime::to_datetime)
            .map(Time::from)
            .ok_or_else(|| {
                Error::InvalidArgument(String::from("validity must end before the year 10000"))
            })
    };
    Ok(Validity::new(time(Some(not_before))?, time(not_after)?))
}

/// A positive serial number of exactly [`SERIAL_LEN`] octets: the top bit clear keeps it
/// positive without a leading zero octet, the next one set keeps its length fixed.
fn serial_number<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<SerialNumber> {
    let mut bytes = [0u8; SERIAL_LEN];
    rng.fill_bytes(&mut bytes);
    if let Some(first) = bytes.first_mut() {
        *first = (*first & 0x7f) | 0x40;
    }
    Ok(SerialNumber::new(&bytes)?)
}

fn build_error(e: x509_cert::builder::Error) -> Error {
    Error::InvalidArgument(format!("cannot build the certificate: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
        rand_core::UnwrapErr(getrandom::SysRng)
    }

    fn request(email: &str) -> IdentityRequest {
        IdentityRequest {
            email: email.to_owned(),
            name: None,
            valid_days: 365,
            not_before: UnixTime::from_secs(1_893_456_000),
            is_ca: false,
        }
    }

    #[test]
    fn unusable_addresses_are_refused() {
        for email in [
            "",
            "alice",
            "@example.org",
            "alice@",
            "alice@@example.org",
            "a b@example.org",
            "alice@example..org",
            "alice@.example.org",
            "alïce@example.org",
            "alice@example.org\r\nBcc: x@y.z",
        ] {
            let err = generate_identity(&request(email), KeyAlgorithm::P256, None, &mut rng())
                .unwrap_err();
            assert_eq!(err.code(), "ERR_INVALID_ARGUMENT", "{email:?}");
        }
    }

    #[test]
    fn unusable_names_and_validity_are_refused() {
        let mut long = request("alice@example.org");
        long.name = Some("x".repeat(65));
        let mut control = request("alice@example.org");
        control.name = Some(String::from("Alice\u{0}"));
        let mut zero = request("alice@example.org");
        zero.valid_days = 0;
        let mut far = request("alice@example.org");
        far.not_before = UnixTime::from_secs(253_402_300_000); // 9999-12-31
        for r in [long, control, zero, far] {
            let err = generate_identity(&r, KeyAlgorithm::Ed25519, None, &mut rng()).unwrap_err();
            assert_eq!(err.code(), "ERR_INVALID_ARGUMENT", "{r:?}");
        }
    }

    #[test]
    fn validity_switches_to_generalized_time_in_2050() {
        let v = validity(UnixTime::from_secs(1_893_456_000), 365 * 30).unwrap();
        assert!(matches!(v.not_before, Time::UtcTime(_)));
        assert!(matches!(v.not_after, Time::GeneralTime(_)));
    }

    #[test]
    fn serial_numbers_are_positive_and_sixteen_octets() {
        for _ in 0..64 {
            let serial = serial_number(&mut rng()).unwrap();
            assert_eq!(serial.as_bytes().len(), SERIAL_LEN);
            assert_eq!(serial.as_bytes()[0] & 0xc0, 0x40);
        }
    }

    #[test]
    fn an_issued_certificate_does_not_take_its_issuers_name() {
        let mut ca = request("ca@example.org");
        ca.is_ca = true;
        ca.name = Some(String::from("Alice"));
        let ca = generate_identity(&ca, KeyAlgorithm::P256, None, &mut rng()).unwrap();
        let mut leaf = request("alice@example.org");
        leaf.name = Some(String::from("Alice"));
        let err = generate_identity(&leaf, KeyAlgorithm::P256, Some(&ca), &mut rng()).unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_ARGUMENT");
    }

    #[test]
    fn an_empty_name_falls_back_to_the_address() {
        let mut r = request("alice@example.org");
        r.name = Some(String::from("  "));
        let id = generate_identity(&r, KeyAlgorithm::Ed25519, None, &mut rng()).unwrap();
        assert_eq!(id.certificate().info().subject, "CN=alice@example.org");
    }
}
