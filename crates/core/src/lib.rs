//! dense-mtl-core: dense and multi-task neural networks with TF.js Layers semantics.
//!
//! The model is a graph ([`graph`]) of layers, one file each ([`layers`]); [`model`] adds
//! losses, metrics and an optimizer, and [`train`] runs `fit`. Everything here is plain Rust:
//! the Node binding lives elsewhere.

// Numeric loops index several buffers in lock-step, and `!(x > 0.0)` is how a check refuses NaN
// along with the values out of range: both on purpose.
#![allow(clippy::needless_range_loop, clippy::neg_cmp_op_on_partial_ord)]
#![warn(missing_docs)]

pub mod activation;
pub mod alea;
pub mod arrays;
pub mod balance;
pub mod builder;
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
pub mod tensor_loss;
pub mod train;

pub use arrays::{History, Logs, Weight};
pub use builder::{GraphBuilder, NodeId, Sequential};
pub use error::{Error, Result};
pub use graph::{Graph, GraphConfig};
pub use model::{CompileConfig, HeadConfig, Model};
pub use train::{Dataset, Evaluation, FitConfig, Means, RunLimits, Signals, Trainer};
