//! Attacks on decryption, each test named after the attack it stops (STYLE.md "Tests"): one
//! opaque `ERR_DECRYPT_FAILED` for every key, padding, tag and length failure (Bleichenbacher,
//! RFC 3218), no plaintext before the GCM tag checks, CBC reported as not integrity protected
//! and never dressed up by a signature it no longer matches (Efail), and hostile input
//! (truncations, bit flips, absurd lengths) giving codes, not panics.
#![cfg(not(target_arch = "wasm32"))] // native only: big inputs, catch_unwind

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use cms::authenveloped_data::AuthEnvelopedData;
use cms::cert::IssuerAndSerialNumber;
use cms::content_info::ContentInfo;
use cms::enveloped_data::{
    EncryptedContentInfo, EnvelopedData, RecipientIdentifier, RecipientInfo, RecipientInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use rand_core::Rng;

use common::{
    NOW, SplitMix, cert, cms_of, demo_trust, describe, layer_kinds, rng, signer, with_cms,
};
use smime_wasm::cms::enveloped::EnvelopedMessage;
use smime_wasm::mime::{canonicalize, split_outer};
use smime_wasm::{
    Certificate, ContentEncryption, EncryptOptions, Identity, KeyTransport, Layer, Opened,
    PublicKey, RecipientIdentifierKind, SignOptions, SignatureFormat, decrypt, encrypt, open, sign,
};

// ---- Helpers --------------------------------------------------------------------------------

fn message() -> Vec<u8> {
    b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: secret\r\n\
      Date: Tue, 01 Jan 2030 00:00:00 +0000\r\nMessage-ID: <security@example.org>\r\n\
      Content-Type: text/plain; charset=us-ascii\r\n\r\n\
      The launch code is 0000. Do not tell Mallory.\r\nSecond line of the secret.\r\n"
        .to_vec()
}

/// The entity `encrypt` protects, in canonical form.
fn entity(message: &[u8]) -> Vec<u8> {
    canonicalize(&split_outer(message).expect("split").1).expect("canonical form")
}

fn opts(content_encryption: ContentEncryption, key_transport: KeyTransport) -> EncryptOptions {
    EncryptOptions {
        content_encryption,
        key_transport,
        identifier: RecipientIdentifierKind::IssuerAndSerialNumber,
    }
}

fn encrypt_to(message: &[u8], recipients: &[&str], options: &EncryptOptions) -> Vec<u8> {
    let certs: Vec<Certificate> = recipients.iter().map(|n| cert(n)).collect();
    encrypt(message, &certs, options, &mut rng()).unwrap_or_else(|e| panic!("encrypt: {e}"))
}

fn bob() -> Identity {
    signer("bob")
}

/// `open` as Bob, trusting the demo CA.
fn open_as_bob(message: &[u8]) -> smime_wasm::Result<Opened> {
    open(message, &[&bob()], &demo_trust(), NOW, &mut rng())
}

fn code<T>(result: &smime_wasm::Result<T>) -> Option<&'static str> {
    result.as_ref().err().map(smime_wasm::Error::code)
}

/// EnvelopedData or AuthEnvelopedData, decoded with the `cms` crate's types for tampering.
enum Envelope {
    Enveloped(EnvelopedData),
    Auth(AuthEnvelopedData),
}

impl Envelope {
    fn decode(der: &[u8]) -> Self {
        let info = ContentInfo::from_der(der).expect("our output is DER");
        if info.content_type == const_oid::db::rfc5911::ID_ENVELOPED_DATA {
            Self::Enveloped(info.content.decode_as().expect("EnvelopedData"))
        } else {
            assert_eq!(
                info.content_type,
                const_oid::db::rfc5911::ID_CT_AUTH_ENVELOPED_DATA
            );
            Self::Auth(info.content.decode_as().expect("AuthEnvelopedData"))
        }
    }

    fn of_message(message: &[u8]) -> Self {
        Self::decode(&cms_of(message))
    }

    fn encode(&self) -> Vec<u8> {
        let (content_type, content) = match self {
            Self::Enveloped(d) => (
                const_oid::db::rfc5911::ID_ENVELOPED_DATA,
                Any::encode_from(d).expect("encode"),
            ),
            Self::Auth(d) => (
                const_oid::db::rfc5911::ID_CT_AUTH_ENVELOPED_DATA,
                Any::encode_from(d).expect("encode"),
            ),
        };
        ContentInfo {
            content_type,
            content,
        }
        .to_der()
        .expect("encode")
    }

    /// `message` (one of ours) with this envelope as its body.
    fn into_message(self, message: &[u8]) -> Vec<u8> {
        with_cms(message, &self.encode())
    }

    fn content_info(&mut self) -> &mut EncryptedContentInfo {
        match self {
            Self::Enveloped(d) => &mut d.encrypted_content,
            Self::Auth(d) => &mut d.auth_encrypted_content_info,
        }
    }

    fn recipients(&mut self) -> &mut RecipientInfos {
        match self {
            Self::Enveloped(d) => &mut d.recip_infos,
            Self::Auth(d) => &mut d.recip_infos,
        }
    }

