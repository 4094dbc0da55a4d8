/// <reference lib="es2018.asynciterable" />
// (The one standard library these declarations need beyond TypeScript's default (ES5): Symbol,
// Iterator and AsyncIterator, for tf.data's iterators and generators. Declared here, so that a
// project compiles with any `target`/`lib`, including the defaults.)
// Type declarations for dense-mtl: the dense subset of the @tensorflow/tfjs 4.22 API.
// Names follow TF.js (DenseLayerArgs, ModelFitArgs, ...). Where dense-mtl accepts less than
// TF.js the types accept less too, so that unsupported calls fail to compile rather than at run time.
//
//   import * as tf from 'dense-mtl';          // ES modules / TypeScript
//   import tf = require('dense-mtl');         // TypeScript, CommonJS
//   const tf = require('dense-mtl');          // JavaScript

// ---------------------------------------------------------------------------------------------
// Tensors
// ---------------------------------------------------------------------------------------------

/** The dtypes dense-mtl supports (TF.js also has 'complex64' and 'string'). */
export type DataType = 'float32' | 'int32' | 'bool';
/** The dtypes numeric ops accept (every dtype dense-mtl has). */
export type NumericDataType = DataType;
/** The typed arrays tensor values live in: Float32Array (float32), Int32Array (int32), Uint8Array (bool). */
export type TypedArray = Float32Array | Int32Array | Uint8Array;

/** The typed array holding a tensor's values, per dtype. */
export interface DataTypeMap {
  float32: Float32Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/**
 * Tensor ranks. Type-only: `tf.Tensor<tf.Rank.R2>` works, but unlike TF.js there is no
 * `tf.Rank` value at run time.
 */
export type Rank = 'R0' | 'R1' | 'R2' | 'R3' | 'R4' | 'R5' | 'R6';
/** The rank names as types: `tf.Rank.R2` is `'R2'`. */
export declare namespace Rank {
  /** Rank 0: a scalar. */
  type R0 = 'R0';
  /** Rank 1: a vector. */
  type R1 = 'R1';
  /** Rank 2: a matrix. */
  type R2 = 'R2';
  /** Rank 3. */
  type R3 = 'R3';
  /** Rank 4. */
  type R4 = 'R4';
  /** Rank 5. */
  type R5 = 'R5';
  /** Rank 6. */
  type R6 = 'R6';
}

/** The shape type of each rank (a tuple of that length). */
export interface ShapeMap {
  R0: number[];
  R1: [number];
  R2: [number, number];
  R3: [number, number, number];
  R4: [number, number, number, number];
  R5: [number, number, number, number, number];
  R6: [number, number, number, number, number, number];
}

/** What `arraySync()` returns, per rank (bool tensors give 0/1 numbers). */
export interface ArrayMap {
  R0: number;
  R1: number[];
  R2: number[][];
  R3: number[][][];
  R4: number[][][][];
  R5: number[][][][][];
  R6: number[][][][][][];
}

/** Arrays nested to any depth. */
export interface RecursiveArray<T> {
  [index: number]: T | RecursiveArray<T>;
}

/** Values a tensor can be made from (TF.js also takes strings; dense-mtl does not). */
export type TensorLike = TypedArray | number | boolean | RecursiveArray<number | number[] | TypedArray> | RecursiveArray<boolean>;
/** A value a scalar can be made from. */
export type ScalarLike = number | boolean;
/** Values a 1-D tensor can be made from. */
export type TensorLike1D = TypedArray | number[] | boolean[];
/** Values a 2-D tensor can be made from (nested, or flat with a shape). */
export type TensorLike2D = TypedArray | number[] | number[][] | boolean[] | boolean[][] | TypedArray[];
/** Values a 3-D tensor can be made from (nested, or flat with a shape). */
export type TensorLike3D = TypedArray | number[] | number[][][] | boolean[] | boolean[][][] | TypedArray[][];
/** Values a 4-D tensor can be made from (nested, or flat with a shape). */
export type TensorLike4D = TypedArray | number[] | number[][][][] | boolean[] | boolean[][][][] | TypedArray[][][];

/**
 * An immutable n-dimensional array. dense-mtl keeps the values in a JS typed array, so the garbage
 * collector frees them; `dispose()` only updates `tf.memory()` early. Only the methods below exist:
 * there is no tensor arithmetic (`add`, `mul`, ...) as the math runs inside the models.
 */
export declare class Tensor<R extends Rank = Rank> {
  /** Internal: use the factories (`tf.tensor2d`, ...) or `Tensor.fromTypedArray`. */
  private constructor(values: TypedArray, shape: number[], dtype: DataType);
  /**
   * dense-mtl only: wraps `values` (of the dtype's typed array type) without copying.
   * The tensor shares the array, so do not change it afterwards.
   */
  static fromTypedArray(values: TypedArray, shape: number[], dtype: DataType): Tensor;

  /** Unique id of this tensor. */
  readonly id: number;

  // Chainable ops (see the functions of the same names).
  add<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  sub<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  mul<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  div<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  pow<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  equal<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  notEqual<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  greater<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  greaterEqual<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  less<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  lessEqual<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  neg<T extends Tensor>(this: T): T;
  abs<T extends Tensor>(this: T): T;
  square<T extends Tensor>(this: T): T;
  sqrt<T extends Tensor>(this: T): T;
  exp<T extends Tensor>(this: T): T;
  log<T extends Tensor>(this: T): T;
  clipByValue<T extends Tensor>(this: T, min: number, max: number): T;
  sum<T extends Tensor = Tensor>(axis?: number | number[] | null, keepDims?: boolean): T;
  mean<T extends Tensor = Tensor>(axis?: number | number[] | null, keepDims?: boolean): T;
  min<T extends Tensor = Tensor>(axis?: number | number[] | null, keepDims?: boolean): T;
  max<T extends Tensor = Tensor>(axis?: number | number[] | null, keepDims?: boolean): T;
  argMin<T extends Tensor = Tensor>(axis?: number): T;
  slice<T extends Tensor>(this: T, begin: number | number[], size?: number | number[]): T;
  split<T extends Tensor>(this: T, numOrSizeSplits: number | number[], axis?: number): T[];
  gather<T extends Tensor>(this: T, indices: Tensor | TensorLike, axis?: number): T;
  transpose<T extends Tensor>(this: T, perm?: number[]): T;
  zerosLike<T extends Tensor>(this: T): T;
  onesLike<T extends Tensor>(this: T): T;
  concat<T extends Tensor>(this: T, x: T | T[], axis?: number): T;
  stack<T extends Tensor = Tensor>(x: Tensor, axis?: number): T;
  where<T extends Tensor>(this: T, condition: Tensor | TensorLike, x: Tensor | TensorLike): T;
  readonly shape: ShapeMap[R];
  /** Number of values. */
  readonly size: number;
  readonly dtype: DataType;
  /** Strides of the row-major layout (empty for rank < 2). */
  readonly strides: number[];
  /** Whether `tf.keep` was called on it. */
  kept: boolean;
  /** The `tidy` scope the tensor belongs to, if any. */
  scopeId: number | undefined;
  get rank(): number;
  get isDisposed(): boolean;

  throwIfDisposed(): void;
  /** A copy of the values (the TF.js cpu backend may return its own buffer; dense-mtl always copies). */
  dataSync<D extends DataType = NumericDataType>(): DataTypeMap[D];
  data<D extends DataType = NumericDataType>(): Promise<DataTypeMap[D]>;
  arraySync(): ArrayMap[R];
  array(): Promise<ArrayMap[R]>;
  toString(verbose?: boolean): string;
  /** Prints like TF.js, with `console.log`. */
  print(verbose?: boolean): void;
  dispose(): void;

