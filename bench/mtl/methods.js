'use strict';
// Every balancing method dense-mtl supports, as the compile options that select it. Loss
// weighting methods set `taskWeighting`; gradient methods set `gradientSurgery` on top of fixed
// weights. Defaults are the papers' (see the README's multi-task section).

const TASK_WEIGHTINGS = ['fixed', 'uncertainty', 'dwa', 'gradnorm', 'rlw', 'famo'];
const GRADIENT_SURGERIES = ['pcgrad', 'cagrad', 'nash-mtl', 'aligned-mtl', 'imtl-g', 'mgda-ub'];

const METHODS = [
  ...TASK_WEIGHTINGS.map(name => ({ name, kind: 'taskWeighting', compile: { taskWeighting: name } })),
  ...GRADIENT_SURGERIES.map(name => ({ name, kind: 'gradientSurgery', compile: { gradientSurgery: name } })),
];

/** The two baselines every method is compared with. */
const BASELINES = ['fixed', 'rlw'];

module.exports = { METHODS, BASELINES, TASK_WEIGHTINGS, GRADIENT_SURGERIES };