    fn ciphertext(&mut self) -> Vec<u8> {
        self.content_info()
            .encrypted_content
            .as_ref()
            .expect("encryptedContent")
            .as_bytes()
            .to_vec()
    }

    fn set_ciphertext(&mut self, bytes: Vec<u8>) {
        self.content_info().encrypted_content = Some(OctetString::new(bytes).expect("octets"));
    }

    /// The CBC IV: the OCTET STRING parameters of the content-encryption algorithm.
    fn iv(&mut self) -> Vec<u8> {
        let params = self
            .content_info()
            .content_enc_alg
            .parameters
            .as_ref()
            .expect("IV");
        params
            .decode_as::<OctetString>()
            .expect("IV")
            .as_bytes()
            .to_vec()
    }

    fn set_iv(&mut self, iv: Vec<u8>) {
        let any = Any::encode_from(&OctetString::new(iv).expect("octets")).expect("encode");
        self.content_info().content_enc_alg.parameters = Some(any);
    }

    /// Apply `f` to the (single) KeyTransRecipientInfo.
    fn with_ktri(&mut self, f: impl FnOnce(&mut cms::enveloped_data::KeyTransRecipientInfo)) {
        let infos = std::mem::replace(&mut self.recipients().0, SetOfVec::new());
        let mut infos = infos.into_vec();
        assert_eq!(infos.len(), 1);
        let RecipientInfo::Ktri(ktri) = &mut infos[0] else {
            panic!("expected a ktri");
        };
        f(ktri);
        self.recipients().0 = SetOfVec::try_from(infos).expect("set");
    }
}

fn bob_rsa_public_key() -> rsa::PublicKey {
    match cert("bob").public_key().expect("key") {
        PublicKey::Rsa(k) => k,
        other => panic!("bob's key is RSA, got {other:?}"),
    }
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    rng().fill_bytes(&mut out);
    out
}

// ---- Bleichenbacher / RFC 3218 --------------------------------------------------------------

/// The ways an attacker (or a broken sender) can spoil Bob's encrypted content key, each
/// applied to a fresh message made with `options`: labelled variants of the message.
fn spoiled_key_variants(options: &EncryptOptions) -> Vec<(&'static str, Vec<u8>)> {
    let msg = message();
    let bob_rsa = bob_rsa_public_key();
    let mut variants = Vec::new();
    let key_len = match options.content_encryption {
        ContentEncryption::Aes128Cbc | ContentEncryption::Aes128Gcm => 16,
        ContentEncryption::Aes192Cbc => 24,
        _ => 32,
    };

    let mut spoil =
        |label: &'static str, f: &dyn Fn(&mut cms::enveloped_data::KeyTransRecipientInfo)| {
            let encrypted = encrypt_to(&msg, &["bob"], options);
            let mut env = Envelope::of_message(&encrypted);
            env.with_ktri(|k| f(k));
            variants.push((label, env.into_message(&encrypted)));
        };
    // Random bytes below the modulus (top bit clear) and at or above it.
    spoil("random encrypted key", &|k| {
        let mut bytes = random_bytes(256);
        bytes[0] &= 0x7f;
        k.enc_key = OctetString::new(bytes).expect("octets");
    });
    spoil("encrypted key >= modulus", &|k| {
        k.enc_key = OctetString::new(vec![0xff; 256]).expect("octets");
    });
    spoil("encrypted key one byte short", &|k| {
        let mut bytes = k.enc_key.as_bytes().to_vec();
        bytes.pop();
        k.enc_key = OctetString::new(bytes).expect("octets");
    });
    spoil("empty encrypted key", &|k| {
        k.enc_key = OctetString::new(Vec::new()).expect("octets");
    });
    // A well-formed PKCS#1 v1.5 block carrying a key of the wrong length, both ways.
    for wrong_len in [key_len / 2, key_len + 8] {
        let block = bob_rsa
            .pkcs1v15_encrypt_with_rng(&mut rng(), &random_bytes(wrong_len))
            .expect("RSA encrypt");
        let label = if wrong_len < key_len {
            "valid v1.5 block, key too short"
        } else {
            "valid v1.5 block, key too long"
        };
        let encrypted = encrypt_to(&msg, &["bob"], options);
        let mut env = Envelope::of_message(&encrypted);
        env.with_ktri(|k| {
            k.key_enc_alg.oid = const_oid::db::rfc5912::RSA_ENCRYPTION;
            k.key_enc_alg.parameters = Some(Any::encode_from(&der::asn1::Null).expect("NULL"));
            k.enc_key = OctetString::new(block.clone()).expect("octets");
        });
        variants.push((label, env.into_message(&encrypted)));
    }
    // The right padding, the wrong private key: encrypted to Alice, relabelled as Bob's.
    let to_alice = encrypt_to(&msg, &["alice"], options);
    let mut env = Envelope::of_message(&to_alice);
    let bob_cert = cert("bob");
    env.with_ktri(|k| {
        let tbs = bob_cert.x509().tbs_certificate();
        k.rid = RecipientIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        });
    });
    variants.push(("wrong private key", env.into_message(&to_alice)));
    variants
}

