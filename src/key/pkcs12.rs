//! PKCS#12 (RFC 7292) `.p12`/`.pfx` files: read an [`Identity`] out of one, and write one.
//!
//! No published PKCS#12 crate resolves beside `cms` 0.3.0-rc.0 (TOOLCHAIN.md), so the few
//! structures live here as `der` types, with `cms`'s EncryptedData and the crate's own
//! [`ContentCipher`] for the bag ciphers.
//!
//! Reading takes password-integrity files (RFC 7292 §4: an HMAC under a password, or no MAC at
//! all) whose bags are encrypted with PBES2 (RFC 8018 §6.2: PBKDF2 with HMAC-SHA-1/2, AES-CBC or
//! 3DES) or the PKCS#12 PBEs (RFC 7292 App. C: SHA-1 with 3DES or RC2). Writing uses PBES2 with
//! PBKDF2-HMAC-SHA-256 and AES-256-CBC for every bag and a SHA-256 MAC: what OpenSSL 3 writes by
//! default and reads without `-legacy`, and what NSS writes today.

use const_oid::ObjectIdentifier;
use const_oid::db::{rfc2985, rfc5911, rfc7292};
use der::asn1::{BmpString, ContextSpecific, Null, OctetString, SetOfVec};
use der::{
    Any, Decode, DecodeValue, Encode, EncodeValue, EncodingRules, Header, Length, Reader, Sequence,
    Tag, TagMode, TagNumber, Tagged, Writer,
};
use digest::Digest;
use hmac::{EagerHash, Hmac, KeyInit, Mac};
use rand_core::CryptoRng;
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use zeroize::Zeroizing;

use crate::cert::Certificate;
use crate::cms::DigestAlgorithm;
use crate::cms::content::{ContentAlgorithm, ContentCipher};
use crate::error::{Error, Result};
use crate::key::{Identity, PrivateKey};

/// Largest file read. Real files (a key and a chain) take a few kilobytes; the bound keeps the
/// memory that decoding a file of tiny elements takes small.
const MAX_PKCS12_LEN: usize = 2 * 1024 * 1024;
/// Most bags (and AuthenticatedSafe entries) read from one file.
const MAX_BAGS: usize = 256;
/// How deep safeContentsBags (RFC 7292 §4.2.6) may nest.
const MAX_NESTING: usize = 4;
/// Most iterations one key derivation may ask for. RFC 8018 §4.2 finds 10,000,000 "may be
/// appropriate" for especially critical keys; more only keeps a browser busy.
const MAX_ITERATIONS: u32 = 10_000_000;
/// Most iterations all derivations of one import may take together, so that many bags, or
/// several password encodings, cannot multiply the bound above.
const MAX_TOTAL_ITERATIONS: u64 = 2 * MAX_ITERATIONS as u64;
/// Longest salt read; real files use 8 to 32 octets.
const MAX_SALT_LEN: usize = 1024;

/// Iterations written by default, for both bags' PBKDF2 and for the MAC alike: a guesser takes
/// the cheapest way in, so no way may be cheaper. OpenSSL 3 writes 2048 and NSS 10,000; OWASP
/// (2023) asks 600,000 of PBKDF2-HMAC-SHA-256 for stored password hashes, which
/// [`Pkcs12ExportOptions::iterations`] can ask for. 100,000 makes an export, and an import of
/// it, take about 45 ms natively (optimized build) and, at the usual factor of two or three,
/// about a tenth of a second in a browser.
pub const EXPORT_ITERATIONS: u32 = 100_000;
/// Fewest iterations an export may be asked for: NSS's 10,000. Fewer would make the file
/// cheaper to guess at than what mail clients write themselves.
pub const MIN_EXPORT_ITERATIONS: u32 = 10_000;
/// Most iterations an export may be asked for: what an import accepts (RFC 8018 §4.2).
pub const MAX_EXPORT_ITERATIONS: u32 = MAX_ITERATIONS;
/// Salt length written for PBKDF2 and the MAC (RFC 8018 §4.1 asks at least 8 octets).
const EXPORT_SALT_LEN: usize = 16;

/// RFC 8018 §A.4 id-PBES2.
const ID_PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
/// RFC 8018 §B.1.1 id-hmacWithSHA1, the PBKDF2 PRF when none is named.
const ID_HMAC_WITH_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.7");
/// RFC 8018 §B.1.2 id-hmacWithSHA224 .. SHA512.
const ID_HMAC_WITH_SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.8");
const ID_HMAC_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.9");
const ID_HMAC_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.10");
const ID_HMAC_WITH_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.11");
/// RFC 7292 §4.2 bag types.
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const PKCS8_SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const SAFE_CONTENTS_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.6");
/// RFC 7292 §4.2.3 x509Certificate (certTypes 1).
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");

/// RFC 7292 App. B.3: the ID octet that says what the KDF derives.
#[derive(Clone, Copy)]
#[repr(u8)]
enum KdfPurpose {
    Key = 1,
    Iv = 2,
    Mac = 3,
}

// ---- ASN.1 (RFC 7292 §4 and App. D) --------------------------------------------------------

/// RFC 7292 §4 PFX.
#[derive(Sequence)]
struct Pfx {
    version: u8,
    auth_safe: ContentInfo,
    #[asn1(optional = "true")]
    mac_data: Option<MacData>,
}

/// RFC 7292 §4 MacData.
#[derive(Sequence)]
struct MacData {
    mac: DigestInfo,
    mac_salt: OctetString,
    #[asn1(default = "one")]
    iterations: u32,
}

fn one() -> u32 {
    1
}

/// RFC 8017 §9.2 DigestInfo, as MacData's `mac`.
#[derive(Sequence)]
struct DigestInfo {
    digest_algorithm: AlgorithmIdentifierOwned,
    digest: OctetString,
}

/// RFC 5652 §3 ContentInfo, for the two content types of a password-privacy PKCS#12 file
/// (RFC 7292 §5.1). `cms`'s ContentInfo holds its content as `Any`, which loses the chunking of
/// a BER constructed OCTET STRING (NSS writes them); so the content is decoded as its type here.
enum ContentInfo {
    /// id-data: the DER of a SafeContents (or of an AuthenticatedSafe, in the PFX).
    Data(OctetString),
    /// id-encryptedData: a SafeContents under a password-based cipher.
    EncryptedData(cms::encrypted_data::EncryptedData),
    /// Anything else (id-envelopedData, id-signedData for public-key modes); read, never written.
    Other(ObjectIdentifier),
}

impl Sequence<'_> for ContentInfo {}

impl<'a> DecodeValue<'a> for ContentInfo {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, _header: Header) -> der::Result<Self> {
        let content_type: ObjectIdentifier = reader.decode()?;
        Ok(match content_type {
            rfc5911::ID_DATA => Self::Data(explicit_content(reader)?),
            rfc5911::ID_ENCRYPTED_DATA => Self::EncryptedData(explicit_content(reader)?),
            other => {
                reader.read_slice(reader.remaining_len())?;
                Self::Other(other)
            }
        })
    }
}

/// `content [0] EXPLICIT`, required here.
fn explicit_content<'a, T, R>(reader: &mut R) -> der::Result<T>
where
    T: Decode<'a, Error = der::Error>,
    R: Reader<'a>,
{
    match ContextSpecific::<T>::decode_explicit(reader, TagNumber(0))? {
        Some(field) => Ok(field.value),
        None => Err(reader.error(der::ErrorKind::TagUnexpected {
            expected: Some(Tag::ContextSpecific {
                constructed: true,
                number: TagNumber(0),
            }),
            actual: Tag::peek(reader)?,
        })),
    }
}

impl ContentInfo {
    fn parts(&self) -> der::Result<(ObjectIdentifier, ContextSpecific<Any>)> {
        let (content_type, value) = match self {
            Self::Data(data) => (rfc5911::ID_DATA, Any::encode_from(data)?),
            Self::EncryptedData(data) => (rfc5911::ID_ENCRYPTED_DATA, Any::encode_from(data)?),
            Self::Other(oid) => return Err(der::ErrorKind::OidUnknown { oid: *oid }.into()),
        };
        let content = ContextSpecific {
            tag_number: TagNumber(0),
            tag_mode: TagMode::Explicit,
            value,
        };
        Ok((content_type, content))
    }
}

