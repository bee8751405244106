import { createLatencyHistogram, type LatencyHistogram, recordMicroseconds } from './latency-histogram.js';

/**
 * Latencies and error counts over the last `windowMs`, kept as a ring of
 * `slices` HDR histograms. The ring advances by time, checked against the
 * timestamp each record already carries, so recording costs no timer and no
 * allocation; a slice is reset and reused when it falls out of the window.
 */
export class SlidingWindow {
  private readonly histograms: LatencyHistogram[];
  private readonly errors: number[];
  private readonly sliceMs: number;
  private current = 0;
  private sliceEndsAt: number;

  constructor(windowMs: number, slices: number, now: number) {
    this.sliceMs = windowMs / slices;
    this.histograms = Array.from({ length: slices }, createLatencyHistogram);
    this.errors = new Array<number>(slices).fill(0);
    this.sliceEndsAt = now + this.sliceMs;
  }

  /** Records one request of `micros` microseconds that ended at `now` (ms). */
  record(micros: number, isError: boolean, now: number): void {
    if (now >= this.sliceEndsAt) this.advance(now);
    recordMicroseconds(this.histograms[this.current] as LatencyHistogram, micros);
    if (isError) this.errors[this.current] = (this.errors[this.current] as number) + 1;
  }

  /** Adds the window's latencies into `target` and returns its error count. */
  mergeInto(target: LatencyHistogram, now: number): number {
    if (now >= this.sliceEndsAt) this.advance(now);
    let errors = 0;
    for (let i = 0; i < this.histograms.length; i++) {
      target.add(this.histograms[i] as LatencyHistogram);
      errors += this.errors[i] as number;
    }
    return errors;
  }

  private advance(now: number): void {
    const elapsedSlices = Math.floor((now - this.sliceEndsAt) / this.sliceMs) + 1;
    const toClear = Math.min(elapsedSlices, this.histograms.length);
    for (let i = 0; i < toClear; i++) {
      this.current = (this.current + 1) % this.histograms.length;
      (this.histograms[this.current] as LatencyHistogram).reset();
      this.errors[this.current] = 0;
    }
    this.sliceEndsAt += elapsedSlices * this.sliceMs;
  }
}
