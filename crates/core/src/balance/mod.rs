//! Multi-task loss balancing: how much each output's loss counts in the total, and gradient
//! surgery on the shared weights. Methods and equations follow the papers (see the README):
//! fixed weights (Keras `loss_weights`), uncertainty weighting (Kendall et al. 2018), Dynamic
//! Weight Average (Liu et al. 2019), GradNorm (Chen et al. 2018), random loss weighting (Lin et
//! al. 2022), and the gradient aggregators over the per-task shared gradients, one file each:
//! PCGrad, CAGrad, Nash-MTL, Aligned-MTL, IMTL-G and MGDA-UB.

mod aligned_mtl;
mod cagrad;
pub mod famo;
mod imtl_g;
pub mod linalg;
mod mgda_ub;
mod nash_mtl;
mod pcgrad;
mod rlw;

pub use pcgrad::pcgrad;

use crate::error::{Error, Result};
use crate::loss::Loss;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// How task weights are chosen (`compile({taskWeighting})`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(tag = "method", rename_all = "lowercase", rename_all_fields = "camelCase")]
pub enum TaskWeighting {
    /// The compiled `lossWeights`, unchanged.
    Fixed {},
    /// Learned homoscedastic uncertainty: term `c·e^{-s}·L + s/2` per task, `s` clamped.
    Uncertainty {
        /// The lower clamp of each `s` (default -10).
        #[serde(default = "default_min_log_var")]
        min_log_variance: f32,
        /// The upper clamp of each `s` (default 10).
        #[serde(default = "default_max_log_var")]
        max_log_variance: f32,
    },
    /// Weights from the ratio of the last two epochs' losses, softmax with a temperature.
    Dwa {
        /// The softmax temperature (default 2).
        #[serde(default = "default_temperature")]
        temperature: f32,
    },
    /// Weights trained so that every task's gradient norm on the last shared layer moves at
    /// a rate set by its relative training speed.
    Gradnorm {
        /// The restoring force α (default 1.5).
        #[serde(default = "default_alpha")]
        alpha: f32,
        /// The learning rate of the weights (default 0.025).
        #[serde(default = "default_gradnorm_lr")]
        learning_rate: f32,
    },
    /// Random loss weighting: `softmax(z)`, `z ~ N(0, I)` drawn every step.
    Rlw {},
    /// FAMO: weights `softmax(ξ)_i / (c·L_i)`, ξ learned from each step's log-loss decrease.
    Famo {
        /// The learning rate of ξ (default 0.025).
        #[serde(default = "default_famo_lr")]
        learning_rate: f32,
        /// The weight decay γ of ξ (default 0.001).
        #[serde(default = "default_famo_gamma")]
        gamma: f32,
    },
}

fn default_famo_lr() -> f32 {
    0.025
}
fn default_famo_gamma() -> f32 {
    0.001
}

fn default_min_log_var() -> f32 {
    -10.0
}
fn default_max_log_var() -> f32 {
    10.0
}
fn default_temperature() -> f32 {
    2.0
}
fn default_alpha() -> f32 {
    1.5
}
fn default_gradnorm_lr() -> f32 {
    0.025
}

/// Gradient surgery: how the per-task gradients of the shared weights are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum GradientSurgery {
    /// PCGrad (Yu et al. 2020): each gradient loses its projection on the others it conflicts with (`'pcgrad'`).
    #[serde(rename = "pcgrad")]
    Pcgrad,
    /// CAGrad (Liu et al. 2021): the average gradient moved towards the worst task (`'cagrad'`).
    #[serde(rename = "cagrad")]
    Cagrad,
    /// Nash-MTL (Navon et al. 2022): the Nash bargaining solution (`'nash-mtl'`).
    #[serde(rename = "nash-mtl")]
    NashMtl,
    /// Aligned-MTL (Senushkin et al. 2023): gradients aligned by their principal components (`'aligned-mtl'`).
    #[serde(rename = "aligned-mtl")]
    AlignedMtl,
    /// IMTL-G (Liu et al. 2021): a combination with equal projections on every task gradient (`'imtl-g'`).
    #[serde(rename = "imtl-g")]
    ImtlG,
    /// MGDA-UB (Sener & Koltun 2018): the min-norm combination, on the shared representation (`'mgda-ub'`).
    #[serde(rename = "mgda-ub")]
    MgdaUb,
}