  argMax<T extends Tensor = Tensor>(axis?: number): T;
  reshape<R2 extends Rank = Rank>(newShape: ShapeMap[R2]): Tensor<R2>;
  reshapeAs<T extends Tensor>(x: T): T;
  cast(dtype: DataType): Tensor<R>;
  asType(dtype: DataType): Tensor<R>;
  toInt(): Tensor<R>;
  toFloat(): Tensor<R>;
  toBool(): Tensor<R>;
  clone(): Tensor<R>;
  /** `axis` may be a number or an array (TF.js takes an array). */
  squeeze<T extends Tensor = Tensor>(axis?: number | number[]): T;
  expandDims<R2 extends Rank = Rank>(axis?: number): Tensor<R2>;
  flatten(): Tensor1D;
  as1D(): Tensor1D;
  as2D(rows: number, columns: number): Tensor2D;
  as3D(rows: number, columns: number, depth: number): Tensor3D;
  as4D(rows: number, columns: number, depth: number, depth2: number): Tensor4D;
  asScalar(): Scalar;
}

/** A tensor of rank 0. */
export type Scalar = Tensor<Rank.R0>;
/** A tensor of rank 1. */
export type Tensor1D = Tensor<Rank.R1>;
/** A tensor of rank 2. */
export type Tensor2D = Tensor<Rank.R2>;
/** A tensor of rank 3. */
export type Tensor3D = Tensor<Rank.R3>;
/** A tensor of rank 4. */
export type Tensor4D = Tensor<Rank.R4>;
/** A tensor of rank 5. */
export type Tensor5D = Tensor<Rank.R5>;
/** A tensor of rank 6. */
export type Tensor6D = Tensor<Rank.R6>;

/** Inputs are checked more strictly than in TF.js: ragged arrays and non-numbers throw. */
export declare function tensor<R extends Rank = Rank>(values: TensorLike, shape?: ShapeMap[R], dtype?: DataType): Tensor<R>;
/** A 1-D tensor from a flat array or typed array. */
export declare function tensor1d(values: TensorLike1D, dtype?: DataType): Tensor1D;
/** Nested 2-D values, or flat values with a shape. */
export declare function tensor2d(values: TensorLike2D, shape?: [number, number], dtype?: DataType): Tensor2D;
/** A 3-D tensor from nested arrays, or flat values and a shape. */
export declare function tensor3d(values: TensorLike3D, shape?: [number, number, number], dtype?: DataType): Tensor3D;
/** A 4-D tensor from nested arrays, or flat values and a shape. */
export declare function tensor4d(values: TensorLike4D, shape?: [number, number, number, number], dtype?: DataType): Tensor4D;
/** A rank-0 tensor holding one number or boolean. */
export declare function scalar(value: ScalarLike, dtype?: DataType): Scalar;
/** A tensor of the given shape filled with 0. */
export declare function zeros<R extends Rank = Rank>(shape: ShapeMap[R], dtype?: DataType): Tensor<R>;
/** A tensor of the given shape filled with 1. */
export declare function ones<R extends Rank = Rank>(shape: ShapeMap[R], dtype?: DataType): Tensor<R>;
/** `indices` must be int32; the result is `[...indices.shape, depth]`, int32 by default. */
export declare function oneHot(indices: Tensor | TensorLike, depth: number, onValue?: number, offValue?: number, dtype?: DataType): Tensor;
/** The index of the largest value along `axis` (default 0), as int32. */
export declare function argMax<T extends Tensor = Tensor>(x: Tensor | TensorLike, axis?: number): T;
/** The same values in a new shape (one entry may be -1: inferred). */
export declare function reshape<R extends Rank = Rank>(x: Tensor | TensorLike, shape: ShapeMap[R]): Tensor<R>;
/** The values converted to `dtype` (float to int truncates; nonzero to bool is true). */
export declare function cast<T extends Tensor = Tensor>(x: T | TensorLike, dtype: DataType): T;
/** A new tensor with the same values. */
export declare function clone<T extends Tensor = Tensor>(x: T | TensorLike): T;
/** Removes axes of size 1 (all of them, or those in `axis`). */
export declare function squeeze<T extends Tensor = Tensor>(x: Tensor | TensorLike, axis?: number | number[]): T;
/** Inserts an axis of size 1 at `axis` (default 0). */
export declare function expandDims<T extends Tensor = Tensor>(x: Tensor | TensorLike, axis?: number): T;
/** Whether `x` is a (dense-mtl) Tensor. */
export declare function isTensor(x: unknown): x is Tensor;

// --- memory ------------------------------------------------------------------------------------

/** What `tf.tidy` may return and `tf.dispose` takes: tensors, possibly nested in arrays and objects. */
export type TensorContainer = void | Tensor | string | number | boolean | TensorContainerObject | TensorContainerArray |
  Float32Array | Int32Array | Uint8Array;
/** An object of tensor containers. */
export interface TensorContainerObject {
  [x: string]: TensorContainer;
}
/** An array of tensor containers. */
export interface TensorContainerArray extends Array<TensorContainer> {}

/**
 * Runs `fn` and disposes the tensors it created, except those it returns or kept.
 * Returning a Promise throws (TF.js only logs an error).
 */
export declare function tidy<T extends TensorContainer>(fn: () => T): T;
export declare function tidy<T extends TensorContainer>(name: string, fn: () => T): T;
/** Keeps a tensor made inside `tf.tidy` from being disposed when the scope ends; returns it. */
export declare function keep<T extends Tensor>(result: T): T;
/** Disposes every tensor found in `container` (walked recursively). */
export declare function dispose(container: TensorContainer): void;

/** Counts of live tensors and their bytes (`tf.memory()`). */
export interface MemoryInfo {
  /** Tensors neither disposed nor garbage collected. */
  numTensors: number;
  numDataBuffers: number;
  numBytes: number;
  /** Always false. */
  unreliable: boolean;
}
/** How many tensors and bytes are live: tensors neither disposed nor collected. */
export declare function memory(): MemoryInfo;

// ---------------------------------------------------------------------------------------------
// Initializers, regularizers, optimizers
// ---------------------------------------------------------------------------------------------

/** An initializer descriptor; the native core samples the weights (seedable). */
export declare class Initializer {
  constructor(className: string, config: { [key: string]: unknown });
  readonly className: string;
  readonly config: { [key: string]: unknown };
  getClassName(): string;
  getConfig(): { [key: string]: unknown };
}

/** Initializer names for `kernelInitializer` / `biasInitializer` (Keras snake_case spellings too). */
export type InitializerIdentifier =
  | 'zeros' | 'ones' | 'randomUniform' | 'randomNormal' | 'truncatedNormal' | 'varianceScaling'
  | 'glorotNormal' | 'glorotUniform' | 'heNormal' | 'heUniform' | 'leCunNormal' | 'leCunUniform'
  | 'glorot_normal' | 'glorot_uniform' | 'he_normal' | 'he_uniform' | 'lecun_normal' | 'lecun_uniform'
  | 'random_normal' | 'random_uniform' | 'truncated_normal' | 'variance_scaling';

/** Arguments of initializers that take only a seed. */
export interface SeedOnlyInitializerArgs {
  /** A seed of 0 means "no seed", as in TF.js. */
  seed?: number;
}
/** Arguments of `tf.initializers.constant`. */
export interface ConstantArgs {
  value: number;
}
/** Arguments of `tf.initializers.randomUniform`. */
export interface RandomUniformArgs extends SeedOnlyInitializerArgs {
  minval?: number;
  maxval?: number;
}
/** Arguments of `tf.initializers.randomNormal`. */
export interface RandomNormalArgs extends SeedOnlyInitializerArgs {
  mean?: number;
  stddev?: number;
}
/** Arguments of `tf.initializers.truncatedNormal`. */
export interface TruncatedNormalArgs extends RandomNormalArgs {}
/** Which fan `varianceScaling` scales by. */
export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
/** The distribution `varianceScaling` draws from. */
export type Distribution = 'normal' | 'uniform' | 'truncatedNormal';
/** Arguments of `tf.initializers.varianceScaling`. */
export interface VarianceScalingArgs extends SeedOnlyInitializerArgs {
  scale?: number;
  mode?: FanMode;
  distribution?: Distribution;
}

/** tf.initializers.* (no `identity` or `orthogonal`). */
export declare namespace initializers {
  /** Initializes to 0. */
  function zeros(): Initializer;
  /** Initializes to 1. */
  function ones(): Initializer;
  /** Initializes every weight to `args.value`. */
  function constant(args: ConstantArgs): Initializer;
  /** Uniform values in [minval, maxval) (default [-0.05, 0.05)). */
  function randomUniform(args?: RandomUniformArgs): Initializer;
  /** Normal values with `mean` and `stddev` (default 0, 0.05). */
  function randomNormal(args?: RandomNormalArgs): Initializer;
  /** Normal values re-drawn when more than two standard deviations from the mean. */
  function truncatedNormal(args?: TruncatedNormalArgs): Initializer;
  /** Values scaled to the layer's fan in, fan out or their average (`scale`, `mode`, `distribution`). */
  function varianceScaling(args?: VarianceScalingArgs): Initializer;
  /** Glorot (Xavier) normal: truncated normal with variance 2 / (fanIn + fanOut). The Dense default, as in TF.js. */
  function glorotNormal(args?: SeedOnlyInitializerArgs): Initializer;
  /** Glorot (Xavier) uniform: uniform in ±sqrt(6 / (fanIn + fanOut)). */
  function glorotUniform(args?: SeedOnlyInitializerArgs): Initializer;
  /** He normal: truncated normal with variance 2 / fanIn (for relu layers). */
  function heNormal(args?: SeedOnlyInitializerArgs): Initializer;
  /** He uniform: uniform in ±sqrt(6 / fanIn). */
  function heUniform(args?: SeedOnlyInitializerArgs): Initializer;
  /** LeCun normal: truncated normal with variance 1 / fanIn (for selu layers). */
  function leCunNormal(args?: SeedOnlyInitializerArgs): Initializer;
  /** LeCun uniform: uniform in ±sqrt(3 / fanIn). */
  function leCunUniform(args?: SeedOnlyInitializerArgs): Initializer;
}

/** An L1/L2 weight penalty. */
export declare class Regularizer {
  constructor(l1: number, l2: number);
  readonly l1: number;
  readonly l2: number;
  getClassName(): 'L1L2';
  getConfig(): { l1: number; l2: number };
}
/** Regularizer names accepted by layers (TF.js's and Keras's spellings). */
export type RegularizerIdentifier = 'l1' | 'l2' | 'l1l2' | 'l1_l2';
/** Arguments of `tf.regularizers.l1`. */
export interface L1Args {
  l1?: number;
}
/** Arguments of `tf.regularizers.l2`. */
export interface L2Args {
  l2?: number;
}
/** Arguments of `tf.regularizers.l1l2`. */
export interface L1L2Args {
  l1?: number;
  l2?: number;
}
/** Weight penalties added to the training loss (`kernelRegularizer`, `biasRegularizer`). */
export declare namespace regularizers {
  /** Penalty l1 · Σ|w| (default l1 = 0.01). */
  function l1(config?: L1Args): Regularizer;
  /** Penalty l2 · Σw² (default l2 = 0.01). */
  function l2(config?: L2Args): Regularizer;
  /** Penalty l1 · Σ|w| + l2 · Σw² (defaults 0.01 each). */
  function l1l2(config?: L1L2Args): Regularizer;
}

/**
 * An optimizer descriptor from `tf.train.*`: the update rules run in the native core, so unlike
 * TF.js it has no `minimize` / `applyGradients`. Each model keeps its own optimizer state.
 */
/** A Keras learning-rate schedule, evaluated by the core at every optimizer step. */
export declare class LearningRateSchedule {
  readonly className: 'ExponentialDecay' | 'CosineDecay' | 'PiecewiseConstantDecay';
  readonly config: { [key: string]: number | boolean | number[] | null };
  getClassName(): string;
  getConfig(): { [key: string]: number | boolean | number[] | null };
}

/** A learning rate: a number or a schedule (`tf.train.exponentialDecay`, ...). */
export type LearningRate = number | LearningRateSchedule;

/** Keras's gradient clipping, the trailing argument of every `tf.train` factory (at most one). */
export interface ClipOptions {
  /** Each gradient scaled to an L2 norm of at most this. */
  clipnorm?: number;
  /** Each gradient element clamped to [-clipvalue, clipvalue]. */
  clipvalue?: number;
  /** All gradients scaled together to a joint L2 norm of at most this. */
  globalClipnorm?: number;
}

/** An optimizer: TF.js's update rules (and Keras 3's AdamW), with a settable learning rate and Keras's clipping options. */
export declare class Optimizer {
  constructor(className: string, config: { [key: string]: number | boolean | null | LearningRateSchedule }, options?: ClipOptions);
  readonly className: string;
  readonly config: { [key: string]: number | boolean | null | LearningRateSchedule };
  readonly options: ClipOptions;
  /**
   * The rate the next step uses (a schedule's value at the optimizer's step once compiled).
   * Setting it (a number) takes effect at the next step; not settable with a schedule (Keras).
   */
  get learningRate(): number | LearningRateSchedule;
  set learningRate(value: number);
  /** TF.js's SGD method, on every optimizer here. */
  setLearningRate(value: number): void;
  getClassName(): string;
  getConfig(): { [key: string]: number | boolean | null | LearningRateSchedule };
  /** Does nothing (there is no state to free). */
  dispose(): void;
}

/** Optimizer names `compile` accepts, with TF.js's defaults for each (Keras's for adamw). */
export type OptimizerName = 'sgd' | 'adam' | 'adamw' | 'adamax' | 'rmsprop' | 'adagrad' | 'adadelta'
  | 'SGD' | 'Adam' | 'AdamW' | 'Adamax' | 'RMSProp' | 'Adagrad' | 'Adadelta';

/** Arguments of `tf.train.exponentialDecay`, with Keras's names. */
export interface ExponentialDecayArgs { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }
/** Arguments of `tf.train.cosineDecay` (warmup as in Keras 3), with Keras's names. */
export interface CosineDecayArgs { initialLearningRate: number; decaySteps: number; alpha?: number; name?: string; warmupTarget?: number | null; warmupSteps?: number }
/** Arguments of `tf.train.piecewiseConstantDecay`, with Keras's names. */
export interface PiecewiseConstantDecayArgs { boundaries: number[]; values: number[] }

/**
 * tf.train.*: optimizer factories with TF.js's signatures and defaults, each taking Keras's
 * clipping options as a trailing object; Keras 3's AdamW and learning-rate schedules.
 */
export declare namespace train {
  /** Stochastic gradient descent. */
  function sgd(learningRate: LearningRate, options?: ClipOptions): Optimizer;
  /** Gradient descent with momentum (Nesterov momentum with `useNesterov`). */
  function momentum(learningRate: LearningRate, momentum: number, useNesterov?: boolean, options?: ClipOptions): Optimizer;
  /** Adam (defaults as TF.js: learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7). */
  function adam(learningRate?: LearningRate, beta1?: number, beta2?: number, epsilon?: number | null, options?: ClipOptions): Optimizer;
  /** Keras 3's AdamW: `w -= lr * weightDecay * w`, then Keras's Adam step. Defaults 0.001, 0.004, 0.9, 0.999, 1e-7. */
  function adamw(learningRate?: LearningRate, weightDecay?: number, beta1?: number, beta2?: number, epsilon?: number, options?: ClipOptions): Optimizer;
  /** Adamax, the infinity-norm variant of Adam (learning rate 0.002 by default). */
  function adamax(learningRate?: LearningRate, beta1?: number, beta2?: number, epsilon?: number | null, decay?: number, options?: ClipOptions): Optimizer;
  /** RMSProp (decay 0.9), optionally with momentum and centered. */
  function rmsprop(learningRate: LearningRate, decay?: number, momentum?: number, epsilon?: number | null, centered?: boolean, options?: ClipOptions): Optimizer;
  /** Adagrad (initial accumulator value 0.1 by default). */
  function adagrad(learningRate: LearningRate, initialAccumulatorValue?: number, options?: ClipOptions): Optimizer;
  /** Adadelta (learning rate 0.001, rho 0.95 by default). */
  function adadelta(learningRate?: LearningRate, rho?: number, epsilon?: number | null, options?: ClipOptions): Optimizer;
  /** `initialLearningRate * decayRate ^ (step / decaySteps)` (floored exponent with staircase). */
  function exponentialDecay(args: ExponentialDecayArgs): LearningRateSchedule;
  function exponentialDecay(initialLearningRate: number, decaySteps: number, decayRate: number, staircase?: boolean): LearningRateSchedule;
  /** Cosine decay to `alpha` times the rate, after an optional linear warmup to `warmupTarget`. */
  function cosineDecay(args: CosineDecayArgs): LearningRateSchedule;
  function cosineDecay(initialLearningRate: number, decaySteps: number, alpha?: number, name?: string, warmupTarget?: number | null, warmupSteps?: number): LearningRateSchedule;
  /** `values[i]` while `boundaries[i-1] < step <= boundaries[i]`. */
  function piecewiseConstantDecay(args: PiecewiseConstantDecayArgs): LearningRateSchedule;
  function piecewiseConstantDecay(boundaries: number[], values: number[]): LearningRateSchedule;
}

// ---------------------------------------------------------------------------------------------
// Losses and metrics
// ---------------------------------------------------------------------------------------------

/** Loss names `compile` accepts: TF.js's, plus Keras names and short aliases. */
export type LossName =
  | 'meanSquaredError' | 'meanAbsoluteError' | 'meanAbsolutePercentageError' | 'meanSquaredLogarithmicError'
  | 'squaredHinge' | 'hinge' | 'categoricalHinge' | 'logcosh' | 'categoricalCrossentropy'
  | 'sparseCategoricalCrossentropy' | 'binaryCrossentropy' | 'kullbackLeiblerDivergence' | 'poisson' | 'cosineProximity'
  | 'mse' | 'MSE' | 'mean_squared_error' | 'mae' | 'MAE' | 'mean_absolute_error' | 'mape' | 'MAPE'
  | 'mean_absolute_percentage_error' | 'msle' | 'MSLE' | 'mean_squared_logarithmic_error' | 'squared_hinge'
  | 'categorical_hinge' | 'log_cosh' | 'categorical_crossentropy' | 'sparse_categorical_crossentropy'
  | 'binary_crossentropy' | 'kullback_leibler_divergence' | 'kld' | 'KLD' | 'cosine_proximity' | 'cosine';

/** Metric names `compile` accepts ('accuracy' and 'crossentropy' pick the variant from the loss, as in TF.js). */
export type MetricName =
  | 'accuracy' | 'acc' | 'crossentropy' | 'ce' | 'binaryAccuracy' | 'categoricalAccuracy' | 'sparseCategoricalAccuracy'
  | 'precision' | 'recall' | 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy'
  | 'mse' | 'mae' | 'mape' | 'cosine' | 'MSE' | 'MAE' | 'MAPE' | 'meanSquaredError' | 'meanAbsoluteError'
  | 'meanAbsolutePercentageError' | 'cosineProximity' | 'binary_accuracy' | 'categorical_accuracy'
  | 'sparse_categorical_accuracy';

/** A loss or metric as a function of tensors (TF.js's `LossOrMetricFn`). */
export type LossOrMetricFn = (yTrue: Tensor, yPred: Tensor) => Tensor;
/** dense-mtl's tf.metrics functions also take nested arrays. */
export type MetricFn = (yTrue: Tensor | TensorLike, yPred: Tensor | TensorLike) => Tensor;

declare const compileLoss: unique symbol;
declare const compileMetric: unique symbol;
/** Marks the tf.metrics / tf.losses functions `compile` accepts as a loss (they run natively). */
export interface CompilableLoss {
  readonly [compileLoss]: true;
}
/** Marks the tf.metrics / tf.losses functions `compile` accepts as a metric (they run natively). */
export interface CompilableMetric {
  readonly [compileMetric]: true;
}

/**
 * A loss for `compile`: a name, or one of the tf.metrics / tf.losses functions that has a native
 * counterpart. Unlike TF.js, custom JavaScript loss functions are not supported.
 */
export type LossIdentifier = LossName | CompilableLoss;
/** A metric for `compile`: a name or a tf.metrics function (not `r2Score`); no custom functions. */
export type MetricIdentifier = MetricName | CompilableMetric;

/** tf.metrics.*: per-sample values (a scalar for precision, recall, r2Score and 1-D inputs). */
export declare namespace metrics {
  /** Fraction of predictions that equal their binary label after thresholding at 0.5. */
  const binaryAccuracy: MetricFn & CompilableMetric;
  /** Fraction of rows whose largest prediction is at the one-hot label's index. */
  const categoricalAccuracy: MetricFn & CompilableMetric;
  /** Fraction of rows whose largest prediction is at the integer label. */
  const sparseCategoricalAccuracy: MetricFn & CompilableMetric;
  /** Precision of binary predictions thresholded at 0.5: true positives / predicted positives. */
  const precision: MetricFn & CompilableMetric;
  /** Recall of binary predictions thresholded at 0.5: true positives / actual positives. */
  const recall: MetricFn & CompilableMetric;
  /** Binary cross-entropy of probabilities. */
  const binaryCrossentropy: MetricFn & CompilableMetric & CompilableLoss;
  /** Categorical cross-entropy of probabilities against one-hot labels. */
  const categoricalCrossentropy: MetricFn & CompilableMetric & CompilableLoss;
  /** Categorical cross-entropy of probabilities against integer labels. */
  const sparseCategoricalCrossentropy: MetricFn & CompilableMetric & CompilableLoss;
  /** Cosine proximity of labels and predictions along the last axis. */
  const cosineProximity: MetricFn & CompilableMetric & CompilableLoss;
  /** Mean squared error. */
  const meanSquaredError: MetricFn & CompilableMetric & CompilableLoss;
  /** Alias of meanSquaredError. */
  const mse: MetricFn & CompilableMetric & CompilableLoss;
  /** Alias of meanSquaredError. */
  const MSE: MetricFn & CompilableMetric & CompilableLoss;
  /** Mean absolute error. */
  const meanAbsoluteError: MetricFn & CompilableMetric & CompilableLoss;
  /** Alias of meanAbsoluteError. */
  const mae: MetricFn & CompilableMetric & CompilableLoss;
  /** Alias of meanAbsoluteError. */
  const MAE: MetricFn & CompilableMetric & CompilableLoss;
  /** Mean absolute percentage error (100 · mean |(y - ŷ) / y|). */
  const meanAbsolutePercentageError: MetricFn & CompilableMetric & CompilableLoss;
  /** Alias of meanAbsolutePercentageError. */
  const mape: MetricFn & CompilableMetric & CompilableLoss;
  /** Alias of meanAbsolutePercentageError. */
  const MAPE: MetricFn & CompilableMetric & CompilableLoss;
  /** A scalar; not usable in `compile`. */
  const r2Score: MetricFn;
}

/** tf.losses.*: the tfjs-core losses, reduced to a scalar by default. */
export declare namespace losses {
  /** How `tf.losses.*` reduce the per-element losses (TF.js's Reduction). */
  enum Reduction {
    /** No reduction: one loss per element. */
    NONE = 0,
    /** The weighted sum divided by the sum of the weights. */
    MEAN = 1,
    /** The weighted sum. */
    SUM = 2,
    /** The weighted sum divided by the number of nonzero weights (the default). */
    SUM_BY_NONZERO_WEIGHTS = 3,
  }
  /** `weights` is a Tensor or a number (TF.js also takes nested arrays). */
  type ElementwiseLoss = (labels: Tensor | TensorLike, predictions: Tensor | TensorLike, weights?: Tensor | number,
    reduction?: Reduction) => Tensor;
  /** Also usable in `compile` (as 'meanSquaredError'). */
  const meanSquaredError: ElementwiseLoss & CompilableLoss & CompilableMetric;
  /** Also usable in `compile` (as 'meanAbsoluteError'). */
  const absoluteDifference: ElementwiseLoss & CompilableLoss & CompilableMetric;
  /** Hinge loss, with labels in {0, 1} mapped to {-1, 1}. */
  const hingeLoss: ElementwiseLoss;
  /** Log loss (binary cross-entropy) of probabilities, with `epsilon` against log(0). */
  function logLoss(labels: Tensor | TensorLike, predictions: Tensor | TensorLike, weights?: Tensor | number, epsilon?: number,
    reduction?: Reduction): Tensor;
  /** Sigmoid cross-entropy of logits, with optional label smoothing. */
  function sigmoidCrossEntropy(labels: Tensor | TensorLike, logits: Tensor | TensorLike, weights?: Tensor | number, labelSmoothing?: number,
    reduction?: Reduction): Tensor;
  /** Huber loss: quadratic below `delta`, linear above. */
  function huberLoss(labels: Tensor | TensorLike, predictions: Tensor | TensorLike, weights?: Tensor | number, delta?: number,
    reduction?: Reduction): Tensor;
  /** Applies weights to per-element losses and reduces them. */
  function computeWeightedLoss(losses: Tensor, weights?: Tensor | number, reduction?: Reduction): Tensor;
}

// ---------------------------------------------------------------------------------------------
// Layers
// ---------------------------------------------------------------------------------------------

/** A shape with `null` for an unknown batch size. */
export type Shape = Array<number | null>;

/** Activation names (dense-mtl also has 'logSoftmax'). */
export type ActivationIdentifier = 'elu' | 'hardSigmoid' | 'linear' | 'relu' | 'relu6' | 'selu' | 'sigmoid' | 'softmax'
  | 'softplus' | 'softsign' | 'tanh' | 'swish' | 'mish' | 'gelu' | 'gelu_new' | 'logSoftmax';

/**
 * Arguments every layer takes. dense-mtl works on 2-D `[batch, features]` data, so shapes are
 * `[features]` (`inputShape`) or `[batchSize, features]` (`batchInputShape`).
 */
export interface LayerArgs {
  /** `[features]`; only for the first layer of a Sequential model. */
  inputShape?: Shape;
  /** `[batchSize or null, features]`. */
  batchInputShape?: Shape;
  batchSize?: number;
  /** Only 'float32' (TF.js's default) is supported. */
  dtype?: 'float32';
  name?: string;
  trainable?: boolean;
}

/** Arguments of `tf.layers.dense`. */
export interface DenseLayerArgs extends LayerArgs {
  units: number;
  /** Default 'linear'. */
  activation?: ActivationIdentifier;
  useBias?: boolean;
  /** Default 'glorotNormal' (as in TF.js). */
  kernelInitializer?: InitializerIdentifier | Initializer;
  /** Default 'zeros'. */
  biasInitializer?: InitializerIdentifier | Initializer;
  /** Same as `inputShape: [inputDim]`. */
  inputDim?: number;
  kernelRegularizer?: RegularizerIdentifier | Regularizer;
  biasRegularizer?: RegularizerIdentifier | Regularizer;
}

/** Arguments of `tf.layers.dropout`. */
export interface DropoutLayerArgs extends LayerArgs {
  /** In [0, 1). */
  rate: number;
  seed?: number;
}

/** Arguments of `tf.layers.activation`. */
export interface ActivationLayerArgs extends LayerArgs {
  activation: ActivationIdentifier;
}

/** Arguments of `tf.layers.inputLayer`. */
export interface InputLayerArgs {
  /** `[features]`. */
  inputShape?: Shape;
  batchSize?: number;
  /** `[batchSize or null, features]`. */
  batchInputShape?: Shape;
  dtype?: 'float32';
  name?: string;
}

/** Arguments of `tf.layers.concatenate`. */
export interface ConcatenateLayerArgs extends LayerArgs {
  /** Only the feature axis. */
  axis?: -1 | 1;
}

/** Arguments of `tf.layers.embedding`. */
export interface EmbeddingLayerArgs extends Omit<LayerArgs, 'inputShape'> {
  /** Number of distinct ids (ids are integers in [0, inputDim)). */
  inputDim: number;
  /** Size of each id's vector. */
  outputDim: number;
  /** Ids per row; gives the layer its input shape `[batchSize or null, inputLength]`. */
  inputLength?: number | [number];
  /** `[inputLength]`. */
  inputShape?: Shape;
  /** Default 'randomUniform' (-0.05, 0.05), as in TF.js. */
  embeddingsInitializer?: InitializerIdentifier | Initializer;
  embeddingsRegularizer?: RegularizerIdentifier | Regularizer;
  /** Only false: dense-mtl has no masking. */
  maskZero?: false;
}

/** Arguments of `tf.layers.flatten`. */
export interface FlattenLayerArgs extends LayerArgs {
  /** Only 'channelsLast'. */
  dataFormat?: 'channelsLast';
}

/** Arguments `tf.layers.batchNormalization` and `tf.layers.layerNormalization` share. */
export interface NormalizationLayerArgs extends LayerArgs {
  /** Only the feature axis: -1 (default) or 1. */
  axis?: -1 | 1 | [-1] | [1];
  /** Added to the variance; a finite number > 0. Default 1e-3. */
  epsilon?: number;
  /** Whether the layer has a `beta` offset. Default true. */
  center?: boolean;
  /** Whether the layer has a `gamma` scale. Default true. */
  scale?: boolean;
  /** Default 'zeros'. */
  betaInitializer?: InitializerIdentifier | Initializer;
  /** Default 'ones'. */
  gammaInitializer?: InitializerIdentifier | Initializer;
  betaRegularizer?: RegularizerIdentifier | Regularizer;
  gammaRegularizer?: RegularizerIdentifier | Regularizer;
}

/** Arguments of `tf.layers.batchNormalization`. */
export interface BatchNormalizationLayerArgs extends NormalizationLayerArgs {
  /** In [0, 1]: after each training step, `moving -= (moving - batch) · (1 - momentum)`. Default 0.99. */
  momentum?: number;
  /** Default 'zeros'. */
  movingMeanInitializer?: InitializerIdentifier | Initializer;
  /** Default 'ones'. */
  movingVarianceInitializer?: InitializerIdentifier | Initializer;
}

/** Arguments of `tf.input`: `shape` is `[features]`, or give `batchShape` `[batchSize or null, features]`. */
export interface InputConfig {
  shape?: Shape;
  batchShape?: Shape;
  name?: string;
  dtype?: 'float32';
}

/**
 * The output of a layer in a model being defined: a shape and no values. Made by `tf.input`
 * and `layer.apply`.
 */
export declare class SymbolicTensor {
  /** Internal: use `tf.input` and `layer.apply`. */
  constructor(shape: Shape, sourceLayer: Layer, nodeIndex: number, name: string);
  readonly id: number;
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: 'float32';
  readonly sourceLayer: Layer;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
  get rank(): number;
}

/**
 * A layer. Layers only describe themselves; their weights live in the model that contains them.
 * Unlike TF.js, layers cannot be applied to concrete tensors (use `model.predict`) and custom
 * layers (subclasses with `call`) are not supported.
 */
export declare class Layer {
  constructor(args: LayerArgs | undefined, className: string);
  name: string;
  trainable: boolean;
  readonly className: string;
  /** `[batchSize or null, features]` when the layer was given an input shape, else null. */
  batchInputShape: Shape | null;
  getClassName(): string;
  /** Whether `apply` returns a list of tensors (true for the multi-task layers, one output per task). */
  readonly returnsList: boolean;
  /** Connects the layer to symbolic inputs (an array for merge layers) and returns its output. */
  apply(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor;
  /** Output shape for the given input shapes (always a list, one per input). */
  computeOutputShape(inputShapes: Shape[]): Shape;
  countParams(): number;
  /** Empty until the layer is part of a built model. */
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
  getConfig(): { [key: string]: unknown };
}

/** The layer `tf.layers.dense` makes (a type only: there is no `tf.layers.Dense` value). */
export interface Dense extends Layer {
  readonly units: number;
  readonly activation: ActivationIdentifier;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
}
/** A dropout layer: zeroes a fraction `rate` of its inputs while training, scaling the rest. */
export interface Dropout extends Layer {
  readonly rate: number;
  readonly seed: number | null;
}
/** A layer that applies an activation function. */
export interface Activation extends Layer {
  readonly activation: ActivationIdentifier;
}
/** The layer that feeds a model its input. */
export interface InputLayer extends Layer {}
/** An embedding layer: `[batch, L]` integer ids → `[batch, L, outputDim]` rows of `embeddings`. */
export interface Embedding extends Layer {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly inputLength: number | [number] | null;
  readonly embeddingsInitializer: Initializer;
  readonly embeddingsRegularizer: Regularizer | null;
}
/** A flatten layer: `[batch, a, b, ...]` → `[batch, a·b·...]`. */
export interface Flatten extends Layer {}
/** Concatenate, Add, Multiply or Average. */
export interface Merge extends Layer {
  /** Concatenate only: the axis it joins along (always the feature axis, -1). */
  axis?: number;
}

/** `tf.layers.batchNormalization` or `tf.layers.layerNormalization`. */
export interface Normalization extends Layer {
  readonly axis: -1 | 1;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
}
/** Weights `gamma`, `beta`, then the non-trainable `moving_mean` and `moving_variance`. */
export interface BatchNormalization extends Normalization {
  readonly momentum: number;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
}
/** Weights `gamma`, `beta`. */
export interface LayerNormalization extends Normalization {}
/** Options `tf.layers.mixtureOfExperts` and `tf.layers.customizedGateControl` share. */
export interface GatedExpertsLayerArgs extends LayerArgs {
  /** Number of tasks: one output (and one gate) per task. */
  numTasks: number;
  /** Units of every expert, and so of every output. */
  expertUnits: number;
  /** Each expert's activation; default 'relu'. The gates are softmaxes. */
  expertActivation?: ActivationIdentifier;
  /** Biases for the experts and the gates; default true. */
  useBias?: boolean;
  /** Every kernel (experts' and gates'); default 'glorotNormal'. */
  kernelInitializer?: InitializerIdentifier | Initializer;
  /** Default 'zeros'. */
  biasInitializer?: InitializerIdentifier | Initializer;
  kernelRegularizer?: RegularizerIdentifier | Regularizer;
  biasRegularizer?: RegularizerIdentifier | Regularizer;
}

/** Arguments of `tf.layers.mixtureOfExperts`. */
export interface MixtureOfExpertsLayerArgs extends GatedExpertsLayerArgs {
  /** Experts shared by every task. */
  numExperts: number;
}

/** Arguments of `tf.layers.customizedGateControl`. */
export interface CustomizedGateControlLayerArgs extends GatedExpertsLayerArgs {
  /** Experts shared by every task. */
  sharedExperts: number;
  /** Experts of each task (only its gate mixes them). */
  taskExperts: number;
  /**
   * Adds a last output mixing every expert through a shared gate, the input of the next CGC
   * layer's shared experts when layers are stacked (PLE). Default false.
   */
  outputShared?: boolean;
}

/**
 * A layer with one output per task (dense-mtl's own; TF.js cannot load it): `apply` returns a
 * list of symbolic tensors, one per output, and the layer cannot be added to a Sequential model.
 */
export interface GatedExperts extends Omit<Layer, 'apply' | 'computeOutputShape'> {
  readonly numTasks: number;
  readonly expertUnits: number;
  readonly expertActivation: ActivationIdentifier;
  readonly useBias: boolean;
  /** Number of tensors `apply` returns. */
  readonly outputCount: number;
  /** One symbolic tensor per output, `[batch, expertUnits]` each (a list even for one output). */
  apply(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor[];
  /** One shape per output. */
  computeOutputShape(inputShapes: Shape[]): Shape[];
}
/** Multi-gate Mixture-of-Experts (Ma et al., KDD 2018). */
export interface MixtureOfExperts extends GatedExperts {
  readonly numExperts: number;
}
/** Customized Gate Control, the layer of Progressive Layered Extraction (Tang et al., RecSys 2020). */
export interface CustomizedGateControl extends GatedExperts {
  readonly sharedExperts: number;
  readonly taskExperts: number;
  readonly outputShared: boolean;
}

/** tf.layers.*: the layers dense-mtl implements. */
export declare namespace layers {
  /** A densely connected layer: activation(input · kernel + bias). */
  function dense(args: DenseLayerArgs): Dense;
  /** Dropout of a fraction `rate` of the inputs during training (seedable). */
  function dropout(args: DropoutLayerArgs): Dropout;
  /** Applies an activation function (no weights). */
  function activation(args: ActivationLayerArgs): Activation;
  /** An explicit input layer (a Sequential model's first layer may give `inputShape` instead). */
  function inputLayer(args: InputLayerArgs): InputLayer;
  /** With an array of symbolic tensors, makes the layer and applies it at once. */
  function concatenate(inputs: SymbolicTensor[]): SymbolicTensor;
  function concatenate(args?: ConcatenateLayerArgs): Merge;
  /** Element-wise sum of several inputs of the same shape (applied directly, or a layer to apply). */
  function add(inputs: SymbolicTensor[]): SymbolicTensor;
  function add(args?: LayerArgs): Merge;
  /** Element-wise product of several inputs of the same shape (applied directly, or a layer to apply). */
  function multiply(inputs: SymbolicTensor[]): SymbolicTensor;
  function multiply(args?: LayerArgs): Merge;
  /** Element-wise mean of several inputs of the same shape (applied directly, or a layer to apply). */
  function average(inputs: SymbolicTensor[]): SymbolicTensor;
  function average(args?: LayerArgs): Merge;
  /**
   * Integer ids `[batch, L]` (values are truncated toward zero as TF.js's int32 cast does; an id
   * outside [0, inputDim) is an error) → `[batch, L, outputDim]`. It must take a model input.
   */
  function embedding(args: EmbeddingLayerArgs): Embedding;
  /** `[batch, a, b, ...]` → `[batch, a·b·...]` (the input must have rank 3 or more, as in TF.js). */
  function flatten(args?: FlattenLayerArgs): Flatten;
  /**
   * Normalizes each feature: with the batch's mean and variance in training (then moves the
   * moving statistics towards them), with the moving statistics in predict and evaluate.
   */
  function batchNormalization(args?: BatchNormalizationLayerArgs): BatchNormalization;
  /** Normalizes each row over its features, then scales by `gamma` and shifts by `beta`. */
  function layerNormalization(args?: NormalizationLayerArgs): LayerNormalization;
}

// The activation and noise layers (TF.js's advanced_activations and noise layers).

/** Arguments of `tf.layers.leakyReLU`. */
export interface LeakyReLULayerArgs extends LayerArgs {
  /** The slope below zero; default 0.3. */
  alpha?: number;
}
/** Arguments of `tf.layers.prelu`. */
export interface PReLULayerArgs extends LayerArgs {
  /** Default 'zeros'. */
  alphaInitializer?: InitializerIdentifier | Initializer;
  alphaRegularizer?: RegularizerIdentifier | Regularizer;
  /** Not supported (an error when given). */
  alphaConstraint?: null;
  /** Axes along which one alpha is shared; only 1 (one alpha for all features) on [batch, features] data. */
  sharedAxes?: number | number[];
}
/** Arguments of `tf.layers.elu`. */
export interface ELULayerArgs extends LayerArgs {
  /** Default 1. TF.js throws for any other value; dense-mtl computes Keras's `alpha · (eˣ − 1)`. */
  alpha?: number;
}
/** Arguments of `tf.layers.thresholdedReLU`. */
export interface ThresholdedReLULayerArgs extends LayerArgs {
  /** Default 1. */
  theta?: number;
}
/** Arguments of `tf.layers.softmax`. */
export interface SoftmaxLayerArgs extends LayerArgs {
  /** The features axis: 1 (TF.js's default) or -1. */
  axis?: number | number[];
}
/** Arguments of `tf.layers.gaussianNoise`. */
export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the noise, >= 0. */
  stddev: number;
}
/** Arguments of `tf.layers.gaussianDropout`. */
export interface GaussianDropoutArgs extends LayerArgs {
  /** In [0, 1): the noise has standard deviation √(rate / (1 − rate)). */
  rate: number;
}
/** Arguments of `tf.layers.alphaDropout`. */
export interface AlphaDropoutArgs extends LayerArgs {
  /** In [0, 1). */
  rate: number;
  /** `[batch, features]`, each null (a flag per position), 1 (one flag broadcast along the axis) or the axis's size. */
  noiseShape?: Shape;
}

/** `tf.layers.leakyReLU`'s layer. */
export interface LeakyReLU extends Layer {
  readonly alpha: number;
}
/** `tf.layers.prelu`'s layer: its weight `alpha` has one value per feature, or one with `sharedAxes: [1]`. */
export interface PReLU extends Layer {
  readonly alphaInitializer: Initializer;
  readonly alphaRegularizer: Regularizer | null;
  readonly sharedAxes: number[] | null;
}
/** `tf.layers.elu`'s layer. */
export interface ELU extends Layer {
  readonly alpha: number;
}
/** `tf.layers.thresholdedReLU`'s layer. */
export interface ThresholdedReLU extends Layer {
  readonly theta: number;
}
/** `tf.layers.softmax`'s layer. */
export interface Softmax extends Layer {
  readonly axis: number | number[];
}
/** `tf.layers.gaussianNoise`'s layer. */
export interface GaussianNoise extends Layer {
  readonly stddev: number;
}
/** `tf.layers.gaussianDropout`'s layer. */
export interface GaussianDropout extends Layer {
  readonly rate: number;
}
/** `tf.layers.alphaDropout`'s layer. */
export interface AlphaDropout extends Layer {
  readonly rate: number;
  readonly noiseShape: Shape | null;
}

export declare namespace layers {
  /** `alpha · x` below zero, `x` elsewhere. */
  function leakyReLU(args?: LeakyReLULayerArgs): LeakyReLU;
  /** A leaky ReLU whose slope is learned (the weight `alpha`). */
  function prelu(args?: PReLULayerArgs): PReLU;
  /** `x` for x >= 0, `alpha · (eˣ − 1)` below. */
  function elu(args?: ELULayerArgs): ELU;
  /** `x` where x > theta, 0 elsewhere. TF.js cannot train through it; dense-mtl can (gradient 1 where x > theta). */
  function thresholdedReLU(args?: ThresholdedReLULayerArgs): ThresholdedReLU;
  /** Softmax over the features of each row. */
  function softmax(args?: SoftmaxLayerArgs): Softmax;
  /** Adds normal noise of standard deviation `stddev` while training; the identity otherwise. */
  function gaussianNoise(args: GaussianNoiseArgs): GaussianNoise;
  /** Multiplies by normal noise of mean 1 while training; the identity otherwise. */
  function gaussianDropout(args: GaussianDropoutArgs): GaussianDropout;
  /** Dropout for SELU networks, with TF.js's affine correction, while training; the identity otherwise. */
  function alphaDropout(args: AlphaDropoutArgs): AlphaDropout;
  /**
   * Multi-gate Mixture-of-Experts (MMoE; dense-mtl's own, TF.js cannot load it): `numExperts`
   * dense experts shared by all tasks and one softmax gate per task; output k is
   * Σ_e gate_k,e(x) · expert_e(x). Applied to one tensor, returns one tensor per task.
   * `numTasks: 1` is the one-gate mixture of experts.
   */
  function mixtureOfExperts(args: MixtureOfExpertsLayerArgs): MixtureOfExperts;
  /**
   * Customized Gate Control (CGC; dense-mtl's own, TF.js cannot load it): shared experts plus
   * `taskExperts` experts per task; task k's gate mixes its own experts and the shared ones.
   * Applied to one tensor, or to `[task 0, ..., task n-1, shared]` (the outputs of a CGC layer
   * with `outputShared`), which stacks CGC layers into PLE.
   */
  function customizedGateControl(args: CustomizedGateControlLayerArgs): CustomizedGateControl;
}

/** A symbolic input of a functional model (`tf.model`). */
export declare function input(config: InputConfig): SymbolicTensor;

// ---------------------------------------------------------------------------------------------
// Callbacks
// ---------------------------------------------------------------------------------------------

/** Epoch and batch logs: loss and metric values by name (numbers, never tensors). */
export type Logs = { [key: string]: number };

/** What `fit` tells callbacks through `setParams` (epochs, samples, batchSize, metrics, ...). */
export type Params = { [key: string]: number | string | boolean | number[] | string[] | boolean[] | null };

/** Base class of fit callbacks; every hook is awaited before training goes on. */
export declare class BaseCallback {
  /** The model being trained (set by `fit`). */
  model: LayersModel;
  params: Params;
  setModel(model: LayersModel): void;
  setParams(params: Params): void;
  onTrainBegin(logs?: Logs): Promise<void>;
  onTrainEnd(logs?: Logs): Promise<void>;
  onEpochBegin(epoch: number, logs?: Logs): Promise<void>;
  onEpochEnd(epoch: number, logs?: Logs): Promise<void>;
  onBatchBegin(batch: number, logs?: Logs): Promise<void>;
  onBatchEnd(batch: number, logs?: Logs): Promise<void>;
}

/** The hooks of `new tf.CustomCallback({...})` and of callback objects given to fit. */
export interface CustomCallbackArgs {
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs?: Logs) => void | Promise<void>;
  /** Called about every 125 ms of training. */
  onYield?: (epoch: number, batch: number, logs: Logs) => void | Promise<void>;
}

/** Callbacks from functions. Unlike TF.js there is no `yieldEvery` argument (nowFunc/nextFrameFunc neither). */
export declare class CustomCallback extends BaseCallback {
  constructor(args?: CustomCallbackArgs);
}

/** What `fit` resolves with (also `model.history`). */
export declare class History extends BaseCallback {
  /** The epochs run (numbers from `initialEpoch`). */
  epoch: number[];
  /** Log values per epoch, keyed by name ('loss', 'val_loss', 'acc', ...). Always numbers. */
  history: { [key: string]: number[] };
}

/** Arguments of `tf.callbacks.earlyStopping`. */
export interface EarlyStoppingCallbackArgs {
  /** Default 'val_loss'. */
  monitor?: string;
  minDelta?: number;
  patience?: number;
  verbose?: number;
  mode?: 'auto' | 'min' | 'max';
  baseline?: number;
  /** Keras's: set the weights of the best epoch back when training ends (TF.js throws "not implemented"). */
  restoreBestWeights?: boolean;
  /** Keras's: epochs before this one are not monitored. Default 0. */
  startFromEpoch?: number;
}

/** Stops training when a monitored log value stops improving (`tf.callbacks.earlyStopping`). */
export declare class EarlyStopping extends BaseCallback {
  constructor(args?: EarlyStoppingCallbackArgs);
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly verbose: number;
  readonly baseline: number | undefined;
  /** Epoch at which training was stopped (0 if it was not). */
  stoppedEpoch: number;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  /** restoreBestWeights: the weights of the best epoch so far, and that epoch. */
  bestWeights: Tensor[] | null;
  bestEpoch: number;
}

/** Options of `tf.callbacks.modelCheckpoint` (Keras's `ModelCheckpoint`, in camelCase). */
export interface ModelCheckpointArgs {
  /** Used when the first argument is this object: a directory path, with Keras's placeholders. */
  filepath?: string;
  /** Default 'val_loss'. */
  monitor?: string;
  verbose?: number;
  /** Save only when `monitor` improves on the best so far. */
  saveBestOnly?: boolean;
  /** Save without the optimizer state and training config (the full model otherwise). */
  saveWeightsOnly?: boolean;
  mode?: 'auto' | 'min' | 'max';
  /** Only 'epoch'. */
  saveFreq?: 'epoch';
  /** The best value to beat at first (saveBestOnly). */
  initialValueThreshold?: number;
}

/** Keras's ModelCheckpoint: a TF.js model directory per save, written atomically. */
export declare class ModelCheckpoint extends BaseCallback {
  constructor(filepath: string | ModelCheckpointArgs, args?: ModelCheckpointArgs);
  /** The best monitored value so far (saveBestOnly). */
  best: number | null;
}

/** Options of `tf.callbacks.reduceLROnPlateau` (Keras's `ReduceLROnPlateau`, in camelCase). */
export interface ReduceLROnPlateauArgs {
  /** Default 'val_loss'. */
  monitor?: string;
  /** Default 0.1; must be < 1. */
  factor?: number;
  /** Default 10. */
  patience?: number;
  verbose?: number;
  mode?: 'auto' | 'min' | 'max';
  /** Default 1e-4. */
  minDelta?: number;
  /** Default 0. */
  cooldown?: number;
  /** Default 0. */
  minLr?: number;
}

/** Keras's ReduceLROnPlateau; adds `learning_rate` to the epoch logs. */
export declare class ReduceLROnPlateau extends BaseCallback {
  constructor(args?: ReduceLROnPlateauArgs);
}

/** Keras's LearningRateScheduler: `schedule(epoch, lr)` sets the rate before each epoch. */
export declare class LearningRateScheduler extends BaseCallback {
  constructor(schedule: (epoch: number, learningRate: number) => number | Promise<number>, args?: { verbose?: number });
}

/** Options of `tf.callbacks.csvLogger` (Keras's `CSVLogger`, in camelCase). */
export interface CSVLoggerArgs {
  filename?: string;
  /** Default ','. */
  separator?: string;
  /** Append to an existing file (header only if it is empty). Default false. */
  append?: boolean;
}

/** Keras's CSVLogger: one row per epoch, as Python's csv module writes it. */
export declare class CSVLogger extends BaseCallback {
  constructor(filename: string | CSVLoggerArgs, args?: CSVLoggerArgs);
}

/** Keras's TerminateOnNaN: a diverging fit resolves (stopped) instead of rejecting. */
export declare class TerminateOnNaN extends BaseCallback {
  constructor();
}

/** Callback factories: TF.js's `earlyStopping`, Keras's callbacks, and `report` (an HTML training report). */
export declare namespace callbacks {
  /** Stops training when `monitor` (default 'val_loss') has not improved by `minDelta` for `patience` epochs. */
  function earlyStopping(args?: EarlyStoppingCallbackArgs): EarlyStopping;
  /** Saves the model (atomically) after epochs; `filepath` may hold Python-style placeholders such as `{epoch:02d}` and `{val_loss:.2f}`. */
  function modelCheckpoint(filepath: string | ModelCheckpointArgs, args?: ModelCheckpointArgs): ModelCheckpoint;
  /** Multiplies the learning rate by `factor` when `monitor` has not improved for `patience` epochs. */
  function reduceLROnPlateau(args?: ReduceLROnPlateauArgs): ReduceLROnPlateau;
  /** Sets the learning rate at each epoch's start to `schedule(epoch, currentRate)`. */
  function learningRateScheduler(schedule: (epoch: number, learningRate: number) => number | Promise<number>, args?: { verbose?: number }): LearningRateScheduler;
  /** Writes each epoch's logs as a CSV row, as Keras's CSVLogger does. */
  function csvLogger(filename: string | CSVLoggerArgs, args?: CSVLoggerArgs): CSVLogger;
  /** Stops training (and resolves the fit) at the first non-finite loss instead of rejecting it. */
  function terminateOnNaN(): TerminateOnNaN;
}

/** Options of `tf.node.tensorBoard`, as tfjs-node names them. */
export interface TensorBoardCallbackArgs {
  /** 'epoch' (default) or 'batch' (also `batch_*` scalars, which needs batch hooks). */
  updateFreq?: 'batch' | 'epoch';
  /** Weight histograms every this many epochs; 0 (default) for none. */
  histogramFreq?: number;
}

/** tfjs-node's `tf.node` namespace (the TensorBoard callback only). */
export declare namespace node {
  /** tfjs-node's TensorBoard callback: event files under `logdir/train` and `logdir/val`. */
  class TensorBoardCallback extends BaseCallback {
    constructor(logdir?: string, args?: TensorBoardCallbackArgs);
    readonly logdir: string;
  }
  /** tfjs-node's `tf.node.tensorBoard`: writes TensorBoard event files (scalars per epoch or batch, weight histograms). */
  function tensorBoard(logdir?: string, args?: TensorBoardCallbackArgs): TensorBoardCallback;
}

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/** Model data: a tensor per input (or output), an array of them, or an object keyed by name. */
export type NamedTensorMap = { [name: string]: Tensor };
/** Model inputs or targets: a tensor, one per input/output, or an object keyed by name. */
export type ModelData = Tensor | Tensor[] | NamedTensorMap;

/** Arguments of `model.compile`. */
export interface ModelCompileArgs {
  /** A name (TF.js's defaults) or a `tf.train` optimizer. */
  optimizer: OptimizerName | Optimizer;
  /** One loss for all outputs, one per output, or an object keyed by output name. */
  loss: LossIdentifier | LossIdentifier[] | { [outputName: string]: LossIdentifier };
  /** Metrics for every output, or per output (an array may also be given per output). */
  metrics?: MetricIdentifier | MetricIdentifier[] | { [outputName: string]: MetricIdentifier | MetricIdentifier[] };
  /**
   * dense-mtl only (Keras has it, TF.js does not): weights (>= 0) of each output's loss in the
   * total loss, an array in output order or an object keyed by output name. Default 1 each.
   */
  lossWeights?: number[] | { [outputName: string]: number };
  /**
   * dense-mtl only: how task weights adapt during training. 'fixed' (default) uses lossWeights;
   * 'uncertainty' (Kendall et al. 2018), 'dwa' (Liu et al. 2019) and 'gradnorm' (Chen et al. 2018)
   * learn them; their current values are logged as `<output>_weight`.
   */
  taskWeighting?: TaskWeightingName | TaskWeightingConfig;
  /**
   * dense-mtl only: how the per-task gradients of the shared weights are combined: 'pcgrad'
   * (Yu et al. 2020) projects conflicting ones; 'cagrad' (Liu et al. 2021, c = 0.4), 'nash-mtl'
   * (Navon et al. 2022, max norm 1), 'aligned-mtl' (Senushkin et al. 2023), 'imtl-g' (Liu et al.
   * 2021) and 'mgda-ub' (Sener & Koltun 2018) weight them from their Gram matrix.
   */
  gradientSurgery?: 'pcgrad' | 'cagrad' | 'nash-mtl' | 'aligned-mtl' | 'imtl-g' | 'mgda-ub';
}

/** The loss-balancing methods of `compile({taskWeighting})`. */
export type TaskWeightingName = 'fixed' | 'uncertainty' | 'dwa' | 'gradnorm' | 'rlw' | 'famo';
/** A loss-balancing method by name, or with its options as `{method, ...}`. */
export type TaskWeightingConfig =
  | { method: 'fixed' }
  | { method: 'uncertainty'; minLogVariance?: number; maxLogVariance?: number }
  | { method: 'dwa'; temperature?: number }
  | { method: 'gradnorm'; alpha?: number; learningRate?: number }
  | { method: 'rlw' }
  | { method: 'famo'; learningRate?: number; gamma?: number };

/** Per-class weights of one output, keyed by class index. */
export type ClassWeight = { [classIndex: number]: number };
/** Per-class weights keyed by output name. */
export type ClassWeightMap = { [outputName: string]: ClassWeight };
/** How often fit hands control back to the event loop (TF.js's yieldEvery). */
export type YieldEveryOptions = 'auto' | 'batch' | 'epoch' | 'never' | number;

/** Arguments of `model.fit`. */
export interface ModelFitArgs {
  /** Default 32. */
  batchSize?: number;
  /** Default 1. */
  epochs?: number;
  /** 1 (default) prints a progress bar per epoch; 0 and 2 print nothing. */
  verbose?: 0 | 1 | 2;
  /** Callback objects, `{onEpochEnd, ...}` literals, or a list of them. */
  callbacks?: BaseCallback | CustomCallbackArgs | Array<BaseCallback | CustomCallbackArgs>;
  /** Fraction in [0, 1) of the last samples held out for validation (before shuffling). */
  validationSplit?: number;
  /** `[x, y]` (no sample weights). Overrides `validationSplit`. */
  validationData?: [ModelData, ModelData];
  /** Default true. 'batch' is not supported. */
  shuffle?: boolean;
  classWeight?: ClassWeight | ClassWeight[] | ClassWeightMap;
  /**
   * dense-mtl only (TF.js throws): one weight per row, for every output (a 1-D tensor or array),
   * per output (an array), or keyed by output name.
   */
  sampleWeight?: Tensor | number[] | Array<Tensor | number[] | null> | { [outputName: string]: Tensor | number[] };
  initialEpoch?: number;
  /** dense-mtl only: seeds shuffling, dropout and the noise layers so that a fit can be repeated exactly. */
  seed?: number;
  /** Accepted and ignored: dense-mtl yields about every 125 ms when a callback or the progress bar needs it. */
  yieldEvery?: YieldEveryOptions;
}

/** Arguments of `model.evaluate`. */
export interface ModelEvaluateArgs {
  /** Default 32. */
  batchSize?: number;
  /** Only 0: verbose evaluation throws (as in TF.js). */
  verbose?: 0;
}

/** Arguments of `model.predict`. */
export interface ModelPredictArgs {
  /** Default 32. */
  batchSize?: number;
}

/** One weight of a model (TF.js's LayerVariable, read-only here). */
export interface LayerVariable {
  readonly name: string;
  readonly originalName: string;
  readonly shape: number[];
  readonly dtype: 'float32';
  readonly trainable: boolean;
  /** A copy of the current values. */
  read(): Tensor;
}

/** What `model.dispose()` reports. */
export interface DisposeResult {
  refCountAfterDispose: number;
  numDisposedVariables: number;
}

/** Arguments of `tf.model`: the graph's inputs and outputs. */
export interface ContainerArgs {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
}

/** Arguments of `tf.sequential`. */
export interface SequentialArgs {
  layers?: Layer[];
  name?: string;
}

/**
 * A model (tf.model), trained by the native core. Inputs and outputs are 2-D `[batch, features]`.
 * Weights are created when the model is first used and carried over when layers are shared.
 */
export declare class LayersModel {
  constructor(args: ContainerArgs);
  name: string;
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly inputLayers: Layer[];
  readonly outputLayers: Layer[];
  /** In TF.js's order. */
  readonly layers: Layer[];
  readonly weights: LayerVariable[];
  readonly trainableWeights: LayerVariable[];
  readonly nonTrainableWeights: LayerVariable[];
  /** Log keys in TF.js's order ('loss', per-output losses, metrics); needs `compile`. */
  readonly metricsNames: string[];
  /** Set to true (e.g. from a callback) to end `fit` after the current batch or epoch. */
  stopTraining: boolean;
  /** The History of the last `fit` (null before the first). */
  history: History | null;
  /** Set by `compile`. */
  optimizer?: Optimizer;
  /** The `loss` given to `compile`. */
  loss?: ModelCompileArgs['loss'];
  /** The `metrics` given to `compile`. */
  metrics?: ModelCompileArgs['metrics'];
  /** Whether `compile` was called (dense-mtl only). */
  compiled?: boolean;
  /** Metadata saved with the model (a plain object, at most 1 MiB as JSON). */
  setUserDefinedMetadata(metadata: {} | undefined): void;
  getUserDefinedMetadata(): {} | undefined;

