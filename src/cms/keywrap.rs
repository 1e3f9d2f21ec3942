//! Key wrap for key agreement: AES key wrap (RFC 3394, RFC 3565) and 3DES key wrap (RFC 3217).

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911;
use der::Any;
use digest::Digest;
use rand_core::CryptoRng;
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// RFC 3394 §2: AES key wrap works on 64-bit semiblocks, and the output is one longer.
const SEMIBLOCK: usize = 8;
/// RFC 3217 §3.1 step 8: the fixed IV of the second encryption.
const DES3_WRAP_IV: [u8; 8] = [0x4a, 0xdd, 0xa2, 0x2c, 0x79, 0xe8, 0x21, 0x05];
/// A Three-Key Triple-DES key (RFC 3217 §3: the only key this wrap carries).
const DES3_KEY_LEN: usize = 24;
/// RFC 3217 §3.2 step 1: IV (8) || CEK (24) || ICV (8), encrypted: 40 octets.
const DES3_WRAPPED_LEN: usize = 40;

/// A key-encryption (key-wrap) algorithm, the `KeyWrapAlgorithm` that a KeyAgreeRecipientInfo's
/// keyEncryptionAlgorithm carries as its parameter (RFC 5753, RFC 8418).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyWrap {
    /// id-aes128-wrap (RFC 3394, RFC 3565 §2.3.2).
    Aes128,
    /// id-aes192-wrap (RFC 3394, RFC 3565 §2.3.2).
    Aes192,
    /// id-aes256-wrap (RFC 3394, RFC 3565 §2.3.2).
    Aes256,
    /// id-alg-CMS3DESwrap (RFC 3217 §3): read for old mail.
    DesEde3,
}

impl KeyWrap {
    /// The key wrap `id` names. An unknown OID is [`Error::UnsupportedAlgorithm`]; parameters
    /// other than absent or NULL are [`Error::MalformedCms`].
    pub fn from_identifier(id: &AlgorithmIdentifierOwned) -> Result<Self> {
        let wrap = match id.oid {
            rfc5911::ID_AES_128_WRAP => Self::Aes128,
            rfc5911::ID_AES_192_WRAP => Self::Aes192,
            rfc5911::ID_AES_256_WRAP => Self::Aes256,
            rfc5911::ID_ALG_CMS_3_DE_SWRAP => Self::DesEde3,
            other => return Err(Error::unsupported(other)),
        };
        // RFC 3565 §2.3.2 says absent for AES and RFC 3370 §4.3.1 says NULL for 3DES. Either
        // is read for both, since neither carries anything; any other value is malformed.
        match &id.parameters {
            None => Ok(wrap),
            Some(p) if p.is_null() => Ok(wrap),
            Some(_) => Err(Error::cms(format!(
                "{}: parameters must be absent or NULL",
                wrap.name()
            ))),
        }
    }

