'use strict';
// tf.callbacks.csvLogger: Keras's CSVLogger, writing the same text Python's csv module writes
// (excel dialect: '\r\n' line ends, minimal quoting; floats as Python's repr).
const fs = require('fs');
const { fail, describe } = require('../errors');
const { BaseCallback, checkArgs } = require('./base');
const { pyFloatRepr } = require('./pyformat');

class CSVLogger extends BaseCallback {
  constructor(filename, args = {}) {
    super();
    if (filename != null && typeof filename === 'object') [filename, args] = [filename.filename, filename];
    args = checkArgs(args, ['filename', 'separator', 'append'], 'csvLogger');
    if (typeof filename !== 'string' || filename.length === 0) fail(`csvLogger: filename must be a non-empty string but got ${describe(filename)}`);
    this.filename = filename.replace(/^file:\/\//, '');
    this.separator = args.separator ?? ',';
    if (typeof this.separator !== 'string' || this.separator.length !== 1) fail(`csvLogger: separator must be a 1-character string but got ${describe(this.separator)}`);
    this.append = Boolean(args.append);
    this.hasUserHooks = ['onTrainBegin', 'onEpochEnd'];
  }

  async onTrainBegin() {
    this.keys = null;
    // Keras: with append, a header only when the file is missing or empty.
    this.writeHeader = true;
    if (this.append && fs.existsSync(this.filename)) this.writeHeader = fs.statSync(this.filename).size === 0;
    else fs.writeFileSync(this.filename, '');
  }

  field(text) {
    return /["\r\n]/.test(text) || text.includes(this.separator) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  async onEpochEnd(epoch, logs = {}) {
    if (this.keys == null) {
      this.keys = Object.keys(logs).sort();
      // Keras: without val_ keys in the first epoch, the header gets them anyway.
      if (this.keys.length && !this.keys.some(k => k.startsWith('val_'))) this.keys.push(...this.keys.map(k => `val_${k}`));
    }
    let text = '';
    if (this.writeHeader) {
      text += `${['epoch', ...this.keys].map(k => this.field(k)).join(this.separator)}\r\n`;
      this.writeHeader = false;
    }
    const value = v => (v == null ? 'NA' : typeof v === 'number' ? pyFloatRepr(v) : String(v));
    text += `${[String(epoch), ...this.keys.map(k => this.field(value(logs[k])))].join(this.separator)}\r\n`;
    fs.appendFileSync(this.filename, text);
  }
}

module.exports = { CSVLogger };
