//! Optimizers with TF.js 4.22's update rules (`tfjs-core/src/optimizers/*.ts`), including its
//! quirks (Adadelta divides by the *previous* gradient accumulator; centered RMSProp subtracts ε
//! inside the root), so that training matches TF.js step for step. State is allocated once per
//! parameter on the first step and updated in place afterwards.

use crate::error::{Error, Result};
use crate::loss::EPSILON;
use serde::Deserialize;

mod clip;
mod schedule;

pub use clip::Clip;
pub use schedule::{LearningRate, Schedule};

/// An optimizer: its update rule, its learning rate (a number or a schedule of the step) and
/// its gradient clipping. On the wire it is TF.js's `{className, config}` with `learningRate`
/// and Keras's `clipnorm` / `clipvalue` / `globalClipnorm` inside `config`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(try_from = "WireOptimizer")]
pub struct OptimizerConfig {
    /// The update rule and its hyper-parameters.
    pub rule: Rule,
    /// A constant or a schedule.
    pub learning_rate: LearningRate,
    /// Gradient clipping.
    pub clip: Clip,
}

/// An update rule's own hyper-parameters, in TF.js's names (Keras's for AdamW, which TF.js lacks).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "className", content = "config")]
pub enum Rule {
    /// Plain gradient descent.
    #[serde(rename = "SGD")]
    Sgd {},
    /// Gradient descent with momentum.
    #[serde(rename = "Momentum", rename_all = "camelCase")]
    Momentum {
        /// The momentum.
        momentum: f32,
        /// Whether the step uses Nesterov momentum.
        use_nesterov: bool,
    },
    /// Adam.
    #[serde(rename = "Adam", rename_all = "camelCase")]
    Adam {
        /// The decay of the first moments.
        beta1: f32,
        /// The decay of the second moments.
        beta2: f32,
        /// Added to denominators (the backend's 1e-7 when absent).
        epsilon: Option<f32>,
    },
    /// Keras 3's AdamW: Keras's Adam step after a decoupled decay `w -= lr * weightDecay * w`.
    #[serde(rename = "AdamW", rename_all = "camelCase")]
    AdamW {
        /// The decay of the first moments.
        beta1: f32,
        /// The decay of the second moments.
        beta2: f32,
        /// Added to denominators (the backend's 1e-7 when absent).
        epsilon: Option<f32>,
        /// The decoupled weight decay.
        weight_decay: f32,
    },
    /// Adam with the infinity norm.
    #[serde(rename = "Adamax", rename_all = "camelCase")]
    Adamax {
        /// The decay of the first moments.
        beta1: f32,
        /// The decay of the second moments.
        beta2: f32,
        /// Added to denominators (the backend's 1e-7 when absent).
        epsilon: Option<f32>,
        /// The learning-rate decay per step.
        decay: f32,
    },
    /// RMSProp.
    #[serde(rename = "RMSProp", rename_all = "camelCase")]
    RmsProp {
        /// The decay of the mean square.
        decay: f32,
        /// The momentum.
        momentum: f32,
        /// Added to denominators (the backend's 1e-7 when absent).
        epsilon: Option<f32>,
        /// Whether the mean gradient is subtracted (centered RMSProp).
        centered: bool,
    },
    /// Adagrad.
    #[serde(rename = "Adagrad", rename_all = "camelCase")]
    Adagrad {
        /// The accumulators' starting value.
        initial_accumulator_value: f32,
    },
    /// Adadelta.
    #[serde(rename = "Adadelta", rename_all = "camelCase")]
    Adadelta {
        /// The decay of the accumulators.
        rho: f32,
        /// Added to denominators (the backend's 1e-7 when absent).
        epsilon: Option<f32>,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireOptimizer {
    class_name: String,
    #[serde(default)]
    config: serde_json::Map<String, serde_json::Value>,
}

impl TryFrom<WireOptimizer> for OptimizerConfig {
    type Error = String;

    fn try_from(wire: WireOptimizer) -> std::result::Result<Self, String> {
        let mut config = wire.config;
        let learning_rate = match config.remove("learningRate") {
            Some(value) => {
                serde_json::from_value(value).map_err(|_| format!("{}: learningRate must be a number or a learning-rate schedule", wire.class_name))?
            }
            None => return Err(format!("{}: learningRate is required", wire.class_name)),
        };
        let clip = Clip::take_from(&mut config, &wire.class_name)?;
        let rule = serde_json::from_value(serde_json::json!({ "className": wire.class_name, "config": config })).map_err(|e| e.to_string())?;
        Ok(OptimizerConfig { rule, learning_rate, clip })
    }
}

impl OptimizerConfig {
    /// An optimizer with a constant learning rate and no clipping.
    pub fn new(rule: Rule, learning_rate: f32) -> Self {
        OptimizerConfig { rule, learning_rate: LearningRate::Constant(learning_rate), clip: Clip::None }
    }

    /// Rejects hyper-parameters no optimizer can use.
    pub fn validate(&self) -> Result<()> {
        self.learning_rate.validate()?;
        self.clip.validate()?;
        if let Rule::AdamW { weight_decay, .. } = self.rule {
            if !weight_decay.is_finite() {
                return Err(Error::invalid(format!("adamw: weightDecay must be a finite number but got {weight_decay}")));
            }
        }
        Ok(())
    }

    /// The learning rate at step 0 (the constant, or the schedule's first value).
    pub fn initial_learning_rate(&self) -> f32 {
        self.learning_rate.at(0)
    }
}

/// An optimizer with its per-parameter state.
#[derive(Clone, Debug)]
pub struct Optimizer {
    /// The optimizer's settings.
    pub config: OptimizerConfig,
    /// Steps taken so far (TF.js's `iterations`).
    pub iterations: u64,
    /// Up to three state slots per parameter (m/v, accumulators, ...), allocated on the first step.
    pub slots: Vec<[Vec<f32>; 3]>,
    acc_beta1: f32,
    acc_beta2: f32,
    /// The learning rate of the step under way (the schedule's value at `iterations`).
    step_lr: f32,
}

impl Optimizer {
    /// A fresh optimizer (no state yet).
    pub fn new(config: OptimizerConfig) -> Self {
        let (acc_beta1, acc_beta2) = match config.rule {
            Rule::Adam { beta1, beta2, .. } | Rule::AdamW { beta1, beta2, .. } | Rule::Adamax { beta1, beta2, .. } => (beta1, beta2),
            _ => (1.0, 1.0),
        };
        let step_lr = config.initial_learning_rate();
        Optimizer { config, iterations: 0, slots: Vec::new(), acc_beta1, acc_beta2, step_lr }
    }

    /// The learning rate the next step uses (Keras's `optimizer.learning_rate`: a schedule's
    /// value at the current `iterations`).
    pub fn current_learning_rate(&self) -> f32 {
        self.config.learning_rate.at(self.iterations)
    }

    /// Replaces a constant learning rate, from the next step on. As in Keras, a learning rate
    /// given as a schedule is not settable.
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<()> {
        if let LearningRate::Schedule(schedule) = &self.config.learning_rate {
            return Err(Error::invalid(format!(
                "learningRate: this optimizer was created with a {} schedule as its learning rate, so its learning rate is not settable",
                schedule.class_name()
            )));
        }
        let next = LearningRate::Constant(learning_rate);
        next.validate()?;
        self.config.learning_rate = next;
        Ok(())
    }

    /// Clips the step's gradients in place (Keras's `clipnorm` / `globalClipnorm` / `clipvalue`).
    pub fn clip_gradients(&self, grads: &mut [&mut [f32]]) {
        self.config.clip.apply(grads);
    }

    /// TF.js's names for the state this optimizer keeps per weight, in TF.js's save order
    /// (all weights' first slot, then all weights' second slot, ...).
    pub fn slot_names(&self) -> &'static [&'static str] {
        match self.config.rule {
            Rule::Sgd { .. } => &[],
            Rule::Momentum { .. } => &["momentum"],
            Rule::Adam { .. } | Rule::AdamW { .. } | Rule::Adamax { .. } => &["m", "v"],
            Rule::RmsProp { centered: false, .. } => &["rms", "momentum"],
            Rule::RmsProp { centered: true, .. } => &["rms", "momentum", "mg"],
            Rule::Adagrad { .. } => &["accumulator"],
            Rule::Adadelta { .. } => &["accum_grad", "accum_var"],
        }
    }

    /// The value state slot `slot` of parameter `index` starts from.
    pub fn initial_slot_value(&self, slot: usize) -> f32 {
        match self.config.rule {
            Rule::Adagrad { initial_accumulator_value, .. } if slot == 0 => initial_accumulator_value,
            _ => 0.0,
        }
    }

    /// Restores a saved state: the step count and every parameter's slots (`sizes` gives each
    /// parameter's length; missing slots start from their initial value).
    pub fn restore(&mut self, iterations: u64, sizes: &[usize], mut slot_values: impl FnMut(usize, usize) -> Option<Vec<f32>>) {
        self.iterations = iterations;
        // State kept beyond the model's weights (uncertainty weighting's log-variances) stays.
        let extra = if self.slots.len() > sizes.len() { self.slots.split_off(sizes.len()) } else { Vec::new() };
        self.slots = sizes
            .iter()
            .enumerate()
            .map(|(p, &n)| {
                std::array::from_fn(|s| match slot_values(p, s) {
                    Some(v) => v,
                    None if s < self.slot_names().len() => vec![self.initial_slot_value(s); n],
                    None => Vec::new(),
                })
            })
            .collect();
        self.slots.extend(extra);
        // The bias-correction powers β^(iterations+1), multiplied out in f32 one step at a time as
        // training does, so that a resumed fit takes exactly the steps of an uninterrupted one.
        // (TF.js computes pow(β, iterations + 1) when it loads Adam's weights, which can differ
        // from the product in the last bits, so its own resumed fits drift slightly.)
        if let Rule::Adam { beta1, beta2, .. } | Rule::AdamW { beta1, beta2, .. } | Rule::Adamax { beta1, beta2, .. } = self.config.rule {
            (self.acc_beta1, self.acc_beta2) = (beta1, beta2);
            for _ in 0..iterations {
                self.acc_beta1 *= beta1;
                self.acc_beta2 *= beta2;
            }
        }
    }

    /// Prepares a step over parameters of the given sizes (state is allocated on the first call).
    /// Parameters beyond those seen so far get fresh state; existing state is kept.
    /// `size_of(i)` is parameter i's length, for `count` parameters.
    pub fn begin_step(&mut self, count: usize, size_of: impl Fn(usize) -> usize) {
        // Only uncertainty weighting's few log-variances are new here (the model's weights got
        // their state from `reserve` before training started); they keep all three slots, the
        // layout their saved state has.
        self.step_lr = self.current_learning_rate();
        let init = self.initial_slot_value(0);
        for i in self.slots.len()..count {
            let n = size_of(i);
            self.slots.push([vec![init; n], vec![0.0; n], vec![0.0; n]]);
        }
    }

    /// Allocates the state of parameters `slots.len()..count` (only the slots this optimizer
    /// uses), or returns an error, never aborting, when the memory cannot be had.
    pub fn reserve(&mut self, count: usize, size_of: impl Fn(usize) -> usize) -> crate::Result<()> {
        let init = self.initial_slot_value(0);
        let used = self.slot_names().len();
        let mut fresh = Vec::new();
        for i in self.slots.len()..count {
            let n = size_of(i);
            let mut slots: [Vec<f32>; 3] = Default::default();
            for (s, slot) in slots.iter_mut().enumerate().take(used) {
                *slot = crate::memory::try_filled(n, if s == 0 { init } else { 0.0 }, "fit: optimizer state")?;
            }
            fresh.push(slots);
        }
        self.slots.extend(fresh);
        Ok(())
    }

    /// Values (f32) of state still to allocate for parameters of the given sizes.
    pub fn unreserved_values(&self, sizes: &[usize]) -> usize {
        let missing: usize = sizes.iter().skip(self.slots.len()).sum();
        missing.saturating_mul(self.slot_names().len())
    }

    /// Updates parameter `index` (its values `w`, its gradient `g`) in place. Large parameters
    /// are updated in two halves on the two pool threads.
    pub fn update(&mut self, index: usize, w: &mut [f32], g: &[f32]) {
        let [s0, s1, s2] = &mut self.slots[index];
        let step = Step { rule: &self.config.rule, lr: self.step_lr, iteration: self.iterations, acc_beta1: self.acc_beta1, acc_beta2: self.acc_beta2 };
        step.run(w, g, s0, s1, s2);
    }

    /// Finishes a step: advances the step counter and the bias-correction powers.
    pub fn end_step(&mut self) {
        if let Rule::Adam { beta1, beta2, .. } | Rule::AdamW { beta1, beta2, .. } | Rule::Adamax { beta1, beta2, .. } = self.config.rule {
            self.acc_beta1 *= beta1;
            self.acc_beta2 *= beta2;
        }
        self.iterations += 1;
    }
}

/// One step's constants, applied element-wise.
#[derive(Clone, Copy)]
struct Step<'a> {
    rule: &'a Rule,
    lr: f32,
    iteration: u64,
    acc_beta1: f32,
    acc_beta2: f32,
}

