//! L1/L2 weight penalties (`tf.regularizers.l1`, `l2`, `l1l2`).

use serde::Deserialize;

/// `l1 * sum|w| + l2 * sum w²`, added to the training loss (not to evaluation losses, as in TF.js).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
pub struct Regularizer {
    /// The L1 factor.
    #[serde(default)]
    pub l1: f32,
    /// The L2 factor.
    #[serde(default)]
    pub l2: f32,
}

impl Regularizer {
    /// The penalty for weights `w`.
    pub fn penalty(&self, w: &[f32]) -> f32 {
        let mut total = 0.0;
        if self.l1 != 0.0 {
            total += self.l1 * w.iter().map(|x| x.abs()).sum::<f32>();
        }
        if self.l2 != 0.0 {
            total += self.l2 * w.iter().map(|x| x * x).sum::<f32>();
        }
        total
    }

    /// Adds d penalty / d w to `grad`.
    pub fn add_gradient(&self, w: &[f32], grad: &mut [f32]) {
        let (l1, l2) = (self.l1, self.l2);
        grad.iter_mut().zip(w).for_each(|(g, &x)| {
            let sign = if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            };
            *g += l1 * sign + 2.0 * l2 * x;
        });
    }
}