/// A padding oracle needs two distinguishable outcomes. With AES-GCM content every spoiled
/// content key (random bytes, out of range, short, empty, a valid v1.5 block of the wrong
/// length, the wrong private key) ends in exactly `ERR_DECRYPT_FAILED` — under PKCS#1 v1.5 and
/// OAEP — and no content. With CBC content, RFC 3218's random key means the failure surfaces
/// only at content decryption: `unwrap_key` never fails early, and the raw decryption gives
/// `ERR_DECRYPT_FAILED` or (when the random key happens to leave valid CBC padding) garbage,
/// never the plaintext and never another code.
#[test]
fn pkcs1_padding_oracle() {
    let expected = entity(&message());
    let mut failures = Vec::new();
    for transport in [KeyTransport::RsaPkcs1v15, KeyTransport::RsaOaep] {
        for cipher in [ContentEncryption::Aes128Gcm, ContentEncryption::Aes256Gcm] {
            for (label, spoiled) in spoiled_key_variants(&opts(cipher, transport)) {
                for (how, result) in [
                    ("open", open_as_bob(&spoiled)),
                    ("decrypt", decrypt(&spoiled, &[&bob()], NOW, &mut rng())),
                ] {
                    if code(&result) != Some("ERR_DECRYPT_FAILED") {
                        failures.push(format!(
                            "{transport:?} {cipher:?} {label}: {how} gives {:?}",
                            result.map(|o| layer_kinds(&o)).map_err(|e| e.code())
                        ));
                    }
                }
            }
        }
        for cipher in [ContentEncryption::Aes128Cbc, ContentEncryption::Aes256Cbc] {
            for (label, spoiled) in spoiled_key_variants(&opts(cipher, transport)) {
                let case = format!("{transport:?} {cipher:?} {label}");
                let enveloped = EnvelopedMessage::from_content_info(&cms_of(&spoiled))
                    .unwrap_or_else(|e| panic!("{case}: {}", e.code()));
                let key = match enveloped.unwrap_key(&[&bob()], &mut rng()) {
                    Ok(key) => key,
                    Err(e) => {
                        failures.push(format!("{case}: unwrap_key fails early: {}", e.code()));
                        continue;
                    }
                };
                match enveloped.decrypt(&key) {
                    Err(e) if e.code() == "ERR_DECRYPT_FAILED" => {}
                    Err(e) => failures.push(format!("{case}: decrypt gives {}", e.code())),
                    Ok(plain) if *plain == *expected => {
                        failures.push(format!("{case}: the plaintext came out"))
                    }
                    Ok(_) => {} // random key, padding happened to hold: garbage
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The CBC half of [`pkcs1_padding_oracle`] at the message level: through `open` and
/// `decrypt`, a spoiled content key gives `ERR_DECRYPT_FAILED` or, when the RFC 3218 random
/// key happens to leave valid CBC padding (about 1 try in 256), an encrypted layer over
/// garbage — never the plaintext and never a third code that tells "padding held" apart.
#[test]
fn pkcs1_padding_oracle_cbc_message_level() {
    let expected = entity(&message());
    let mut failures = Vec::new();
    for transport in [KeyTransport::RsaPkcs1v15, KeyTransport::RsaOaep] {
        for cipher in [ContentEncryption::Aes128Cbc, ContentEncryption::Aes256Cbc] {
            for (label, spoiled) in spoiled_key_variants(&opts(cipher, transport)) {
                let case = format!("{transport:?} {cipher:?} {label}");
                for (how, result) in [
                    ("open", open_as_bob(&spoiled)),
                    ("decrypt", decrypt(&spoiled, &[&bob()], NOW, &mut rng())),
                ] {
                    match result {
                        Err(e) if e.code() == "ERR_DECRYPT_FAILED" => {}
                        Ok(o)
                            if o.content != expected
                                && matches!(
                                    o.layers.as_slice(),
                                    [Layer::Encrypted {
                                        integrity_protected: false,
                                        ..
                                    }]
                                ) => {}
                        other => failures.push(format!(
                            "{case}: {how} gives {:?}",
                            other.map(|o| layer_kinds(&o)).map_err(|e| e.code())
                        )),
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- AES-GCM --------------------------------------------------------------------------------

/// AuthEnvelopedData: a flipped tag bit, a flipped ciphertext bit (first, middle, last byte),
/// a truncated tag, a missing tag and a truncated ciphertext all give `ERR_DECRYPT_FAILED`
/// and no `Opened` at all; the raw API gives no plaintext either.
#[test]
fn gcm_tag_flip_releases_no_plaintext() {
    let msg = message();
    let mut failures = Vec::new();
    for cipher in [ContentEncryption::Aes128Gcm, ContentEncryption::Aes256Gcm] {
        let encrypted = encrypt_to(&msg, &["bob"], &opts(cipher, KeyTransport::RsaPkcs1v15));
        let opened = open_as_bob(&encrypted).expect("untouched message opens");
        assert_eq!(opened.content, entity(&msg));
        let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
        let Envelope::Auth(original) = Envelope::of_message(&encrypted) else {
            panic!("GCM must be AuthEnvelopedData");
        };
        let mac = original.mac.as_bytes().to_vec();
        assert_eq!(mac.len(), 16, "we write full 16-byte tags");
        for (i, bit) in [(0, 0), (7, 3), (15, 7)] {
            let mut data = original.clone();
            let mut tag = mac.clone();
            tag[i] ^= 1 << bit;
            data.mac = OctetString::new(tag).expect("octets");
            cases.push((
                format!("tag byte {i} bit {bit}"),
                Envelope::Auth(data).into_message(&encrypted),
            ));
        }
        for (label, tag) in [
            ("tag truncated to 12", mac[..12].to_vec()),
            ("empty tag", Vec::new()),
        ] {
            let mut data = original.clone();
            data.mac = OctetString::new(tag).expect("octets");
            cases.push((
                label.to_owned(),
                Envelope::Auth(data).into_message(&encrypted),
            ));
        }
        let mut env = Envelope::Auth(original.clone());
        let ciphertext = env.ciphertext();
        for i in [0, ciphertext.len() / 2, ciphertext.len() - 1] {
            let mut env = Envelope::Auth(original.clone());
            let mut c = ciphertext.clone();
            c[i] ^= 0x01;
            env.set_ciphertext(c);
            cases.push((format!("ciphertext byte {i}"), env.into_message(&encrypted)));
        }
        let mut env = Envelope::Auth(original.clone());
        env.set_ciphertext(ciphertext[..ciphertext.len() - 1].to_vec());
        cases.push((
            String::from("ciphertext one byte short"),
            env.into_message(&encrypted),
        ));

        for (label, tampered) in cases {
            let result = open_as_bob(&tampered);
            if code(&result) != Some("ERR_DECRYPT_FAILED") {
                failures.push(format!(
                    "{cipher:?} {label}: open gives {:?}",
                    result.map(|o| layer_kinds(&o)).map_err(|e| e.code())
                ));
            }
            let result = decrypt(&tampered, &[&bob()], NOW, &mut rng());
            if code(&result) != Some("ERR_DECRYPT_FAILED") {
                failures.push(format!(
                    "{cipher:?} {label}: decrypt gives {:?}",
                    code(&result)
                ));
            }
            let raw = EnvelopedMessage::from_content_info(&cms_of(&tampered)).and_then(|m| {
                let key = m.unwrap_key(&[&bob()], &mut rng())?;
                m.decrypt(&key)
            });
            if raw.is_ok() {
                failures.push(format!(
                    "{cipher:?} {label}: raw decrypt released plaintext"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// CBC content is confidentiality only (Efail): the layer says `integrity_protected: false`;
/// AES-GCM says true. Both in `open` and in the raw API.
#[test]
fn cbc_layer_is_not_integrity_protected() {
    let msg = message();
    for (cipher, name, protected) in [
        (ContentEncryption::Aes128Cbc, "aes-128-cbc", false),
        (ContentEncryption::Aes192Cbc, "aes-192-cbc", false),
        (ContentEncryption::Aes256Cbc, "aes-256-cbc", false),
        (ContentEncryption::Aes128Gcm, "aes-128-gcm", true),
        (ContentEncryption::Aes256Gcm, "aes-256-gcm", true),
    ] {
        for recipient in ["bob", "carol"] {
            let encrypted =
                encrypt_to(&msg, &[recipient], &opts(cipher, KeyTransport::RsaPkcs1v15));
            let opened = open(
                &encrypted,
                &[&signer(recipient)],
                &demo_trust(),
                NOW,
                &mut rng(),
            )
            .unwrap_or_else(|e| panic!("{name} {recipient}: {}", e.code()));
            match opened.layers.as_slice() {
                [
                    Layer::Encrypted {
                        content_encryption,
                        integrity_protected,
                        ..
                    },
                ] => {
                    assert_eq!(content_encryption, name);
                    assert_eq!(*integrity_protected, protected, "{name} {recipient}");
                }
                _ => panic!("{name}: {:?}", layer_kinds(&opened)),
            }
            let raw = EnvelopedMessage::from_content_info(&cms_of(&encrypted)).expect("CMS");
            assert_eq!(raw.integrity_protected(), protected, "{name}");
            assert_eq!(raw.content_algorithm().name().to_string(), name);
        }
    }
}

// ---- Efail ----------------------------------------------------------------------------------

/// CBC malleability gadgets on a signed-then-encrypted message: XOR into the IV (which
/// rewrites the first plaintext block exactly — e.g. turning `multipart/signed` into
/// `text/plain`), flip bytes of ciphertext blocks from start to end (garbling one block and
/// flipping the same bits of the next), duplicate and move blocks, and drop trailing blocks. Each result
/// is either an error code or content that the report does not vouch for: a `Signed` layer
/// that claims validity must cover exactly the entity Alice signed.
#[test]
fn efail_cbc_gadget() {
    let msg = message();
    let mut failures = Vec::new();
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for format in [SignatureFormat::Detached, SignatureFormat::Opaque] {
        let signed = sign(
            &msg,
            &signer("alice"),
            &SignOptions {
                format,
                ..SignOptions::default()
            },
            NOW,
        )
        .expect("sign");
        let signed_entity = entity(&signed);
        for cipher in [ContentEncryption::Aes128Cbc, ContentEncryption::Aes256Cbc] {
            let encrypted = encrypt_to(&signed, &["bob"], &opts(cipher, KeyTransport::RsaPkcs1v15));
            let reference = open_as_bob(&encrypted).expect("untouched message opens");
            assert_eq!(reference.content, entity(&msg), "{}", describe(&reference));
            assert!(reference.layers[1].is_valid());

            let mut env = Envelope::of_message(&encrypted);
            let iv = env.iv();
            let ciphertext = env.ciphertext();
            let blocks = ciphertext.len() / 16;
            assert!(blocks >= 4);
            let mut gadgets: Vec<(String, Vec<u8>, Vec<u8>)> = Vec::new();
            // 1. Chosen first block through the IV: known plaintext XOR wanted text.
            let known = &signed_entity[..16];
            for wanted in [
                &b"Content-Type: te"[..],
                b"Content-type:tex",
                b"X-Junk: 00000000",
            ] {
                let forged: Vec<u8> = iv
                    .iter()
                    .zip(known.iter().zip(wanted))
                    .map(|(v, (k, w))| v ^ k ^ w)
                    .collect();
                gadgets.push((
                    format!(
                        "IV rewrites block 0 to {:?}",
                        String::from_utf8_lossy(wanted)
                    ),
                    forged,
                    ciphertext.clone(),
                ));
            }
            for i in [0, 5, 10, 15] {
                let mut forged = iv.clone();
                forged[i] ^= 0x20;
                gadgets.push((format!("IV byte {i}"), forged, ciphertext.clone()));
            }
            // 2. A flipped byte in blocks at the start (headers, boundary), spread through the
            //    middle and at the end (signature, closing boundary, padding). Every block
            //    would be thorough but slow: each try is an RSA decryption in a debug build.
            let mut chosen: Vec<usize> = vec![0, 1, 2, 3, 4, 5, blocks - 3, blocks - 2, blocks - 1];
            chosen.extend((1..8).map(|k| k * blocks / 8));
            chosen.sort_unstable();
            chosen.dedup();
            for block in chosen {
                for offset in [0, 15] {
                    let mut c = ciphertext.clone();
                    c[block * 16 + offset] ^= 0x04;
                    gadgets.push((format!("block {block} byte {offset}"), iv.clone(), c));
                }
            }
            // 3. Duplicate a block pair (C[j-1], C[j]) after block i: decrypts to P[j] there.
            for (i, j) in [(0, 1), (1, 2), (blocks / 2, 1), (blocks - 3, blocks - 2)] {
                let mut c = ciphertext[..(i + 1) * 16].to_vec();
                c.extend_from_slice(&ciphertext[(j - 1) * 16..(j + 1) * 16]);
                c.extend_from_slice(&ciphertext[(i + 1) * 16..]);
                gadgets.push((
                    format!("copy blocks {}..={j} after {i}", j - 1),
                    iv.clone(),
                    c,
                ));
            }
            // 4. Swap two middle blocks; drop trailing blocks.
            {
                let mut c = ciphertext.clone();
                let (a, b) = (1, blocks / 2);
                for k in 0..16 {
                    c.swap(a * 16 + k, b * 16 + k);
                }
                gadgets.push((format!("swap blocks {a} and {b}"), iv.clone(), c));
            }
            for keep in [1, 2, blocks / 2, blocks - 1] {
                gadgets.push((
                    format!("keep {keep} of {blocks} blocks"),
                    iv.clone(),
                    ciphertext[..keep * 16].to_vec(),
                ));
            }

            for (label, forged_iv, forged_ciphertext) in gadgets {
                let case = format!("{} {cipher:?} {label}", format.name());
                let mut env = Envelope::of_message(&encrypted);
                env.set_iv(forged_iv);
                env.set_ciphertext(forged_ciphertext);
                let tampered = env.into_message(&encrypted);
                let result = catch_unwind(AssertUnwindSafe(|| open_as_bob(&tampered)));
                let outcome = match result {
                    Err(_) => {
                        failures.push(format!("{case}: panicked"));
                        continue;
                    }
                    Ok(Err(e)) => e.code().to_owned(),
                    Ok(Ok(opened)) => {
                        let vouched = opened
                            .layers
                            .iter()
                            .any(|l| matches!(l, Layer::Signed { .. }) && l.is_valid());
                        if vouched && opened.content != reference.content {
                            failures.push(format!(
                                "{case}: a valid signature over changed content: {:?} {}",
                                layer_kinds(&opened),
                                describe(&opened)
                            ));
                        }
                        match opened.layers.first() {
                            Some(Layer::Encrypted {
                                integrity_protected: false,
                                ..
                            }) => {}
                            _ => failures
                                .push(format!("{case}: outer layer {:?}", layer_kinds(&opened))),
                        }
                        if opened.content == reference.content {
                            String::from("ok: unchanged")
                        } else if vouched {
                            String::from("ok: CHANGED UNDER A VALID SIGNATURE")
                        } else {
                            format!("ok: changed, layers {:?}", layer_kinds(&opened))
                        }
                    }
                };
                *outcomes.entry(outcome).or_default() += 1;
            }
        }
    }
    eprintln!("efail_cbc_gadget outcomes: {outcomes:#?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- Recipients and structure ---------------------------------------------------------------

/// Messages for someone else, of every recipient key type, give `ERR_NO_MATCHING_RECIPIENT`
/// (and no content) whichever identities we offer.
#[test]
fn wrong_recipient() {
    let msg = message();
    for (to, keys) in [
        ("alice", &["bob"][..]),
        ("alice", &["bob", "carol", "dave", "erin"][..]),
        ("carol", &["bob", "dave"][..]),
        ("dave", &["carol", "erin"][..]),
        ("erin", &["alice", "carol", "dave"][..]),
    ] {
        for cipher in [ContentEncryption::Aes256Cbc, ContentEncryption::Aes128Gcm] {
            let encrypted = encrypt_to(&msg, &[to], &opts(cipher, KeyTransport::RsaPkcs1v15));
            let owned: Vec<Identity> = keys.iter().map(|n| signer(n)).collect();
            let identities: Vec<&Identity> = owned.iter().collect();
            let case = format!("to {to}, keys {keys:?}, {cipher:?}");
            let result = open(&encrypted, &identities, &demo_trust(), NOW, &mut rng());
            assert_eq!(code(&result), Some("ERR_NO_MATCHING_RECIPIENT"), "{case}");
            let result = decrypt(&encrypted, &identities, NOW, &mut rng());
            assert_eq!(code(&result), Some("ERR_NO_MATCHING_RECIPIENT"), "{case}");
            // No identities at all.
            let result = decrypt(&encrypted, &[], NOW, &mut rng());
            assert_eq!(code(&result), Some("ERR_NO_MATCHING_RECIPIENT"), "{case}");
        }
    }
}

/// `decrypt` of a message that is not encrypted (plain, or only signed) says so.
#[test]
fn decrypt_of_an_unencrypted_message_is_not_encrypted() {
    let msg = message();
    let signed = sign(&msg, &signer("alice"), &SignOptions::default(), NOW).expect("sign");
    for m in [&msg, &signed] {
        let result = decrypt(m, &[&bob()], NOW, &mut rng());
        assert_eq!(code(&result), Some("ERR_NOT_ENCRYPTED"));
    }
}

/// RFC 5652 §6.1 lets encryptedContent be absent (detached); S/MIME never does that, and a
/// reader must not treat "no ciphertext" as "empty plaintext": `ERR_MALFORMED_CMS`.
#[test]
fn missing_encrypted_content() {
    let msg = message();
    for cipher in [ContentEncryption::Aes256Cbc, ContentEncryption::Aes256Gcm] {
        let encrypted = encrypt_to(&msg, &["bob"], &opts(cipher, KeyTransport::RsaPkcs1v15));
        let mut env = Envelope::of_message(&encrypted);
        env.content_info().encrypted_content = None;
        let der = env.encode();
        let raw = EnvelopedMessage::from_content_info(&der);
        assert_eq!(code(&raw), Some("ERR_MALFORMED_CMS"), "{cipher:?}");
        let tampered = with_cms(&encrypted, &der);
        assert_eq!(
            code(&open_as_bob(&tampered)),
            Some("ERR_MALFORMED_CMS"),
            "{cipher:?}"
        );
        assert_eq!(
            code(&decrypt(&tampered, &[&bob()], NOW, &mut rng())),
            Some("ERR_MALFORMED_CMS"),
            "{cipher:?}"
        );
    }
}

// ---- Hostile input --------------------------------------------------------------------------

/// Every truncation of a small encrypted message (the MIME text, and the CMS DER inside it)
/// gives a code, never a panic and never other content: the DER lengths leave no room for a
/// shorter message that still decrypts.
#[test]
fn every_truncation_is_an_error_not_a_panic() {
    let msg = message();
    let expected = entity(&msg);
    let mut failures = Vec::new();
    for cipher in [ContentEncryption::Aes128Cbc, ContentEncryption::Aes128Gcm] {
        let encrypted = encrypt_to(&msg, &["bob"], &opts(cipher, KeyTransport::RsaPkcs1v15));
        // Every cut of the MIME text goes through `open` (only the cuts that keep the whole
        // base64 reach the slow RSA step); every cut of the DER goes through the raw reader
        // and, if it parsed, the content key unwrapped once from the whole message.
        for len in 0..encrypted.len() {
            let cut = &encrypted[..len];
            match catch_unwind(AssertUnwindSafe(|| open_as_bob(cut))) {
                Err(_) => failures.push(format!("{cipher:?} MIME[..{len}]: panic")),
                Ok(Ok(o)) if !o.layers.is_empty() && o.content != expected => {
                    failures.push(format!(
                        "{cipher:?} MIME[..{len}]: other content {:?}",
                        layer_kinds(&o)
                    ))
                }
                Ok(_) => {}
            }
        }
        let der = cms_of(&encrypted);
        let whole = EnvelopedMessage::from_content_info(&der).expect("CMS");
        let key = whole.unwrap_key(&[&bob()], &mut rng()).expect("key");
        for len in 0..der.len() {
            let cut = &der[..len];
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                EnvelopedMessage::from_content_info(cut).and_then(|m| m.decrypt(&key))
            }));
            match outcome {
                Err(_) => failures.push(format!("{cipher:?} DER[..{len}]: panic")),
                Ok(Ok(_)) => failures.push(format!("{cipher:?} DER[..{len}]: decrypted")),
                Ok(Err(e)) if !e.code().starts_with("ERR_") => {
                    failures.push(format!("{cipher:?} DER[..{len}]: {}", e.code()))
                }
                Ok(Err(_)) => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// 1000 random single-bit flips (fixed seed, anywhere in the message: headers, base64, line
/// ends) through `open` as Bob. Never a panic. For AES-GCM any flip that reaches the CMS is an
/// error, so an `Ok` always carries the original content. For AES-CBC a flipped ciphertext
/// bit can decrypt to garbage "successfully" when the padding survives — which is why the
/// layer says `integrity_protected: false` — so there only codes and that flag are checked,
/// and a signed-then-encrypted CBC message must never show a valid signature over changed
/// content.
#[test]
fn random_bit_flips_never_panic_and_gcm_never_yields_other_content() {
    let msg = message();
    let plain_entity = entity(&msg);
    let signed = sign(&msg, &signer("alice"), &SignOptions::default(), NOW).expect("sign");
    let cases = [
        (
            "gcm",
            encrypt_to(
                &msg,
                &["bob"],
                &opts(ContentEncryption::Aes128Gcm, KeyTransport::RsaPkcs1v15),
            ),
            plain_entity.clone(),
        ),
        (
            "cbc",
            encrypt_to(
                &msg,
                &["bob"],
                &opts(ContentEncryption::Aes256Cbc, KeyTransport::RsaPkcs1v15),
            ),
            plain_entity.clone(),
        ),
        (
            "signed cbc",
            encrypt_to(
                &signed,
                &["bob"],
                &opts(ContentEncryption::Aes128Cbc, KeyTransport::RsaPkcs1v15),
            ),
            plain_entity.clone(),
        ),
    ];
    let mut failures = Vec::new();
    let mut prng = SplitMix(0x5eed_0fb1_7f11_b5e5);
    for (label, encrypted, expected) in &cases {
        let flips = 1000 / cases.len() + 1;
        for _ in 0..flips {
            let at = prng.below(encrypted.len());
            let bit = prng.below(8);
            let mut flipped = encrypted.clone();
            flipped[at] ^= 1 << bit;
            let case = format!("{label}: byte {at} bit {bit}");
            match catch_unwind(AssertUnwindSafe(|| open_as_bob(&flipped))) {
                Err(_) => failures.push(format!("{case}: panic")),
                Ok(Err(e)) if !e.code().starts_with("ERR_") => {
                    failures.push(format!("{case}: code {}", e.code()))
                }
                Ok(Err(_)) => {}
                Ok(Ok(opened)) => {
                    let changed = opened.content != *expected;
                    let vouched = opened
                        .layers
                        .iter()
                        .any(|l| matches!(l, Layer::Signed { .. }) && l.is_valid());
                    let gcm_layer = opened.layers.iter().any(|l| {
                        matches!(
                            l,
                            Layer::Encrypted {
                                integrity_protected: true,
                                ..
                            }
                        )
                    });
                    if changed && (vouched || gcm_layer) {
                        failures.push(format!(
                            "{case}: changed content under {:?} {}",
                            layer_kinds(&opened),
                            describe(&opened)
                        ));
                    }
                    if *label == "gcm" && changed && !opened.layers.is_empty() {
                        failures.push(format!("{case}: GCM released other content"));
                    }
                    if label.contains("cbc")
                        && opened.layers.iter().any(|l| {
                            matches!(
                                l,
                                Layer::Encrypted {
                                    integrity_protected: true,
                                    ..
                                }
                            )
                        })
                    {
                        failures.push(format!("{case}: CBC claims integrity"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// 10 MiB through encrypt and open, AES-GCM and AES-CBC: the same bytes come back.
#[test]
fn ten_mib_message_round_trip() {
    let mut msg = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: big\r\n\
        Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        .to_vec();
    let line = b"0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\r\n";
    while msg.len() < 10 * 1024 * 1024 {
        msg.extend_from_slice(line);
    }
    let expected = entity(&msg);
    for cipher in [ContentEncryption::Aes256Gcm, ContentEncryption::Aes256Cbc] {
        let encrypted = encrypt_to(&msg, &["bob"], &opts(cipher, KeyTransport::RsaOaep));
        assert!(encrypted.len() > 13 * 1024 * 1024, "base64 of 10 MiB");
        let opened = open_as_bob(&encrypted).unwrap_or_else(|e| panic!("{cipher:?}: {}", e.code()));
        assert_eq!(opened.layers.len(), 1, "{cipher:?}");
        assert!(opened.content == expected, "{cipher:?}: content differs");
    }
}

/// DER/BER lengths that claim 4 GiB (ContentInfo, its [0] content, the encryptedContent
/// OCTET STRING) on a small input: an error code, no panic, no attempt to allocate.
#[test]
fn absurd_lengths_are_errors() {
    let enveloped_oid: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03,
    ];
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    // ContentInfo SEQUENCE claiming 0xFFFFFFFF bytes.
    let mut a = vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff];
    a.extend_from_slice(enveloped_oid);
    a.extend_from_slice(&[0xa0, 0x84, 0xff, 0xff, 0xff, 0xf0]);
    a.extend_from_slice(&[0u8; 64]);
    inputs.push((String::from("ContentInfo of 4 GiB"), a));
    // Indefinite ContentInfo whose [0] claims 4 GiB.
    let mut b = vec![0x30, 0x80];
    b.extend_from_slice(enveloped_oid);
    b.extend_from_slice(&[
        0xa0, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30, 0x80, 0x02, 0x01, 0x00,
    ]);
    b.extend_from_slice(&[0u8; 32]);
    inputs.push((String::from("indefinite ContentInfo, [0] of 4 GiB"), b));
    // A real message whose encryptedContent ([0] IMPLICIT OCTET STRING) claims 4 GiB, in
    // primitive and in constructed (BER chunked) form, and with 8-byte lengths.
    let encrypted = encrypt_to(
        &message(),
        &["bob"],
        &opts(ContentEncryption::Aes256Cbc, KeyTransport::RsaPkcs1v15),
    );
    let der = cms_of(&encrypted);
    let ciphertext = Envelope::decode(&der).ciphertext();
    let at = der
        .windows(ciphertext.len().min(32))
        .position(|w| w == &ciphertext[..ciphertext.len().min(32)])
        .expect("ciphertext inside the DER");
    // The [0] IMPLICIT OCTET STRING header before it: tag 0x80 and a DER length.
    let header_len = match ciphertext.len() {
        0..=127 => 2,
        128..=255 => 3,
        _ => 4,
    };
    let header_start = at - header_len;
    assert_eq!(der[header_start], 0x80, "[0] header");
    for (label, header) in [
        ("primitive, 4 GiB", vec![0x80, 0x84, 0xff, 0xff, 0xff, 0xff]),
        (
            "constructed, 4 GiB chunk",
            vec![0xa0, 0x80, 0x04, 0x84, 0xff, 0xff, 0xff, 0xff],
        ),
        (
            "8-byte length",
            vec![0x80, 0x88, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        ),
    ] {
        let mut patched = der[..header_start].to_vec();
        patched.extend_from_slice(&header);
        patched.extend_from_slice(&der[at..]);
        inputs.push((format!("encryptedContent {label}"), patched));
    }
    for (label, bytes) in inputs {
        let raw = catch_unwind(AssertUnwindSafe(|| {
            EnvelopedMessage::from_content_info(&bytes).map(|_| ())
        }));
        match raw {
            Err(_) => panic!("{label}: raw reader panicked"),
            Ok(Ok(())) => panic!("{label}: raw reader accepted it"),
            Ok(Err(e)) => assert!(
                matches!(e.code(), "ERR_MALFORMED_CMS" | "ERR_TOO_LARGE"),
                "{label}: {}",
                e.code()
            ),
        }
        let message = with_cms(&encrypted, &bytes);
        let result = catch_unwind(AssertUnwindSafe(|| open_as_bob(&message)));
        match result {
            Err(_) => panic!("{label}: open panicked"),
            Ok(Ok(o)) => panic!("{label}: opened {:?}", layer_kinds(&o)),
            Ok(Err(e)) => assert!(
                matches!(e.code(), "ERR_MALFORMED_CMS" | "ERR_TOO_LARGE"),
                "{label}: {}",
                e.code()
            ),
        }
    }
}

#[test]
fn weak_rsa_recipient_keys_are_refused() {
    // RFC 8551 §2.3: Bouncy Castle's test recipient has a 1024-bit key. We still decrypt old
    // mail sent to such keys, but never encrypt to one.
    let weak = common::corpus_cert("bouncycastle/smime/cert.pem");
    let err = encrypt(&message(), &[weak], &EncryptOptions::default(), &mut rng()).unwrap_err();
    assert_eq!(err.code(), "ERR_INVALID_ARGUMENT");
}
