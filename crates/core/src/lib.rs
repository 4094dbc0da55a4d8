//! dense-mtl-core: dense and multi-task neural networks with TF.js Layers semantics.
//!
//! The model is a graph ([`graph`]) of layers, one file each ([`layers`]); [`model`] adds
//! losses, metrics and an optimizer, and [`train`] runs `fit`. Everything here is plain Rust:
//! the Node binding lives elsewhere.

pub mod activation;
pub mod balance;
pub mod csv;
pub mod error;
pub mod graph;
pub mod initializer;
pub mod layers;
pub mod loss;
pub mod matmul;
pub mod memory;
pub mod metric;
pub mod model;
pub mod optimizer;
pub mod regularizer;
pub mod rng;
pub mod step;
pub mod train;

pub use error::{Error, Result};
pub use graph::{Graph, GraphConfig};
pub use model::{CompileConfig, Model};
pub use train::{Dataset, Evaluation, FitConfig, Means, RunLimits, Signals, Trainer};
