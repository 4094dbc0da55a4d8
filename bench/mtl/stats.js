'use strict';
// Paired comparisons of two methods scored on the same cross-validation splits.
//
// Repeated k-fold scores are not independent (the training sets overlap), so a plain paired t
// test is too confident. The t statistic here uses the Nadeau & Bengio (2003) correction of the
// variance, (1/n + n_test/n_train)·s², as recommended for repeated k-fold by Bouckaert & Frank
// (2004). The exact two-sided sign test is reported beside it; it assumes independence too.
const { jStat } = require('jstat');

const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;

/** Sample standard deviation (n − 1). */
function sd(v) {
  if (v.length < 2) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / (v.length - 1));
}

/** Two-sided exact binomial p-value of `wins` successes out of `wins + losses` at p = ½. */
function signTest(wins, losses) {
  const n = wins + losses;
  if (n === 0) return 1;
  const k = Math.min(wins, losses);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(jStat.gammaln(n + 1) - jStat.gammaln(i + 1) - jStat.gammaln(n - i + 1) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/**
 * Paired comparison of `method` against `baseline` scores (same order of splits).
 * `testFraction` = n_test / n_train of one split (¼ for 5-fold). `higherIsBetter` orients
 * `improvement`: positive means the method is better.
 */
function pairedComparison(method, baseline, { testFraction, higherIsBetter }) {
  if (method.length !== baseline.length) throw new Error('pairedComparison: the two score lists must come from the same splits');
  const sign = higherIsBetter ? 1 : -1;
  const d = method.map((m, i) => sign * (m - baseline[i]));
  const n = d.length;
  const improvement = mean(d);
  const s = sd(d);
  let t = 0;
  let p = 1;
  if (n > 1 && s > 0) {
    t = improvement / Math.sqrt((1 / n + testFraction) * s * s);
    p = 2 * jStat.studentt.cdf(-Math.abs(t), n - 1);
  } else if (improvement !== 0) {
    // Every split moved by the same amount: no spread to test against; the sign test decides.
    p = NaN;
  }
  const wins = d.filter(x => x > 0).length;
  const losses = d.filter(x => x < 0).length;
  return { improvement, sdOfDifference: s, t, p, wins, losses, ties: n - wins - losses, signP: signTest(wins, losses) };
}

/** Holm's step-down adjustment of a family of p-values (NaN stays NaN), in the input order. */
function holm(pValues) {
  const order = pValues.map((p, i) => [p, i]).filter(([p]) => !Number.isNaN(p)).sort((a, b) => a[0] - b[0]);
  const adjusted = pValues.map(p => (Number.isNaN(p) ? NaN : 1));
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (order.length - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

module.exports = { mean, sd, signTest, pairedComparison, holm };
