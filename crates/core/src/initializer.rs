//! Weight initializers with TF.js 4.22's definitions (`tfjs-layers/src/initializers.ts`).

use crate::error::{Error, Result};
use crate::rng::Rng;
use serde::Deserialize;

/// How a variance-scaling initializer picks its fan.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FanMode {
    /// The number of inputs.
    FanIn,
    /// The number of outputs.
    FanOut,
    /// The mean of both.
    FanAvg,
}

/// The distribution a variance-scaling initializer samples.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Distribution {
    /// A normal distribution.
    Normal,
    /// A uniform distribution.
    Uniform,
    /// A normal distribution cut at two standard deviations.
    TruncatedNormal,
}

/// An initializer with its parameters, as the JavaScript layer describes it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "className", content = "config")]
pub enum Initializer {
    /// All zeros.
    Zeros {},
    /// All ones.
    Ones {},
    /// One value everywhere.
    Constant {
        /// The value.
        value: f32,
    },
    /// Uniform in `[minval, maxval)`.
    RandomUniform {
        /// The lower bound.
        minval: f32,
        /// The upper bound.
        maxval: f32,
        /// Seeds the draw (a clock seed when absent).
        seed: Option<u64>,
    },
    /// Normal with `mean` and `stddev`.
    RandomNormal {
        /// The mean.
        mean: f32,
        /// The standard deviation.
        stddev: f32,
        /// Seeds the draw (a clock seed when absent).
        seed: Option<u64>,
    },
    /// Normal with `mean` and `stddev`, redrawn beyond two standard deviations.
    TruncatedNormal {
        /// The mean.
        mean: f32,
        /// The standard deviation.
        stddev: f32,
        /// Seeds the draw (a clock seed when absent).
        seed: Option<u64>,
    },
    /// Variance `scale / fan`, the family of Glorot, He and LeCun initializers.
    VarianceScaling {
        /// The variance's numerator.
        scale: f32,
        /// Which fan divides it.
        mode: FanMode,
        /// The distribution sampled.
        distribution: Distribution,
        /// Seeds the draw (a clock seed when absent).
        seed: Option<u64>,
    },
}

impl Initializer {
    /// TF.js's Dense kernel default (`glorotNormal`).
    pub fn glorot_normal() -> Self {
        Initializer::VarianceScaling { scale: 1.0, mode: FanMode::FanAvg, distribution: Distribution::Normal, seed: None }
    }

    /// Checks the parameters before anything is built.
    pub fn validate(&self, arg: &str) -> Result<()> {
        let bad = match self {
            Initializer::RandomUniform { minval, maxval, .. } if !(minval <= maxval) => Some("minval <= maxval"),
            Initializer::RandomNormal { stddev, .. } | Initializer::TruncatedNormal { stddev, .. } if !(*stddev >= 0.0) => Some("stddev >= 0"),
            Initializer::VarianceScaling { scale, .. } if !(*scale > 0.0) => Some("a positive scale"),
            _ => None,
        };
        match bad {
            Some(what) => Err(Error::invalid(format!("{arg}: expected {what} but got {self:?}"))),
            None => Ok(()),
        }
    }

    /// Fills `out`, the values of a weight whose fans are `fan_in` and `fan_out`.
    pub fn fill(&self, out: &mut [f32], fan_in: usize, fan_out: usize) {
        self.fill_with_fans(out, fan_in as f32, fan_out as f32);
    }

    /// Fills a 1-D weight: TF.js's `computeFans` takes both fans of a vector as √length.
    pub fn fill_vector(&self, out: &mut [f32]) {
        let fan = (out.len() as f32).sqrt();
        self.fill_with_fans(out, fan, fan);
    }

    fn fill_with_fans(&self, out: &mut [f32], fan_in: f32, fan_out: f32) {
        match *self {
            Initializer::Zeros {} => out.fill(0.0),
            Initializer::Ones {} => out.fill(1.0),
            Initializer::Constant { value } => out.fill(value),
            Initializer::RandomUniform { minval, maxval, seed } => {
                let mut rng = Rng::new(seed);
                out.iter_mut().for_each(|v| *v = rng.uniform(minval, maxval));
            }
            Initializer::RandomNormal { mean, stddev, seed } => {
                let mut rng = Rng::new(seed);
                out.iter_mut().for_each(|v| *v = mean + stddev * rng.normal());
            }
            Initializer::TruncatedNormal { mean, stddev, seed } => {
                let mut rng = Rng::new(seed);
                out.iter_mut().for_each(|v| *v = mean + stddev * rng.truncated_normal());
            }
            Initializer::VarianceScaling { scale, mode, distribution, seed } => {
                let fan = match mode {
                    FanMode::FanIn => fan_in,
                    FanMode::FanOut => fan_out,
                    FanMode::FanAvg => (fan_in + fan_out) / 2.0,
                };
                let variance = scale / fan.max(1.0);
                let mut rng = Rng::new(seed);
                // TF.js samples a truncated normal only for 'normal' (no 0.88 correction), and a
                // uniform distribution for everything else, 'truncatedNormal' included.
                if distribution == Distribution::Normal {
                    let stddev = variance.sqrt();
                    out.iter_mut().for_each(|v| *v = stddev * rng.truncated_normal());
                } else {
                    let limit = (3.0 * variance).sqrt();
                    out.iter_mut().for_each(|v| *v = rng.uniform(-limit, limit));
                }
            }
        }
    }
}
