//! Secrets: Argon2id password hashes (off the async threads, bounded by a semaphore because each
//! hash holds 19 MiB), random session and API tokens, and their SHA-256 digests.

use std::sync::{Arc, LazyLock};

use argon2::{Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

/// OWASP's Argon2id parameters: m = 19 MiB, t = 2, p = 1.
fn hasher() -> Argon2<'static> {
    Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        Params::DEFAULT,
    )
}

/// Verified against when the username is unknown, so both paths cost one hash.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("not-a-real-password-0000"));

#[derive(Clone)]
pub struct PasswordHashing {
    permits: Arc<Semaphore>,
}

impl Default for PasswordHashing {
    fn default() -> Self {
        Self {
            permits: Arc::new(Semaphore::new(4)),
        }
    }
}

pub struct Verification {
    pub matches: bool,
    /// The stored hash used weaker parameters than today's and should be replaced.
    pub needs_rehash: bool,
}

impl PasswordHashing {
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        Ok(tokio::task::spawn_blocking(move || hash_blocking(&password)).await?)
    }

    /// Checks `password` against `stored`, or against a dummy hash when there is no such user.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> anyhow::Result<Verification> {
        let _permit = self.permits.acquire().await?;
        Ok(tokio::task::spawn_blocking(move || {
            let known = stored.is_some();
            let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Verification {
                    matches: false,
                    needs_rehash: false,
                };
            };
            // Verified whether or not the user exists: an unknown name costs the same hash.
            let verified = hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            let matches = known && verified;
            let needs_rehash = Params::try_from(&parsed)
                .map(|p| p.m_cost() < Params::DEFAULT_M_COST || p.t_cost() < Params::DEFAULT_T_COST)
                .unwrap_or(true);
            Verification {
                matches,
                needs_rehash,
            }
        })
        .await?)
    }
}

pub fn hash_blocking(password: &str) -> String {
    hasher()
        .hash_password(password.as_bytes())
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// 256 random bits, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn sha256(value: &str) -> Vec<u8> {
    sha256_bytes(value.as_bytes())
}

pub fn sha256_bytes(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_owasp_parameters() {
        let hashing = PasswordHashing::default();
        let hash = hashing.hash("correct horse battery".into()).await.unwrap();
        let parsed = PasswordHash::new(&hash).unwrap();
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (19456, 2, 1)
        );
        assert!(hash.starts_with("$argon2id$"));
        let ok = hashing
            .verify("correct horse battery".into(), Some(hash.clone()))
            .await
            .unwrap();
        assert!(ok.matches && !ok.needs_rehash);
        let wrong = hashing
            .verify("correct horse battery!".into(), Some(hash))
            .await
            .unwrap();
        assert!(!wrong.matches);
        let unknown = hashing.verify("anything".into(), None).await.unwrap();
        assert!(!unknown.matches);
    }

    #[tokio::test]
    async fn weak_stored_parameters_ask_for_a_rehash() {
        let weak = Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            Params::new(4096, 1, 1, None).unwrap(),
        )
        .hash_password(b"old password here")
        .unwrap()
        .to_string();
        let result = PasswordHashing::default()
            .verify("old password here".into(), Some(weak))
            .await
            .unwrap();
        assert!(result.matches && result.needs_rehash);
    }

    #[test]
    fn tokens_are_random_and_long() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(sha256("abc").len(), 32);
    }
}