impl EncodeValue for ContentInfo {
    fn value_len(&self) -> der::Result<Length> {
        let (content_type, content) = self.parts()?;
        content_type.encoded_len()? + content.encoded_len()?
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        let (content_type, content) = self.parts()?;
        content_type.encode(writer)?;
        content.encode(writer)
    }
}

/// RFC 7292 §4.2 SafeBag. `bag_value` is read as `Any` and decoded by `bag_id`; every bag value
/// is a SEQUENCE, whose content `Any` keeps intact (unlike an OCTET STRING's, see
/// [`ContentInfo`]).
#[derive(Sequence)]
struct SafeBag {
    bag_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    bag_value: Any,
    #[asn1(optional = "true")]
    bag_attributes: Option<SetOfVec<Attribute>>,
}

/// RFC 7292 §4.2.3 CertBag.
#[derive(Sequence)]
struct CertBag {
    cert_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    cert_value: OctetString,
}

/// RFC 5958 §3 EncryptedPrivateKeyInfo (the pkcs8ShroudedKeyBag). `pkcs8`'s own type cannot
/// hold the PKCS#12 PBE identifiers, and reads DER only.
#[derive(Sequence)]
struct EncryptedPrivateKeyInfo {
    encryption_algorithm: AlgorithmIdentifierOwned,
    encrypted_data: OctetString,
}

/// RFC 7292 App. C pkcs-12PbeParams.
#[derive(Sequence)]
struct Pkcs12PbeParams {
    salt: OctetString,
    iterations: u32,
}

/// RFC 8018 §A.4 PBES2-params.
#[derive(Sequence)]
struct Pbes2Params {
    key_derivation_func: AlgorithmIdentifierOwned,
    encryption_scheme: AlgorithmIdentifierOwned,
}

/// RFC 8018 §A.2 PBKDF2-params, with the salt's `specified` arm only (`otherSource` is
/// reserved and unused).
#[derive(Sequence)]
struct Pbkdf2Params {
    salt: OctetString,
    iteration_count: u32,
    #[asn1(optional = "true")]
    key_length: Option<u32>,
    #[asn1(optional = "true")]
    prf: Option<AlgorithmIdentifierOwned>,
}

/// RFC 3370 §5.2 RC2CBCParameter, to name an RC2 key size to [`ContentCipher`].
#[derive(Sequence)]
struct Rc2CbcParameter {
    rc2_parameter_version: u32,
    iv: OctetString,
}

fn malformed(what: impl core::fmt::Display) -> Error {
    Error::MalformedPkcs12(what.to_string())
}

// ---- Import ---------------------------------------------------------------------------------

/// Read a PKCS#12 file (`.p12`, `.pfx`) opened with `password` and return the identity in it:
/// the private key, the certificate whose public key matches it (the one sharing its
/// localKeyId when several do), and the other certificates as the chain, the leaf's issuers
/// first in issuing order. Friendly names are not kept.
///
/// A MAC, when present (RFC 7292 §5.1: HMAC with SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512
/// keyed by the App. B KDF), must verify before anything is decrypted; a file without MacData
/// is read unauthenticated. Bags may be encrypted with PBES2 (PBKDF2 with HMAC-SHA-1/2 and
/// AES-CBC or 3DES) or the PKCS#12 PBEs (3DES, RC2-128, RC2-40), and keys may be any kind
/// [`PrivateKey`] reads, in a keyBag or a pkcs8ShroudedKeyBag.
///
/// The password is UTF-8 for PBES2 and a BMPString with two zero octets for the PKCS#12 KDF; an
/// empty password is also tried as no input at all, and a non-ASCII one as its UTF-8 octets
/// widened one by one (OpenSSL before 1.1.0), as OpenSSL does.
///
/// Errors: a MAC that does not verify, or a bag that does not decrypt, is
/// [`Error::BadPassword`]; a file that does not decode, [`Error::MalformedPkcs12`]; no key, or
/// no certificate for it, [`Error::NoPrivateKey`]; a cipher, MAC, key or integrity mode we do
/// not implement, [`Error::UnsupportedAlgorithm`]; more than 2 MiB, [`Error::TooLarge`]. Work is
/// bounded: an iteration count above 10,000,000 (or 20,000,000 over the whole file) and more
/// than 256 bags are [`Error::MalformedPkcs12`], bags nested more than 4 deep
/// [`Error::NestingTooDeep`].
pub fn import_pkcs12(bytes: &[u8], password: &str) -> Result<Identity> {
    if bytes.len() > MAX_PKCS12_LEN {
        return Err(Error::TooLarge);
    }
    let pfx = Pfx::from_ber(bytes).map_err(malformed)?;
    if pfx.version != 3 {
        return Err(malformed(format!("version {}", pfx.version)));
    }
    let auth_safe = match pfx.auth_safe {
        ContentInfo::Data(data) => data,
        ContentInfo::Other(oid) => {
            return Err(Error::unsupported(format!(
                "PKCS#12 authSafe of type {oid}"
            )));
        }
        ContentInfo::EncryptedData(_) => return Err(malformed("authSafe is not id-data")),
    };
    let mut contents = Contents::new(password);
    if let Some(mac_data) = &pfx.mac_data {
        contents.verify_mac(mac_data, auth_safe.as_bytes())?;
    }
    let safes: Vec<ContentInfo> = Vec::from_ber(auth_safe.as_bytes()).map_err(malformed)?;
    if safes.len() > MAX_BAGS {
        return Err(malformed("too many AuthenticatedSafe entries"));
    }
    for safe in safes {
        match safe {
            ContentInfo::Data(data) => contents.read_bags(safe_contents(data.as_bytes())?, 0)?,
            ContentInfo::EncryptedData(data) => {
                let info = data.enc_content_info;
                let ciphertext = info
                    .encrypted_content
                    .ok_or_else(|| malformed("EncryptedData without content"))?;
                let bags =
                    contents.open(&info.content_enc_alg, ciphertext.as_bytes(), safe_contents)?;
                contents.read_bags(bags, 0)?;
            }
            // Public-key privacy (id-envelopedData): what it holds stays unread.
            ContentInfo::Other(oid) => contents.note_unsupported(Error::unsupported(format!(
                "PKCS#12 SafeContents of type {oid}"
            ))),
        }
    }
    contents.into_identity()
}

/// The password as each key derivation takes it.
struct Password {
    /// PBES2 (RFC 8018 §6.2) and PBKDF2 take the UTF-8 octets.
    utf8: Zeroizing<Vec<u8>>,
    /// The RFC 7292 App. B.1 encodings to try, most likely first; one once a MAC has told.
    bmp: Vec<Zeroizing<Vec<u8>>>,
}

impl Password {
    fn new(password: &str) -> Self {
        let mut bmp = vec![bmp_password(password)];
        if password.is_empty() {
            // Some writers key an empty password's MAC with no password input at all, not
            // with the two zero octets; OpenSSL reads both.
            bmp.push(Zeroizing::new(Vec::new()));
        }
        if !password.is_ascii() {
            // OpenSSL before 1.1.0 widened each UTF-8 octet to 16 bits.
            let mut widened = Zeroizing::new(Vec::with_capacity(2 * password.len() + 2));
            for &b in password.as_bytes() {
                widened.extend_from_slice(&[0, b]);
            }
            widened.extend_from_slice(&[0, 0]);
            bmp.push(widened);
        }
        Self {
            utf8: Zeroizing::new(password.as_bytes().to_vec()),
            bmp,
        }
    }
}

/// RFC 7292 App. B.1: the password as a BMPString (UTF-16BE, as OpenSSL and NSS write
/// characters outside the BMP) followed by two zero octets.
fn bmp_password(password: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(2 * password.len() + 2));
    for unit in password.encode_utf16().chain([0]) {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out
}

/// Iterations left for the derivations of one import.
struct Budget(u64);

