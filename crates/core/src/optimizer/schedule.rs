//! Learning rates: a number, or one of Keras 3's schedules (`keras.optimizers.schedules`)
//! evaluated at the optimizer's step count, as Keras does (the step before the update, from 0).
//! Computed in f32 like Keras's float32 schedules.

use crate::error::{Error, Result};
use serde::Deserialize;

/// A learning rate: a constant or a schedule of the step.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum LearningRate {
    /// The same rate at every step.
    Constant(f32),
    /// A rate that depends on the step.
    Schedule(Schedule),
}

/// Keras 3's learning-rate schedules, in its `{className, config}` form with camelCase keys.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "className", content = "config")]
pub enum Schedule {
    /// `initialLearningRate * decayRate ^ (step / decaySteps)` (the exponent floored with
    /// `staircase`).
    #[serde(rename = "ExponentialDecay", rename_all = "camelCase")]
    ExponentialDecay {
        /// The rate at step 0.
        initial_learning_rate: f32,
        /// Steps per decay by `decay_rate`.
        decay_steps: f32,
        /// The factor per `decay_steps` steps.
        decay_rate: f32,
        /// Whether the exponent is floored.
        #[serde(default)]
        staircase: bool,
    },
    /// Cosine decay from the initial rate (or, with `warmupTarget`, a linear warmup over
    /// `warmupSteps` from the initial rate to `warmupTarget`, then cosine decay from there) down
    /// to `alpha` times that rate over `decaySteps`.
    #[serde(rename = "CosineDecay", rename_all = "camelCase")]
    CosineDecay {
        /// The rate at step 0 (the start of the warmup, if any).
        initial_learning_rate: f32,
        /// Steps of the decay.
        decay_steps: f32,
        /// The final rate, as a fraction of the decayed-from rate.
        #[serde(default)]
        alpha: f32,
        /// The rate reached at the end of the warmup.
        #[serde(default)]
        warmup_target: Option<f32>,
        /// Steps of the warmup.
        #[serde(default)]
        warmup_steps: f32,
    },
    /// `values[i]` while `boundaries[i-1] < step <= boundaries[i]`.
    #[serde(rename = "PiecewiseConstantDecay", rename_all = "camelCase")]
    PiecewiseConstantDecay {
        /// The steps where the rate changes, increasing.
        boundaries: Vec<f64>,
        /// The rates, one more than the boundaries.
        values: Vec<f32>,
    },
}

impl LearningRate {
    /// The learning rate at optimizer step `step`.
    pub fn at(&self, step: u64) -> f32 {
        match self {
            LearningRate::Constant(lr) => *lr,
            LearningRate::Schedule(s) => s.at(step),
        }
    }

    /// Rejects a rate that is not finite, or a schedule that cannot give one.
    pub fn validate(&self) -> Result<()> {
        match self {
            LearningRate::Constant(lr) if !lr.is_finite() => Err(Error::invalid(format!("optimizer: learningRate must be a finite number but got {lr}"))),
            LearningRate::Constant(_) => Ok(()),
            LearningRate::Schedule(s) => s.validate(),
        }
    }
}