impl GradientSurgery {
    /// The weights α of `Σ α_i g_i` from the Gram matrix of the active tasks' gradients
    /// (PCGrad is not a weighting: it projects, see [`pcgrad`]).
    pub fn weights(self, gram: &linalg::Matrix) -> Vec<f64> {
        match self {
            GradientSurgery::Pcgrad => vec![1.0; gram.len()],
            GradientSurgery::Cagrad => cagrad::weights(gram),
            GradientSurgery::NashMtl => nash_mtl::weights(gram),
            GradientSurgery::AlignedMtl => aligned_mtl::weights(gram),
            GradientSurgery::ImtlG => imtl_g::weights(gram),
            GradientSurgery::MgdaUb => mgda_ub::weights(gram),
        }
    }

    /// The norm the merged shared gradient is clipped to (Nash-MTL's `max_norm`).
    pub fn max_norm(self) -> Option<f64> {
        (self == GradientSurgery::NashMtl).then_some(nash_mtl::MAX_NORM)
    }

    /// Whether the task-specific weights also get the task weights α (methods that weight the
    /// losses: Nash-MTL, MGDA-UB); the others change the shared gradient only.
    pub fn weights_heads(self) -> bool {
        matches!(self, GradientSurgery::NashMtl | GradientSurgery::MgdaUb)
    }
}

impl TaskWeighting {
    /// Checks the options.
    pub fn validate(&self) -> Result<()> {
        let bad = match *self {
            TaskWeighting::Uncertainty { min_log_variance, max_log_variance } if !(min_log_variance < max_log_variance) => {
                Some(format!("uncertainty: minLogVariance must be below maxLogVariance but got {min_log_variance} and {max_log_variance}"))
            }
            TaskWeighting::Dwa { temperature } if !(temperature > 0.0 && temperature.is_finite()) => {
                Some(format!("dwa: temperature must be a positive number but got {temperature}"))
            }
            TaskWeighting::Gradnorm { alpha, learning_rate } if !(alpha >= 0.0 && alpha.is_finite() && learning_rate > 0.0 && learning_rate.is_finite()) => {
                Some(format!("gradnorm: alpha must be >= 0 and learningRate > 0 but got alpha {alpha}, learningRate {learning_rate}"))
            }
            TaskWeighting::Famo { learning_rate, gamma } if !(learning_rate > 0.0 && learning_rate.is_finite() && gamma >= 0.0 && gamma.is_finite()) => {
                Some(format!("famo: learningRate must be > 0 and gamma >= 0 but got learningRate {learning_rate}, gamma {gamma}"))
            }
            _ => None,
        };
        bad.map_or(Ok(()), |m| Err(Error::invalid(format!("compile: taskWeighting {m}"))))
    }
}

/// The state of loss balancing, part of the model (saved with it).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Balancer {
    /// How task weights are chosen.
    pub method: TaskWeighting,
    /// How per-task gradients are combined, if at all.
    pub surgery: Option<GradientSurgery>,
    /// The compiled `lossWeights`.
    pub base: Vec<f32>,
    /// Multipliers chosen by DWA or GradNorm (1 for the other methods).
    pub weights: Vec<f32>,
    /// Uncertainty weighting's `s_i = log σ_i²`.
    pub log_variances: Vec<f32>,
    /// Uncertainty weighting's factor `c_i`: 1 for classification losses, 1/2 for regression.
    pub likelihood_factors: Vec<f32>,
    /// GradNorm's `L_i(0)`: each task's first labelled batch loss.
    pub initial_losses: Vec<Option<f32>>,
    /// DWA's epoch-mean loss per task, for the last two epochs (NaN: no labels that epoch).
    #[serde(with = "missing_as_null")]
    pub recent_epoch_losses: Vec<Vec<f64>>,
    /// FAMO's logits and their Adam moments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub famo: Option<famo::State>,
    #[serde(skip, default = "fresh_rng")]
    rng: Rng,
}

