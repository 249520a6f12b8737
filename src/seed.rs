//! Seeds for draws as front ends get them: a fresh one when the user gives none, or one the
//! user typed. The draw itself (`sampling`) only ever sees the number.

/// Makes a fresh seed for a draw when the user gives none: eight digits, easy to read out and
/// type again. Randomness comes from the standard library's per-process hash keys and the
/// clock; the draw itself only ever sees the number.
#[must_use]
pub fn fresh_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    10_000_000 + h.finish() % 90_000_000
}

/// Reads a seed typed by a user; the error is the message users see.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "随机种子“{}”不是有效的数字，请填写 0 到 18446744073709551615 之间的整数。",
            text.trim()
        )
    })
}

/// 32 bytes from the operating system's secure random source, for a new office key (SM2).
/// `None` when the system gives none (the key is then not made, and the user told why).
#[must_use]
pub fn fresh_key_bytes() -> Option<[u8; 32]> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes)
}