impl Budget {
    fn spend(&mut self, iterations: u32) -> Result<()> {
        if iterations == 0 {
            return Err(malformed("iteration count 0"));
        }
        if iterations > MAX_ITERATIONS {
            return Err(malformed(format!(
                "iteration count {iterations} is too high"
            )));
        }
        self.0 = self
            .0
            .checked_sub(u64::from(iterations))
            .ok_or_else(|| malformed("the file asks for too many key derivations"))?;
        Ok(())
    }
}

/// What has been read so far, and how to open the rest.
struct Contents {
    password: Password,
    /// Whether a MAC proved the password: then a bag that does not decode is corrupt, where in a
    /// file without MAC it says that the password is wrong.
    verified: bool,
    budget: Budget,
    bags: usize,
    keys: Vec<(PrivateKey, Option<Vec<u8>>)>,
    certs: Vec<(Certificate, Option<Vec<u8>>)>,
    /// The first thing skipped as unsupported, reported if no identity comes out.
    unsupported: Option<Error>,
}

impl Contents {
    fn new(password: &str) -> Self {
        Self {
            password: Password::new(password),
            verified: false,
            budget: Budget(MAX_TOTAL_ITERATIONS),
            bags: 0,
            keys: Vec::new(),
            certs: Vec::new(),
            unsupported: None,
        }
    }

    fn note_unsupported(&mut self, error: Error) {
        self.unsupported.get_or_insert(error);
    }

    /// RFC 7292 §5.1 step 3: HMAC over the AuthenticatedSafe's octets, keyed by the App. B KDF
    /// (ID 3) over the MAC salt, with the digest's output length as key length.
    fn verify_mac(&mut self, mac_data: &MacData, auth_safe: &[u8]) -> Result<()> {
        let algorithm = &mac_data.mac.digest_algorithm;
        let hash = DigestAlgorithm::from_oid(&algorithm.oid)
            .ok_or_else(|| Error::unsupported(format!("PKCS#12 MAC {}", algorithm.oid)))?;
        let salt = checked_salt(mac_data.mac_salt.as_bytes())?;
        let expected = mac_data.mac.digest.as_bytes();
        let candidates = core::mem::take(&mut self.password.bmp);
        for candidate in candidates {
            self.budget.spend(mac_data.iterations)?;
            let key = pkcs12_kdf(
                hash,
                &candidate,
                salt,
                KdfPurpose::Mac,
                mac_data.iterations,
                hash_len(hash),
            );
            // Mac::verify_slice compares in constant time.
            if hmac_verify(hash, &key, auth_safe, expected) {
                self.password.bmp = vec![candidate];
                self.verified = true;
                return Ok(());
            }
        }
        Err(Error::BadPassword)
    }

    /// Decrypt `ciphertext` and hand the plaintext to `parse`, trying each password encoding
    /// the algorithm may take. Without a MAC, a plaintext that does not parse means the wrong
    /// password (CBC padding lets one in 256 wrong keys through).
    fn open<T>(
        &mut self,
        algorithm: &AlgorithmIdentifierOwned,
        ciphertext: &[u8],
        parse: impl Fn(&[u8]) -> Result<T>,
    ) -> Result<T> {
        let pbe = Pbe::from_identifier(algorithm)?;
        let secrets: Vec<&[u8]> = match pbe {
            Pbe::Pbes2 { .. } => vec![&self.password.utf8],
            Pbe::Pkcs12 { .. } => self.password.bmp.iter().map(|s| s.as_slice()).collect(),
        };
        for secret in secrets {
            let plain = match pbe.decrypt(secret, ciphertext, &mut self.budget) {
                Ok(plain) => plain,
                Err(Error::DecryptFailed) => continue,
                Err(e) => return Err(e),
            };
            match parse(&plain) {
                Ok(value) => return Ok(value),
                Err(e @ Error::UnsupportedAlgorithm(_)) => return Err(e),
                Err(e) if self.verified => return Err(malformed(e)),
                Err(_) => continue,
            }
        }
        Err(Error::BadPassword)
    }

    /// RFC 7292 §4.2: take in the bags of one SafeContents.
    fn read_bags(&mut self, bags: Vec<SafeBag>, depth: usize) -> Result<()> {
        if depth > MAX_NESTING {
            return Err(Error::NestingTooDeep);
        }
        self.bags = self.bags.saturating_add(bags.len());
        if self.bags > MAX_BAGS {
            return Err(malformed("too many bags"));
        }
        for bag in bags {
            let local_key_id = bag.bag_attributes.as_ref().and_then(local_key_id);
            let value = &bag.bag_value;
            match bag.bag_id {
                KEY_BAG => {
                    let der = Zeroizing::new(value.to_der().map_err(malformed)?);
                    match PrivateKey::from_der(&der, None) {
                        Ok(key) => self.keys.push((key, local_key_id)),
                        Err(e @ Error::UnsupportedAlgorithm(_)) => self.note_unsupported(e),
                        Err(e) => return Err(malformed(e)),
                    }
                }
                PKCS8_SHROUDED_KEY_BAG => {
                    let info: EncryptedPrivateKeyInfo = decode_any(value)?;
                    let opened = self.open(
                        &info.encryption_algorithm,
                        info.encrypted_data.as_bytes(),
                        |plain| PrivateKey::from_der(plain, None),
                    );
                    match opened {
                        Ok(key) => self.keys.push((key, local_key_id)),
                        Err(e @ Error::UnsupportedAlgorithm(_)) => self.note_unsupported(e),
                        Err(e) => return Err(e),
                    }
                }
                CERT_BAG => {
                    let cert_bag: CertBag = decode_any(value)?;
                    // SDSI certificates (certTypes 2) have no use here. A certificate that does
                    // not parse is skipped: it may be a chain member nobody needs.
                    if cert_bag.cert_id == X509_CERTIFICATE
                        && let Ok(cert) = Certificate::from_der(cert_bag.cert_value.as_bytes())
                    {
                        self.certs.push((cert, local_key_id));
                    }
                }
                SAFE_CONTENTS_BAG => {
                    let nested = value.to_der().map_err(malformed)?;
                    self.read_bags(safe_contents(&nested)?, depth + 1)?;
                }
                // crlBag, secretBag and unknown bags carry nothing an identity needs.
                _ => {}
            }
        }
        Ok(())
    }

    /// Pair a key with its certificate: the first key that has one wins; among certificates
    /// over the same key, the one sharing the key's localKeyId (RFC 7292 §4.2) is preferred.
    fn into_identity(mut self) -> Result<Identity> {
        let keys = core::mem::take(&mut self.keys);
        for (key, key_id) in keys {
            let public = key.public_key();
            let mut leaf = None;
            for (i, (cert, cert_id)) in self.certs.iter().enumerate() {
                if cert.public_key().ok().as_ref() != Some(&public) {
                    continue;
                }
                let same_id = key_id.is_some() && *cert_id == key_id;
                if leaf.is_none() || same_id {
                    leaf = Some(i);
                }
                if same_id {
                    break;
                }
            }
            let Some(leaf) = leaf else { continue };
            let mut certs: Vec<Certificate> = self.certs.into_iter().map(|(c, _)| c).collect();
            let leaf = certs.remove(leaf);
            let chain = issuer_order(&leaf, certs);
            return Identity::new(leaf, key, chain);
        }
        Err(self.unsupported.unwrap_or(Error::NoPrivateKey))
    }
}

/// RFC 7292 §4.2 SafeContents.
fn safe_contents(der: &[u8]) -> Result<Vec<SafeBag>> {
    Vec::from_ber(der).map_err(malformed)
}

/// The localKeyId attribute's value octets (PKCS #9 §5.5.3), if the bag has one.
fn local_key_id(attributes: &SetOfVec<Attribute>) -> Option<Vec<u8>> {
    let attribute = attributes
        .iter()
        .find(|a| a.oid == rfc2985::PKCS_9_AT_LOCAL_KEY_ID)?;
    let value = attribute.values.iter().next()?;
    (value.tag() == Tag::OctetString).then(|| value.value().to_vec())
}

/// Decode a bag value under BER, as the file around it.
fn decode_any<'a, T>(any: &'a Any) -> Result<T>
where
    T: der::Choice<'a> + DecodeValue<'a, Error = der::Error>,
{
    any.decode_as_encoding(EncodingRules::Ber)
        .map_err(malformed)
}

