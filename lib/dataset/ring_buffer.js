'use strict';
// Fixed-capacity ring buffer, as tfjs-data's (its index arithmetic decides which element
// shuffleExcise moves, and so the order a seeded shuffle produces).

/** TF.js's checks of a ring buffer's capacity (a shuffle's window too), with its messages. */
function checkCapacity(capacity) {
  if (capacity == null) throw new RangeError('Can\'t create a ring buffer of unknown capacity.');
  if (capacity < 1) throw new RangeError('Can\'t create ring buffer of capacity < 1.');
}

class RingBuffer {
  constructor(capacity) {
    checkCapacity(capacity);
    this.capacity = capacity;
    this.begin = 0; // inclusive
    this.end = 0; // exclusive
    this.data = new Array(capacity);
    this.doubledCapacity = 2 * capacity;
  }
  wrap(index) {
    while (index < 0) index += this.doubledCapacity;
    return index % this.doubledCapacity;
  }
  get(index) { return this.data[index % this.capacity]; }
  set(index, value) { this.data[index % this.capacity] = value; }
  length() {
    const length = this.end - this.begin;
    return length < 0 ? this.doubledCapacity + length : length;
  }
  isFull() { return this.length() === this.capacity; }
  isEmpty() { return this.length() === 0; }
  push(value) {
    if (this.isFull()) throw new RangeError('Ring buffer is full.');
    this.set(this.end, value);
    this.end = this.wrap(this.end + 1);
  }
  pop() {
    if (this.isEmpty()) throw new RangeError('Ring buffer is empty.');
    this.end = this.wrap(this.end - 1);
    const result = this.get(this.end);
    this.set(this.end, undefined);
    return result;
  }
  shift() {
    if (this.isEmpty()) throw new RangeError('Ring buffer is empty.');
    const result = this.get(this.begin);
    this.set(this.begin, undefined);
    this.begin = this.wrap(this.begin + 1);
    return result;
  }
  /** Removes the element at `relativeIndex`, moving the last element into its place. */
  shuffleExcise(relativeIndex) {
    if (this.isEmpty()) throw new RangeError('Ring buffer is empty.');
    const index = this.wrap(this.begin + relativeIndex);
    const result = this.get(index);
    this.set(index, this.pop());
    return result;
  }
}

module.exports = { RingBuffer, checkCapacity };
