'use strict';
// tf.data: datasets (lib/dataset/dataset.js), their iterators (lib/dataset/iterators.js) and
// the CSV reader (lib/dataset/csv.js, parsing in the native core).
const { Dataset, array, generator, zip } = require('./dataset/dataset');
const { csv, CSVDataset } = require('./dataset/csv');
const { LazyIterator } = require('./dataset/iterators');

const data = { Dataset, CSVDataset, LazyIterator, array, generator, zip, csv };

module.exports = { data, Dataset, CSVDataset };