/// The other certificates, the leaf's issuer first and each next one the issuer of the one
/// before, then those outside that path in file order. The walk stops at a self-issued
/// certificate, and each certificate is used once, so a loop of names ends.
fn issuer_order(leaf: &Certificate, mut rest: Vec<Certificate>) -> Vec<Certificate> {
    let mut chain: Vec<Certificate> = Vec::with_capacity(rest.len());
    // A second copy of the leaf is no chain member.
    rest.retain(|c| c.der() != leaf.der());
    let mut current = leaf.x509().tbs_certificate();
    while current.subject() != current.issuer() {
        let issuer = current.issuer();
        let Some(i) = rest
            .iter()
            .position(|c| c.x509().tbs_certificate().subject() == issuer)
        else {
            break;
        };
        chain.push(rest.remove(i));
        let Some(last) = chain.last() else { break };
        current = last.x509().tbs_certificate();
    }
    chain.extend(rest);
    chain
}

fn checked_salt(salt: &[u8]) -> Result<&[u8]> {
    if salt.len() > MAX_SALT_LEN {
        return Err(malformed(format!("{}-octet salt", salt.len())));
    }
    Ok(salt)
}

// ---- Password-based encryption -------------------------------------------------------------

/// A password-based encryption scheme with its parameters.
enum Pbe {
    /// RFC 7292 App. C: key and IV from the App. B KDF with SHA-1 (App. B.2).
    Pkcs12 {
        algorithm: ContentAlgorithm,
        /// Octets derived for the key: 16 for two-key 3DES, which repeats its first key.
        key_len: usize,
        salt: Vec<u8>,
        iterations: u32,
    },
    /// RFC 8018 §6.2 PBES2 with PBKDF2 (§5.2); the cipher carries its IV.
    Pbes2 {
        prf: DigestAlgorithm,
        salt: Vec<u8>,
        iterations: u32,
        cipher: ContentCipher,
    },
}

impl Pbe {
    fn from_identifier(id: &AlgorithmIdentifierOwned) -> Result<Self> {
        use ContentAlgorithm as A;
        let (algorithm, key_len) = match id.oid {
            ID_PBES2 => return Self::pbes2(id),
            rfc7292::PBE_WITH_SHA_AND_3_KEY_TRIPLE_DES_CBC => (A::DesEde3Cbc, 24),
            rfc7292::PBE_WITH_SHA_AND_2_KEY_TRIPLE_DES_CBC => (A::DesEde3Cbc, 16),
            rfc7292::PBE_WITH_SHA_AND_128_BIT_RC_2_CBC => (
                A::Rc2Cbc {
                    effective_key_bits: 128,
                },
                16,
            ),
            rfc7292::PBEWITH_SHA_AND_40_BIT_RC_2_CBC => (
                A::Rc2Cbc {
                    effective_key_bits: 40,
                },
                5,
            ),
            other => return Err(Error::unsupported(format!("PKCS#12 cipher {other}"))),
        };
        let params: Pkcs12PbeParams = decode_params(id)?;
        Ok(Self::Pkcs12 {
            algorithm,
            key_len,
            salt: checked_salt(params.salt.as_bytes())?.to_vec(),
            iterations: params.iterations,
        })
    }

    fn pbes2(id: &AlgorithmIdentifierOwned) -> Result<Self> {
        let params: Pbes2Params = decode_params(id)?;
        let kdf = &params.key_derivation_func;
        if kdf.oid != rfc5911::ID_PBKDF_2 {
            return Err(Error::unsupported(format!(
                "PBES2 key derivation {}",
                kdf.oid
            )));
        }
        let pbkdf2: Pbkdf2Params = decode_params(kdf)?;
        let prf = match pbkdf2.prf.as_ref().map_or(ID_HMAC_WITH_SHA1, |p| p.oid) {
            ID_HMAC_WITH_SHA1 => DigestAlgorithm::Sha1,
            ID_HMAC_WITH_SHA224 => DigestAlgorithm::Sha224,
            ID_HMAC_WITH_SHA256 => DigestAlgorithm::Sha256,
            ID_HMAC_WITH_SHA384 => DigestAlgorithm::Sha384,
            ID_HMAC_WITH_SHA512 => DigestAlgorithm::Sha512,
            other => return Err(Error::unsupported(format!("PBKDF2 PRF {other}"))),
        };
        let cipher =
            ContentCipher::from_identifier(&params.encryption_scheme).map_err(|e| match e {
                Error::UnsupportedAlgorithm(_) => e,
                other => malformed(other),
            })?;
        let algorithm = cipher.algorithm();
        // PBES2 names CBC ciphers (RFC 8018 §B.2); an AEAD would need a tag we have no field for.
        if algorithm.is_aead() {
            return Err(Error::unsupported(format!(
                "PBES2 with {}",
                algorithm.name()
            )));
        }
        if let Some(len) = pbkdf2.key_length
            && usize::try_from(len).ok() != Some(algorithm.key_len())
        {
            return Err(malformed(format!(
                "PBKDF2 keyLength {len} for {}",
                algorithm.name()
            )));
        }
        Ok(Self::Pbes2 {
            prf,
            salt: checked_salt(pbkdf2.salt.as_bytes())?.to_vec(),
            iterations: pbkdf2.iteration_count,
            cipher,
        })
    }

    /// Decrypt under `secret` (UTF-8 for PBES2, a BMPString for the PKCS#12 PBEs). Every
    /// failure of the cipher is [`Error::DecryptFailed`].
    fn decrypt(
        &self,
        secret: &[u8],
        ciphertext: &[u8],
        budget: &mut Budget,
    ) -> Result<Zeroizing<Vec<u8>>> {
        match self {
            Self::Pkcs12 {
                algorithm,
                key_len,
                salt,
                iterations,
            } => {
                // Each KDF run below repeats the iterations.
                budget.spend(*iterations)?;
                budget.spend(*iterations)?;
                let sha1 = DigestAlgorithm::Sha1;
                let mut key =
                    pkcs12_kdf(sha1, secret, salt, KdfPurpose::Key, *iterations, *key_len);
                if *key_len == 16 && *algorithm == ContentAlgorithm::DesEde3Cbc {
                    // Two-key Triple-DES: K1, K2, K1.
                    let k1: Vec<u8> = key.iter().take(8).copied().collect();
                    key.extend_from_slice(&k1);
                }
                let iv = pkcs12_kdf(sha1, secret, salt, KdfPurpose::Iv, *iterations, 8);
                cbc_cipher(*algorithm, &iv)?.decrypt(&key, ciphertext, &[], &[])
            }
            Self::Pbes2 {
                prf,
                salt,
                iterations,
                cipher,
            } => {
                budget.spend(*iterations)?;
                let key = pbkdf2(
                    *prf,
                    secret,
                    salt,
                    *iterations,
                    cipher.algorithm().key_len(),
                );
                cipher.decrypt(&key, ciphertext, &[], &[])
            }
        }
    }
}

/// Algorithm parameters, decoded under BER like the file around them.
fn decode_params<'a, T>(id: &'a AlgorithmIdentifierOwned) -> Result<T>
where
    T: der::Choice<'a> + DecodeValue<'a, Error = der::Error>,
{
    let params = id
        .parameters
        .as_ref()
        .ok_or_else(|| malformed(format!("{}: parameters missing", id.oid)))?;
    params
        .decode_as_encoding(EncodingRules::Ber)
        .map_err(|e| malformed(format!("{} parameters: {e}", id.oid)))
}

/// A CBC cipher with `iv`, through the identifier [`ContentCipher`] reads.
fn cbc_cipher(algorithm: ContentAlgorithm, iv: &[u8]) -> Result<ContentCipher> {
    let iv = OctetString::new(iv).map_err(malformed)?;
    let parameters = match algorithm {
        ContentAlgorithm::Rc2Cbc { effective_key_bits } => {
            // RFC 3370 §5.2: version 160 stands for 40 effective bits, 58 for 128.
            let rc2_parameter_version = if effective_key_bits == 40 { 160 } else { 58 };
            Any::encode_from(&Rc2CbcParameter {
                rc2_parameter_version,
                iv,
            })
        }
        _ => Any::encode_from(&iv),
    }
    .map_err(malformed)?;
    ContentCipher::from_identifier(&AlgorithmIdentifierOwned {
        oid: algorithm.oid(),
        parameters: Some(parameters),
    })
}

