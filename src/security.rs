//! Secrets: Argon2id password hashes (off the async threads, at most one per core at a time, each in
//! a 19 MiB workspace kept for the next), random session and API tokens, and their SHA-256 digests.

use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

/// OWASP's Argon2id parameters: m = 19 MiB, t = 2, p = 1.
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// Argon2's working memory for one hash at today's parameters.
type Workspace = Vec<Block>;

fn new_workspace() -> Workspace {
    vec![Block::default(); Params::DEFAULT.block_count()]
}

/// Verified against when the username is unknown, so both paths cost one hash.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("not-a-real-password-0000"));

#[derive(Clone)]
pub struct PasswordHashing {
    permits: Arc<Semaphore>,
    /// Workspaces kept between hashes, at most one per permit. Allocated afresh for each hash, a
    /// freed 19 MiB block stayed in the malloc arena of whichever blocking thread ran it, and the
    /// server's memory grew by about that much with each login on a new thread.
    workspaces: Arc<Mutex<Vec<Workspace>>>,
}

impl Default for PasswordHashing {
    fn default() -> Self {
        // More hashes at once than cores only makes each login wait longer for its core.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        Self {
            permits: Arc::new(Semaphore::new(cores)),
            workspaces: Arc::default(),
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
        self.in_workspace(move |workspace| hash_in(workspace, password.as_bytes()))
            .await
    }

    /// Checks `password` against `stored`, or against a dummy hash when there is no such user.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> anyhow::Result<Verification> {
        self.in_workspace(move |workspace| {
            let known = stored.is_some();
            let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Verification {
                    matches: false,
                    needs_rehash: false,
                };
            };
            // Verified whether or not the user exists: an unknown name costs the same hash.
            let verified = verify_in(workspace, password.as_bytes(), &parsed);
            let needs_rehash = Params::try_from(&parsed)
                .map(|p| p.m_cost() < Params::DEFAULT_M_COST || p.t_cost() < Params::DEFAULT_T_COST)
                .unwrap_or(true);
            Verification {
                matches: known && verified,
                needs_rehash,
            }
        })
        .await
    }

    /// Runs `work` on a blocking thread with a workspace of its own, once a permit is free.
    async fn in_workspace<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let _permit = self.permits.acquire().await?;
        let kept = self.take_workspace();
        let (workspace, result) = tokio::task::spawn_blocking(move || {
            let mut workspace = kept.unwrap_or_else(new_workspace);
            let result = work(&mut workspace);
            (workspace, result)
        })
        .await?;
        self.workspaces
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(workspace);
        Ok(result)
    }

    fn take_workspace(&self) -> Option<Workspace> {
        self.workspaces
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    #[cfg(test)]
    fn kept_workspaces(&self) -> usize {
        self.workspaces
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// A PHC string for `password` at today's parameters with a fresh salt, hashed in a new workspace.
pub fn hash_blocking(password: &str) -> String {
    hash_in(&mut new_workspace(), password.as_bytes())
}

fn hash_in(workspace: &mut [Block], password: &[u8]) -> String {
    let mut salt = [0u8; Salt::RECOMMENDED_LENGTH];
    rand::rng().fill_bytes(&mut salt);
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    hasher()
        .hash_password_into_with_memory(password, &salt, &mut output, workspace)
        .expect("argon2 with default parameters and a full workspace cannot fail");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&Params::DEFAULT).expect("default parameters encode"),
        salt: Some(Salt::new(&salt).expect("a recommended-length salt")),
        hash: Some(Output::new(&output).expect("a default-length output")),
    }
    .to_string()
}

/// Whether `password` hashes to `stored`'s output under `stored`'s own algorithm, version and
/// parameters; a stored hash that needs more memory than a workspace gets a buffer of its own.
fn verify_in(workspace: &mut [Block], password: &[u8], stored: &PasswordHash) -> bool {
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::try_from(stored.algorithm.as_str()),
        stored
            .version
            .map_or(Ok(Version::default()), Version::try_from),
        Params::try_from(stored),
    ) else {
        return false;
    };
    let mut larger;
    let memory = if workspace.len() >= params.block_count() {
        workspace
    } else {
        larger = vec![Block::default(); params.block_count()];
        &mut larger
    };
    let mut output = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut output, memory)
        .is_ok()
        // Output's equality takes the same time wherever the bytes differ.
        && Output::new(&output).is_ok_and(|computed| computed == *expected)
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
    use argon2::{PasswordHasher, PasswordVerifier};

    use super::*;

    fn crate_hash(params: Params, password: &[u8]) -> String {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(password)
            .unwrap()
            .to_string()
    }

    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crates_own_hasher_and_verifier() {
        let hashing = PasswordHashing::default();
        let ours = hashing.hash("same password".into()).await.unwrap();
        hasher()
            .verify_password(b"same password", &PasswordHash::new(&ours).unwrap())
            .unwrap();
        // Stored before the workspaces, or at parameters stronger than a workspace holds.
        let stronger = Params::new(Params::DEFAULT_M_COST * 2, 1, 1, None).unwrap();
        for theirs in [
            crate_hash(Params::DEFAULT, b"same password"),
            crate_hash(stronger, b"same password"),
        ] {
            let right = hashing
                .verify("same password".into(), Some(theirs.clone()))
                .await
                .unwrap();
            let wrong = hashing
                .verify("same passwork".into(), Some(theirs))
                .await
                .unwrap();
            assert!(right.matches && !wrong.matches);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn logins_at_once_share_at_most_one_workspace_per_permit() {
        let hashing = PasswordHashing::default();
        let permits = hashing.permits.available_permits();
        let logins = (0..3 * permits + 1).map(|_| {
            let hashing = hashing.clone();
            tokio::spawn(async move { hashing.verify("guess".into(), None).await })
        });
        for login in logins.collect::<Vec<_>>() {
            assert!(!login.await.unwrap().unwrap().matches);
        }
        assert!((1..=permits).contains(&hashing.kept_workspaces()));
    }

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
        let weak = crate_hash(Params::new(4096, 1, 1, None).unwrap(), b"old password here");
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