impl Schedule {
    /// Keras's class name.
    pub fn class_name(&self) -> &'static str {
        match self {
            Schedule::ExponentialDecay { .. } => "ExponentialDecay",
            Schedule::CosineDecay { .. } => "CosineDecay",
            Schedule::PiecewiseConstantDecay { .. } => "PiecewiseConstantDecay",
        }
    }

    /// The value at step `step` (Keras's `schedule(step)`).
    pub fn at(&self, step: u64) -> f32 {
        let step = step as f32;
        match *self {
            Schedule::ExponentialDecay { initial_learning_rate, decay_steps, decay_rate, staircase } => {
                let p = step / decay_steps;
                initial_learning_rate * decay_rate.powf(if staircase { p.floor() } else { p })
            }
            Schedule::CosineDecay { initial_learning_rate, decay_steps, alpha, warmup_target, warmup_steps } => {
                let decay = |step: f32, from: f32| {
                    let cosine = 0.5 * (1.0 + (std::f32::consts::PI * (step / decay_steps)).cos());
                    from * ((1.0 - alpha) * cosine + alpha)
                };
                match warmup_target {
                    None => decay(step.min(decay_steps), initial_learning_rate),
                    Some(target) => {
                        let step = step.min(decay_steps + warmup_steps);
                        if step < warmup_steps {
                            (target - initial_learning_rate) * (step / warmup_steps) + initial_learning_rate
                        } else {
                            decay(step - warmup_steps, target)
                        }
                    }
                }
            }
            Schedule::PiecewiseConstantDecay { ref boundaries, ref values } => {
                let passed = boundaries.iter().take_while(|&&b| f64::from(step) > b).count();
                values[passed]
            }
        }
    }

    /// Checks the schedule's arguments (Keras's own checks, and finite numbers).
    pub fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(Error::invalid(format!("{}: {what}", self.class_name())));
        let finite = |name: &str, v: f32| {
            if v.is_finite() {
                Ok(())
            } else {
                bad(format!("{name} must be a finite number but got {v}"))
            }
        };
        match *self {
            Schedule::ExponentialDecay { initial_learning_rate, decay_steps, decay_rate, .. } => {
                finite("initialLearningRate", initial_learning_rate)?;
                finite("decayRate", decay_rate)?;
                if !(decay_steps > 0.0 && decay_steps.is_finite()) {
                    return bad(format!("decaySteps must be > 0 but got {decay_steps}"));
                }
            }
            Schedule::CosineDecay { initial_learning_rate, decay_steps, alpha, warmup_target, warmup_steps } => {
                finite("initialLearningRate", initial_learning_rate)?;
                finite("alpha", alpha)?;
                if !(decay_steps > 0.0 && decay_steps.is_finite()) {
                    return bad(format!("decaySteps must be > 0 but got {decay_steps}"));
                }
                if let Some(t) = warmup_target {
                    finite("warmupTarget", t)?;
                    if !(warmup_steps > 0.0 && warmup_steps.is_finite()) {
                        return bad(format!("warmupSteps must be > 0 with a warmupTarget but got {warmup_steps}"));
                    }
                } else if !(warmup_steps >= 0.0 && warmup_steps.is_finite()) {
                    return bad(format!("warmupSteps must be >= 0 but got {warmup_steps}"));
                }
            }
            Schedule::PiecewiseConstantDecay { ref boundaries, ref values } => {
                if values.len() != boundaries.len() + 1 {
                    return bad(format!(
                        "values must have one more element than boundaries but got {} values and {} boundaries",
                        values.len(),
                        boundaries.len()
                    ));
                }
                if boundaries.windows(2).any(|w| w[0] >= w[1]) || boundaries.iter().any(|b| !b.is_finite()) {
                    return bad(format!("boundaries must be increasing finite numbers but got {boundaries:?}"));
                }
                for &v in values {
                    finite("values", v)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(json: &str) -> Schedule {
        serde_json::from_str(json).expect("schedule")
    }

    #[test]
    fn piecewise_boundaries_belong_to_the_interval_they_end() {
        let s = schedule(r#"{"className": "PiecewiseConstantDecay", "config": {"boundaries": [2, 4], "values": [1, 0.5, 0.25]}}"#);
        let values: Vec<f32> = (0..6).map(|step| s.at(step)).collect();
        assert_eq!(values, [1.0, 1.0, 1.0, 0.5, 0.5, 0.25]);
    }

    #[test]
    fn bad_arguments_are_named() {
        let cases = [
            (
                r#"{"className": "ExponentialDecay", "config": {"initialLearningRate": 0.1, "decaySteps": -1, "decayRate": 0.5}}"#,
                "ExponentialDecay: decaySteps must be > 0 but got -1",
            ),
            (
                r#"{"className": "CosineDecay", "config": {"initialLearningRate": 0.1, "decaySteps": 3, "warmupTarget": 0.2}}"#,
                "CosineDecay: warmupSteps must be > 0 with a warmupTarget but got 0",
            ),
            (
                r#"{"className": "PiecewiseConstantDecay", "config": {"boundaries": [3, 1], "values": [1, 2, 3]}}"#,
                "PiecewiseConstantDecay: boundaries must be increasing finite numbers but got [3.0, 1.0]",
            ),
        ];
        for (json, message) in cases {
            let err = schedule(json).validate().unwrap_err().to_string();
            assert!(err.contains(message), "{err}");
        }
    }

    #[test]
    fn a_constant_or_a_schedule_on_the_wire() {
        assert_eq!(serde_json::from_str::<LearningRate>("0.5").unwrap(), LearningRate::Constant(0.5));
        let lr: LearningRate = serde_json::from_str(r#"{"className": "CosineDecay", "config": {"initialLearningRate": 1, "decaySteps": 2}}"#).unwrap();
        assert_eq!([lr.at(0), lr.at(2), lr.at(9)], [1.0, 0.0, 0.0]);
        assert!((lr.at(1) - 0.5).abs() < 1e-6, "halfway: {}", lr.at(1));
    }
}