/// Run `$body` with `$h` bound to the hash type of a [`DigestAlgorithm`].
macro_rules! with_hash {
    ($algorithm:expr, $h:ident => $body:expr) => {
        match $algorithm {
            DigestAlgorithm::Sha1 => {
                type $h = sha1::Sha1;
                $body
            }
            DigestAlgorithm::Sha224 => {
                type $h = sha2::Sha224;
                $body
            }
            DigestAlgorithm::Sha256 => {
                type $h = sha2::Sha256;
                $body
            }
            DigestAlgorithm::Sha384 => {
                type $h = sha2::Sha384;
                $body
            }
            DigestAlgorithm::Sha512 => {
                type $h = sha2::Sha512;
                $body
            }
        }
    };
}

/// The digest's output length `u` (RFC 7292 App. B.1).
fn hash_len(hash: DigestAlgorithm) -> usize {
    with_hash!(hash, H => <H as Digest>::output_size())
}

/// The digest's block length `v` (RFC 7292 App. B.1).
fn hash_block_len(hash: DigestAlgorithm) -> usize {
    match hash {
        DigestAlgorithm::Sha384 | DigestAlgorithm::Sha512 => 128,
        _ => 64,
    }
}

/// RFC 7292 App. B.2: derive `len` octets from a BMPString `password` and `salt`.
fn pkcs12_kdf(
    hash: DigestAlgorithm,
    password: &[u8],
    salt: &[u8],
    purpose: KdfPurpose,
    iterations: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let v = hash_block_len(hash);
    let mut out = Zeroizing::new(vec![0u8; len]);
    let id = purpose as u8;
    with_hash!(hash, H => pkcs12_kdf_with::<H>(v, password, salt, id, iterations, &mut out));
    out
}

fn pkcs12_kdf_with<D: Digest>(
    v: usize,
    password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    out: &mut [u8],
) {
    // Steps 1-4: D is v copies of ID; I = S || P, each repeated to a multiple of v octets.
    let diversifier = vec![id; v];
    let repeat = |s: &[u8]| -> Vec<u8> {
        s.iter()
            .cycle()
            .take(s.len().div_ceil(v) * v)
            .copied()
            .collect()
    };
    let mut input = Zeroizing::new(repeat(salt));
    input.extend_from_slice(&Zeroizing::new(repeat(password)));
    for chunk in out.chunks_mut(<D as Digest>::output_size()) {
        // Step 6a: A = H^c(D || I).
        let mut a = D::new()
            .chain_update(&diversifier)
            .chain_update(&*input)
            .finalize();
        for _ in 1..iterations {
            a = D::digest(&a);
        }
        for (o, x) in chunk.iter_mut().zip(a.iter()) {
            *o = *x;
        }
        // Steps 6b-6c: B = A repeated to v octets; each v-octet block I_j = (I_j + B + 1)
        // mod 2^(8v), big-endian.
        let b = Zeroizing::new(a.iter().cycle().take(v).copied().collect::<Vec<u8>>());
        for block in input.chunks_mut(v) {
            let mut carry = 1u16;
            for (x, y) in block.iter_mut().rev().zip(b.iter().rev()) {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = (sum & 0xff) as u8;
                carry = sum >> 8;
            }
        }
    }
}

/// RFC 8018 §5.2 PBKDF2 with HMAC over `prf`.
fn pbkdf2(
    prf: DigestAlgorithm,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    with_hash!(prf, H => pbkdf2::pbkdf2_hmac::<H>(password, salt, iterations, &mut out));
    out
}

fn hmac_verify(hash: DigestAlgorithm, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    with_hash!(hash, H => hmac_verify_with::<H>(key, data, tag))
}

fn hmac_verify_with<D: EagerHash>(key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    let Ok(mut mac) = <Hmac<D> as KeyInit>::new_from_slice(key) else {
        return false;
    };
    mac.update(data);
    mac.verify_slice(tag).is_ok()
}

fn hmac_sign_with<D: EagerHash>(key: &[u8], data: &[u8]) -> Result<Vec<u8>> {
    let mut mac =
        <Hmac<D> as KeyInit>::new_from_slice(key).map_err(|_| malformed("HMAC key length"))?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().to_vec())
}

// ---- Export ---------------------------------------------------------------------------------

/// Write `identity` as a PKCS#12 file protected by `password`: the private key in a
/// pkcs8ShroudedKeyBag, the certificate and its chain in certBags inside an EncryptedData, both
/// under PBES2 with PBKDF2-HMAC-SHA-256 ([`EXPORT_ITERATIONS`] iterations, 16-octet salt) and
/// AES-256-CBC, and a SHA-256 HMAC over the whole (RFC 7292 §5.1, same iterations). The key
/// and the leaf certificate share a localKeyId attribute (the SHA-1 of the certificate, as
/// OpenSSL writes it) and carry the certificate's first e-mail address as friendlyName.
///
/// `openssl pkcs12` (3.x, without `-legacy`) reads the result; these are also the algorithms NSS
/// and Windows 10 (1709 and later) write themselves.
pub fn export_pkcs12<R: CryptoRng + ?Sized>(
    identity: &Identity,
    password: &str,
    rng: &mut R,
) -> Result<Vec<u8>> {
    export_pkcs12_with(identity, password, &Pkcs12ExportOptions::default(), rng)
}

/// How [`export_pkcs12_with`] protects the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pkcs12ExportOptions {
    /// PBKDF2 iterations for both bags and the MAC's key derivation, from
    /// [`MIN_EXPORT_ITERATIONS`] to [`MAX_EXPORT_ITERATIONS`]; [`EXPORT_ITERATIONS`] by default.
    /// A file kept where others may copy it (a browser's storage) deserves OWASP's 600,000.
    pub iterations: u32,
}

impl Default for Pkcs12ExportOptions {
    fn default() -> Self {
        Self {
            iterations: EXPORT_ITERATIONS,
        }
    }
}

/// [`export_pkcs12`] with the work factor of `options`.
///
/// # Errors
/// [`Error::InvalidArgument`] when the iterations are outside [`MIN_EXPORT_ITERATIONS`] to
/// [`MAX_EXPORT_ITERATIONS`]: fewer make the password cheap to guess, and more would be a file
/// that our own import (and others') refuses.
pub fn export_pkcs12_with<R: CryptoRng + ?Sized>(
    identity: &Identity,
    password: &str,
    options: &Pkcs12ExportOptions,
    rng: &mut R,
) -> Result<Vec<u8>> {
    let iterations = options.iterations;
    if !(MIN_EXPORT_ITERATIONS..=MAX_EXPORT_ITERATIONS).contains(&iterations) {
        return Err(Error::InvalidArgument(format!(
            "iterations must be from {MIN_EXPORT_ITERATIONS} to {MAX_EXPORT_ITERATIONS}"
        )));
    }
    let leaf = identity.certificate();
    let attributes = leaf_attributes(leaf)?;

    let mut cert_bags = vec![cert_bag(leaf, Some(attributes.clone()))?];
    for cert in identity.chain() {
        cert_bags.push(cert_bag(cert, None)?);
    }
    let certs_plain = cert_bags.to_der().map_err(malformed)?;
    let (algorithm, ciphertext) = pbes2_encrypt(password, &certs_plain, iterations, rng)?;
    let certs = ContentInfo::EncryptedData(cms::encrypted_data::EncryptedData {
        version: cms::content_info::CmsVersion::V0,
        enc_content_info: cms::enveloped_data::EncryptedContentInfo {
            content_type: rfc5911::ID_DATA,
            content_enc_alg: algorithm,
            encrypted_content: Some(OctetString::new(ciphertext).map_err(malformed)?),
        },
        unprotected_attrs: None,
    });

    let key_plain = private_key_info_der(identity.key())?;
    let (algorithm, ciphertext) = pbes2_encrypt(password, &key_plain, iterations, rng)?;
    let shrouded = EncryptedPrivateKeyInfo {
        encryption_algorithm: algorithm,
        encrypted_data: OctetString::new(ciphertext).map_err(malformed)?,
    };
    let key_bag = SafeBag {
        bag_id: PKCS8_SHROUDED_KEY_BAG,
        bag_value: Any::encode_from(&shrouded).map_err(malformed)?,
        bag_attributes: Some(attributes),
    };
    let key_safe = vec![key_bag].to_der().map_err(malformed)?;
    let key = ContentInfo::Data(OctetString::new(key_safe).map_err(malformed)?);

    // The order OpenSSL writes: certificates, then the key.
    let auth_safe = vec![certs, key].to_der().map_err(malformed)?;
    let mut mac_salt = vec![0u8; EXPORT_SALT_LEN];
    rng.fill_bytes(&mut mac_salt);
    let hash = DigestAlgorithm::Sha256;
    let mac_key = pkcs12_kdf(
        hash,
        &bmp_password(password),
        &mac_salt,
        KdfPurpose::Mac,
        iterations,
        hash_len(hash),
    );
    let mac = hmac_sign_with::<sha2::Sha256>(&mac_key, &auth_safe)?;
    let pfx = Pfx {
        version: 3,
        auth_safe: ContentInfo::Data(OctetString::new(auth_safe).map_err(malformed)?),
        mac_data: Some(MacData {
            mac: DigestInfo {
                // RFC 5754 §2 lets SHA-2 parameters be absent or NULL; OpenSSL writes NULL.
                digest_algorithm: AlgorithmIdentifierOwned {
                    oid: hash.oid(),
                    parameters: Some(Any::from(Null)),
                },
                digest: OctetString::new(mac).map_err(malformed)?,
            },
            mac_salt: OctetString::new(mac_salt).map_err(malformed)?,
            iterations,
        }),
    };
    pfx.to_der().map_err(malformed)
}

