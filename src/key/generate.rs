//! New private keys from a caller-supplied RNG: RSA, ECDSA P-256/P-384, Ed25519 and X25519.

use rand_core::CryptoRng;

use super::PrivateKey;
use crate::error::{Error, Result};

/// The kinds of key [`generate_key`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// RSA with a 2048-bit modulus and e = 65537.
    Rsa2048,
    /// RSA with a 3072-bit modulus and e = 65537.
    Rsa3072,
    /// RSA with a 4096-bit modulus and e = 65537 (slow to generate in wasm: seconds).
    Rsa4096,
    /// ECDSA and ECDH on NIST P-256.
    P256,
    /// ECDSA and ECDH on NIST P-384.
    P384,
    /// Ed25519 (RFC 8410): signing only.
    Ed25519,
    /// X25519 (RFC 8410): key agreement only, so it cannot sign its own certificate.
    X25519,
}

impl KeyAlgorithm {
    /// Every algorithm, in the order a UI would offer them.
    pub const ALL: [Self; 7] = [
        Self::Rsa2048,
        Self::Rsa3072,
        Self::Rsa4096,
        Self::P256,
        Self::P384,
        Self::Ed25519,
        Self::X25519,
    ];

    /// The label [`crate::PublicKey::description`] reports for such a key: `rsa-2048`,
    /// `p-256`, `ed25519`, ...
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rsa2048 => "rsa-2048",
            Self::Rsa3072 => "rsa-3072",
            Self::Rsa4096 => "rsa-4096",
            Self::P256 => "p-256",
            Self::P384 => "p-384",
            Self::Ed25519 => "ed25519",
            Self::X25519 => "x25519",
        }
    }

    /// The algorithm named by [`KeyAlgorithm::name`]; anything else is `ERR_INVALID_ARGUMENT`.
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| Error::InvalidArgument(format!("unknown key algorithm {name:?}")))
    }

    /// Whether keys of this kind can make signatures (every kind but X25519).
    pub const fn can_sign(self) -> bool {
        !matches!(self, Self::X25519)
    }
}

/// Generate a new private key of `algorithm` from `rng`.
///
/// RSA generation searches for primes and takes noticeably long for 4096 bits, in particular in
/// unoptimised or WebAssembly builds; the other kinds are immediate.
pub fn generate_key<R: CryptoRng + ?Sized>(
    algorithm: KeyAlgorithm,
    rng: &mut R,
) -> Result<PrivateKey> {
    use p256::elliptic_curve::Generate;
    Ok(match algorithm {
        KeyAlgorithm::Rsa2048 => rsa_key(2048, rng)?,
        KeyAlgorithm::Rsa3072 => rsa_key(3072, rng)?,
        KeyAlgorithm::Rsa4096 => rsa_key(4096, rng)?,
        KeyAlgorithm::P256 => PrivateKey::P256(p256::ecdsa::SigningKey::generate_from_rng(rng)),
        KeyAlgorithm::P384 => PrivateKey::P384(p384::ecdsa::SigningKey::generate_from_rng(rng)),
        KeyAlgorithm::Ed25519 => PrivateKey::Ed25519(ed25519_dalek::SigningKey::generate(rng)),
        KeyAlgorithm::X25519 => {
            PrivateKey::X25519(x25519_dalek::StaticSecret::random_from_rng(rng))
        }
    })
}

fn rsa_key<R: CryptoRng + ?Sized>(bits: usize, rng: &mut R) -> Result<PrivateKey> {
    // With an infallible RNG and a supported size, generation fails only if the RNG produces
    // degenerate output, so the failure is reported as the RNG's.
    rsa::PrivateKey::new(rng, bits)
        .map(|k| PrivateKey::Rsa(Box::new(k)))
        .map_err(|_| Error::Random)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
        rand_core::UnwrapErr(getrandom::SysRng)
    }

    #[test]
    fn every_fast_algorithm_gives_a_key_of_its_kind() {
        for algorithm in KeyAlgorithm::ALL {
            if matches!(algorithm, KeyAlgorithm::Rsa3072 | KeyAlgorithm::Rsa4096) {
                continue; // slow in debug builds; tests/enrolment.rs covers 2048
            }
            let key = generate_key(algorithm, &mut rng()).unwrap();
            assert_eq!(key.public_key().description(), algorithm.name());
        }
    }

    #[test]
    fn two_keys_differ() {
        let a = generate_key(KeyAlgorithm::P256, &mut rng()).unwrap();
        let b = generate_key(KeyAlgorithm::P256, &mut rng()).unwrap();
        assert_ne!(a.public_key(), b.public_key());
    }

    #[test]
    fn names_round_trip() {
        for algorithm in KeyAlgorithm::ALL {
            assert_eq!(KeyAlgorithm::from_name(algorithm.name()), Ok(algorithm));
        }
        let err = KeyAlgorithm::from_name("rsa-1024").unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_ARGUMENT");
    }
}