/// DWA's epoch losses in files: a task without labels in an epoch has no loss (NaN here), written
/// as an explicit `null` and read back as NaN, so that the state always reloads.
mod missing_as_null {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(epochs: &[Vec<f64>], s: S) -> Result<S::Ok, S::Error> {
        let written: Vec<Vec<Option<f64>>> = epochs.iter().map(|e| e.iter().map(|&l| (!l.is_nan()).then_some(l)).collect()).collect();
        written.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
        let read = Vec::<Vec<Option<f64>>>::deserialize(d)?;
        Ok(read.into_iter().map(|e| e.into_iter().map(|l| l.unwrap_or(f64::NAN)).collect()).collect())
    }
}

fn fresh_rng() -> Rng {
    Rng::new(None)
}

fn is_classification(loss: Loss) -> bool {
    use Loss::*;
    matches!(
        loss,
        CategoricalCrossentropy | SparseCategoricalCrossentropy | BinaryCrossentropy | Hinge | SquaredHinge | CategoricalHinge | KullbackLeiblerDivergence
    )
}

impl Balancer {
    /// Balancing for heads with these losses and base weights.
    pub fn new(method: TaskWeighting, surgery: Option<GradientSurgery>, losses: &[Loss], base: Vec<f32>) -> Result<Self> {
        method.validate()?;
        let n = losses.len();
        let famo_state = matches!(method, TaskWeighting::Famo { .. });
        Ok(Balancer {
            method,
            surgery,
            base,
            weights: vec![1.0; n],
            log_variances: vec![0.0; n],
            likelihood_factors: losses.iter().map(|&l| if is_classification(l) { 1.0 } else { 0.5 }).collect(),
            initial_losses: vec![None; n],
            recent_epoch_losses: Vec::new(),
            famo: famo_state.then(|| famo::State::new(n)),
            rng: Rng::new(None),
        })
    }

    /// Whether anything beyond fixed weights happens (then the weights are logged).
    pub fn is_adaptive(&self) -> bool {
        !matches!(self.method, TaskWeighting::Fixed {})
    }

    /// The weight on task `h`'s loss in the total this step.
    pub fn effective(&self, h: usize) -> f32 {
        match self.method {
            TaskWeighting::Uncertainty { .. } => self.base[h] * self.likelihood_factors[h] * (-self.log_variances[h]).exp(),
            _ => self.base[h] * self.weights[h],
        }
    }

    /// Uncertainty weighting: d/ds_i of `c e^{-s} L + s/2` for tasks with labels in the batch
    /// (zero for the others, whose term is skipped entirely).
    pub fn log_variance_gradient(&self, losses: &[f64], labelled: &[usize], grad: &mut [f32]) {
        for h in 0..grad.len() {
            grad[h] = if labelled[h] > 0 { -self.base[h] * self.likelihood_factors[h] * (-self.log_variances[h]).exp() * losses[h] as f32 + 0.5 } else { 0.0 };
        }
    }

    /// Keeps `s` in range after an optimizer step (tiny losses would send the weight to infinity).
    pub fn clamp_log_variances(&mut self) {
        if let TaskWeighting::Uncertainty { min_log_variance, max_log_variance } = self.method {
            self.log_variances.iter_mut().for_each(|s| *s = s.clamp(min_log_variance, max_log_variance));
        }
    }

