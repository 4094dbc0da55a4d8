//! Activation functions with the formulas TF.js 4.22 uses (`tfjs-layers/src/activations.ts`),
//! applied in place over row-major `[rows, width]` buffers.

use crate::error::{lookup, Result};

/// An element-wise (or, for softmax, row-wise) activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// `x` if `x > 0`, else `e^x - 1`.
    Elu,
    /// `clip(0.2x + 0.5, 0, 1)`.
    HardSigmoid,
    /// The identity.
    Linear,
    /// `max(x, 0)`.
    Relu,
    /// `min(max(x, 0), 6)`.
    Relu6,
    /// Scaled ELU with the constants of Klambauer et al.
    Selu,
    /// `1 / (1 + e^-x)`.
    Sigmoid,
    /// `e^x / Σ e^x` over each row.
    Softmax,
    /// `log(1 + e^x)`.
    Softplus,
    /// `x / (1 + |x|)`.
    Softsign,
    /// `tanh(x)`.
    Tanh,
    /// `x · sigmoid(x)`.
    Swish,
    /// `x · tanh(softplus(x))`.
    Mish,
    /// `0.5x(1 + erf(x / √2))`.
    Gelu,
    /// GELU's tanh approximation (`gelu_new`).
    GeluNew,
    /// `x - log Σ e^x` over each row.
    LogSoftmax,
}

const NAMES: &[(&str, Activation)] = &[
    ("elu", Activation::Elu),
    ("hardSigmoid", Activation::HardSigmoid),
    ("linear", Activation::Linear),
    ("relu", Activation::Relu),
    ("relu6", Activation::Relu6),
    ("selu", Activation::Selu),
    ("sigmoid", Activation::Sigmoid),
    ("softmax", Activation::Softmax),
    ("softplus", Activation::Softplus),
    ("softsign", Activation::Softsign),
    ("tanh", Activation::Tanh),
    ("swish", Activation::Swish),
    ("mish", Activation::Mish),
    ("gelu", Activation::Gelu),
    ("gelu_new", Activation::GeluNew),
    ("logSoftmax", Activation::LogSoftmax),
    // The snake_case spellings that Keras and saved TF.js models use.
    ("hard_sigmoid", Activation::HardSigmoid),
    ("log_softmax", Activation::LogSoftmax),
];

// SELU constants (Klambauer et al. 2017), as in tfjs-core `selu_util.ts`.
#[allow(clippy::excessive_precision)] // tfjs-core's digits, kept for comparison with its source
const SELU_SCALE: f32 = 1.050_700_987_355_480_5;
#[allow(clippy::excessive_precision)]
const SELU_ALPHA: f32 = 1.673_263_242_354_377_3;

impl Activation {
    /// Parses a TF.js activation identifier (camelCase, or the snake_case form of saved models).
    pub fn parse(name: &str) -> Result<Self> {
        lookup("activation", name, NAMES, 16)
    }

