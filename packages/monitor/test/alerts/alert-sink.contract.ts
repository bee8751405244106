import { describe, expect, it } from 'vitest';
import type { AlertEvent, AlertSink } from '../../src/index.js';

/** A sink under test and a way to read what it delivered. */
export interface SinkFixture {
  sink: AlertSink;
  delivered(): AlertEvent[];
  close(): Promise<void>;
}

const firing: AlertEvent = {
  state: 'firing',
  rule: 'overview-p95',
  route: '/api/dashboard/overview',
  method: '*',
  metric: 'p95',
  value: 2350.5,
  threshold: 2000,
  requests: 120,
  windowMs: 60_000,
  at: '2026-11-29T18:00:00.000Z',
};
const resolved: AlertEvent = { ...firing, state: 'resolved', value: 900, threshold: 1600 };

/** The behaviour every AlertSink implementation must have. */
export function describeAlertSinkContract(name: string, fixture: () => Promise<SinkFixture>): void {
  describe(`AlertSink contract: ${name}`, () => {
    it('has a name', async () => {
      const f = await fixture();
      expect(f.sink.name).toMatch(/\S/);
      await f.close();
    });

    it('has delivered the event, every field intact, when send resolves', async () => {
      const f = await fixture();
      await f.sink.send(firing);
      await f.sink.send(resolved);
      expect(f.delivered()).toEqual([firing, resolved]);
      await f.close();
    });
  });
}
