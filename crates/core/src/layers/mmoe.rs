//! Multi-gate Mixture-of-Experts (Ma et al., KDD 2018): `numExperts` dense experts shared by all
//! tasks and one softmax gate per task; task `k`'s output is `Σ_e gate_k,e(x) · expert_e(x)`.
//! With `numTasks: 1` it is the one-gate mixture of experts (MoE) of the paper's baselines.
//!
//! Weights (with `useBias`), in this order:
//! - `experts/kernel` `[in, numExperts·expertUnits]` (expert `e`: columns `e·expertUnits..`),
//!   `experts/bias` `[numExperts·expertUnits]`;
//! - `gates/kernel` `[numTasks, in, numExperts]` (task `k`'s gate: block `k`),
//!   `gates/bias` `[numTasks, numExperts]`.

use super::gated_experts::{positive, ExpertOptions, Gate, GatedExperts, Source, WeightBuilder};
use super::NamedLayer;
use crate::error::Result;
use serde::Deserialize;

/// `tf.layers.mixtureOfExperts(...)`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MmoeConfig {
    /// The layer's name.
    pub name: String,
    /// `numExperts`: the experts all tasks share (a positive integer).
    pub num_experts: usize,
    /// `numTasks`: the number of tasks, one gate and one output each (a positive integer).
    pub num_tasks: usize,
    /// The experts' and gates' options (`expertUnits`, `expertActivation`, `useBias`, initializers
    /// and regularizers), as the wire sends them.
    #[serde(flatten)]
    pub options: ExpertOptions,
    /// Whether training updates the weights (true by default).
    #[serde(default = "super::yes")]
    pub trainable: bool,
}

impl MmoeConfig {
    /// Checks the config and initializes the weights for inputs of `input_width` columns.
    pub fn build(&self, input_width: usize) -> Result<NamedLayer> {
        let what = format!("mixtureOfExperts '{}'", self.name);
        let experts = positive(&what, "numExperts", self.num_experts)?;
        let tasks = positive(&what, "numTasks", self.num_tasks)?;
        let mut weights = WeightBuilder::new(what, &self.options, input_width)?;
        let units = self.options.expert_units;
        let groups = weights.blocks(("experts/kernel", "experts/bias"), None, experts * units, units, |_| Source::Shared)?;
        let gate_blocks = weights.blocks(("gates/kernel", "gates/bias"), Some(tasks), experts, experts, |_| Source::Shared)?;
        let gates = gate_blocks.into_iter().map(|block| Gate { block, experts: (0..experts).collect() }).collect();
        let layer = GatedExperts {
            class_name: "MixtureOfExperts",
            what: "mixtureOfExperts",
            input_dim: input_width,
            units,
            activation: weights.activation(),
            tasks,
            takes_task_inputs: false,
            groups,
            gates,
            params: weights.params,
        };
        Ok(NamedLayer { name: self.name.clone(), trainable: self.trainable, layer: Box::new(layer) })
    }
}