/// localKeyId (PKCS #9 §5.5.3; SHA-1 of the certificate, as OpenSSL writes it: an identifier,
/// not a security function) and friendlyName (§5.5.2) for the key and the leaf.
fn leaf_attributes(leaf: &Certificate) -> Result<SetOfVec<Attribute>> {
    let local_key_id = OctetString::new(sha1::Sha1::digest(leaf.der()).to_vec());
    let mut attributes = vec![Attribute {
        oid: rfc2985::PKCS_9_AT_LOCAL_KEY_ID,
        values: SetOfVec::try_from(vec![
            Any::encode_from(&local_key_id.map_err(malformed)?).map_err(malformed)?,
        ])
        .map_err(malformed)?,
    }];
    if let Some(email) = leaf.emails().into_iter().next() {
        let name = BmpString::from_utf8(&email).map_err(malformed)?;
        attributes.push(Attribute {
            oid: rfc2985::PKCS_9_AT_FRIENDLY_NAME,
            values: SetOfVec::try_from(vec![Any::encode_from(&name).map_err(malformed)?])
                .map_err(malformed)?,
        });
    }
    SetOfVec::try_from(attributes).map_err(malformed)
}

fn cert_bag(cert: &Certificate, attributes: Option<SetOfVec<Attribute>>) -> Result<SafeBag> {
    let value = CertBag {
        cert_id: X509_CERTIFICATE,
        cert_value: OctetString::new(cert.der()).map_err(malformed)?,
    };
    Ok(SafeBag {
        bag_id: CERT_BAG,
        bag_value: Any::encode_from(&value).map_err(malformed)?,
        bag_attributes: attributes,
    })
}

/// PBES2 (RFC 8018 §6.2) with PBKDF2-HMAC-SHA-256 and AES-256-CBC, fresh salt and IV.
fn pbes2_encrypt<R: CryptoRng + ?Sized>(
    password: &str,
    plaintext: &[u8],
    iterations: u32,
    rng: &mut R,
) -> Result<(AlgorithmIdentifierOwned, Vec<u8>)> {
    let mut salt = vec![0u8; EXPORT_SALT_LEN];
    rng.fill_bytes(&mut salt);
    let algorithm = ContentAlgorithm::Aes256Cbc;
    let prf = DigestAlgorithm::Sha256;
    let key = pbkdf2(
        prf,
        password.as_bytes(),
        &salt,
        iterations,
        algorithm.key_len(),
    );
    let (cipher, ciphertext, _) = ContentCipher::encrypt(algorithm, &key, plaintext, &[], rng)?;
    let kdf_params = Pbkdf2Params {
        salt: OctetString::new(salt).map_err(malformed)?,
        iteration_count: iterations,
        key_length: None,
        prf: Some(AlgorithmIdentifierOwned {
            oid: ID_HMAC_WITH_SHA256,
            parameters: Some(Any::from(Null)),
        }),
    };
    let params = Pbes2Params {
        key_derivation_func: AlgorithmIdentifierOwned {
            oid: rfc5911::ID_PBKDF_2,
            parameters: Some(Any::encode_from(&kdf_params).map_err(malformed)?),
        },
        encryption_scheme: cipher.identifier()?,
    };
    let identifier = AlgorithmIdentifierOwned {
        oid: ID_PBES2,
        parameters: Some(Any::encode_from(&params).map_err(malformed)?),
    };
    Ok((identifier, ciphertext))
}