    /// The AlgorithmIdentifier to write: AES parameters absent (RFC 3565 §2.3.2), 3DES
    /// parameters NULL (RFC 3370 §4.3.1).
    pub fn identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: match self {
                Self::DesEde3 => Some(Any::null()),
                _ => None,
            },
        }
    }

    /// The key-encryption key length in octets.
    pub const fn kek_len(self) -> usize {
        match self {
            Self::Aes128 => 16,
            Self::Aes192 | Self::DesEde3 => 24,
            Self::Aes256 => 32,
        }
    }

    /// Its object identifier.
    pub const fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Aes128 => rfc5911::ID_AES_128_WRAP,
            Self::Aes192 => rfc5911::ID_AES_192_WRAP,
            Self::Aes256 => rfc5911::ID_AES_256_WRAP,
            Self::DesEde3 => rfc5911::ID_ALG_CMS_3_DE_SWRAP,
        }
    }

    /// The name used in messages (OpenSSL's names).
    const fn name(self) -> &'static str {
        match self {
            Self::Aes128 => "id-aes128-wrap",
            Self::Aes192 => "id-aes192-wrap",
            Self::Aes256 => "id-aes256-wrap",
            Self::DesEde3 => "des3-wrap",
        }
    }

    /// Wrap the content-encryption key `cek` under `kek`.
    ///
    /// AES (RFC 3394 §2.2.1) needs `cek` to be a multiple of 8 octets and at least 16. The
    /// Triple-DES wrap (RFC 3217 §3.1) carries a 24-octet Triple-DES key, gives it odd parity,
    /// and draws its IV from `rng`. A `kek` or `cek` of the wrong length is
    /// [`Error::InvalidArgument`].
    pub fn wrap<R: CryptoRng + ?Sized>(
        self,
        kek: &[u8],
        cek: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>> {
        if kek.len() != self.kek_len() {
            return Err(Error::InvalidArgument(format!(
                "{} needs a {}-octet key-encryption key, not {}",
                self.name(),
                self.kek_len(),
                kek.len()
            )));
        }
        if self == Self::DesEde3 {
            if cek.len() != DES3_KEY_LEN {
                return Err(Error::InvalidArgument(format!(
                    "des3-wrap carries a {DES3_KEY_LEN}-octet Triple-DES key, not {}",
                    cek.len()
                )));
            }
            let mut cek = Zeroizing::new(cek.to_vec());
            set_des_odd_parity(&mut cek);
            let mut iv = [0u8; 8];
            rng.fill_bytes(&mut iv);
            return des3_wrap(kek, &cek, &iv, &key_checksum(&cek));
        }
        if cek.len() < 2 * SEMIBLOCK || !cek.len().is_multiple_of(SEMIBLOCK) {
            return Err(Error::InvalidArgument(format!(
                "{} wraps a key of 16 or more octets in steps of 8, not {}",
                self.name(),
                cek.len()
            )));
        }
        let mut out = vec![0u8; cek.len() + SEMIBLOCK];
        let wrapped = match self {
            Self::Aes128 => aes_kw::KwAes128::new_from_slice(kek)
                .map_err(|_| Error::InvalidArgument("kek length".into()))?
                .wrap_key(cek, &mut out)
                .map(<[u8]>::len),
            Self::Aes192 => aes_kw::KwAes192::new_from_slice(kek)
                .map_err(|_| Error::InvalidArgument("kek length".into()))?
                .wrap_key(cek, &mut out)
                .map(<[u8]>::len),
            _ => aes_kw::KwAes256::new_from_slice(kek)
                .map_err(|_| Error::InvalidArgument("kek length".into()))?
                .wrap_key(cek, &mut out)
                .map(<[u8]>::len),
        };
        let len = wrapped.map_err(|e| Error::InvalidArgument(e.to_string()))?;
        out.truncate(len);
        Ok(out)
    }

    /// Unwrap `wrapped` under `kek`, checking its integrity (RFC 3394 §2.2.3's IV; RFC 3217
    /// §3.2's SHA-1 checksum and DES parity). Every failure — a `kek` or `wrapped` of the wrong
    /// length, a failed check — is the one [`Error::DecryptFailed`]. The key zeroizes on drop.
    pub fn unwrap(self, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if kek.len() != self.kek_len() {
            return Err(Error::DecryptFailed);
        }
        if self == Self::DesEde3 {
            return des3_unwrap(kek, wrapped);
        }
        // RFC 3394 §2.2.2: at least two semiblocks of key plus the integrity semiblock.
        if wrapped.len() < 3 * SEMIBLOCK || !wrapped.len().is_multiple_of(SEMIBLOCK) {
            return Err(Error::DecryptFailed);
        }
        let mut out = Zeroizing::new(vec![0u8; wrapped.len() - SEMIBLOCK]);
        let unwrapped = match self {
            Self::Aes128 => aes_kw::KwAes128::new_from_slice(kek)
                .map_err(|_| Error::DecryptFailed)?
                .unwrap_key(wrapped, &mut out)
                .map(<[u8]>::len),
            Self::Aes192 => aes_kw::KwAes192::new_from_slice(kek)
                .map_err(|_| Error::DecryptFailed)?
                .unwrap_key(wrapped, &mut out)
                .map(<[u8]>::len),
            _ => aes_kw::KwAes256::new_from_slice(kek)
                .map_err(|_| Error::DecryptFailed)?
                .unwrap_key(wrapped, &mut out)
                .map(<[u8]>::len),
        };
        let len = unwrapped.map_err(|_| Error::DecryptFailed)?;
        out.truncate(len);
        Ok(out)
    }
}

/// Give every octet of a DES key odd parity in its low bit (FIPS 46-3; RFC 3217 §3.1 step 1).
pub(crate) fn set_des_odd_parity(key: &mut [u8]) {
    for byte in key {
        let high = *byte & 0xfe;
        *byte = high | (((high.count_ones() & 1) as u8) ^ 1);
    }
}

