//! Maps and sets keyed by database ids: hashed by one multiplication instead of `SipHash` (the
//! keys are row ids, not chosen by anyone who could aim collisions at them, and a report looks
//! up tens of thousands of them).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes an `i64` id by multiplying it with an odd constant (Fibonacci hashing).
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_i64(&mut self, n: i64) {
        self.0 = (self.0 ^ n.cast_unsigned()).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub type BuildIds = BuildHasherDefault<IdHasher>;
/// A map from ids.
pub type IdMap<V> = HashMap<i64, V, BuildIds>;
/// A set of ids.
pub type IdSet = HashSet<i64, BuildIds>;