    /// GradNorm: one update of the task weights from this batch's losses and each task's
    /// gradient norm `‖∇_W L_i‖` on the last shared layer. Tasks without labels sit out.
    pub fn gradnorm_update(&mut self, losses: &[f64], norms: &[f32], labelled: &[usize]) {
        let TaskWeighting::Gradnorm { alpha, learning_rate } = self.method else {
            return;
        };
        let active: Vec<usize> = (0..losses.len()).filter(|&h| labelled[h] > 0 && norms[h].is_finite()).collect();
        for &h in &active {
            if self.initial_losses[h].is_none() && losses[h] > 0.0 {
                self.initial_losses[h] = Some(losses[h] as f32);
            }
        }
        let active: Vec<usize> = active.into_iter().filter(|&h| self.initial_losses[h].is_some()).collect();
        if active.len() < 2 {
            return;
        }
        let ratio = |h: usize| losses[h] as f32 / self.initial_losses[h].unwrap();
        let mean_ratio = active.iter().map(|&h| ratio(h)).sum::<f32>() / active.len() as f32;
        let mean_norm = active.iter().map(|&h| self.weights[h] * norms[h]).sum::<f32>() / active.len() as f32;
        for &h in &active {
            let target = mean_norm * (ratio(h) / mean_ratio).powf(alpha);
            let g = self.weights[h] * norms[h];
            // G_i is linear in w_i, so d|G_i - target|/dw_i = sign(G_i - target)·‖∇_W L_i‖.
            let grad = (g - target).signum() * norms[h];
            self.weights[h] = (self.weights[h] - learning_rate * grad).max(1e-3);
        }
        // Renormalize so that the active weights keep summing to their count.
        let sum: f32 = active.iter().map(|&h| self.weights[h]).sum();
        let scale = active.len() as f32 / sum;
        active.iter().for_each(|&h| self.weights[h] *= scale);
    }

    /// DWA: after each epoch, weights for the next one from the last two epochs' mean losses.
    pub fn end_epoch(&mut self, epoch_losses: &[f64]) {
        let TaskWeighting::Dwa { temperature } = self.method else {
            return;
        };
        self.recent_epoch_losses.push(epoch_losses.to_vec());
        if self.recent_epoch_losses.len() > 2 {
            self.recent_epoch_losses.remove(0);
        }
        if self.recent_epoch_losses.len() < 2 {
            return;
        }
        let (before, last) = (&self.recent_epoch_losses[0], &self.recent_epoch_losses[1]);
        let rates: Vec<f64> = last.iter().zip(before).map(|(l, b)| if *b > 0.0 && l.is_finite() { l / b } else { 1.0 }).collect();
        let max = rates.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exps: Vec<f64> = rates.iter().map(|r| ((r - max) / temperature as f64).exp()).collect();
        let total: f64 = exps.iter().sum();
        let n = rates.len() as f64;
        self.weights.iter_mut().zip(&exps).for_each(|(w, e)| *w = (n * e / total) as f32);
    }