  getLayer(name: string): Layer;
  getLayer(index: number): Layer;
  getLayer(name: string | undefined, index: number): Layer;
  countParams(): number;
  getWeights(trainableOnly?: boolean): Tensor[];
  /** All weights, in `model.weights` order; checks every shape before changing any. */
  setWeights(weights: Tensor[]): void;
  compile(args: ModelCompileArgs): void;
  /** dense-mtl only: changes the fixed loss weights mid-training, keeping optimizer and balancing state. */
  setLossWeights(weights: number[] | { [outputName: string]: number }): void;
  fit(x: ModelData, y: ModelData, args?: ModelFitArgs): Promise<History>;
  /** One step on the whole batch; the loss, or `[loss, ...metrics]`. */
  trainOnBatch(x: ModelData, y: ModelData): Promise<number | number[]>;
  /** `[loss, ...]` scalars when there are several values, else the loss. */
  evaluate(x: ModelData, y: ModelData, args?: ModelEvaluateArgs): Scalar | Scalar[];
  /** Trains on the elements (`{xs, ys}`) of a tf.data dataset, as TF.js's fitDataset. */
  fitDataset<T>(dataset: data.Dataset<T>, args: ModelFitDatasetArgs<T>): Promise<History>;
  evaluateDataset(dataset: data.Dataset<unknown>, args?: { batches?: number; verbose?: number }): Promise<Scalar | Scalar[]>;
  /** One tensor per output (a single tensor for one output). */
  predict(x: ModelData, args?: ModelPredictArgs): Tensor | Tensor[];
  predictOnBatch(x: ModelData): Tensor | Tensor[];
  /** Prints the same table as TF.js. */
  summary(lineLength?: number, positions?: number[], printFn?: (message: string) => void): void;
  getClassName(): string;
  /** Saves in the TF.js layers format: a file:// URL or path (a directory), an http(s):// URL, or an IOHandler. */
  save(handlerOrURL: string | IOHandler, config?: ModelSaveConfig): Promise<SaveResult>;
  /** Nothing to free (weights live in native memory owned by the GC). */
  dispose(): DisposeResult;
}

/** A linear stack of layers (tf.sequential). */
export declare class Sequential extends LayersModel {
  constructor(args?: SequentialArgs);
  /** The first layer needs `inputShape`, `inputDim` or `batchInputShape`. */
  add(layer: Layer): void;
  pop(): void;
}

/** A Sequential model: a stack of layers, each feeding the next. */
export declare function sequential(config?: SequentialArgs): Sequential;
/** A functional model over any acyclic graph of layers, from `tf.input` to the outputs. */
export declare function model(args: ContainerArgs): LayersModel;

// ---------------------------------------------------------------------------------------------
// Model files (tf.io): the TF.js layers-model format
// ---------------------------------------------------------------------------------------------

/** Dtypes a weight file may declare. */
export type WeightDType = 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
/** One weight in a model.json weightsManifest (TF.js's WeightsManifestEntry). */
export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: WeightDType;
  /** 'optimizer' for optimizer state saved with includeOptimizer. */
  group?: string;
  /** Dequantized on load as v*scale+min (uint8/uint16) or decoded (float16). */
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number; original_dtype?: string };
}
/** One weight file group of a model.json weights manifest. */
export interface WeightsManifestGroupConfig {
  paths: string[];
  weights: WeightsManifestEntry[];
}
/** model.json's trainingConfig (Keras-style names; written with includeOptimizer). */
export interface TrainingConfig {
  optimizer_config: { class_name: string; config: { [key: string]: unknown } };
  loss: string | string[] | { [outputName: string]: string };
  metrics?: string[] | { [outputName: string]: string | string[] };
}
/** dense-mtl's multi-task extension to model.json (TF.js ignores it). */
export interface DenseMtlState {
  version: number;
  lossWeights?: { [outputName: string]: number };
  taskWeighting?: { method: string; [option: string]: number | string };
  gradientSurgery?: string;
  taskState?: { [key: string]: unknown };
}
/** What model.save hands to an IOHandler and what IOHandler.load returns. */
export interface ModelArtifacts {
  modelTopology?: {} | ArrayBuffer;
  trainingConfig?: TrainingConfig;
  weightSpecs?: WeightsManifestEntry[];
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  userDefinedMetadata?: {};
  denseMtl?: DenseMtlState;
}
/** The parsed model.json. */
export interface ModelJSON {
  modelTopology: {};
  weightsManifest: WeightsManifestGroupConfig[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: TrainingConfig;
  userDefinedMetadata?: {};
  denseMtl?: DenseMtlState;
}
/** Sizes of what a save wrote. */
export interface ModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON' | 'GraphDef';
  modelTopologyBytes?: number;
  weightSpecsBytes?: number;
  weightDataBytes?: number;
}
/** What a save handler reports. */
export interface SaveResult {
  modelArtifactsInfo: ModelArtifactsInfo;
  responses?: unknown[];
  errors?: Array<{} | string>;
}
/** A save and/or load destination: tf.io.fileSystem, tf.io.http, tf.io.withSaveHandler, tf.io.fromMemory, or your own. */
export interface IOHandler {
  save?: (modelArtifacts: ModelArtifacts) => Promise<SaveResult>;
  load?: () => Promise<ModelArtifacts>;
}
/** A handler whose save and load are synchronous. */
export interface IOHandlerSync {
  save?: (modelArtifacts: ModelArtifacts) => SaveResult;
  load?: () => ModelArtifacts;
}
/** Options of `model.save`. */
export interface ModelSaveConfig {
  /** Save only the trainable weights. */
  trainableOnly?: boolean;
  /** Also save trainingConfig, the optimizer state and dense-mtl's multi-task state. */
  includeOptimizer?: boolean;
}
/** A minimal fetch signature (Node 18+'s global fetch fits). */
export type FetchFunction = (url: string, init?: {}) => Promise<{ ok: boolean; status: number; text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer> }>;
/** Options of `tf.loadLayersModel`. */
export interface LoadOptions {
  /** Weight names must match the model's weights exactly (default true). */
  strict?: boolean;
  /** Where weight files are fetched or read from instead of model.json's directory. */
  weightPathPrefix?: string;
  fetchFunc?: FetchFunction;
  requestInit?: {};
  weightUrlConverter?: (weightFileName: string) => Promise<string>;
}