/// The DER of a PKCS#8 PrivateKeyInfo (RFC 5208 §5; RFC 5958 v1) for `key`.
fn private_key_info_der(key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>> {
    use pkcs8::EncodePrivateKey;
    let document = match key {
        PrivateKey::Rsa(k) => k.to_pkcs8_der(),
        PrivateKey::P256(k) => k.to_pkcs8_der(),
        PrivateKey::P384(k) => k.to_pkcs8_der(),
        PrivateKey::X25519(k) => return Ok(rfc8410_private_key_info(X25519_OID, k.as_bytes())),
        PrivateKey::Ed25519(k) => return Ok(rfc8410_private_key_info(ED25519_OID, k.as_bytes())),
    }
    .map_err(|e| Error::MalformedKey(e.to_string()))?;
    Ok(Zeroizing::new(document.as_bytes().to_vec()))
}

/// The DER of id-X25519 (1.3.101.110) and id-Ed25519 (1.3.101.112), RFC 8410 §3.
const X25519_OID: [u8; 5] = [0x06, 0x03, 0x2b, 0x65, 0x6e];
const ED25519_OID: [u8; 5] = [0x06, 0x03, 0x2b, 0x65, 0x70];

/// RFC 8410 §7 OneAsymmetricKey v1 for a 32-octet curve key: SEQUENCE { INTEGER 0,
/// SEQUENCE { OID } (parameters absent), OCTET STRING { CurvePrivateKey ::= OCTET STRING } },
/// as OpenSSL writes it.
fn rfc8410_private_key_info(oid: [u8; 5], secret: &[u8; 32]) -> Zeroizing<Vec<u8>> {
    let mut der = Zeroizing::new(Vec::with_capacity(48));
    der.extend_from_slice(&[0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05]);
    der.extend_from_slice(&oid);
    der.extend_from_slice(&[0x04, 0x22, 0x04, 0x20]);
    der.extend_from_slice(secret);
    der
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    fn kdf(
        hash: DigestAlgorithm,
        pass: &str,
        salt: &str,
        id: KdfPurpose,
        n: u32,
        len: usize,
    ) -> String {
        hex::encode_upper(&*pkcs12_kdf(hash, &h(pass), &h(salt), id, n, len))
    }

    /// RFC 7292 App. B.2 against OpenSSL 3's PKCS12KDF, e.g.
    /// `openssl kdf -keylen 24 -kdfopt digest:SHA1 -kdfopt hexpass:0073006d006500670000
    ///  -kdfopt hexsalt:0A58CF64530D823F -kdfopt iter:1 -kdfopt id:1 PKCS12KDF`.
    #[test]
    fn kdf_matches_openssl() {
        use DigestAlgorithm::{Sha1, Sha256, Sha384, Sha512};
        use KdfPurpose::{Iv, Key, Mac};
        let smeg = "0073006d006500670000"; // BMPString "smeg" + 00 00
        assert_eq!(
            kdf(Sha1, smeg, "0A58CF64530D823F", Key, 1, 24),
            "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3"
        );
        assert_eq!(
            kdf(Sha1, smeg, "0A58CF64530D823F", Iv, 1, 8),
            "79993DFE048D3B76"
        );
        assert_eq!(
            kdf(
                Sha1,
                "007100750065006500670000",
                "05DEC959ACFF72F7",
                Key,
                1000,
                24
            ),
            "ED2034E36328830FF09DF1E1A07DD357185DAC0D4F9EB3D4"
        );
        // Two output blocks of SHA-512 (v = 128).
        assert_eq!(
            kdf(
                Sha512,
                "006e007300730000",
                "016ECA2497A5EA5FA6CC43EFAFEDF7F8",
                Mac,
                2048,
                48
            ),
            "CD6FCDDDDF384F908EA7178122D4B1C970EA2946FDC0242B03F61AF52F2FDC57\
             F3F88A17E94695A1542BE0478EB1DB3D"
        );
        // "pässwörd😀": a surrogate pair; a salt that is not a multiple of v; three blocks.
        assert_eq!(
            bmp_password("pässwörd😀").to_vec(),
            h("007000e400730073007700f600720064d83dde000000")
        );
        assert_eq!(
            kdf(
                Sha256,
                "007000e400730073007700f600720064d83dde000000",
                "00112233445566778899aabbccddeeff0011",
                Iv,
                3,
                70
            ),
            "F6D686357F118E35EAAC1DF427600193D136D8A00F3E8780F75E04CD6595080F\
             B95166CDCB1F854A770D830A860FDE2BD2085DFA143D01029164DAF2E58D138E\
             FB1177DD5A64"
        );
        // An empty password given as no input at all (OpenSSL's empty-password MAC).
        assert_eq!(
            kdf(Sha1, "", "0102030405060708", Mac, 2048, 20),
            "02A96A93D81846D839232C0A09E94B1102A70D9E"
        );
        assert_eq!(
            kdf(Sha384, "00000000", "aabbccdd", Key, 5, 40),
            "61D459D9E627FD3EF06B44E9E7207E4B5FE6700E826D5A3FC1EEFF4C117FDF2D\
             379B645F39B12EE9"
        );
    }

    #[test]
    fn password_encodings() {
        let p = Password::new("nss");
        assert_eq!(p.utf8.as_slice(), b"nss");
        assert_eq!(p.bmp.len(), 1);
        assert_eq!(p.bmp[0].as_slice(), h("006e007300730000"));
        let empty = Password::new("");
        assert_eq!(empty.bmp.len(), 2);
        assert_eq!(empty.bmp[0].as_slice(), [0, 0]);
        assert!(empty.bmp[1].is_empty());
        let accented = Password::new("é");
        assert_eq!(accented.bmp.len(), 2);
        assert_eq!(accented.bmp[0].as_slice(), h("00e90000"));
        assert_eq!(accented.bmp[1].as_slice(), h("00c300a90000"));
    }

    #[test]
    fn work_is_bounded() {
        let mut budget = Budget(MAX_TOTAL_ITERATIONS);
        assert_eq!(budget.spend(0).unwrap_err().code(), "ERR_MALFORMED_PKCS12");
        assert_eq!(
            budget.spend(MAX_ITERATIONS + 1).unwrap_err().code(),
            "ERR_MALFORMED_PKCS12"
        );
        budget.spend(MAX_ITERATIONS).unwrap();
        budget.spend(MAX_ITERATIONS).unwrap();
        assert_eq!(budget.spend(1).unwrap_err().code(), "ERR_MALFORMED_PKCS12");
    }

    /// Our RFC 8410 encoding is byte for byte what OpenSSL wrote for the fixtures.
    #[test]
    fn rfc8410_keys_as_openssl_writes_them() {
        for pem in [
            include_str!("../../tests/fixtures/frank.key.pem"),
            include_str!("../../tests/fixtures/erin.key.pem"),
        ] {
            let (_, openssl) = der::pem::decode_vec(pem.trim().as_bytes()).unwrap();
            let key = PrivateKey::from_der(&openssl, None).unwrap();
            assert!(matches!(
                key,
                PrivateKey::X25519(_) | PrivateKey::Ed25519(_)
            ));
            assert_eq!(private_key_info_der(&key).unwrap().as_slice(), openssl);
        }
    }

    #[test]
    fn unknown_pbe_is_unsupported() {
        let rc4 = AlgorithmIdentifierOwned {
            oid: rfc7292::PBE_WITH_SHA_AND_128_BIT_RC_4,
            parameters: None,
        };
        assert_eq!(
            Pbe::from_identifier(&rc4).err().unwrap().code(),
            "ERR_UNSUPPORTED_ALGORITHM"
        );
        let missing = AlgorithmIdentifierOwned {
            oid: rfc7292::PBE_WITH_SHA_AND_3_KEY_TRIPLE_DES_CBC,
            parameters: None,
        };
        assert_eq!(
            Pbe::from_identifier(&missing).err().unwrap().code(),
            "ERR_MALFORMED_PKCS12"
        );
    }

    /// PBES2 with each PBKDF2 PRF and CBC cipher, as `openssl pkcs8 -topk8 -v2 <cipher>
    /// -v2prf <prf> -iter 10 -passout pass:pw` wrote Frank's key, and the PKCS#12 3DES PBE
    /// (`-v1 PBE-SHA1-3DES`): the pkcs8ShroudedKeyBag is this EncryptedPrivateKeyInfo.
    #[test]
    fn pbes2_prfs_and_ciphers_as_openssl_writes_them() {
        let vectors = [
            "30818c304806092a864886f70d01050d303b301a06092a864886f70d01050c300d0408dbad699ab08a0d3\
             302010a301d060960864801650304010204106d0965869b5da0af931882ae673e676e044042b50928757\
             13cf095c9a05dd94a9dfdbcc1686d792e532268ac6c9116b6b72e25497dde2ab090576cd58064f83fc6d\
             2ade2deb2909fb41a15ba91d43ebad162",
            "30819a305606092a864886f70d01050d3049302806092a864886f70d01050c301b0408f9e25ea60cdf39d\
             902010a300c06082a864886f70d02080500301d0609608648016503040116041013369cfb906d26cfea2\
             b88f2450d146504403d0de8de7a2335ca8bb4178396eee9b66bb975240afa69bd968e6d029d811a42e9a\
             78733d9775e0c8b8eaefcefb1f6b47bf7b36bf5fc0070dec2009ecd815829",
            "308189304d06092a864886f70d01050d3040302806092a864886f70d01050c301b04087e67bf9e14edac1\
             b02010a300c06082a864886f70d020a0500301406082a864886f70d0307040898ba1c0264239fb10438c\
             162d19992224a45c44c3c97ebf60f174dba8299a68b209c595206e5b852597a7c735eac7cef489a7caf0\
             1cf03c288cb7514135d8b67416f",
            "30819a305606092a864886f70d01050d3049302806092a864886f70d01050c301b0408e538c90d9e08e76\
             b02010a300c06082a864886f70d020b0500301d060960864801650304012a0410fb8bccce5823fe94af9\
             1e90d5d3e9018044075d07d81c28baf366013c7ebc4bdcc8d3395875ee8e718d35a39e64845317eab80a\
             0d42c7e1bc7efcc56aa87c9c7ec33f90cccfe282a45b1a4de082545af8cb1",
            "3057301b060a2a864886f70d010c0103300d0408a17a9ddc71c91d7d02010a0438813984148fcca043ed8\
             c070ab8fb66c81f5fd08201a0af8f0759fa7de3af331aa958f71894964b993ce6cf2aa27a8397d4208a6\
             ef44ebe38",
        ];
        let frank = frank_key().public_key();
        for vector in vectors {
            let der = h(&vector.replace(' ', ""));
            let info = EncryptedPrivateKeyInfo::from_der(&der).unwrap();
            let alg = &info.encryption_algorithm;
            let data = info.encrypted_data.as_bytes();
            let parse = |p: &[u8]| PrivateKey::from_der(p, None);
            let key = Contents::new("pw").open(alg, data, parse).unwrap();
            assert_eq!(key.public_key(), frank, "{}", alg.oid);
            let wrong = Contents::new("pv").open(alg, data, parse);
            assert_eq!(wrong.unwrap_err().code(), "ERR_BAD_PASSWORD", "{}", alg.oid);
        }
    }

    fn frank_key() -> PrivateKey {
        PrivateKey::from_pem(include_str!("../../tests/fixtures/frank.key.pem"), None).unwrap()
    }

    const CAROL_KEY: &[u8] = include_bytes!("../../tests/fixtures/carol.key.der");
    const CAROL_CERT: &[u8] = include_bytes!("../../tests/fixtures/carol.cert.der");

    fn bag(bag_id: ObjectIdentifier, value: &(impl EncodeValue + Tagged)) -> SafeBag {
        SafeBag {
            bag_id,
            bag_value: Any::encode_from(value).unwrap(),
            bag_attributes: None,
        }
    }

    /// Carol's key in a plain keyBag and her certificate, in the clear.
    fn carol_bags() -> Vec<SafeBag> {
        let cert = Certificate::from_der(CAROL_CERT).unwrap();
        let key = pkcs8::PrivateKeyInfoRef::try_from(CAROL_KEY).unwrap();
        vec![bag(KEY_BAG, &key), cert_bag(&cert, None).unwrap()]
    }

    /// A PFX of one id-data SafeContents, with a SHA-1 MAC keyed by `mac_secret` as given (no
    /// BMPString conversion), one iteration.
    fn pfx(bags: Vec<SafeBag>, mac_secret: Option<&[u8]>) -> Vec<u8> {
        let safe = ContentInfo::Data(OctetString::new(bags.to_der().unwrap()).unwrap());
        pfx_of(vec![safe].to_der().unwrap(), mac_secret)
    }

    fn pfx_of(auth_safe: Vec<u8>, mac_secret: Option<&[u8]>) -> Vec<u8> {
        let mac_data = mac_secret.map(|secret| {
            let salt = [1u8; 8];
            let sha1 = DigestAlgorithm::Sha1;
            let key = pkcs12_kdf(sha1, secret, &salt, KdfPurpose::Mac, 1, 20);
            MacData {
                mac: DigestInfo {
                    digest_algorithm: sha1.identifier(),
                    digest: OctetString::new(
                        hmac_sign_with::<sha1::Sha1>(&key, &auth_safe).unwrap(),
                    )
                    .unwrap(),
                },
                mac_salt: OctetString::new(salt.to_vec()).unwrap(),
                iterations: 1,
            }
        });
        Pfx {
            version: 3,
            auth_safe: ContentInfo::Data(OctetString::new(auth_safe).unwrap()),
            mac_data,
        }
        .to_der()
        .unwrap()
    }

    fn import_code(bytes: &[u8], password: &str) -> &'static str {
        match import_pkcs12(bytes, password) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    /// An empty password is tried as two zero octets and as no input at all: OpenSSL reads
    /// both, and files with either exist.
    #[test]
    fn empty_password_as_bmp_or_as_nothing() {
        for secret in [&[][..], &[0, 0]] {
            let bytes = pfx(carol_bags(), Some(secret));
            assert_eq!(import_code(&bytes, ""), "ok", "{secret:?}");
            assert_eq!(import_code(&bytes, "x"), "ERR_BAD_PASSWORD", "{secret:?}");
        }
        // A non-empty password is never tried as nothing.
        let bytes = pfx(carol_bags(), Some(&[]));
        assert_eq!(import_code(&bytes, "a"), "ERR_BAD_PASSWORD");
    }

    /// Without MacData nothing is authenticated, but a plain file is still read.
    #[test]
    fn no_mac_data_is_read() {
        let bytes = pfx(carol_bags(), None);
        let identity = import_pkcs12(&bytes, "anything").unwrap();
        assert_eq!(identity.certificate().der(), CAROL_CERT);
    }

    #[test]
    fn nested_safe_contents_are_read_and_bounded() {
        fn nest(bags: Vec<SafeBag>, depth: usize) -> Vec<SafeBag> {
            (0..depth).fold(bags, |inner, _| vec![bag(SAFE_CONTENTS_BAG, &inner)])
        }
        let bytes = pfx(nest(carol_bags(), MAX_NESTING), None);
        assert_eq!(import_code(&bytes, ""), "ok");
        let bytes = pfx(nest(carol_bags(), MAX_NESTING + 1), None);
        assert_eq!(import_code(&bytes, ""), "ERR_NESTING_TOO_DEEP");
    }

    #[test]
    fn bag_count_is_bounded() {
        let cert = Certificate::from_der(CAROL_CERT).unwrap();
        let mut bags = carol_bags();
        bags.extend((2..MAX_BAGS).map(|_| cert_bag(&cert, None).unwrap()));
        assert_eq!(import_code(&pfx(bags, None), ""), "ok");
        let mut bags = carol_bags();
        bags.extend((1..MAX_BAGS).map(|_| cert_bag(&cert, None).unwrap()));
        assert_eq!(import_code(&pfx(bags, None), ""), "ERR_MALFORMED_PKCS12");
    }

    /// Public-key integrity (signedData authSafe) and public-key privacy (envelopedData
    /// SafeContents) modes are not implemented.
    #[test]
    fn public_key_modes_are_unsupported() {
        // PFX { 3, ContentInfo { id-signedData } }
        let signed = h("3010020103300b06092a864886f70d010702");
        assert_eq!(import_code(&signed, ""), "ERR_UNSUPPORTED_ALGORITHM");
        // AuthenticatedSafe { ContentInfo { id-envelopedData } }
        let enveloped = h("300d300b06092a864886f70d010703");
        assert_eq!(
            import_code(&pfx_of(enveloped, None), ""),
            "ERR_UNSUPPORTED_ALGORITHM"
        );
    }

    /// The key's certificate is found by its public key; localKeyId picks among certificates
    /// over the same key, and a certificate of another key never pairs.
    #[test]
    fn local_key_id_breaks_ties() {
        let cert = Certificate::from_der(CAROL_CERT).unwrap();
        let key = pkcs8::PrivateKeyInfoRef::try_from(CAROL_KEY).unwrap();
        let with_id = |mut bag: SafeBag, id: &[u8]| {
            let value = Any::encode_from(&OctetString::new(id).unwrap()).unwrap();
            bag.bag_attributes = Some(
                SetOfVec::try_from(vec![Attribute {
                    oid: rfc2985::PKCS_9_AT_LOCAL_KEY_ID,
                    values: SetOfVec::try_from(vec![value]).unwrap(),
                }])
                .unwrap(),
            );
            bag
        };
        let alice =
            Certificate::from_pem(include_str!("../../tests/fixtures/alice.cert.pem")).unwrap();
        // A second certificate over Carol's key: another serial number (offset 16 of the DER);
        // the broken signature does not matter here.
        let mut twin = CAROL_CERT.to_vec();
        twin[16] ^= 1;
        let twin = Certificate::from_der(&twin).unwrap();

        // Alice's certificate carries the key's id, but another key: it never pairs.
        let bags = vec![
            with_id(cert_bag(&alice, None).unwrap(), b"k"),
            with_id(bag(KEY_BAG, &key), b"k"),
            cert_bag(&cert, None).unwrap(),
        ];
        let identity = import_pkcs12(&pfx(bags, None), "").unwrap();
        assert_eq!(identity.certificate(), &cert);
        assert_eq!(identity.chain(), [alice]);

        // Of two certificates over the key, the one with the key's id wins, wherever it is.
        let bags = vec![
            cert_bag(&cert, None).unwrap(),
            with_id(cert_bag(&twin, None).unwrap(), b"k"),
            with_id(bag(KEY_BAG, &key), b"k"),
        ];
        let identity = import_pkcs12(&pfx(bags, None), "").unwrap();
        assert_eq!(identity.certificate(), &twin);
        assert_eq!(identity.chain(), std::slice::from_ref(&cert));

        // Without ids, the first.
        let bags = vec![
            cert_bag(&twin, None).unwrap(),
            cert_bag(&cert, None).unwrap(),
            bag(KEY_BAG, &key),
        ];
        let identity = import_pkcs12(&pfx(bags, None), "").unwrap();
        assert_eq!(identity.certificate(), &twin);
    }
}