/// Whether every octet has odd parity, without a branch on the key's bits.
fn has_des_odd_parity(key: &[u8]) -> bool {
    key.iter().fold(1u32, |all, byte| all & byte.count_ones()) & 1 == 1
}

/// RFC 3217 §2: the first eight octets of the SHA-1 digest of the key.
fn key_checksum(cek: &[u8]) -> [u8; 8] {
    let digest = sha1::Sha1::digest(cek);
    let mut icv = [0u8; 8];
    for (out, byte) in icv.iter_mut().zip(digest.iter()) {
        *out = *byte;
    }
    icv
}

/// Equality without an early exit (the checksum is a secret-derived value).
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// RFC 3217 §3.1 steps 3 and 5 to 8, with the IV and checksum given.
fn des3_wrap(kek: &[u8], cek: &[u8], iv: &[u8; 8], icv: &[u8; 8]) -> Result<Vec<u8>> {
    // TEMP2 = IV || CEK || ICV, with CEKICV encrypted in place under the random IV (step 5).
    let mut temp = Zeroizing::new(Vec::with_capacity(DES3_WRAPPED_LEN));
    temp.extend_from_slice(iv);
    temp.extend_from_slice(cek);
    temp.extend_from_slice(icv);
    let (_, cek_icv) = temp
        .split_at_mut_checked(SEMIBLOCK)
        .ok_or_else(|| Error::InvalidArgument("des3-wrap buffer".into()))?;
    des3_cbc_encrypt(kek, iv, cek_icv)?;
    // Step 7: reverse all the octets; step 8: encrypt again under the fixed IV.
    temp.reverse();
    des3_cbc_encrypt(kek, &DES3_WRAP_IV, &mut temp)?;
    Ok(temp.to_vec())
}

/// RFC 3217 §3.2, every step, with the checksum and the parity checked together so that their
/// failures look alike.
fn des3_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    // Step 1.
    if wrapped.len() != DES3_WRAPPED_LEN {
        return Err(Error::DecryptFailed);
    }
    // Steps 2 and 3: TEMP3, reversed into TEMP2.
    let mut temp = Zeroizing::new(wrapped.to_vec());
    des3_cbc_decrypt(kek, &DES3_WRAP_IV, &mut temp)?;
    temp.reverse();
    // Steps 4 and 5: IV || TEMP1, and TEMP1 decrypted into CEKICV.
    let (iv, cek_icv) = temp
        .split_at_mut_checked(SEMIBLOCK)
        .ok_or(Error::DecryptFailed)?;
    des3_cbc_decrypt(kek, iv, cek_icv)?;
    // Steps 6 to 8.
    let (cek, icv) = cek_icv
        .split_at_checked(DES3_KEY_LEN)
        .ok_or(Error::DecryptFailed)?;
    let checksum_holds = ct_eq(&key_checksum(cek), icv);
    let parity_holds = has_des_odd_parity(cek);
    if !(checksum_holds & parity_holds) {
        return Err(Error::DecryptFailed);
    }
    Ok(Zeroizing::new(cek.to_vec()))
}

