//! Staff sign-in: argon2 password hashes (a few at a time, their memory handed back), random
//! tokens, signed sign-in form tokens, constant-time comparison.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

/// Shortest password of any desk account, `admin` included.
pub const MIN_PASSWORD: usize = 12;

/// Password checks that may run at once: each takes argon2's 19 MiB and a core.
const CHECKS_AT_ONCE: usize = 2;
/// Sign-ins that may wait for a check; more are answered "busy" at once.
const CHECKS_WAITING: usize = 8;

/// Runs argon2 a few at a time on blocking threads, so a burst of sign-ins costs a bounded
/// amount of memory and CPU instead of 19 MiB per request in flight.
#[derive(Clone)]
pub struct PasswordChecks {
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
}

/// A check that was not run: too many sign-ins are being checked already.
#[derive(Debug, thiserror::Error)]
#[error("too many sign-ins are being checked; try again in a moment")]
pub struct Busy;

impl Default for PasswordChecks {
    fn default() -> Self {
        hand_large_blocks_back();
        Self {
            running: Arc::new(Semaphore::new(CHECKS_AT_ONCE)),
            admitted: Arc::new(Semaphore::new(CHECKS_AT_ONCE + CHECKS_WAITING)),
        }
    }
}

impl PasswordChecks {
    /// Whether `password` matches `hash`, checked when a place is free; `Busy` when the queue
    /// is full.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, Busy> {
        self.run(move || verify_password(&password, &hash)).await
    }

    /// A new hash of `password`, made when a place is free.
    pub async fn hash(&self, password: String) -> Result<Option<String>, Busy> {
        self.run(move || hash_password(&password).ok()).await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let _admitted = self.admitted.try_acquire().map_err(|_| Busy)?;
        let _running = self.running.acquire().await.map_err(|_| Busy)?;
        tokio::task::spawn_blocking(work).await.map_err(|_| Busy)
    }
}

/// Makes the allocator hand every block of 1 MiB or more back to the system when it is freed.
///
/// glibc serves large blocks with mmap, but after the first 19 MiB argon2 block is freed it
/// raises its mmap threshold to fit such blocks, and from then on keeps each freed one in the
/// thread's arena (`malloc_trim` does not reach a thread arena's top): every blocking thread
/// that ever checked a password kept 19 MiB. A fixed threshold turns that adjustment off.
fn hand_large_blocks_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: mallopt only changes the allocator's tuning; it is called once, at start.
        ONCE.call_once(|| unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        });
    }
}

/// How long a sign-in form stays valid.
const LOGIN_TOKEN_MS: i64 = 60 * 60 * 1000;

/// The sign-in form's token: `<expiry ms>.<nonce>.<HMAC>` under the server's key, so a value
/// an attacker plants in the cookie and the form alike is refused unless the server made it.
pub fn login_token(key: &[u8], now_ms: i64) -> String {
    let payload = format!("{}.{}", now_ms + LOGIN_TOKEN_MS, random_token());
    format!("{payload}.{}", login_mac(key, &payload))
}

/// Whether `token` is one [`login_token`] made with `key` and has not expired.
pub fn login_token_valid(key: &[u8], token: &str, now_ms: i64) -> bool {
    let Some((payload, mac)) = token.rsplit_once('.') else {
        return false;
    };
    let expires = payload
        .split_once('.')
        .and_then(|(expires, _)| expires.parse::<i64>().ok());
    same_secret(&login_mac(key, payload), mac) && expires.is_some_and(|at| at > now_ms)
}

fn login_mac(key: &[u8], payload: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(b"login:");
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The key a page's own form carries to act on `token` for `purpose` (a shopper's
/// unsubscribe button): only a page this server rendered has it, so a form posted from
/// another site, which cannot read the page, does not.
pub fn page_key(key: &[u8], purpose: &str, token: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(b"page:");
    mac.update(purpose.as_bytes());
    mac.update(b":");
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A PHC-format argon2id hash of `password` with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// True when `password` matches the stored hash (false for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// 32 random bytes as hex: session cookies and CSRF tokens.
pub fn random_token() -> String {
    hex::encode(rand::rng().random::<[u8; 32]>())
}

/// A password for the first account: 20 letters and digits without look-alikes.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// How a session token is stored: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsE", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_and_passwords_are_fresh_each_time() {
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 64);
        let password = generate_password();
        assert_eq!(password.len(), 20);
        assert!(!password.contains(['0', 'O', '1', 'l', 'I']));
        assert_ne!(password, generate_password());
    }

    /// Regression: the sign-in form took any value that was equal in cookie and form.
    #[test]
    fn login_tokens_are_the_servers_own_and_expire() {
        let key = b"server key";
        let token = login_token(key, 1_000);
        assert!(login_token_valid(key, &token, 2_000));
        assert!(!login_token_valid(b"other key", &token, 2_000));
        assert!(!login_token_valid(key, &token, 1_000 + LOGIN_TOKEN_MS));
        assert!(!login_token_valid(key, "x", 2_000));
        assert!(!login_token_valid(key, "9999999999999.abc.def", 2_000));
        let (payload, mac) = token.rsplit_once('.').unwrap();
        let later = payload.replacen('1', "9", 1);
        assert!(!login_token_valid(key, &format!("{later}.{mac}"), 2_000));
    }

    #[tokio::test]
    async fn checks_beyond_the_queue_are_refused_not_run() {
        let checks = PasswordChecks::default();
        let hash = hash_password("correct horse").unwrap();
        let burst = (0..CHECKS_AT_ONCE + CHECKS_WAITING + 6)
            .map(|_| checks.verify("wrong".into(), hash.clone()));
        let results = futures::future::join_all(burst).await;
        let busy = results.iter().filter(|r| r.is_err()).count();
        assert_eq!(busy, 6);
        assert!(results.iter().flatten().all(|valid| !valid));
        assert_eq!(
            checks.verify("correct horse".into(), hash).await.ok(),
            Some(true)
        );
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