/** IO handlers and helpers for model files, as TF.js's `tf.io`. */
export declare const io: {
  /** A load handler for artifacts in memory (the multi-argument form is deprecated, as in TF.js). */
  fromMemory(modelArtifacts: ModelArtifacts | {}, weightSpecs?: WeightsManifestEntry[], weightData?: ArrayBuffer, trainingConfig?: TrainingConfig): IOHandler;
  fromMemorySync(modelArtifacts: ModelArtifacts | {}, weightSpecs?: WeightsManifestEntry[], weightData?: ArrayBuffer, trainingConfig?: TrainingConfig): IOHandlerSync;
  /** A save handler that calls `saveHandler` with the artifacts. */
  withSaveHandler(saveHandler: (artifacts: ModelArtifacts) => Promise<SaveResult>): IOHandler;
  withSaveHandlerSync(saveHandler: (artifacts: ModelArtifacts) => SaveResult): IOHandlerSync;
  /** Loads from a model.json URL (weights next to it); saves by POSTing model.json and model.weights.bin. */
  http(path: string, loadOptions?: LoadOptions): IOHandler;
  browserHTTPRequest(path: string, loadOptions?: LoadOptions): IOHandler;
  /** tfjs-node's handler: saves model.json + weights.<content hash>.bin into a directory (atomically), loads a model.json file. */
  fileSystem(path: string, loadOptions?: LoadOptions): IOHandler;
  isHTTPScheme(url: string): boolean;
  getModelArtifactsInfoForJSON(modelArtifacts: ModelArtifacts): ModelArtifactsInfo;
  getModelArtifactsForJSON(modelJSON: ModelJSON, loadWeights: (weightsManifest: WeightsManifestGroupConfig[]) => Promise<[WeightsManifestEntry[], ArrayBuffer]>): Promise<ModelArtifacts>;
  getWeightSpecs(weightsManifest: WeightsManifestGroupConfig[]): WeightsManifestEntry[];
  concatenateArrayBuffers(buffers: ArrayBuffer[] | ArrayBuffer): ArrayBuffer;
};
/** Loads a model saved in the TF.js layers format: file:// URLs, plain paths to model.json, http(s):// URLs or an IOHandler. */
export declare function loadLayersModel(pathOrIOHandler: string | IOHandler, options?: LoadOptions): Promise<LayersModel>;

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

