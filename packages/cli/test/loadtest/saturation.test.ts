import { describe, expect, it } from 'vitest';
import { saturationReasons } from '../../src/index.js';

const load = (busy: number, cpu: number | null, cpuWait: number | null) => ({
  busy,
  cpu,
  cpuWait,
  loopDelayP99Ms: 2,
});

describe('saturationReasons', () => {
  it('blames the generator when a worker was busy with its own work 90 % of the run or more', () => {
    const [reason] = saturationReasons([load(0.5, 0.5, 0), load(0.97, 0.96, 0.01)], 1.5);
    expect(reason).toContain('worker 2 of 2 needed a CPU 97 % of the run');
  });

  it('blames the generator when it was ready to run but waited for a CPU, on a machine short of CPU', () => {
    const [reason] = saturationReasons([load(0.4, 0.3, 0.65)], 0.3);
    expect(reason).toContain('needed a CPU 95 % of the run (limit 90 %: ran 30 %, waited for a CPU 65 %');
  });

  it('does not blame a generator that waited for its target', () => {
    expect(saturationReasons([load(0.75, 0.7, 0.05)], 0.7)).toEqual([]);
  });

  it('judges by the event loop alone where the scheduler gives no figures', () => {
    expect(saturationReasons([load(0.95, null, null)], 1)[0]).toContain(
      'needed a CPU 95 % of the run (limit 90 %;',
    );
    expect(saturationReasons([load(0.6, null, null)], 1)).toEqual([]);
  });
});
