'use strict';
// The parts of Python's str.format that Keras's callbacks use: ModelCheckpoint's
// `filepath.format(epoch=epoch + 1, **logs)` ('{epoch:02d}-{val_loss:.2f}') and the float text
// csv writes (`repr`). Fields are names with an optional format spec
// [[fill]align][sign][#][0][width][.precision][type], types d, f, F, e, E, g, G, %, s.
const { fail, describe } = require('../errors');

/** Python's repr of a float: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
function pyFloatRepr(x) {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const [mantissa, e] = x.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}

/** Python's str() of a log value: ints as integers, other numbers as float reprs. */
const pyStr = (v, isInt) => (typeof v === 'number' ? (isInt ? String(v) : pyFloatRepr(v)) : String(v));

function exponential(x, digits, upper) {
  const [m, e] = x.toExponential(digits).split('e');
  const exp = Number(e);
  const text = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return upper ? text.toUpperCase() : text;
}

/** Python's 'g': significant digits, fixed or scientific by the exponent, trailing zeros cut. */
function general(x, precision, alternate, upper) {
  const p = precision === 0 ? 1 : precision;
  if (x === 0) return '0';
  const exp = Number(x.toExponential(p - 1).split('e')[1]);
  let text = exp >= -4 && exp < p ? x.toFixed(p - 1 - exp) : exponential(x, p - 1, upper);
  if (!alternate) text = text.replace(/\.?0+(?=e|E|$)/, (m) => (m.startsWith('.') || text.includes('.') ? '' : m));
  return text;
}

const SPEC = /^(?:(.)?([<>=^]))?([+\- ])?(#)?(0)?(\d+)?(?:\.(\d+))?([dfFeEgG%s])?$/;

function formatValue(value, spec, isInt, field) {
  const m = SPEC.exec(spec);
  if (!m) fail(`modelCheckpoint: filepath: unsupported format spec ${describe(spec)} for {${field}}`);
  let [, fill, align, sign = '-', alternate, zero, width, precision, type] = m;
  precision = precision == null ? undefined : Number(precision);
  if (typeof value !== 'number') {
    if (type && type !== 's') fail(`modelCheckpoint: filepath: Unknown format code '${type}' for {${field}}, a string`);
    return pad(String(value), fill, align || '<', width, false);
  }
  let body;
  const abs = Math.abs(value);
  switch (type) {
    case 'd':
      if (!isInt) fail(`modelCheckpoint: filepath: Unknown format code 'd' for object of type 'float' ({${field}})`);
      body = String(abs);
      break;
    case 'f': case 'F': body = Number.isFinite(abs) ? abs.toFixed(precision ?? 6) : (Number.isNaN(abs) ? 'nan' : 'inf'); break;
    case 'e': case 'E': body = exponential(abs, precision ?? 6, type === 'E'); break;
    case '%': body = `${(abs * 100).toFixed(precision ?? 6)}%`; break;
    case 'g': case 'G': body = general(abs, precision ?? 6, alternate, type === 'G'); break;
    case 's': fail(`modelCheckpoint: filepath: Unknown format code 's' for a number ({${field}})`); break;
    default: body = precision == null ? pyStr(abs, isInt) : general(abs, precision, alternate, false);
  }
  if (type === 'F' || type === 'E' || type === 'G') body = body.toUpperCase();
  const negative = value < 0 || Object.is(value, -0);
  const prefix = negative ? '-' : (sign === '+' ? '+' : sign === ' ' ? ' ' : '');
  if (zero && !align) return prefix + body.padStart(Math.max(0, Number(width || 0) - prefix.length), '0');
  if (align === '=') return prefix + pad(body, fill, '>', width && String(Number(width) - prefix.length), false);
  return pad(prefix + body, fill, align || '>', width, false);
}

function pad(text, fill = ' ', align, width) {
  const n = Number(width || 0) - text.length;
  if (n <= 0) return text;
  if (align === '<') return text + fill.repeat(n);
  if (align === '^') return fill.repeat(Math.floor(n / 2)) + text + fill.repeat(Math.ceil(n / 2));
  return fill.repeat(n) + text;
}

/**
 * `template.format(**values)`: `{name}` / `{name:spec}`, `{{` and `}}` for braces. `ints` names
 * the values that are Python ints (the epoch).
 */
function pyFormat(template, values, ints = new Set()) {
  return template.replace(/\{\{|\}\}|\{([^{}:!]*)(?::([^{}]*))?\}/g, (match, name, spec) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (!(name in values)) {
      fail(`modelCheckpoint: Failed to format this callback filepath: "${template}". Reason: no log value '${name}' (available: ${Object.keys(values).join(', ')})`);
    }
    return formatValue(values[name], spec || '', ints.has(name), name);
  });
}

module.exports = { pyFormat, pyFloatRepr };