/** Resolves at once: the native backend is always ready. */
export declare function ready(): Promise<void>;
/** Always 'dense-mtl'. */
export declare function getBackend(): string;
/** Accepts any name and keeps the native backend. */
export declare function setBackend(backendName: string): Promise<boolean>;
/** Resolves on the next turn of the event loop (for TF.js programs that yield to the browser). */
export declare function nextFrame(): Promise<void>;
/** Does nothing. */
export declare function enableProdMode(): void;
/** The TF.js version mirrored and the dense-mtl version. */
export declare const version: {
  readonly tfjs: string;
  readonly 'tfjs-core': string;
  readonly 'tfjs-layers': string;
  readonly 'dense-mtl': string;
};

// Only the declarations marked `export` above are part of the module.
export {};

// ---------------------------------------------------------------------------------------------
// Ops for data preparation (lib/ops.js)
// ---------------------------------------------------------------------------------------------

/** What the ops take: a tensor, or values a tensor can be made from. */
export type OpInput = Tensor | TensorLike;

/** a + b, element-wise, broadcasting. */
export declare function add<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** a - b, element-wise, broadcasting. */
export declare function sub<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** a · b, element-wise, broadcasting. */
export declare function mul<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** a / b, element-wise, broadcasting (int32 division floors). */
export declare function div<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** base ^ exp, element-wise, broadcasting. */
export declare function pow<T extends Tensor = Tensor>(base: OpInput, exp: OpInput): T;
/** a == b, element-wise, as bool. */
export declare function equal<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** a != b, element-wise, as bool. */
export declare function notEqual<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** a > b, element-wise, as bool. */
export declare function greater<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** a >= b, element-wise, as bool. */
export declare function greaterEqual<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** a < b, element-wise, as bool. */
export declare function less<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** a <= b, element-wise, as bool. */
export declare function lessEqual<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** a where condition is true, else b; all three broadcast. */
export declare function where<T extends Tensor = Tensor>(condition: OpInput, a: OpInput, b: OpInput): T;
/** -x, element-wise. */
export declare function neg<T extends Tensor>(x: T | TensorLike): T;
/** |x|, element-wise. */
export declare function abs<T extends Tensor>(x: T | TensorLike): T;
/** x², element-wise. */
export declare function square<T extends Tensor>(x: T | TensorLike): T;
/** √x, element-wise (float32 input). */
export declare function sqrt<T extends Tensor>(x: T | TensorLike): T;
/** e^x, element-wise. */
export declare function exp<T extends Tensor>(x: T | TensorLike): T;
/** Natural logarithm, element-wise (float32 input). */
export declare function log<T extends Tensor>(x: T | TensorLike): T;
/** x limited to [clipValueMin, clipValueMax]. */
export declare function clipByValue<T extends Tensor>(x: T | TensorLike, clipValueMin: number, clipValueMax: number): T;
/** Sum over `axis` (null: all values). */
export declare function sum<T extends Tensor = Tensor>(x: OpInput, axis?: number | number[] | null, keepDims?: boolean): T;
/** Mean over `axis` (null: all values). */
export declare function mean<T extends Tensor = Tensor>(x: OpInput, axis?: number | number[] | null, keepDims?: boolean): T;
/** Minimum over `axis` (null: all values). */
export declare function min<T extends Tensor = Tensor>(x: OpInput, axis?: number | number[] | null, keepDims?: boolean): T;
/** Maximum over `axis` (null: all values). */
export declare function max<T extends Tensor = Tensor>(x: OpInput, axis?: number | number[] | null, keepDims?: boolean): T;
/** The index of the smallest value along `axis` (default 0), as int32. */
export declare function argMin<T extends Tensor = Tensor>(x: OpInput, axis?: number): T;
/** Mean and population variance over `axis`. */
export declare function moments(x: OpInput, axis?: number | number[] | null, keepDims?: boolean): { mean: Tensor; variance: Tensor };
/** The part of x starting at `begin` with `size` (-1: to the end) along each axis. */
export declare function slice<T extends Tensor>(x: T | TensorLike, begin: number | number[], size?: number | number[]): T;
/** Joins tensors along `axis` (default 0). */
export declare function concat<T extends Tensor>(tensors: Array<T | TensorLike>, axis?: number): T;
/** Stacks tensors of one shape along a new axis. */
export declare function stack<T extends Tensor = Tensor>(tensors: Array<Tensor | TensorLike>, axis?: number): T;
/** Splits x along `axis` into equal parts or parts of the given sizes. */
export declare function split<T extends Tensor>(x: T | TensorLike, numOrSizeSplits: number | number[], axis?: number): T[];
/** The slices of x at `indices` along `axis`. */
export declare function gather<T extends Tensor>(x: T | TensorLike, indices: Tensor | TensorLike, axis?: number, batchDims?: number): T;
/** Permutes the axes (default: reverses them). */
export declare function transpose<T extends Tensor>(x: T | TensorLike, perm?: number[]): T;
/** A tensor of `shape` filled with `value`. */
export declare function fill<R extends Rank = Rank>(shape: ShapeMap[R], value: number | boolean, dtype?: DataType): Tensor<R>;
/** Zeros of x's shape and dtype. */
export declare function zerosLike<T extends Tensor>(x: T | TensorLike): T;
/** Ones of x's shape and dtype. */
export declare function onesLike<T extends Tensor>(x: T | TensorLike): T;
/** `num` evenly spaced values from `start` to `stop`. */
export declare function linspace(start: number, stop: number, num: number): Tensor1D;
/** Values from `start` up to (not including) `stop` by `step`. */
export declare function range(start: number, stop: number, step?: number, dtype?: 'float32' | 'int32'): Tensor1D;
/** Uniform random values in [minval, maxval), seedable (the same values as TF.js for a seed). */
export declare function randomUniform<R extends Rank = Rank>(shape: ShapeMap[R], minval?: number, maxval?: number, dtype?: DataType, seed?: number | string): Tensor<R>;
/** Normal random values, seedable (the same values as TF.js for a seed). */
export declare function randomNormal<R extends Rank = Rank>(shape: ShapeMap[R], mean?: number, stdDev?: number, dtype?: 'float32' | 'int32', seed?: number): Tensor<R>;
export declare namespace util {
  /** Shuffles an array in place (Fisher–Yates with Math.random, as TF.js). */
  function shuffle<T>(array: T[] | Uint32Array | Int32Array | Float32Array): void;
  /** Shuffles two arrays of the same length in place with the same permutation. */
  function shuffleCombo<T>(array: T[] | Uint32Array | Int32Array | Float32Array, array2: T[] | Uint32Array | Int32Array | Float32Array): void;
  function sizeFromShape(shape: number[]): number;
}

