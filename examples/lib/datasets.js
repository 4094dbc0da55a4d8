'use strict';
// The bundled datasets framed as multi-task problems, shared by the examples and the multi-task
// benchmark (bench/mtl.js). Each returns {x: number[][], tasks: [{name, kind, units, activation,
// loss, y: number[][], scale?, unit?}]}; regression targets are standardized (scores are reported
// back in their units through `scale`), NaN in a target row marks a missing label.
const { readCsv, avg, sd } = require('./tabular');

const IRIS_SPECIES = ['setosa', 'versicolor', 'virginica'];
const PENGUIN_SPECIES = ['Adelie', 'Chinstrap', 'Gentoo'];
const ISLANDS = ['Biscoe', 'Dream', 'Torgersen'];
const LINNERUD_TARGETS = [['Weight', 'lb'], ['Waist', 'in'], ['Pulse', 'bpm']];

const oneHot = (names, value) => names.map(n => (n === value ? 1 : 0));

/** A standardized regression task from raw values. */
function regression(name, values, unit) {
  const [mean, spread] = [avg(values), sd(values)];
  return { name, kind: 'regression', units: 1, activation: 'linear', loss: 'meanSquaredError',
    y: values.map(v => [(v - mean) / spread]), scale: spread, unit };
}

/** Iris: species (3 classes) and petal width (regression) from the other three measurements. */
function irisTasks() {
  const rows = readCsv('iris.csv');
  return {
    x: rows.map(r => [r.sepal_length, r.sepal_width, r.petal_length].map(Number)),
    tasks: [
      { name: 'species', kind: 'classification', units: 3, activation: 'softmax', loss: 'categoricalCrossentropy',
        y: rows.map(r => oneHot(IRIS_SPECIES, r.species)) },
      regression('petal_width', rows.map(r => Number(r.petal_width)), 'cm'),
    ],
  };
}

/**
 * Palmer penguins: species (3 classes), sex (binary, missing for 9 birds: NaN) and body mass
 * (regression) from the bill and flipper measurements and the island.
 */
function penguinsTasks() {
  // Two birds have no measurements at all: they cannot be inputs.
  const rows = readCsv('penguins.csv').filter(r => r.bill_length_mm !== null && r.body_mass_g !== null);
  return {
    x: rows.map(r => [r.bill_length_mm, r.bill_depth_mm, r.flipper_length_mm].map(Number).concat(oneHot(ISLANDS, r.island))),
    tasks: [
      { name: 'species', kind: 'classification', units: 3, activation: 'softmax', loss: 'categoricalCrossentropy',
        y: rows.map(r => oneHot(PENGUIN_SPECIES, r.species)) },
      // NaN marks a missing label: that row adds nothing to this task's loss or score.
      { name: 'sex', kind: 'classification', units: 1, activation: 'sigmoid', loss: 'binaryCrossentropy',
        y: rows.map(r => [r.sex === null ? NaN : r.sex === 'male' ? 1 : 0]) },
      regression('body_mass', rows.map(r => Number(r.body_mass_g)), 'g'),
    ],
  };
}

/** Linnerud (20 men): weight, waist and pulse (regression) from chins, sit-ups and jumps. */
function linnerudTasks() {
  const rows = readCsv('linnerud.csv');
  return {
    x: rows.map(r => [r.Chins, r.Situps, r.Jumps].map(Number)),
    tasks: LINNERUD_TARGETS.map(([name, unit]) => regression(name, rows.map(r => Number(r[name])), unit)),
  };
}

module.exports = { irisTasks, penguinsTasks, linnerudTasks, regression, IRIS_SPECIES };