fn des3_cbc_encrypt(kek: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<()> {
    let len = buf.len();
    cbc::Encryptor::<des::TdesEde3>::new_from_slices(kek, iv)
        .map_err(|_| Error::InvalidArgument("des3-wrap key length".into()))?
        .encrypt_padded::<NoPadding>(buf, len)
        .map_err(|_| Error::InvalidArgument("des3-wrap block length".into()))?;
    Ok(())
}

fn des3_cbc_decrypt(kek: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<()> {
    cbc::Decryptor::<des::TdesEde3>::new_from_slices(kek, iv)
        .map_err(|_| Error::DecryptFailed)?
        .decrypt_padded::<NoPadding>(buf)
        .map_err(|_| Error::DecryptFailed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::convert::Infallible;
    use der::{Decode, Encode};

    const ALL: [KeyWrap; 4] = [
        KeyWrap::Aes128,
        KeyWrap::Aes192,
        KeyWrap::Aes256,
        KeyWrap::DesEde3,
    ];

    fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
        rand_core::UnwrapErr(getrandom::SysRng)
    }

    /// An "RNG" that repeats one octet, to make wraps reproducible in a test.
    struct FixedRng(u8);

    impl rand_core::TryRng for FixedRng {
        type Error = Infallible;
        fn try_next_u32(&mut self) -> core::result::Result<u32, Infallible> {
            Ok(u32::from_le_bytes([self.0; 4]))
        }
        fn try_next_u64(&mut self) -> core::result::Result<u64, Infallible> {
            Ok(u64::from_le_bytes([self.0; 8]))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> core::result::Result<(), Infallible> {
            dst.fill(self.0);
            Ok(())
        }
    }

    impl rand_core::TryCryptoRng for FixedRng {}

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// Three DES keys with odd parity in every octet, as generated keys have.
    const DES3_CEK: &str = "0123456789abcdeffedcba987654321089abcdef01234567";
    const DES3_KEK: &str = "000102030405060708090a0b0c0d0e0f1011121314151617";

    /// RFC 3394 §4.1: wrap 128 bits of key data with a 128-bit KEK.
    #[test]
    fn rfc3394_4_1_aes128_kek_128_bit_key() {
        let kek = h("000102030405060708090A0B0C0D0E0F");
        let key = h("00112233445566778899AABBCCDDEEFF");
        let wrapped = h("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
        assert_eq!(
            KeyWrap::Aes128.wrap(&kek, &key, &mut rng()).unwrap(),
            wrapped
        );
        assert_eq!(
            KeyWrap::Aes128.unwrap(&kek, &wrapped).unwrap().as_slice(),
            key
        );
    }

    /// RFC 3394 §4.4: wrap 192 bits of key data with a 192-bit KEK.
    #[test]
    fn rfc3394_4_4_aes192_kek_192_bit_key() {
        let kek = h("000102030405060708090A0B0C0D0E0F1011121314151617");
        let key = h("00112233445566778899AABBCCDDEEFF0001020304050607");
        let wrapped = h("031D33264E15D33268F24EC260743EDCE1C6C7DDEE725A936BA814915C6762D2");
        assert_eq!(
            KeyWrap::Aes192.wrap(&kek, &key, &mut rng()).unwrap(),
            wrapped
        );
        assert_eq!(
            KeyWrap::Aes192.unwrap(&kek, &wrapped).unwrap().as_slice(),
            key
        );
    }

    /// RFC 3394 §4.6: wrap 256 bits of key data with a 256-bit KEK.
    #[test]
    fn rfc3394_4_6_aes256_kek_256_bit_key() {
        let kek = h("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
        let key = h("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
        let wrapped = h("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326\
                         CBC7F0E71A99F43BFB988B9B7A02DD21");
        assert_eq!(
            KeyWrap::Aes256.wrap(&kek, &key, &mut rng()).unwrap(),
            wrapped
        );
        assert_eq!(
            KeyWrap::Aes256.unwrap(&kek, &wrapped).unwrap().as_slice(),
            key
        );
    }

    #[test]
    fn round_trips() {
        let mut rng = rng();
        for wrap in ALL {
            let kek: Vec<u8> = (0..wrap.kek_len()).map(|i| i as u8 ^ 0x5c).collect();
            let lens: &[usize] = match wrap {
                KeyWrap::DesEde3 => &[24],
                _ => &[16, 24, 32, 40],
            };
            for &len in lens {
                let mut cek: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
                if wrap == KeyWrap::DesEde3 {
                    set_des_odd_parity(&mut cek);
                }
                let wrapped = wrap.wrap(&kek, &cek, &mut rng).unwrap();
                assert_eq!(
                    wrapped.len(),
                    len + if wrap == KeyWrap::DesEde3 { 16 } else { 8 }
                );
                let unwrapped = wrap.unwrap(&kek, &wrapped).unwrap();
                assert_eq!(unwrapped.as_slice(), cek.as_slice(), "{wrap:?} {len}");
            }
        }
    }

    /// RFC 3217 §3.1 step 4: the 3DES wrap's IV is random, so two wraps differ.
    #[test]
    fn des3_wrap_iv_is_random() {
        let (kek, cek) = (h(DES3_KEK), h(DES3_CEK));
        let mut rng = rng();
        let a = KeyWrap::DesEde3.wrap(&kek, &cek, &mut rng).unwrap();
        let b = KeyWrap::DesEde3.wrap(&kek, &cek, &mut rng).unwrap();
        assert_ne!(a, b);
    }

    /// `printf $DES3_CEK | xxd -r -p > cek.bin; openssl enc -des3-wrap -K $DES3_KEK -in cek.bin`
    /// (OpenSSL 3.0, random IV). We unwrap what OpenSSL wrapped.
    #[test]
    fn des3_unwraps_what_openssl_wraps() {
        let wrapped = h("9783d96ff070f25fbfb5a8a2bd5ee92ac4b3ce0679b2a4ae\
                         4ec004ce71c0cf2b35d20b8cf9073c1b");
        let cek = KeyWrap::DesEde3.unwrap(&h(DES3_KEK), &wrapped).unwrap();
        assert_eq!(hex::encode(cek.as_slice()), DES3_CEK);
    }

    /// Our wrap with the IV fixed at 2a2a2a2a2a2a2a2a. OpenSSL reads it back: `printf <hex> |
    /// xxd -r -p | openssl enc -d -des3-wrap -K $DES3_KEK | xxd -p` prints DES3_CEK.
    #[test]
    fn des3_wrap_known_answer() {
        let wrapped = KeyWrap::DesEde3
            .wrap(&h(DES3_KEK), &h(DES3_CEK), &mut FixedRng(0x2a))
            .unwrap();
        assert_eq!(
            hex::encode(&wrapped),
            "68f742c9d7ddb3827462da45f18c34d1638aa551fbac0917dac3cf126af38bb62d315d813668c896"
        );
    }

    /// A CEK without odd parity is given it before it is wrapped (RFC 3217 §3.1 step 1).
    #[test]
    fn des3_wrap_sets_parity() {
        let kek = h(DES3_KEK);
        let even = [0u8; 24];
        let wrapped = KeyWrap::DesEde3.wrap(&kek, &even, &mut rng()).unwrap();
        assert_eq!(
            KeyWrap::DesEde3.unwrap(&kek, &wrapped).unwrap().as_slice(),
            &[1u8; 24]
        );
    }

    /// RFC 3217 §3.2 step 7: a checksum that does not match the key is the one failure; and
    /// step 8: so is a key without odd parity, even under a matching checksum.
    #[test]
    fn des3_unwrap_checks_checksum_and_parity() {
        let (kek, cek) = (h(DES3_KEK), h(DES3_CEK));
        let iv = [0x2a; 8];
        let good = des3_wrap(&kek, &cek, &iv, &key_checksum(&cek)).unwrap();
        assert_eq!(
            KeyWrap::DesEde3.unwrap(&kek, &good).unwrap().as_slice(),
            cek
        );

        let mut bad_icv = key_checksum(&cek);
        bad_icv[7] ^= 1;
        let wrapped = des3_wrap(&kek, &cek, &iv, &bad_icv).unwrap();
        assert_eq!(
            KeyWrap::DesEde3.unwrap(&kek, &wrapped),
            Err(Error::DecryptFailed)
        );

        let mut even = cek.clone();
        even[0] ^= 1;
        let wrapped = des3_wrap(&kek, &even, &iv, &key_checksum(&even)).unwrap();
        assert_eq!(
            KeyWrap::DesEde3.unwrap(&kek, &wrapped),
            Err(Error::DecryptFailed)
        );
    }

    /// Tampering, truncation, a wrong KEK or a KEK of the wrong length: one opaque error.
    #[test]
    fn unwrap_failures_are_one_error() {
        let mut rng = rng();
        for wrap in ALL {
            let kek = vec![0x11; wrap.kek_len()];
            let cek = h(DES3_CEK);
            let wrapped = wrap.wrap(&kek, &cek, &mut rng).unwrap();
            let mut failures = Vec::new();
            for i in [0, wrapped.len() / 2, wrapped.len() - 1] {
                let mut tampered = wrapped.clone();
                tampered[i] ^= 0x40;
                failures.push(wrap.unwrap(&kek, &tampered));
            }
            failures.push(wrap.unwrap(&kek, &wrapped[..wrapped.len() - 8]));
            failures.push(wrap.unwrap(&kek, &wrapped[..wrapped.len() - 1]));
            failures.push(wrap.unwrap(&kek, &[]));
            failures.push(wrap.unwrap(&kek, &[0; 16]));
            failures.push(wrap.unwrap(&vec![0x12; wrap.kek_len()], &wrapped));
            failures.push(wrap.unwrap(&kek[..kek.len() - 1], &wrapped));
            failures.push(wrap.unwrap(&[kek.as_slice(), &[0]].concat(), &wrapped));
            for (i, failure) in failures.into_iter().enumerate() {
                assert_eq!(failure, Err(Error::DecryptFailed), "{wrap:?} case {i}");
            }
        }
    }

    #[test]
    fn wrap_rejects_bad_lengths() {
        let mut rng = rng();
        let code = |r: Result<Vec<u8>>| r.unwrap_err().code();
        for wrap in [KeyWrap::Aes128, KeyWrap::Aes192, KeyWrap::Aes256] {
            let kek = vec![0; wrap.kek_len()];
            for len in [0, 8, 15, 17, 33] {
                assert_eq!(
                    code(wrap.wrap(&kek, &vec![0; len], &mut rng)),
                    "ERR_INVALID_ARGUMENT"
                );
            }
            assert_eq!(
                code(wrap.wrap(&kek[1..], &[0; 16], &mut rng)),
                "ERR_INVALID_ARGUMENT"
            );
        }
        let kek = h(DES3_KEK);
        for len in [16, 32] {
            assert_eq!(
                code(KeyWrap::DesEde3.wrap(&kek, &vec![0; len], &mut rng)),
                "ERR_INVALID_ARGUMENT"
            );
        }
        assert_eq!(
            code(KeyWrap::DesEde3.wrap(&kek[..16], &[0; 24], &mut rng)),
            "ERR_INVALID_ARGUMENT"
        );
    }

    /// RFC 3565 §2.3.2 (parameters absent) and RFC 3370 §4.3.1 (NULL), as DER.
    #[test]
    fn identifiers_as_written() {
        let table = [
            (KeyWrap::Aes128, "300b0609608648016503040105"),
            (KeyWrap::Aes192, "300b0609608648016503040119"),
            (KeyWrap::Aes256, "300b060960864801650304012d"),
            (KeyWrap::DesEde3, "300f060b2a864886f70d01091003060500"),
        ];
        for (wrap, der) in table {
            assert_eq!(hex::encode(wrap.identifier().to_der().unwrap()), der);
        }
    }

    #[test]
    fn identifier_round_trips_and_errors() {
        for wrap in ALL {
            let id = wrap.identifier();
            assert_eq!(KeyWrap::from_identifier(&id).unwrap(), wrap);
            let reread = AlgorithmIdentifierOwned::from_der(&id.to_der().unwrap()).unwrap();
            assert_eq!(KeyWrap::from_identifier(&reread).unwrap(), wrap);
            // Absent and NULL are both read.
            let swapped = AlgorithmIdentifierOwned {
                oid: wrap.oid(),
                parameters: match id.parameters {
                    Some(_) => None,
                    None => Some(Any::null()),
                },
            };
            assert_eq!(KeyWrap::from_identifier(&swapped).unwrap(), wrap);
            // Anything else is malformed.
            let junk = AlgorithmIdentifierOwned {
                oid: wrap.oid(),
                parameters: Some(Any::from_der(&[0x04, 0x01, 0x00]).unwrap()),
            };
            assert_eq!(
                KeyWrap::from_identifier(&junk).unwrap_err().code(),
                "ERR_MALFORMED_CMS"
            );
        }
        // id-aes128-wrap-pad (RFC 5649) and the RC2 wrap are not read.
        for oid in [
            ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.8"),
            rfc5911::ID_ALG_CMSRC_2_WRAP,
        ] {
            let id = AlgorithmIdentifierOwned {
                oid,
                parameters: None,
            };
            assert_eq!(
                KeyWrap::from_identifier(&id).unwrap_err().code(),
                "ERR_UNSUPPORTED_ALGORITHM"
            );
        }
    }

    #[test]
    fn kek_lengths_and_parity_helpers() {
        assert_eq!(ALL.map(KeyWrap::kek_len), [16, 24, 32, 24]);
        let mut key = [0u8, 1, 2, 3, 0xfe, 0xff];
        set_des_odd_parity(&mut key);
        assert_eq!(key, [1, 1, 2, 2, 0xfe, 0xfe]);
        assert!(has_des_odd_parity(&key));
        assert!(!has_des_odd_parity(&[1, 1, 0]));
    }
}