// Chainable methods (added to Tensor.prototype by lib/ops.js): add inside `declare class Tensor`:
//   add<T extends Tensor>(this: T, b: Tensor | TensorLike): T;   sub / mul / div / pow likewise
//   equal / notEqual / greater / greaterEqual / less / lessEqual (b: Tensor | TensorLike): T
//   neg<T extends Tensor>(this: T): T;  abs, square, sqrt, exp, log likewise
//   clipByValue<T extends Tensor>(this: T, min: number, max: number): T;
//   sum<T extends Tensor = Tensor>(axis?: number | number[] | null, keepDims?: boolean): T;  mean, min, max likewise
//   argMin<T extends Tensor = Tensor>(axis?: number): T;
//   slice<T extends Tensor>(this: T, begin: number | number[], size?: number | number[]): T;
//   split<T extends Tensor>(this: T, numOrSizeSplits: number | number[], axis?: number): T[];
//   gather<T extends Tensor>(this: T, indices: Tensor | TensorLike, axis?: number): T;
//   transpose<T extends Tensor>(this: T, perm?: number[]): T;
//   zerosLike<T extends Tensor>(this: T): T;  onesLike likewise
//   concat<T extends Tensor>(this: T, x: T | T[], axis?: number): T;
//   stack<T extends Tensor = Tensor>(x: Tensor, axis?: number): T;
//   where<T extends Tensor>(this: T, condition: Tensor | TensorLike, x: Tensor | TensorLike): T;

