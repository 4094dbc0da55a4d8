//! Gradient clipping as Keras 3's optimizers do it (`BaseOptimizer._clip_gradients`), applied
//! after regularization gradients are added and before weight decay and the update.

use crate::error::{Error, Result};
use serde_json::{Map, Value};

/// At most one of Keras's three clipping options.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clip {
    /// No clipping.
    None,
    /// `clipnorm`: each gradient scaled to an L2 norm of at most c.
    Norm(f32),
    /// `globalClipnorm`: all gradients scaled together to a joint L2 norm of at most c.
    GlobalNorm(f32),
    /// `clipvalue`: each element clamped to [-c, c].
    Value(f32),
}

impl Clip {
    /// Takes `clipnorm`, `clipvalue` and `globalClipnorm` out of an optimizer's config (null or
    /// absent means not set).
    pub(crate) fn take_from(config: &mut Map<String, Value>, class_name: &str) -> std::result::Result<Clip, String> {
        let mut take = |key: &str| -> std::result::Result<Option<f32>, String> {
            match config.remove(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => Ok(n.as_f64().map(|v| v as f32)),
                Some(other) => Err(format!("{class_name}: {key} must be a number but got {other}")),
            }
        };
        let (norm, value, global) = (take("clipnorm")?, take("clipvalue")?, take("globalClipnorm")?);
        Ok(match (norm, value, global) {
            (None, None, None) => Clip::None,
            (Some(c), None, None) => Clip::Norm(c),
            (None, Some(c), None) => Clip::Value(c),
            (None, None, Some(c)) => Clip::GlobalNorm(c),
            _ => {
                return Err(format!(
                    "{class_name}: only one of clipnorm, clipvalue and globalClipnorm can be set but got clipnorm {}, clipvalue {}, globalClipnorm {}",
                    show(norm),
                    show(value),
                    show(global)
                ))
            }
        })
    }

    /// Rejects a bound that is not a positive finite number.
    pub fn validate(&self) -> Result<()> {
        let (name, c) = match *self {
            Clip::None => return Ok(()),
            Clip::Norm(c) => ("clipnorm", c),
            Clip::Value(c) => ("clipvalue", c),
            Clip::GlobalNorm(c) => ("globalClipnorm", c),
        };
        if c > 0.0 && c.is_finite() {
            Ok(())
        } else {
            Err(Error::invalid(format!("optimizer: {name} must be a positive number but got {c}")))
        }
    }

    /// Clips the gradients of one step in place.
    pub fn apply(&self, grads: &mut [&mut [f32]]) {
        match *self {
            Clip::None => {}
            Clip::Norm(c) => {
                for g in grads.iter_mut() {
                    // Keras: g * c / max(‖g‖, c) (a zero gradient stays zero).
                    let norm = squared_norm(g).sqrt() as f32;
                    let denominator = norm.max(c);
                    g.iter_mut().for_each(|v| *v = *v * c / denominator);
                }
            }
            Clip::GlobalNorm(c) => {
                // Keras: scale = c * min(1/‖all‖, 1/c); NaN when the norm is not finite.
                let norm = grads.iter().map(|g| squared_norm(g)).sum::<f64>().sqrt() as f32;
                let scale = if norm.is_finite() { c * (1.0 / norm).min(1.0 / c) } else { f32::NAN };
                grads.iter_mut().for_each(|g| g.iter_mut().for_each(|v| *v *= scale));
            }
            Clip::Value(c) => grads.iter_mut().for_each(|g| g.iter_mut().for_each(|v| *v = v.clamp(-c, c))),
        }
    }
}

fn squared_norm(g: &[f32]) -> f64 {
    g.iter().map(|&v| f64::from(v) * f64::from(v)).sum()
}

fn show(v: Option<f32>) -> String {
    v.map_or_else(|| "null".to_string(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_as_keras_defines_each_option() {
        let (mut a, mut b) = (vec![3.0f32, 4.0], vec![0.0f32, 12.0]);
        Clip::Norm(1.0).apply(&mut [&mut a, &mut b]);
        assert_eq!(a, [0.6, 0.8]); // ‖a‖ = 5 → scaled to 1
        assert_eq!(b, [0.0, 1.0]);

        let (mut a, mut b) = (vec![3.0f32, 4.0], vec![0.0f32, 12.0]);
        Clip::GlobalNorm(6.5).apply(&mut [&mut a, &mut b]); // ‖(a, b)‖ = 13 → halved
        assert_eq!(a, [1.5, 2.0]);
        assert_eq!(b, [0.0, 6.0]);

        let mut a = vec![3.0f32, -4.0, 0.5];
        Clip::Value(1.0).apply(&mut [&mut a]);
        assert_eq!(a, [1.0, -1.0, 0.5]);

        let mut small = vec![0.1f32, 0.2];
        Clip::Norm(1.0).apply(&mut [&mut small]);
        assert_eq!(small, [0.1, 0.2], "a gradient within the bound is unchanged");
    }

    #[test]
    fn rejects_two_options_and_bad_bounds() {
        let mut config: Map<String, Value> = serde_json::from_str(r#"{"clipnorm": 1, "clipvalue": 0.5}"#).unwrap();
        let err = Clip::take_from(&mut config, "SGD").unwrap_err();
        assert_eq!(err, "SGD: only one of clipnorm, clipvalue and globalClipnorm can be set but got clipnorm 1, clipvalue 0.5, globalClipnorm null");
        let mut config: Map<String, Value> = serde_json::from_str(r#"{"clipvalue": "big"}"#).unwrap();
        assert_eq!(Clip::take_from(&mut config, "Adam").unwrap_err(), r#"Adam: clipvalue must be a number but got "big""#);
        let msg = Clip::Norm(0.0).validate().unwrap_err().to_string();
        assert!(msg.contains("clipnorm must be a positive number but got 0"), "{msg}");
    }
}