    /// Checks a state read from a file or about to be written to one, so that every later step
    /// can index it by output and compute with it: one value per output in every list, every
    /// number finite (a DWA epoch loss may be missing), log-variances within the compiled range.
    pub fn check_state(&self, log_variance_slots: Option<&[Vec<f32>; 3]>) -> Result<()> {
        let n = self.base.len();
        let (low, high) = match self.method {
            TaskWeighting::Uncertainty { min_log_variance, max_log_variance } => (min_log_variance, max_log_variance),
            _ => (f32::MIN, f32::MAX),
        };
        let range = if low > f32::MIN { format!("finite numbers within [{low}, {high}]") } else { "finite numbers".to_string() };
        check_f32s("base", &self.base, n, "finite numbers", |v| v.is_finite())?;
        check_f32s("weights", &self.weights, n, "finite numbers >= 0", |v| v.is_finite() && v >= 0.0)?;
        check_f32s("logVariances", &self.log_variances, n, &range, |v| (low..=high).contains(&v))?;
        check_f32s("likelihoodFactors", &self.likelihood_factors, n, "finite numbers > 0", |v| v.is_finite() && v > 0.0)?;
        let initial = self.initial_losses.iter().map(|l| l.map(f64::from));
        check_list("initialLosses", initial, n, "finite numbers > 0 or null", |v| v.is_none_or(|v| v.is_finite() && v > 0.0))?;
        if self.recent_epoch_losses.len() > 2 {
            return Err(Error::invalid(format!("taskState.recentEpochLosses must hold at most 2 epochs but got {}", self.recent_epoch_losses.len())));
        }
        for (e, losses) in self.recent_epoch_losses.iter().enumerate() {
            let missing_as_none = losses.iter().map(|&l| (!l.is_nan()).then_some(l));
            check_list(&format!("recentEpochLosses[{e}]"), missing_as_none, n, "finite numbers or null", |v| v.is_none_or(f64::is_finite))?;
        }
        match (&self.method, &self.famo) {
            (TaskWeighting::Famo { .. }, None) => return Err(Error::invalid("taskState.famo is missing (FAMO's logits and their moments)")),
            (_, Some(state)) => {
                check_f32s("famo.logits", &state.logits, n, "finite numbers", |v| v.is_finite())?;
                check_f32s("famo.firstMoments", &state.first_moments, n, "finite numbers", |v| v.is_finite())?;
                check_f32s("famo.secondMoments", &state.second_moments, n, "finite numbers >= 0", |v| v.is_finite() && v >= 0.0)?;
            }
            _ => {}
        }
        for (k, slot) in log_variance_slots.into_iter().flatten().enumerate() {
            check_f32s(&format!("logVarianceSlots[{k}]"), slot, n, "finite numbers", |v| v.is_finite())?;
        }
        Ok(())
    }

    /// Seeds the random draws (PCGrad's order, RLW's weights) from `fit({seed})`.
    pub fn seed(&mut self, seed: u64) {
        // A stream of its own, apart from the fit's shuffling stream of the same seed.
        self.rng = Rng::new(Some(seed ^ 0x6d74_6c5f_6261_6c61));
    }

    /// The random stream of PCGrad's order and RLW's weights.
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// Before a step, from the batch's losses: RLW draws this step's weights over the tasks
    /// with labels; FAMO sets `z_i / (c·L_i)`.
    pub fn begin_step(&mut self, labelled: &[usize], losses: &[f64]) {
        match (&self.method, &self.famo) {
            (TaskWeighting::Rlw {}, _) => rlw::draw(&mut self.rng, labelled, &mut self.weights),
            (TaskWeighting::Famo { .. }, Some(state)) => {
                let active: Vec<bool> = labelled.iter().map(|&n| n > 0).collect();
                state.weights(losses, &active, &mut self.weights);
            }
            _ => {}
        }
    }

    /// Whether the step needs the batch's losses after the update (FAMO).
    pub fn needs_losses_after_step(&self) -> bool {
        matches!(self.method, TaskWeighting::Famo { .. })
    }

    /// After a step: FAMO learns ξ from the losses before and after it on the same batch.
    pub fn end_step(&mut self, before: &[f64], after: &[f64], labelled: &[usize]) {
        if let (TaskWeighting::Famo { learning_rate, gamma }, Some(state)) = (&self.method, self.famo.as_mut()) {
            let active: Vec<bool> = labelled.iter().map(|&n| n > 0).collect();
            state.update(before, after, &active, *learning_rate, *gamma);
        }
    }
}

/// [`check_list`] for a list of f32 values.
fn check_f32s(field: &str, values: &[f32], n: usize, expected: &str, valid: impl Fn(f32) -> bool) -> Result<()> {
    check_list(field, values.iter().map(|&v| Some(v as f64)), n, expected, |v| v.is_some_and(|v| valid(v as f32)))
}