// ---------------------------------------------------------------------------------------------
// tf.data (lib/dataset.js)
// ---------------------------------------------------------------------------------------------

/** One result of a dataset iterator's next(). */
export interface IteratorResultLike<T> { value: T | null; done: boolean }

/** TF.js's `tf.data`: datasets from CSV files, arrays and generators, and their transformations. */
export declare namespace data {
  /** An iterator over a dataset's elements (also async-iterable). */
  class LazyIterator<T> {
    next(): Promise<IteratorResultLike<T>>;
    /**
     * Up to `max` elements, the ones `next()` would yield, in order (an empty array when the
     * iterator is exhausted; fewer than `max` does not mean exhausted): an array when every stage
     * is synchronous, a promise of one where a stage is asynchronous (mapAsync, async generators).
     */
    nextChunk(max: number): T[] | Promise<T[]>;
    toArray(): Promise<T[]>;
    forEachAsync(f: (value: T) => void): Promise<void>;
    [Symbol.asyncIterator](): { next(): Promise<IteratorResultLike<T>> };
  }
  /** A sequence of elements with TF.js's chainable transformations (map, filter, shuffle, batch, ...). */
  class Dataset<T = TensorContainer> {
    static MAX_BUFFER_SIZE: number;
    size: number | null;
    iterator(): Promise<LazyIterator<T>>;
    batch(batchSize: number, smallLastBatch?: boolean): Dataset<TensorContainer>;
    concatenate(dataset: Dataset<T>): Dataset<T>;
    filter(predicate: (value: T) => boolean): Dataset<T>;
    forEachAsync(f: (input: T) => void): Promise<void>;
    map<O>(transform: (value: T) => O): Dataset<O>;
    mapAsync<O>(transform: (value: T) => Promise<O>): Dataset<O>;
    prefetch(bufferSize: number): Dataset<T>;
    repeat(count?: number): Dataset<T>;
    skip(count: number): Dataset<T>;
    shuffle(bufferSize: number, seed?: string | number, reshuffleEachIteration?: boolean): Dataset<T>;
    take(count: number): Dataset<T>;
    toArray(): Promise<T[]>;
  }
  /** How `tf.data.csv` reads one column. */
  interface ColumnConfig { required?: boolean; dtype?: 'float32' | 'int32' | 'bool' | 'string'; default?: unknown; isLabel?: boolean }
  /** Options of `tf.data.csv`. */
  interface CSVConfig {
    hasHeader?: boolean;
    columnNames?: string[];
    columnConfigs?: { [key: string]: ColumnConfig };
    configuredColumnsOnly?: boolean;
    delimiter?: string;
    delimWhitespace?: boolean;
    /** dense-mtl only: the longest line (record) read, in bytes; a longer one is an Error. Default 64 MiB. */
    maxLineLength?: number;
  }
  /** One CSV row: a value per column name. */
  type CSVElement = { [column: string]: number | string | undefined };
  /** The dataset `tf.data.csv` makes. */
  class CSVDataset extends Dataset<CSVElement | { xs: CSVElement; ys: CSVElement }> {
    columnNames(): Promise<string[]>;
  }
  /** A dataset of the rows of a CSV file (a path, a `file://` or an `http(s)://` URL). */
  function csv(source: string, csvConfig?: CSVConfig): CSVDataset;
  /** A dataset of the items of an array. */
  function array<T>(items: T[]): Dataset<T>;
  /** A dataset of what a generator function (sync or async) yields. */
  function generator<T>(generator: () => Iterator<T> | AsyncIterator<T>): Dataset<T>;
  /** A dataset of elements combined from several datasets (an array or an object of them). */
  function zip<O = TensorContainer>(datasets: Dataset<unknown>[] | { [key: string]: Dataset<unknown> } | unknown[]): Dataset<O>;
}

// fitDataset / evaluateDataset: add inside `declare class LayersModel`:
//   fitDataset<T>(dataset: data.Dataset<T>, args: ModelFitDatasetArgs<T>): Promise<History>;
//   evaluateDataset(dataset: data.Dataset<unknown>, args?: { batches?: number; verbose?: number }): Promise<Scalar | Scalar[]>;
/** Arguments of `model.fitDataset`. */
export interface ModelFitDatasetArgs<T> {
  epochs: number;
  batchesPerEpoch?: number;
  verbose?: 0 | 1;
  callbacks?: BaseCallback | BaseCallback[] | CustomCallbackArgs | CustomCallbackArgs[];
  validationData?: [Tensor | Tensor[], Tensor | Tensor[]] | data.Dataset<T>;
  validationBatchSize?: number;
  validationBatches?: number;
  yieldEvery?: 'auto' | 'batch' | 'epoch' | 'never' | number;
  initialEpoch?: number;
  classWeight?: { [classIndex: string]: number } | Array<{ [classIndex: string]: number }> | { [outputName: string]: { [classIndex: string]: number } };
  /**
   * dense-mtl only: seeds dropout, the noise layers and random task weighting so that a fit can
   * be repeated exactly (the batches and their order are the dataset's: seed its shuffle).
   */
  seed?: number;
}

// =============================================================================================
// The TF.js utilities programs use (issue 15): more ops, their Tensor methods, tf.util,
// tf.test_util and the training report. Grouped here; each merges into the class or namespace
// of the same name declared above.
// =============================================================================================

/** The k largest values along the last axis and their int32 indices (`tf.topk`). */
export interface TopK<T extends Tensor = Tensor> {
  values: T;
  indices: Tensor;
}

/** The distinct values (or slices along an axis) and, per element of x, its index in them (`tf.unique`). */
export interface Unique<T extends Tensor = Tensor> {
  values: T;
  indices: Tensor1D;
}

/** Vector and matrix norm orders of `tf.norm`. */
export type NormOrder = number | 'euclidean' | 'fro';

/**
 * Product of the last two axes of a and b (the leading axes broadcast), optionally transposing
 * either first. Both need rank >= 2; the wider dtype wins.
 */
