//! The seeding of Alea (Johannes Baagøe's generator, as the `seedrandom` package publishes it),
//! the generator TF.js seeds its shuffles and random ops with. Seeding hashes the seed text six
//! times with Mash, a few float operations per UTF-16 unit; the draws themselves stay in
//! JavaScript (three multiply-adds each, cheaper than a call across the binding). Seeding runs
//! once per shuffled epoch, where JavaScript would still be interpreting it.

/// Mash's state after hashing `units` from state `n`.
fn mash(mut n: f64, units: &[u16]) -> f64 {
    for &unit in units {
        n += f64::from(unit);
        let mut h = 0.02519603282416938 * n;
        n = f64::from(to_u32(h));
        h -= n;
        h *= n;
        n = f64::from(to_u32(h));
        h -= n;
        n += h * 4294967296.0;
    }
    n
}

/// JavaScript's `x >>> 0` for the finite, non-negative values Mash produces.
fn to_u32(x: f64) -> u32 {
    (x.trunc() % 4294967296.0) as u32
}

/// Mash's output for a state: a value in `[0, 1)`.
fn value(n: f64) -> f64 {
    f64::from(to_u32(n)) * 2.3283064365386963e-10
}

/// Alea's three state words for a seed given as UTF-16 units (what JavaScript's `String(seed)`
/// holds): each word is Mash of `' '` minus Mash of the seed, wrapped into `[0, 1)`. The carry
/// starts at 1.
pub fn alea_state(seed: &[u16]) -> [f64; 3] {
    let mut n = 0xefc8249d_u32 as f64;
    let mut spaces = [0.0; 3];
    for word in &mut spaces {
        n = mash(n, &[u16::from(b' ')]);
        *word = value(n);
    }
    spaces.map(|space| {
        n = mash(n, seed);
        let word = space - value(n);
        if word < 0.0 {
            word + 1.0
        } else {
            word
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Alea's first draws from a state (the generator's step, carry starting at 1).
    fn draws(state: [f64; 3], count: usize) -> Vec<f64> {
        let [mut s0, mut s1, mut s2] = state;
        let mut c = 1.0;
        (0..count)
            .map(|_| {
                let t = 2091639.0 * s0 + c * 2.3283064365386963e-10;
                s0 = s1;
                s1 = s2;
                c = (t as i64 as i32) as f64; // `t | 0`: t is below 2^31
                s2 = t - c;
                s2
            })
            .collect()
    }

    #[test]
    fn seeds_give_the_draws_of_the_seedrandom_package() {
        // seedrandom 3.0.5: `require('seedrandom/lib/alea')(seed)`, its first three draws.
        let cases: [(&str, [f64; 3]); 4] = [
            ("hello.", [0.4783254903741181, 0.8297006865032017, 0.46924330526962876]),
            ("", [0.1666577742435038, 0.4869158477522433, 0.00011322717182338238]),
            ("-1234567890", [0.521917239530012, 0.6120613354723901, 0.032468761783093214]),
            ("é€😀", [0.3097032941877842, 0.08797837933525443, 0.26920455996878445]),
        ];
        for (seed, expected) in cases {
            let units: Vec<u16> = seed.encode_utf16().collect();
            assert_eq!(draws(alea_state(&units), 3), expected, "seed {seed:?}");
        }
    }
}