/// Parameters with at least this many values are updated on two threads.
pub(crate) const PARALLEL_UPDATE: usize = 1 << 16;

impl Step<'_> {
    fn run(self, w: &mut [f32], g: &[f32], s0: &mut [f32], s1: &mut [f32], s2: &mut [f32]) {
        if w.len() >= PARALLEL_UPDATE && rayon::current_num_threads() > 1 {
            let half = w.len() / 2;
            let (w0, w1) = w.split_at_mut(half);
            let (a0, a1) = s0.split_at_mut(half.min(s0.len()));
            let (b0, b1) = s1.split_at_mut(half.min(s1.len()));
            let (c0, c1) = s2.split_at_mut(half.min(s2.len()));
            rayon::join(|| self.run_serial(w0, &g[..half], a0, b0, c0), || self.run_serial(w1, &g[half..], a1, b1, c1));
        } else {
            self.run_serial(w, g, s0, s1, s2);
        }
    }

    fn run_serial(self, w: &mut [f32], g: &[f32], s0: &mut [f32], s1: &mut [f32], s2: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // Safety: only called where the CPU has AVX2 and FMA.
            return unsafe { update_fma(self, w, g, s0, s1, s2) };
        }
        update(self, w, g, s0, s1, s2)
    }
}

/// [`update`] compiled for AVX2+FMA, so that the element-wise loops use 8-wide instructions.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn update_fma(step: Step, w: &mut [f32], g: &[f32], s0: &mut [f32], s1: &mut [f32], s2: &mut [f32]) {
    update(step, w, g, s0, s1, s2)
}