export declare function matMul<T extends Tensor = Tensor>(a: OpInput, b: OpInput, transposeA?: boolean, transposeB?: boolean): T;
/** 1 / (1 + e^-x), element-wise (float32 input). */
export declare function sigmoid<T extends Tensor>(x: T | TensorLike): T;
/** Hyperbolic tangent, element-wise (float32 input). */
export declare function tanh<T extends Tensor>(x: T | TensorLike): T;
/** max(x, 0), element-wise; bool input gives int32. */
export declare function relu<T extends Tensor>(x: T | TensorLike): T;
/** Softmax along the last axis (`dim` may only name the last axis, as in TF.js). */
export declare function softmax<T extends Tensor>(logits: T | TensorLike, dim?: number): T;
/** Log of the softmax along the last axis. */
export declare function logSoftmax<T extends Tensor>(logits: T | TensorLike, axis?: number): T;
/** Rounds half to even, as TF.js (0.5 → 0, 1.5 → 2, 2.5 → 2). */
export declare function round<T extends Tensor>(x: T | TensorLike): T;
/** Largest integer <= x, element-wise (float32 input). */
export declare function floor<T extends Tensor>(x: T | TensorLike): T;
/** Smallest integer >= x, element-wise (float32 input). */
export declare function ceil<T extends Tensor>(x: T | TensorLike): T;
/** -1, 0 or 1 by the sign of x (NaN gives 0). */
export declare function sign<T extends Tensor>(x: T | TensorLike): T;
/** Element-wise maximum, broadcasting; bool inputs give int32. */
export declare function maximum<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** Element-wise minimum, broadcasting; bool inputs give int32. */
export declare function minimum<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** Remainder of a / b with the sign of b (Python's %), broadcasting. */
export declare function mod<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** Element-wise AND of two bool tensors, broadcasting. */
export declare function logicalAnd<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** Element-wise OR of two bool tensors, broadcasting. */
export declare function logicalOr<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** Element-wise XOR of two bool tensors, broadcasting. */
export declare function logicalXor<T extends Tensor = Tensor>(a: OpInput, b: OpInput): T;
/** Element-wise NOT of a bool tensor. */
export declare function logicalNot<T extends Tensor>(x: T | TensorLike): T;
/**
 * Vector norm (ord 1, 2 / 'euclidean', Infinity, -Infinity) over all values or one axis, or
 * matrix norm ('fro', 'euclidean', 1, Infinity, -Infinity) over two axes.
 */
export declare function norm(x: OpInput, ord?: NormOrder, axis?: number | number[] | null, keepDims?: boolean): Tensor;
/** The k largest values along the last axis, and their indices; ties keep the lower index first. */
export declare function topk<T extends Tensor>(x: T | TensorLike, k?: number, sorted?: boolean): TopK<T>;
/** The distinct slices along `axis` in order of first appearance, and each one's index. */
export declare function unique<T extends Tensor>(x: T | TensorLike, axis?: number): Unique<T>;
/** Repeats x `reps[i]` times along axis i (one entry per axis). */
export declare function tile<T extends Tensor>(x: T | TensorLike, reps: number[]): T;
/** Pads axis i with `paddings[i] = [before, after]` values equal to `constantValue` (0). */
export declare function pad<T extends Tensor>(x: T | TensorLike, paddings: Array<[number, number]>, constantValue?: number): T;
/** Running sums along `axis`; `exclusive` leaves out each element itself, `reverse` sums from the end. */
export declare function cumsum<T extends Tensor>(x: T | TensorLike, axis?: number, exclusive?: boolean, reverse?: boolean): T;

/** The chainable forms of the ops above: `t.op(...args)` is `tf.op(t, ...args)`. */
export interface Tensor<R extends Rank = Rank> {
  /** `tf.matMul(this, b, transposeA, transposeB)`. */
  matMul<T extends Tensor>(this: T, b: Tensor | TensorLike, transposeA?: boolean, transposeB?: boolean): T;
  /** `tf.sigmoid(this)`. */
  sigmoid<T extends Tensor>(this: T): T;
  /** `tf.tanh(this)`. */
  tanh<T extends Tensor>(this: T): T;
  /** `tf.relu(this)`. */
  relu<T extends Tensor>(this: T): T;
  /** `tf.softmax(this, dim)`. */
  softmax<T extends Tensor>(this: T, dim?: number): T;
  /** `tf.logSoftmax(this, axis)`. */
  logSoftmax<T extends Tensor>(this: T, axis?: number): T;
  /** `tf.round(this)` (half to even). */
  round<T extends Tensor>(this: T): T;
  /** `tf.floor(this)`. */
  floor<T extends Tensor>(this: T): T;
  /** `tf.ceil(this)`. */
  ceil<T extends Tensor>(this: T): T;
  /** `tf.sign(this)`. */
  sign<T extends Tensor>(this: T): T;
  /** `tf.maximum(this, b)`. */
  maximum<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  /** `tf.minimum(this, b)`. */
  minimum<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  /** `tf.mod(this, b)`. */
  mod<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  /** `tf.logicalAnd(this, b)`. */
  logicalAnd<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  /** `tf.logicalOr(this, b)`. */
  logicalOr<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  /** `tf.logicalXor(this, b)`. */
  logicalXor<T extends Tensor>(this: T, b: Tensor | TensorLike): T;
  /** `tf.logicalNot(this)`. */
  logicalNot<T extends Tensor>(this: T): T;
  /** `tf.norm(this, ord, axis, keepDims)`. */
  norm(ord?: NormOrder, axis?: number | number[] | null, keepDims?: boolean): Tensor;
  /** `tf.topk(this, k, sorted)`. */
  topk<T extends Tensor>(this: T, k?: number, sorted?: boolean): TopK<T>;
  /** `tf.unique(this, axis)`. */
  unique<T extends Tensor>(this: T, axis?: number): Unique<T>;
  /** `tf.tile(this, reps)`. */
  tile<T extends Tensor>(this: T, reps: number[]): T;
  /** `tf.pad(this, paddings, constantValue)`. */
  pad<T extends Tensor>(this: T, paddings: Array<[number, number]>, constantValue?: number): T;
  /** `tf.cumsum(this, axis, exclusive, reverse)`. */
  cumsum<T extends Tensor>(this: T, axis?: number, exclusive?: boolean, reverse?: boolean): T;
}

/** Nested arrays of T, as `tf.util.flatten` takes them. */
export interface RecursiveArrayOf<T> { [index: number]: T | RecursiveArrayOf<T> }

/** TF.js's `tf.util`: the helpers data-preparation and test programs use. */
export declare namespace util {
  /** Throws an Error with `msg` (or what `msg()` returns) unless `expr` holds. */
  function assert(expr: boolean, msg: string | (() => string)): void;
  /** Throws unless the two shapes are equal; the message starts with `errorMessagePrefix`. */
  function assertShapesMatch(shapeA: number[], shapeB: number[], errorMessagePrefix?: string): void;
  /** Throws unless `a` is neither null nor undefined. */
  function assertNonNull(a: unknown): void;
  /** Throws unless every entry of `shape` is a non-negative integer. */
  function assertNonNegativeIntegerDimensions(shape: number[]): void;
  /** Whether two arrays hold the same entries (===). */
  function arraysEqual(n1: ArrayLike<unknown> | null | undefined, n2: ArrayLike<unknown> | null | undefined): boolean;
  /** As arraysEqual, but a null entry on either side matches anything. */
  function arraysEqualWithNull(n1: Array<number | null> | null | undefined, n2: Array<number | null> | null | undefined): boolean;
  /** Flattens nested arrays (and typed arrays, unless `skipTypedArray`) into `result`. */
  function flatten<T extends number | boolean | string | Promise<number> | TypedArray>(arr: T | RecursiveArrayOf<T>, result?: T[], skipTypedArray?: boolean): T[];
  /** Whether `a` is a Float32Array, Int32Array, Uint8Array or Uint8ClampedArray. */
  function isTypedArray(a: unknown): a is Float32Array | Int32Array | Uint8Array | Uint8ClampedArray;
  /** A clock in milliseconds with sub-millisecond resolution (`performance.now()`). */
  function now(): number;
  /** Fetches a URL with the global `fetch` (Node 18+). */
  function fetch(path: string, requestInits?: {}): Promise<unknown>;
  /** The dtype TF.js infers for values: float32, int32 (integer typed arrays), bool or string. */
  function inferDtype(values: unknown): DataType | 'string';
  /** Whether `a` is a whole number. */
  function isInt(a: number): boolean;
  /** Whether `value` is a string. */
  function isString(value: unknown): value is string;
  /** Whether `value` is a boolean. */
  function isBoolean(value: unknown): value is boolean;
  /** Whether `value` is a number. */
  function isNumber(value: unknown): value is number;
  /** Whether `f` is callable. */
  function isFunction(f: unknown): boolean;
  /** Whether `object` has a `then` method. */
  function isPromise(object: unknown): boolean;
  /** Whether the shape is a scalar's (`[]`). */
  function isScalarShape(shape: number[]): boolean;
  /** Whether `dtype` names a TF.js dtype. */
  function isValidDtype(dtype: string): boolean;
  /** The number of values a tensor of `shape` holds. */
  function sizeFromShape(shape: number[]): number;
  /** Row-major strides of `shape` (empty for rank < 2). */
  function computeStrides(shape: number[]): number[];
  /** The flat index of a location, given the strides. */
  function locToIndex(locs: number[], rank: number, strides: number[]): number;
  /** The location of a flat index, given the strides. */
  function indexToLoc(index: number, rank: number, strides: number[]): number[];
  /** Nested arrays of `shape` from flat values. */
  function toNestedArray(shape: number[], a: ArrayLike<number>): unknown;
  /** Nested arrays of `shape` filled with zeros. */
  function makeZerosNestedTypedArray(shape: number[], dtype: DataType): unknown;
  /** The axes `axis` names in a tensor of `shape` (null: all), negative ones counted from the end. */
  function parseAxisParam(axis: number | number[] | null | undefined, shape: number[]): number[];
  /** The shape without its 1s (or only the given ones), and the axes it kept. */
  function squeezeShape(shape: number[], axis?: number | number[]): { newShape: number[]; keptDims: number[] };
  /** `shape` with its one -1 replaced so that it holds `size` values. */
  function inferFromImplicitShape(shape: number[], size: number): number[];
  /** A typed array of `size` values for `dtype` (a plain array for 'string'). */
  function getArrayFromDType(dtype: DataType | 'string', size: number): TypedArray | string[];
  /** Same as getArrayFromDType. */
  function getTypedArrayFromDType(dtype: DataType, size: number): TypedArray;
  /** A zero-filled typed array of `size` values for `dtype`. */
  function makeZerosTypedArray(size: number, dtype: DataType): TypedArray;
  /** A one-filled typed array of `size` values for `dtype`. */
  function makeOnesTypedArray(size: number, dtype: DataType): TypedArray;
  /** Bytes per value of `dtype`. */
  function bytesPerElement(dtype: DataType | 'complex64'): number;
  /** The integers 0..n-1 in random order (Math.random), as a Uint32Array. */
  function createShuffledIndices(n: number): Uint32Array;
  /** Swaps two entries of an array in place. */
  function swap<T>(object: { [index: number]: T }, left: number, right: number): void;
  /** Sum of the values. */
  function sum(arr: ArrayLike<number>): number;
  /** Squared Euclidean distance of two arrays. */
  function distSquared(a: ArrayLike<number>, b: ArrayLike<number>): number;
  /** `x` limited to [min, max]. */
  function clamp(min: number, x: number, max: number): number;
  /** The smallest divisor of `size` that is >= `start` (or `size`). */
  function nearestDivisor(size: number, start: number): number;
  /** `val` if even, else `val + 1`. */
  function nearestLargerEven(val: number): number;
  /** [width, height] of a near-square grid for `size` values. */
  function sizeToSquarishShape(size: number): [number, number];
  /** A uniform random number in [a, b) from Math.random. */
  function randUniform(a: number, b: number): number;
  /** Hyperbolic tangent of a number. */
  function tanh(x: number): number;
  /** `a` padded with spaces to `size` characters. */
  function rightPad(a: string, size: number): string;
  /** Calls `checkFn` until it returns true, waiting `delayFn(tries)` ms between calls; rejects after `maxCounter` tries. */
  function repeatedTry(checkFn: () => boolean, delayFn?: (counter: number) => number, maxCounter?: number,
    scheduleFn?: (callback: () => void, nextBackoff: number) => void): Promise<void>;
  /** UTF-8 bytes of a string. */
  function encodeString(s: string, encoding?: string): Uint8Array;
  /** The string of UTF-8 bytes. */
  function decodeString(bytes: Uint8Array, encoding?: string): string;
}

/** Values test_util compares: tensors, typed arrays, (nested) arrays or a number. */
export type TestValues = Tensor | TypedArray | number | boolean | string | RecursiveArrayOf<number | boolean | string>;

/**
 * TF.js's `tf.test_util`: assertion helpers that throw an Error describing the first difference.
 * Given tensors, they compare shapes and values (TF.js compares nothing for tensors).
 */
export declare namespace test_util {
  /** The tolerance of TF.js's half-precision backends (0.1). */
  const TEST_EPSILON_FLOAT16: number;
  /** The default tolerance of expectArraysClose and expectNumbersClose (1e-3). */
  function testEpsilon(): number;
  /** Throws unless actual and expected have the same shape and differ by at most `epsilon` everywhere. */
  function expectArraysClose(actual: TestValues, expected: TestValues, epsilon?: number): void;
  /** Throws unless actual and expected hold exactly the same values. */
  function expectArraysEqual(actual: TestValues, expected: TestValues): void;
  /** Throws unless |a - e| <= epsilon (both infinite counts as equal). */
  function expectNumbersClose(a: number, e: number, epsilon?: number): void;
  /** Calls `done()` when the promise `fn()` returns rejects, `done.fail()` when it resolves. */
  function expectPromiseToFail(fn: () => Promise<unknown>, done: { (): void; fail?: (message?: string) => void }): void;
  /** Throws unless every value is within [low, high]. */
  function expectValuesInRange(actual: Tensor | ArrayLike<number>, low: number, high: number): void;
  /** Throws unless two buffers hold the same float32 values. */
  function expectArrayBuffersEqual(actual: ArrayBuffer, expected: ArrayBuffer): void;
  /** Replaces every string of a nested array by its UTF-8 bytes, in place. */
  function encodeStrings(a: RecursiveArrayOf<string | Uint8Array>): RecursiveArrayOf<Uint8Array>;
}

/** Options of `tf.callbacks.report`. */
export interface ReportCallbackArgs {
  /** The page's title (default 'Training report'). */
  title?: string;
  /**
   * Data for the confusion matrices drawn at the end of training, one per classification head
   * (categorical, sparse categorical or single-unit binary crossentropy): `[x, y]` with y as fit
   * takes it, e.g. your validation data. Rows whose label is NaN are left out.
   */
  data?: [ModelData, ModelData | number[][] | { [outputName: string]: number[][] }];
  /** Class names for the matrices' axes: one list (single output) or a list per output name. */
  classNames?: string[] | { [outputName: string]: string[] };
  /** Least time between two rewrites during training, in milliseconds (default 1000; the end always writes). */
  minInterval?: number;
}

/** The callback `tf.callbacks.report` makes. */
export interface TrainingReport extends BaseCallback {
  /** The absolute path of the HTML file. */
  readonly path: string;
}

export declare namespace callbacks {
  /**
   * A callback that writes a self-contained HTML page (inline SVG charts drawn with Vega-Lite,
   * no script, viewable offline) at `path`: the total loss and each head's loss and metrics for
   * training and validation, task weights under adaptive balancing (`<output>_weight` logs), the
   * learning rate when logged, epoch times, and at the end a confusion matrix per classification
   * head (from `options.data`). The file is rewritten during training (temporary file + rename)
   * and at the end.
   */
  function report(path: string, options?: ReportCallbackArgs): TrainingReport;
}
