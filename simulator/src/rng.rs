//! The seeded random number generator of a world.
//!
//! Every identifier the simulator makes up — UUIDs, serial numbers, UDIDs, push tokens, OAuth
//! nonces, correlation ids — comes from here, so one seed gives one timeline. (TLS key shares
//! still come from the crypto library's own randomness; nothing recorded depends on them.)
//! The generator is SplitMix64: tiny, fast and good enough for identifiers; it is not used for
//! anything that must be secret.

use std::sync::{Arc, Mutex};

/// A shared, seeded generator of identifiers.
#[derive(Clone, Debug)]
pub struct SeededRng {
    state: Arc<Mutex<u64>>,
}

impl SeededRng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SeededRng {
            state: Arc::new(Mutex::new(seed)),
        }
    }

    /// A new independent generator whose seed is drawn from this one, so a party (a device)
    /// gets its own stream and concurrent parties do not perturb each other's identifiers.
    pub fn fork(&self) -> SeededRng {
        SeededRng::new(self.next_u64())
    }

    /// The next 64 random bits.
    pub fn next_u64(&self) -> u64 {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `n` random bytes.
    pub fn bytes(&self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(n);
        out
    }

    /// A version-4 UUID, upper case as Apple writes them in profiles.
    pub fn uuid(&self) -> String {
        self.uuid_lower().to_uppercase()
    }

    /// A version-4 UUID, lower case as Microsoft's services write them.
    pub fn uuid_lower(&self) -> String {
        let mut b = self.bytes(16);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex(&b);
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    /// `n` upper-case alphanumeric characters, the alphabet of Apple serial numbers.
    pub fn alphanumeric(&self, n: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        (0..n)
            .map(|_| ALPHABET[(self.next_u64() % ALPHABET.len() as u64) as usize] as char)
            .collect()
    }

    /// `n` random bytes as lower-case hex.
    pub fn hex(&self, n: usize) -> String {
        hex(&self.bytes(n))
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(&self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let a = SeededRng::new(7);
        let b = SeededRng::new(7);
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.alphanumeric(12), b.alphanumeric(12));
        assert_ne!(SeededRng::new(8).uuid(), SeededRng::new(7).uuid());
    }

    #[test]
    fn uuid_is_version_4() {
        let u = SeededRng::new(1).uuid_lower();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
