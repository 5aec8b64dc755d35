//! Feature hashing: the mixer that combines a template id with its values,
//! the word hash, the template ids themselves, and hash sets and maps keyed
//! by those hashes.
//!
//! Every feature is one `u64`: a template id mixed with the hashes of what
//! the template reads. The model never stores feature strings, only the
//! weights of the bucket a feature's top bits select, so a feature costs a
//! few multiplications to build and nothing to look up in a dictionary.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

/// Combines two hashes (a SplitMix64-style finaliser over both).
#[inline]
pub(super) fn mix(a: u64, b: u64) -> u64 {
    let x = a ^ b.rotate_left(23) ^ 0x9E37_79B9_7F4A_7C15;
    let x = (x ^ (x >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (x ^ (x >> 29)).wrapping_mul(0x94D0_49BB_1331_11EB)
}

/// The hash of a string (xxh3).
#[inline]
pub(super) fn h(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

/// Template ids, mixed into every feature hash.
pub(super) mod t {
    pub const BIAS: u64 = 1;
    pub const LOWER: u64 = 2;
    pub const SHAPE: u64 = 3;
    pub const SHORT: u64 = 4;
    pub const PRE: u64 = 5;
    pub const SUF: u64 = 6;
    pub const W_M1: u64 = 7;
    pub const W_P1: u64 = 8;
    pub const W_M2: u64 = 9;
    pub const W_P2: u64 = 10;
    pub const S_M1: u64 = 11;
    pub const S_P1: u64 = 12;
    pub const BI_L: u64 = 13;
    pub const BI_R: u64 = 14;
    pub const S3: u64 = 15;
    pub const GAZ: u64 = 16;
    pub const GAZ_M1: u64 = 17;
    pub const GAZ_P1: u64 = 18;
    pub const LIST: u64 = 19;
    pub const DOC: u64 = 20;
    pub const CAPS: u64 = 21;
    pub const FIRST: u64 = 22;
    pub const P1: u64 = 23;
    pub const P2: u64 = 24;
    pub const P1W: u64 = 25;
    pub const P1S: u64 = 26;
    pub const P12: u64 = 27;
    pub const WORD: u64 = 28;
    pub const SUF_P1: u64 = 29;
    pub const HIST: u64 = 30;
    pub const RUN: u64 = 31;
    pub const W_M3: u64 = 32;
    pub const W_P3: u64 = 33;
    pub const RUN_ID: u64 = 34;
    pub const HIST_ALL: u64 = 35;
    pub const CL: u64 = 36;
    pub const CL_M1: u64 = 37;
    pub const CL_P1: u64 = 38;
    pub const CL_M2: u64 = 39;
    pub const CL_P2: u64 = 40;
    pub const S1: u64 = 41;
    pub const S1_M1: u64 = 42;
    pub const S1_P1: u64 = 43;
    pub const AGG: u64 = 44;
    pub const AGG_SET: u64 = 45;
    pub const AGG_OWN: u64 = 46;
    pub const AGG_NAME: u64 = 47;
    pub const BR: u64 = 48;
    pub const BR_M1: u64 = 49;
    pub const BR_P1: u64 = 50;
    pub const S_M2: u64 = 51;
    pub const S_P2: u64 = 52;
    pub const QUOTE: u64 = 53;
    pub const DATELINE: u64 = 54;
}

/// A hasher for keys that already are xxh3 hashes: sets of word hashes need
/// no second hashing.
#[derive(Default)]
pub(super) struct PreHashed(u64);

impl std::hash::Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0, b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub(super) type HashedSet = HashSet<u64, BuildHasherDefault<PreHashed>>;
pub(super) type HashedMap<V> = HashMap<u64, V, BuildHasherDefault<PreHashed>>;
