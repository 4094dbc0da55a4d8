//! Merge layers: `concatenate`, `add`, `multiply`, `average` of two or more inputs. Inputs may
//! have any rank; concatenate joins them along the last axis (TF.js's default `axis: -1`).

use super::{batch_shape, write_or_add, Backward, Forward, Layer, NamedLayer};
use crate::error::{Error, Result};
use serde::Deserialize;

/// `tf.layers.concatenate()`, `add()`, `multiply()`, `average()`: only a name.
#[derive(Clone, Debug, Deserialize)]
pub struct MergeConfig {
    /// The layer's name.
    pub name: String,
}

impl MergeConfig {
    /// The layer merging with `op`.
    pub fn build(&self, op: MergeOp) -> NamedLayer {
        NamedLayer { name: self.name.clone(), trainable: true, layer: Box::new(Merge { op }) }
    }
}

/// How several inputs are merged into one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeOp {
    /// The inputs side by side.
    Concatenate,
    /// The element-wise sum.
    Add,
    /// The element-wise product.
    Multiply,
    /// The element-wise mean.
    Average,
}

/// A built merge layer.
#[derive(Clone, Debug)]
pub struct Merge {
    /// How the inputs are merged.
    pub op: MergeOp,
}

impl Layer for Merge {
    fn class_name(&self) -> &'static str {
        match self.op {
            MergeOp::Concatenate => "Concatenate",
            MergeOp::Add => "Add",
            MergeOp::Multiply => "Multiply",
            MergeOp::Average => "Average",
        }
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        if inputs.len() < 2 {
            return Err(Error::invalid(format!("merge layer '{name}' needs at least 2 inputs but got {}", inputs.len())));
        }
        if self.op == MergeOp::Concatenate {
            return Ok(inputs.iter().sum());
        }
        if let Some(w) = inputs.iter().find(|&&w| w != inputs[0]) {
            return Err(Error::shape(format!("merge layer '{name}': all inputs must have the same width"), inputs[0], w));
        }
        Ok(inputs[0])
    }

    /// Same shapes (concatenate: except on the last axis), as TF.js requires.
    fn output_shape(&self, name: &str, inputs: &[Vec<usize>]) -> Result<Vec<usize>> {
        let lasts: Vec<usize> = inputs.iter().map(|s| *s.last().expect("a shape has at least one axis")).collect();
        let last = self.output_width(name, &lasts)?;
        let leading = |s: &Vec<usize>| s[..s.len() - 1].to_vec();
        if inputs.iter().any(|s| leading(s) != leading(&inputs[0])) {
            let shapes: Vec<String> = inputs.iter().map(|s| batch_shape(s)).collect();
            let rule = if self.op == MergeOp::Concatenate { "matching shapes except for the last (concatenation) axis" } else { "the same shape" };
            return Err(Error::invalid(format!("merge layer '{name}' requires inputs with {rule} but got shapes {}", shapes.join(", "))));
        }
        Ok(leading(&inputs[0]).into_iter().chain([last]).collect())
    }

    fn forward(&self, pass: Forward<'_>) {
        let (inputs, out) = (pass.inputs, pass.out);
        if self.op == MergeOp::Concatenate {
            let width: usize = (0..inputs.len()).map(|k| inputs.last_dim(k)).sum();
            let mut offset = 0;
            for k in 0..inputs.len() {
                let w = inputs.last_dim(k);
                for (orow, irow) in out.chunks_exact_mut(width).zip(inputs.get(k).chunks_exact(w)) {
                    orow[offset..offset + w].copy_from_slice(irow);
                }
                offset += w;
            }
            return;
        }
        out.copy_from_slice(inputs.get(0));
        for k in 1..inputs.len() {
            let src = inputs.get(k);
            if self.op == MergeOp::Multiply {
                out.iter_mut().zip(src).for_each(|(o, &s)| *o *= s);
            } else {
                out.iter_mut().zip(src).for_each(|(o, &s)| *o += s);
            }
        }
        if self.op == MergeOp::Average {
            let scale = 1.0 / inputs.len() as f32;
            out.iter_mut().for_each(|o| *o *= scale);
        }
    }

    fn backward(&self, pass: Backward<'_>) {
        let Backward { grad, inputs, mut sink, scratch, .. } = pass;
        let g = &*grad;
        let width: usize = (0..inputs.len()).map(|k| inputs.last_dim(k)).sum();
        let mut offset = 0;
        for k in 0..inputs.len() {
            match self.op {
                MergeOp::Concatenate => {
                    let in_width = inputs.last_dim(k);
                    sink.send(k, |dst, accumulate| {
                        for (drow, grow) in dst.chunks_exact_mut(in_width).zip(g.chunks_exact(width)) {
                            write_or_add(drow, &grow[offset..offset + in_width], accumulate);
                        }
                    });
                    offset += in_width;
                }
                MergeOp::Add => sink.send(k, |dst, accumulate| write_or_add(dst, g, accumulate)),
                MergeOp::Average => {
                    let scale = 1.0 / inputs.len() as f32;
                    sink.send(k, |dst, accumulate| {
                        let beta = if accumulate { 1.0 } else { 0.0 };
                        dst.iter_mut().zip(g).for_each(|(d, &gv)| *d = beta * *d + scale * gv)
                    });
                }
                MergeOp::Multiply => {
                    // d(prod)/d x_k = the product of the other inputs.
                    scratch.clear();
                    scratch.extend_from_slice(g);
                    for j in (0..inputs.len()).filter(|&j| j != k) {
                        scratch.iter_mut().zip(inputs.get(j)).for_each(|(o, &v)| *o *= v);
                    }
                    sink.send(k, |dst, accumulate| write_or_add(dst, scratch, accumulate));
                }
            }
        }
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