/// Fails unless `values` holds `n` values that are all `valid`; `None` is a missing value.
fn check_list<I>(field: &str, values: I, n: usize, expected: &str, valid: impl Fn(Option<f64>) -> bool) -> Result<()>
where
    I: Iterator<Item = Option<f64>> + Clone,
{
    if values.clone().count() == n && values.clone().all(valid) {
        return Ok(());
    }
    // Spelled as JavaScript prints them, since the message is read there.
    let spell = |v: Option<f64>| match v {
        None => "null".to_string(),
        Some(v) if v.is_nan() => "NaN".to_string(),
        Some(v) if v.is_infinite() => (if v > 0.0 { "Infinity" } else { "-Infinity" }).to_string(),
        // Values held as f32 print in their short f32 spelling (0.1, not 0.10000000149011612).
        Some(v) if (v as f32) as f64 == v => (v as f32).to_string(),
        Some(v) => v.to_string(),
    };
    let got: Vec<String> = values.map(spell).collect();
    Err(Error::invalid(format!("taskState.{field} must hold {n} {expected} (one per output) but got [{}]", got.join(", "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balancer(method: TaskWeighting, n: usize) -> Balancer {
        Balancer::new(method, None, &vec![Loss::MeanSquaredError; n], vec![1.0; n]).unwrap()
    }

    #[test]
    fn dwa_weights_follow_the_loss_ratios_of_the_last_two_epochs() {
        let mut b = balancer(TaskWeighting::Dwa { temperature: 2.0 }, 2);
        b.end_epoch(&[1.0, 4.0]);
        assert_eq!(b.weights, vec![1.0, 1.0], "λ = 1 until two epochs have run");
        b.end_epoch(&[0.5, 3.0]);
        // r = (0.5, 0.75); λ_k = 2·exp(r_k/2) / Σ exp(r_i/2).
        let (e1, e2) = ((0.5f64 / 2.0).exp(), (0.75f64 / 2.0).exp());
        let expected = [2.0 * e1 / (e1 + e2), 2.0 * e2 / (e1 + e2)];
        for (w, e) in b.weights.iter().zip(expected) {
            assert!((*w as f64 - e).abs() < 1e-6, "{:?} vs {expected:?}", b.weights);
        }
    }

    #[test]
    fn gradnorm_moves_weights_toward_equal_gradient_norms_and_keeps_their_sum() {
        let mut b = balancer(TaskWeighting::Gradnorm { alpha: 1.5, learning_rate: 0.1 }, 2);
        // First batch: L(0) is recorded, ratios are 1, targets the mean norm (2.5).
        b.gradnorm_update(&[1.0, 1.0], &[1.0, 4.0], &[3, 3]);
        // G = (1, 4): task 0 below target → w0 += 0.1·1, task 1 above → w1 -= 0.1·4.
        let (w0, w1) = (1.1f32, 0.6f32);
        let scale = 2.0 / (w0 + w1);
        assert!((b.weights[0] - w0 * scale).abs() < 1e-6 && (b.weights[1] - w1 * scale).abs() < 1e-6, "{:?}", b.weights);
        assert!((b.weights.iter().sum::<f32>() - 2.0).abs() < 1e-6);
    }

    // Expected values of the two tests below, printed by this script (plain Python, written from
    // the papers' equations, not from this file):
    // import math
    // # GradNorm (Chen et al. 2018, closed-form w-gradient, renormalised to sum T), alpha 0.5, lr 0.1
    // alpha, lr = 0.5, 0.1
    // w = [1.0, 1.0, 1.0]; L0 = None
    // for losses, norms in [([1.0, 2.0, 4.0], [1.0, 2.5, 3.0]), ([0.5, 1.8, 2.0], [0.8, 2.0, 2.5]), ([0.2, 1.7, 1.0], [0.5, 1.9, 2.0])]:
    //     if L0 is None: L0 = losses
    //     ratio = [l / l0 for l, l0 in zip(losses, L0)]; mr = sum(ratio) / 3
    //     G = [wi * n for wi, n in zip(w, norms)]; mg = sum(G) / 3
    //     target = [mg * (r / mr) ** alpha for r in ratio]
    //     w = [max(wi - lr * math.copysign(1, g - t) * n, 1e-3) for wi, g, t, n in zip(w, G, target, norms)]
    //     s = sum(w); w = [3 * wi / s for wi in w]
    //     print("gradnorm", [round(x, 9) for x in w])
    // # DWA (Liu et al. 2019), K = 3 tasks, temperature 0.5
    // tau = 0.5; epochs = [[1.0, 2.0, 4.0], [0.5, 1.8, 4.4], [0.4, 0.9, 4.0]]
    // for k in (1, 2):
    //     r = [a / b for a, b in zip(epochs[k], epochs[k - 1])]
    //     e = [math.exp(x / tau) for x in r]
    //     print("dwa", [round(3 * x / sum(e), 9) for x in e])
    // Printed: gradnorm [1.294117647, 0.882352941, 0.823529412]
    //          gradnorm [1.360512522, 1.071636575, 0.567850903]
    //          gradnorm [1.590803596, 0.994326965, 0.414869439]
    //          dwa [0.458319098, 1.02000791, 1.521672992]
    //          dwa [1.074258156, 0.589565376, 1.336176469]
    fn assert_close(got: &[f32], expected: [f64; 3]) {
        for (g, e) in got.iter().zip(expected) {
            assert!((*g as f64 - e).abs() < 1e-5, "{got:?} vs {expected:?}");
        }
    }

    #[test]
    fn gradnorm_after_three_updates_with_unequal_loss_ratios() {
        let mut b = balancer(TaskWeighting::Gradnorm { alpha: 0.5, learning_rate: 0.1 }, 3);
        b.gradnorm_update(&[1.0, 2.0, 4.0], &[1.0, 2.5, 3.0], &[4, 4, 4]);
        assert_close(&b.weights, [1.294117647, 0.882352941, 0.823529412]);
        b.gradnorm_update(&[0.5, 1.8, 2.0], &[0.8, 2.0, 2.5], &[4, 4, 4]);
        assert_close(&b.weights, [1.360512522, 1.071636575, 0.567850903]);
        b.gradnorm_update(&[0.2, 1.7, 1.0], &[0.5, 1.9, 2.0], &[4, 4, 4]);
        assert_close(&b.weights, [1.590803596, 0.994326965, 0.414869439]);
    }

    #[test]
    fn dwa_with_three_tasks_and_temperature_one_half() {
        let mut b = balancer(TaskWeighting::Dwa { temperature: 0.5 }, 3);
        b.end_epoch(&[1.0, 2.0, 4.0]);
        assert_eq!(b.weights, vec![1.0; 3]);
        b.end_epoch(&[0.5, 1.8, 4.4]);
        assert_close(&b.weights, [0.458319098, 1.02000791, 1.521672992]);
        b.end_epoch(&[0.4, 0.9, 4.0]);
        assert_close(&b.weights, [1.074258156, 0.589565376, 1.336176469]);
    }

    #[test]
    fn rlw_weights_are_the_softmax_of_normal_draws_over_labelled_tasks() {
        let mut b = balancer(TaskWeighting::Rlw {}, 3);
        b.seed(5);
        b.begin_step(&[2, 0, 3], &[1.0, 0.0, 1.0]);
        // Replay the same stream: one normal draw per labelled task, in task order.
        let mut replay = balancer(TaskWeighting::Rlw {}, 3);
        replay.seed(5);
        let (z0, z2) = (replay.rng().normal() as f64, replay.rng().normal() as f64);
        let total = z0.exp() + z2.exp();
        assert_close(&b.weights, [z0.exp() / total, 0.0, z2.exp() / total]);
    }

    #[test]
    fn uncertainty_gradient_and_effective_weight() {
        let mut b = Balancer::new(
            TaskWeighting::Uncertainty { min_log_variance: -10.0, max_log_variance: 10.0 },
            None,
            &[Loss::CategoricalCrossentropy, Loss::MeanSquaredError],
            vec![1.0, 2.0],
        )
        .unwrap();
        b.log_variances = vec![0.5, -1.0];
        let mut g = vec![0.0; 2];
        b.log_variance_gradient(&[2.0, 3.0], &[4, 0], &mut g);
        assert!((g[0] - (-(-0.5f32).exp() * 2.0 + 0.5)).abs() < 1e-6);
        assert_eq!(g[1], 0.0, "a task without labels in the batch has no term at all");
        assert!((b.effective(1) - 2.0 * 0.5 * 1f32.exp()).abs() < 1e-5);
        b.log_variances = vec![-50.0, 50.0];
        b.clamp_log_variances();
        assert_eq!(b.log_variances, vec![-10.0, 10.0]);
    }

    #[test]
    fn a_state_with_a_missing_value_a_nan_or_an_out_of_range_log_variance_is_refused() {
        let uncertainty = TaskWeighting::Uncertainty { min_log_variance: -10.0, max_log_variance: 10.0 };
        let fresh = balancer(uncertainty, 2);
        assert_eq!(fresh.check_state(Some(&[vec![0.0; 2], vec![0.0; 2], vec![0.0; 2]])), Ok(()));
        let message = |b: &Balancer, slots: Option<&[Vec<f32>; 3]>| b.check_state(slots).unwrap_err().to_string();
        let mut b = fresh.clone();
        b.log_variances = vec![];
        assert_eq!(message(&b, None), "taskState.logVariances must hold 2 finite numbers within [-10, 10] (one per output) but got []");
        b.log_variances = vec![0.1, f32::NAN];
        assert_eq!(message(&b, None), "taskState.logVariances must hold 2 finite numbers within [-10, 10] (one per output) but got [0.1, NaN]");
        b.log_variances = vec![0.0, 11.0];
        assert!(message(&b, None).ends_with("but got [0, 11]"));
        let mut b = fresh.clone();
        b.weights = vec![1.0, f32::INFINITY];
        assert_eq!(message(&b, None), "taskState.weights must hold 2 finite numbers >= 0 (one per output) but got [1, Infinity]");
        let mut b = fresh.clone();
        b.initial_losses = vec![None, Some(-1.0)];
        assert_eq!(message(&b, None), "taskState.initialLosses must hold 2 finite numbers > 0 or null (one per output) but got [null, -1]");
        let mut b = fresh.clone();
        b.recent_epoch_losses = vec![vec![1.0, 2.0]; 3];
        assert_eq!(message(&b, None), "taskState.recentEpochLosses must hold at most 2 epochs but got 3");
        let slots = [vec![0.0; 2], vec![0.0; 3], vec![0.0; 2]];
        assert_eq!(message(&fresh, Some(&slots)), "taskState.logVarianceSlots[1] must hold 2 finite numbers (one per output) but got [0, 0, 0]");
    }

    #[test]
    fn a_dwa_epoch_without_labels_is_written_as_null_and_read_back_as_nan() {
        let mut b = balancer(TaskWeighting::Dwa { temperature: 2.0 }, 2);
        b.end_epoch(&[1.0, f64::NAN]);
        assert_eq!(b.check_state(None), Ok(()), "a missing epoch loss is a valid state");
        let json = serde_json::to_value(&b).unwrap();
        assert_eq!(json["recentEpochLosses"], serde_json::json!([[1.0, null]]));
        let back: Balancer = serde_json::from_value(json).unwrap();
        assert_eq!(back.recent_epoch_losses[0][0], 1.0);
        assert!(back.recent_epoch_losses[0][1].is_nan());
        b.recent_epoch_losses[0][0] = f64::INFINITY;
        let message = b.check_state(None).unwrap_err().to_string();
        assert_eq!(message, "taskState.recentEpochLosses[0] must hold 2 finite numbers or null (one per output) but got [Infinity, null]");
    }
}