#[inline(always)]
fn update(step: Step, w: &mut [f32], g: &[f32], s0: &mut [f32], s1: &mut [f32], s2: &mut [f32]) {
    let Step { rule, lr: learning_rate, iteration, acc_beta1, acc_beta2 } = step;
    match *rule {
        Rule::Sgd {} => w.iter_mut().zip(g).for_each(|(w, g)| *w += -learning_rate * g),
        Rule::Momentum { momentum, use_nesterov } => {
            for ((w, &g), a) in w.iter_mut().zip(g).zip(s0.iter_mut()) {
                *a = momentum * *a + g;
                *w += -learning_rate * if use_nesterov { g + *a * momentum } else { *a };
            }
        }
        Rule::AdamW { beta1, beta2, epsilon, weight_decay } => {
            // Keras 3: the decoupled decay first, then Keras's Adam (ε outside the corrected root).
            let eps = epsilon.unwrap_or(EPSILON);
            let alpha = learning_rate * (1.0 - acc_beta2).sqrt() / (1.0 - acc_beta1);
            for (((w, &g), m), v) in w.iter_mut().zip(g).zip(s0.iter_mut()).zip(s1.iter_mut()) {
                *w -= *w * weight_decay * learning_rate;
                *m += (g - *m) * (1.0 - beta1);
                *v += (g * g - *v) * (1.0 - beta2);
                *w -= (*m * alpha) / (v.sqrt() + eps);
            }
        }
        Rule::Adam { beta1, beta2, epsilon } => {
            let eps = epsilon.unwrap_or(EPSILON);
            let (c1, c2) = (1.0 - acc_beta1, 1.0 - acc_beta2);
            for (((w, &g), m), v) in w.iter_mut().zip(g).zip(s0.iter_mut()).zip(s1.iter_mut()) {
                *m = *m * beta1 + g * (1.0 - beta1);
                *v = *v * beta2 + g * g * (1.0 - beta2);
                *w += -learning_rate * (*m / c1) / ((*v / c2).sqrt() + eps);
            }
        }
        Rule::Adamax { beta1, beta2, epsilon, decay } => {
            let eps = epsilon.unwrap_or(EPSILON);
            let lr = -learning_rate / (iteration as f32 * decay + 1.0);
            let c1 = 1.0 - acc_beta1;
            for (((w, &g), m), u) in w.iter_mut().zip(g).zip(s0.iter_mut()).zip(s1.iter_mut()) {
                *m = *m * beta1 + g * (1.0 - beta1);
                *u = (*u * beta2).max(g.abs());
                *w += (lr / c1) * (*m / (*u + eps));
            }
        }
        Rule::RmsProp { decay, momentum, epsilon, centered } => {
            let eps = epsilon.unwrap_or(EPSILON);
            if centered {
                for ((((w, &g), ms), mom), mg) in w.iter_mut().zip(g).zip(s0.iter_mut()).zip(s1.iter_mut()).zip(s2.iter_mut()) {
                    *ms = *ms * decay + g * g * (1.0 - decay);
                    *mg = *mg * decay + g * (1.0 - decay);
                    *mom = *mom * momentum + g * learning_rate / (*ms - (*mg * *mg + eps)).sqrt();
                    *w -= *mom;
                }
            } else {
                for (((w, &g), ms), mom) in w.iter_mut().zip(g).zip(s0.iter_mut()).zip(s1.iter_mut()) {
                    *ms = *ms * decay + g * g * (1.0 - decay);
                    *mom = *mom * momentum + g * learning_rate / (*ms + eps).sqrt();
                    *w -= *mom;
                }
            }
        }
        Rule::Adagrad { .. } => {
            for ((w, &g), acc) in w.iter_mut().zip(g).zip(s0.iter_mut()) {
                *acc += g * g;
                *w += g / (*acc + EPSILON).sqrt() * -learning_rate;
            }
        }
        Rule::Adadelta { rho, epsilon } => {
            let eps = epsilon.unwrap_or(EPSILON);
            for (((w, &g), acc_g), acc_u) in w.iter_mut().zip(g).zip(s0.iter_mut()).zip(s1.iter_mut()) {
                let new_acc_g = *acc_g * rho + g * g * (1.0 - rho);
                let update = (*acc_u + eps).sqrt() / (*acc_g + eps).sqrt() * g;
                *acc_u = *acc_u * rho + update * update * (1.0 - rho);
                *acc_g = new_acc_g;
                *w += update * -learning_rate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `steps` Adam steps on one 3-value parameter with a gradient that changes each step.
    fn train(optimizer: &mut Optimizer, w: &mut [f32], steps: u64, from: u64) {
        for s in from..from + steps {
            let g: Vec<f32> = (0..w.len()).map(|i| ((s as f32 + 1.0) * (i as f32 + 0.5)).sin()).collect();
            optimizer.begin_step(1, |_| w.len());
            optimizer.update(0, w, &g);
            optimizer.end_step();
        }
    }

    #[test]
    fn a_restored_adam_takes_bit_identical_steps_to_an_uninterrupted_one() {
        for rule in [
            Rule::Adam { beta1: 0.9, beta2: 0.999, epsilon: None },
            Rule::AdamW { beta1: 0.9, beta2: 0.999, epsilon: None, weight_decay: 0.01 },
            Rule::Adamax { beta1: 0.9, beta2: 0.999, epsilon: None, decay: 0.0 },
        ] {
            // 1000 steps: far enough for beta.powi(1001) and the product of 1001 betas in f32 to
            // differ in the last bits.
            let mut whole = Optimizer::new(OptimizerConfig::new(rule.clone(), 0.01));
            let mut w = vec![0.5f32, -0.25, 1.0];
            train(&mut whole, &mut w, 1000, 0);
            let mut resumed = Optimizer::new(OptimizerConfig::new(rule.clone(), 0.01));
            let saved = whole.slots.clone();
            resumed.restore(whole.iterations, &[3], |p, s| Some(saved[p][s].clone()));
            let mut w_resumed = w.clone();
            train(&mut whole, &mut w, 5, 1000);
            train(&mut resumed, &mut w_resumed, 5, 1000);
            assert_eq!(w_resumed, w, "{rule:?}");
        }
    }
}
