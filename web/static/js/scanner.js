// Barcode scanners that act as a keyboard type a whole code in a burst — a
// few milliseconds between characters — and finish with Enter. People type
// far slower. ScanDetector tells the two apart from the keys and their times
// alone, so it is pure (no DOM) and testable with made-up timings.

export const DEFAULT_MAX_GAP_MS = 50;
export const DEFAULT_MIN_LENGTH = 4;

export class ScanDetector {
  // maxGap: the longest pause between two keys of one scan (ms), Enter
  // included. minLength: the shortest code taken as a scan.
  constructor({ maxGap = DEFAULT_MAX_GAP_MS, minLength = DEFAULT_MIN_LENGTH } = {}) {
    this.maxGap = maxGap;
    this.minLength = minLength;
    this.reset();
  }

  reset() {
    this.buffer = '';
    this.last = -Infinity;
  }

  // feed takes one key (KeyboardEvent.key) and its time in ms and answers:
  //   {kind: 'scan', code}  Enter ended a burst: a scanned code
  //   {kind: 'enter'}       an Enter that is not the end of a scan
  //   {kind: 'start'}       a character that starts a new burst
  //   {kind: 'char'}        a character that continues the burst
  //   {kind: 'ignore'}      a key that is not a character (Shift, arrows…);
  //                         it neither extends nor breaks a burst
  feed(key, time) {
    if (key === 'Enter') {
      const code = this.buffer;
      const fast = time - this.last <= this.maxGap;
      this.reset();
      return fast && code.length >= this.minLength ? { kind: 'scan', code } : { kind: 'enter' };
    }
    if (typeof key !== 'string' || [...key].length !== 1) return { kind: 'ignore' };
    const started = this.buffer === '' || time - this.last > this.maxGap;
    if (started) this.buffer = '';
    this.buffer += key;
    this.last = time;
    return { kind: started ? 'start' : 'char' };
  }

  // bursting reports whether the keys so far look like a scanner at work (two
  // or more characters at scanner speed, the last one recent).
  bursting(time) {
    return this.buffer.length >= 2 && time - this.last <= this.maxGap;
  }
}
