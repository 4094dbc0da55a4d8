//! Inverted dropout, active in training only, drawing its masks as TF.js 4.22 does.
//!
//! TF.js's `Dropout` layer passes its own `seed` to `tf.dropout`, which draws the mask from
//! `randomUniform(shape, 0, 1, 'float32', seed)`: a new `seedrandom.alea(String(seed))` stream on
//! every call. So each layer follows its own seed (two layers with the same seed drop the same
//! positions, different seeds draw independent masks), and a seeded layer draws the same mask on
//! every batch of the same size. A layer without a seed draws from a fresh random stream. The
//! mask is `floor(u + keepProb) / keepProb` in float32, as in `tf.dropout`.

use super::{one_input, Backward, Forward, Layer, NamedLayer};
use crate::error::{Error, Result};
use serde::Deserialize;

/// `tf.layers.dropout({rate, seed})`.
#[derive(Clone, Debug, Deserialize)]
pub struct DropoutConfig {
    /// The layer's name.
    pub name: String,
    /// The fraction of inputs set to 0 while training, in `[0, 1)`.
    pub rate: f64,
    /// Seeds the masks (the workspace's random stream when absent).
    #[serde(default)]
    pub seed: Option<u64>,
}

impl DropoutConfig {
    /// Checks the rate.
    pub fn build(&self) -> Result<NamedLayer> {
        let (name, rate) = (&self.name, self.rate);
        if !(0.0..1.0).contains(&rate) {
            return Err(Error::invalid(format!("dropout '{name}': rate must be in [0, 1) but got {rate}")));
        }
        let layer = Dropout { rate, keep: (1.0 - rate) as f32, seed: self.seed };
        Ok(NamedLayer { name: name.clone(), trainable: true, layer: Box::new(layer) })
    }
}

/// A built dropout layer.
#[derive(Clone, Debug)]
pub struct Dropout {
    /// The fraction of inputs dropped.
    pub rate: f64,
    /// `1 - rate` in float32, as TF.js's scalar.
    keep: f32,
    /// Seeds the masks.
    pub seed: Option<u64>,
}

impl Dropout {
    /// Whether the layer drops anything in training (TF.js's layer is the identity for rate 0).
    fn active(&self) -> bool {
        self.rate > 0.0
    }

    /// The mask value for a uniform draw `u`: `1 / keep` or 0.
    fn mask(&self, u: f32) -> f32 {
        (u + self.keep).floor() / self.keep
    }
}

impl Layer for Dropout {
    fn class_name(&self) -> &'static str {
        "Dropout"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        one_input(&format!("layer '{name}'"), inputs)
    }

    /// Any rank: the mask covers every value of the row-major buffer, as TF.js's does.
    fn output_shape(&self, name: &str, inputs: &[Vec<usize>]) -> Result<Vec<usize>> {
        self.output_width(name, &inputs.iter().map(|s| s.iter().product()).collect::<Vec<_>>())?;
        Ok(inputs[0].clone())
    }

    /// The mask, in training.
    fn saved_width(&self, width: usize, training: bool) -> usize {
        if training {
            width
        } else {
            0
        }
    }

    fn forward(&self, mut pass: Forward<'_>) {
        if super::copy_unless_drawing(&mut pass, self.active()) {
            return;
        }
        let x = pass.inputs.get(0);
        debug_assert_eq!(pass.saved.len(), x.len(), "dropout in training needs a training workspace");
        let mask = &mut *pass.saved;
        match self.seed {
            Some(seed) => {
                let mut alea = Alea::new(&seed.to_string());
                mask.iter_mut().for_each(|m| *m = self.mask(alea.next() as f32));
            }
            None => mask.iter_mut().for_each(|m| *m = self.mask(pass.rng.uniform(0.0, 1.0))),
        }
        pass.out.iter_mut().zip(x).zip(&*mask).for_each(|((o, &xv), &m)| *o = xv * m);
    }

    fn backward(&self, pass: Backward<'_>) {
        super::backward_through_saved_factors(pass, self.active(), 1.0);
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}

/// Johannes Baagøe's Alea generator as the `seedrandom` package (which tfjs-core uses) implements
/// it, in the same double-precision arithmetic, so that a seed gives TF.js's exact stream.
struct Alea {
    s0: f64,
    s1: f64,
    s2: f64,
    c: f64,
}

const TWO_POW_32: f64 = 4_294_967_296.0;

impl Alea {
    fn new(seed: &str) -> Self {
        let mut mash = Mash(0xefc8_249d_u32 as f64);
        let (mut s0, mut s1, mut s2) = (mash.mash(" "), mash.mash(" "), mash.mash(" "));
        for s in [&mut s0, &mut s1, &mut s2] {
            *s -= mash.mash(seed);
            if *s < 0.0 {
                *s += 1.0;
            }
        }
        Alea { s0, s1, s2, c: 1.0 }
    }

    /// The next value in `[0, 1)`.
    fn next(&mut self) -> f64 {
        let t = 2_091_639.0 * self.s0 + self.c / TWO_POW_32;
        self.s0 = self.s1;
        self.s1 = self.s2;
        self.c = t.trunc(); // `t | 0`: t is positive and below 2^31
        self.s2 = t - self.c;
        self.s2
    }
}

/// Alea's seed hash; its state carries over from one call to the next.
struct Mash(f64);

impl Mash {
    fn mash(&mut self, data: &str) -> f64 {
        let mut n = self.0;
        for unit in data.encode_utf16() {
            n += unit as f64;
            let mut h = 0.025_196_032_824_169_38 * n;
            n = to_uint32(h);
            h -= n;
            h *= n;
            n = to_uint32(h);
            h -= n;
            n += h * TWO_POW_32;
        }
        self.0 = n;
        to_uint32(n) / TWO_POW_32
    }
}

/// JavaScript's `x >>> 0` for a non-negative `x`.
fn to_uint32(x: f64) -> f64 {
    (x.trunc() % TWO_POW_32).abs()
}

#[cfg(test)]
mod tests {
    use super::Alea;

    /// `require('seedrandom').alea('42')` called 4 times, and the first value for seed '7'
    /// (seedrandom 3.0.5, the version @tensorflow/tfjs-core 4.22 depends on).
    #[test]
    fn alea_repeats_seedrandom() {
        let mut a = Alea::new("42");
        let got: Vec<f64> = (0..4).map(|_| a.next()).collect();
        assert_eq!(got, ALEA_42);
        assert_eq!(Alea::new("7").next(), ALEA_7);
    }

    const ALEA_42: [f64; 4] = [0.6848634963389486, 0.5463244677521288, 0.8455933185759932, 0.19908552314154804];
    const ALEA_7: f64 = 0.36459518410265446;
}