    /// The TF.js identifier, as `getConfig()` reports it.
    pub fn name(self) -> &'static str {
        NAMES.iter().find(|(_, a)| *a == self).map(|(n, _)| *n).unwrap_or("linear")
    }

    /// Whether the backward pass needs the pre-activation values (otherwise the output suffices).
    pub fn needs_input(self) -> bool {
        !matches!(self, Activation::Linear | Activation::Relu | Activation::Sigmoid | Activation::Tanh | Activation::Softmax)
    }

    /// `out = f(pre)` for a `[rows, width]` buffer.
    pub fn forward(self, pre: &[f32], out: &mut [f32], width: usize) {
        use Activation::*;
        match self {
            Softmax => rowwise(pre, out, width, softmax_inplace),
            LogSoftmax => rowwise(pre, out, width, log_softmax_inplace),
            _ => {
                let f = self.scalar_fn();
                out.iter_mut().zip(pre).for_each(|(o, &x)| *o = f(x));
            }
        }
    }

    /// Applies `f` in place (`buf` holds the pre-activation and receives the output).
    pub fn forward_inplace(self, buf: &mut [f32], width: usize) {
        use Activation::*;
        match self {
            Linear => {}
            // The common case gets a loop the compiler can vectorize (the others call through a
            // function pointer per element).
            Relu => buf.iter_mut().for_each(|x| *x = x.max(0.0)),
            Softmax => buf.chunks_exact_mut(width).for_each(softmax_inplace),
            LogSoftmax => buf.chunks_exact_mut(width).for_each(log_softmax_inplace),
            _ => {
                let f = self.scalar_fn();
                buf.iter_mut().for_each(|x| *x = f(*x));
            }
        }
    }

    /// Turns `grad` (dL/d out) into dL/d pre, in place. `pre` may be empty when
    /// [`needs_input`](Self::needs_input) is false.
    pub fn backward(self, pre: &[f32], out: &[f32], grad: &mut [f32], width: usize) {
        use Activation::*;
        match self {
            Linear => {}
            Relu => grad.iter_mut().zip(out).for_each(|(g, &y)| *g = if y > 0.0 { *g } else { 0.0 }),
            Sigmoid => grad.iter_mut().zip(out).for_each(|(g, &y)| *g *= y * (1.0 - y)),
            Tanh => grad.iter_mut().zip(out).for_each(|(g, &y)| *g *= 1.0 - y * y),
            Softmax => {
                for (g, y) in grad.chunks_exact_mut(width).zip(out.chunks_exact(width)) {
                    let dot: f32 = g.iter().zip(y).map(|(a, b)| a * b).sum();
                    g.iter_mut().zip(y).for_each(|(gi, &yi)| *gi = yi * (*gi - dot));
                }
            }
            LogSoftmax => {
                for (g, y) in grad.chunks_exact_mut(width).zip(out.chunks_exact(width)) {
                    let total: f32 = g.iter().sum();
                    g.iter_mut().zip(y).for_each(|(gi, &yi)| *gi -= yi.exp() * total);
                }
            }
            _ => {
                let d = self.scalar_derivative();
                grad.iter_mut().zip(pre).for_each(|(g, &x)| *g *= d(x));
            }
        }
    }

    fn scalar_fn(self) -> fn(f32) -> f32 {
        use Activation::*;
        match self {
            Elu => |x| if x > 0.0 { x } else { x.exp() - 1.0 },
            HardSigmoid => |x| (0.2 * x + 0.5).clamp(0.0, 1.0),
            Linear | Softmax | LogSoftmax => |x| x,
            Relu => |x| x.max(0.0),
            Relu6 => |x| x.clamp(0.0, 6.0),
            Selu => |x| if x > 0.0 { SELU_SCALE * x } else { SELU_SCALE * SELU_ALPHA * (x.exp() - 1.0) },
            Sigmoid => sigmoid,
            Softplus => softplus,
            Softsign => |x| x / (x.abs() + 1.0),
            Tanh => |x| x.tanh(),
            Swish => |x| x * sigmoid(x),
            Mish => |x| x * softplus(x).tanh(),
            Gelu => |x| x * 0.5 * (1.0 + erf(x / std::f32::consts::SQRT_2)),
            GeluNew => |x| 0.5 * x * (1.0 + gelu_new_inner(x).tanh()),
        }
    }

    /// d f / d x for the element-wise activations that need the input.
    fn scalar_derivative(self) -> fn(f32) -> f32 {
        use Activation::*;
        match self {
            Elu => |x| if x > 0.0 { 1.0 } else { x.exp() },
            // clipByValue passes the gradient where the clipped value lies inside [0, 1].
            HardSigmoid => |x| {
                let y = 0.2 * x + 0.5;
                if (0.0..=1.0).contains(&y) {
                    0.2
                } else {
                    0.0
                }
            },
            Relu6 => |x| if x > 0.0 && x <= 6.0 { 1.0 } else { 0.0 },
            Selu => |x| if x > 0.0 { SELU_SCALE } else { SELU_SCALE * SELU_ALPHA * x.exp() },
            Softplus => sigmoid,
            Softsign => |x| {
                let d = 1.0 + x.abs();
                1.0 / (d * d)
            },
            Swish => |x| {
                let s = sigmoid(x);
                s + x * s * (1.0 - s)
            },
            Mish => |x| {
                let t = softplus(x).tanh();
                t + x * (1.0 - t * t) * sigmoid(x)
            },
            Gelu => |x| {
                let cdf = 0.5 * (1.0 + erf(x / std::f32::consts::SQRT_2));
                let pdf = (-0.5 * x * x).exp() / (2.0 * std::f32::consts::PI).sqrt();
                cdf + x * pdf
            },
            GeluNew => |x| {
                let t = gelu_new_inner(x).tanh();
                let c = (2.0 / std::f32::consts::PI).sqrt();
                0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 3.0 * 0.044715 * x * x)
            },
            Linear | Relu | Sigmoid | Tanh | Softmax | LogSoftmax => |_| 1.0,
        }
    }
}

fn rowwise(pre: &[f32], out: &mut [f32], width: usize, f: fn(&mut [f32])) {
    out.copy_from_slice(pre);
    out.chunks_exact_mut(width).for_each(f);
}

/// Softmax with the max shifted out first, so `exp` cannot overflow.
pub fn softmax_inplace(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in row.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    row.iter_mut().for_each(|v| *v /= sum);
}

fn log_softmax_inplace(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let log_sum = row.iter().map(|v| (v - max).exp()).sum::<f32>().ln() + max;
    row.iter_mut().for_each(|v| *v -= log_sum);
}

/// The logistic function, written so that `exp` never overflows.
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^x)` with the cut-offs of tfjs-backend-cpu's Softplus kernel (exact within f32 epsilon).
pub fn softplus(x: f32) -> f32 {
    const THRESHOLD: f32 = -13.942_385; // ln(f32::EPSILON) + 2
    if x < THRESHOLD {
        x.exp()
    } else if x > -THRESHOLD {
        x
    } else {
        x.exp().ln_1p()
    }
}

fn gelu_new_inner(x: f32) -> f32 {
    (2.0 / std::f32::consts::PI).sqrt() * (x + 0.044715 * x * x * x)
}

/// The error function, by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), as tfjs-backend-cpu computes it.
pub fn erf(x: f32) -> f32 {
    const P: f64 = 0.327_591_1;
    const A: [f64; 5] = [0.254_829_592, -0.284_496_736, 1.421_413_741, -1.453_152_027, 1.061_405_429];
    let x = x as f64;
    let v = x.abs();
    let t = 1.0 / (1.0 + P * v);
    let poly = ((((A[4] * t + A[3]) * t + A[2]) * t + A[1]) * t + A[0]) * t;
    (x.signum() * (1.0 - poly * (-v * v).exp())) as f32
}

/// All TF.js activation identifiers, for error messages and tests.
pub fn all() -> impl Iterator<Item = (&'static str, Activation)> {
    NAMES.iter().take(16).copied()
}
