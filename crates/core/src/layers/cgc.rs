//! Customized Gate Control, the layer of Progressive Layered Extraction (Tang et al., RecSys
//! 2020): `sharedExperts` experts shared by all tasks and `taskExperts` experts per task; task
//! `k`'s gate mixes its own experts and the shared ones. With `outputShared`, a last output
//! mixes every expert through a shared gate; stacking such layers, each next one applied to
//! `[task outputs..., shared output]`, is PLE (the last one without `outputShared`).
//!
//! Experts are numbered shared first, then task 0's, task 1's, ... Weights (with `useBias`), in
//! this order:
//! - `shared_experts/kernel` `[in, sharedExperts·expertUnits]`, `shared_experts/bias`;
//! - `task_experts/kernel` `[numTasks, in, taskExperts·expertUnits]`, `task_experts/bias`
//!   `[numTasks, taskExperts·expertUnits]`;
//! - `task_gates/kernel` `[numTasks, in, taskExperts + sharedExperts]` (columns: the task's own
//!   experts, then the shared ones), `task_gates/bias` `[numTasks, taskExperts + sharedExperts]`;
//! - with `outputShared`: `shared_gate/kernel` `[in, sharedExperts + numTasks·taskExperts]`
//!   (columns in expert order), `shared_gate/bias`.

use super::gated_experts::{positive, ExpertOptions, Gate, GatedExperts, Source, WeightBuilder};
use super::NamedLayer;
use crate::error::Result;
use serde::Deserialize;

/// `tf.layers.customizedGateControl(...)`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CgcConfig {
    /// The layer's name.
    pub name: String,
    /// `numTasks`: the number of tasks, one output each (a positive integer).
    pub num_tasks: usize,
    /// `sharedExperts`: experts shared by all tasks (a positive integer).
    pub shared_experts: usize,
    /// `taskExperts`: experts owned by each task (a positive integer).
    pub task_experts: usize,
    /// `outputShared`: whether a last output mixes every expert through a shared gate, for the
    /// next CGC layer of a PLE stack (false by default).
    #[serde(default)]
    pub output_shared: bool,
    /// The experts' and gates' options (`expertUnits`, `expertActivation`, `useBias`, initializers
    /// and regularizers), as the wire sends them.
    #[serde(flatten)]
    pub options: ExpertOptions,
    /// Whether training updates the weights (true by default).
    #[serde(default = "super::yes")]
    pub trainable: bool,
}

impl CgcConfig {
    /// Checks the config and initializes the weights for inputs of `input_width` columns.
    pub fn build(&self, input_width: usize) -> Result<NamedLayer> {
        let what = format!("customizedGateControl '{}'", self.name);
        let tasks = positive(&what, "numTasks", self.num_tasks)?;
        let shared = positive(&what, "sharedExperts", self.shared_experts)?;
        let own = positive(&what, "taskExperts", self.task_experts)?;
        let mut weights = WeightBuilder::new(what, &self.options, input_width)?;
        let units = self.options.expert_units;
        let mut groups = weights.blocks(("shared_experts/kernel", "shared_experts/bias"), None, shared * units, units, |_| Source::Shared)?;
        groups.extend(weights.blocks(("task_experts/kernel", "task_experts/bias"), Some(tasks), own * units, units, Source::Task)?);
        let task_gates = weights.blocks(("task_gates/kernel", "task_gates/bias"), Some(tasks), own + shared, own + shared, Source::Task)?;
        let mut gates: Vec<Gate> = task_gates
            .into_iter()
            .enumerate()
            .map(|(k, block)| Gate { block, experts: (shared + k * own..shared + (k + 1) * own).chain(0..shared).collect() })
            .collect();
        if self.output_shared {
            let all = shared + tasks * own;
            let block = weights.blocks(("shared_gate/kernel", "shared_gate/bias"), None, all, all, |_| Source::Shared)?.remove(0);
            gates.push(Gate { block, experts: (0..all).collect() });
        }
        let layer = GatedExperts {
            class_name: "CustomizedGateControl",
            what: "customizedGateControl",
            input_dim: input_width,
            units,
            activation: weights.activation(),
            tasks,
            takes_task_inputs: true,
            groups,
            gates,
            params: weights.params,
        };
        Ok(NamedLayer { name: self.name.clone(), trainable: self.trainable, layer: Box::new(layer) })
    }
}
