'use strict';
// What a model.json's weightsManifest may name, and how many bytes it describes: the rules the
// file and the HTTP loaders apply before they read a byte. A model file is data from anywhere,
// so its weight paths may only name files inside the model's own directory (or URL directory).
const path = require('path');
const { fail, describe } = require('../errors');
const { checkSpec, weightByteLength } = require('./weights');

/**
 * Whether a manifest path is a plain relative path: not absolute, no drive letter, no
 * backslash or NUL, already normalized (no '.', '..' or empty segments). One leading './'
 * is allowed: TF.js's HTTP save writes './model.weights.bin'.
 */
function isPlainRelative(p) {
  if (typeof p !== 'string') return false;
  const rest = p.startsWith('./') ? p.slice(2) : p;
  return rest.length > 0 && !/[\\\0]/.test(rest) && !/^[a-z]:/i.test(rest) && !rest.startsWith('/')
    && rest.split('/').every(segment => segment !== '' && segment !== '.' && segment !== '..');
}

/** `p` without its leading './'. */
const stripDot = (p) => (p.startsWith('./') ? p.slice(2) : p);

/**
 * Checks a weightsManifest and returns one entry per group: its weight paths and the exact
 * number of bytes its weights take (after quantization). String weights are refused: their
 * size is only known from the data, and no dense-mtl model has them.
 */
function manifestGroups(manifest, source) {
  if (!Array.isArray(manifest)) fail(`${source}: weightsManifest must be a list of {paths, weights} groups but got ${describe(manifest)}`);
  return manifest.map((group, g) => {
    const where = `${source}: weightsManifest[${g}]`;
    if (group == null || typeof group !== 'object' || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      fail(`${where} must be a {paths, weights} group but got ${describe(group)}`);
    }
    group.paths.forEach((p, i) => {
      if (!isPlainRelative(p)) {
        fail(`${where}.paths[${i}] must be a relative path inside the model's directory (no '..' or '.' segments, not absolute) but got ${typeof p === 'string' ? JSON.stringify(p) : describe(p)}`);
      }
    });
    let bytes = 0;
    for (const spec of group.weights) {
      checkSpec(spec, source);
      if (spec.dtype === 'string' && spec.quantization == null) fail(`${where}: weight '${spec.name}' has dtype string; dense-mtl model files hold numeric weights only`);
      bytes += weightByteLength(spec);
    }
    if (!Number.isSafeInteger(bytes)) fail(`${where} describes ${bytes} bytes of weights, more than any file can hold`);
    if (group.paths.length === 0 && bytes > 0) fail(`${where} describes ${bytes} bytes of weights but names no file`);
    return { paths: group.paths.map(stripDot), bytes };
  });
}

/** How a group is named in messages: 'the weightsManifest' when there is one group, as before. */
const groupName = (groups, g) => (groups.length === 1 ? 'the weightsManifest' : `weightsManifest[${g}]`);

/**
 * Fails unless a group's files (`[[name, bytes]]`) hold exactly the bytes its weights take:
 * fewer is a truncated file, more is not the file the manifest describes.
 */
function checkGroupSize(groups, g, shards, source) {
  const expected = groups[g].bytes;
  const actual = shards.reduce((sum, [, bytes]) => sum + bytes, 0);
  if (actual === expected) return;
  const files = shards.map(([name, bytes]) => `${name} (${bytes} bytes)`).join(', ');
  const what = groupName(groups, g);
  if (actual < expected) fail(`Weight data for ${source} is truncated or missing: ${what} describes ${expected} bytes but ${files} hold ${actual} bytes`);
  fail(`Weight data for ${source} is longer than ${what} describes: it describes ${expected} bytes but ${files} hold ${actual} bytes`);
}

/** Whether `target` is below `root` (both absolute, resolved). */
function isInside(root, target) {
  const relative = path.relative(root, target);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

module.exports = { manifestGroups, checkGroupSize, groupName, isPlainRelative, isInside };
