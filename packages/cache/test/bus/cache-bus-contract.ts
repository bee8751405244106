import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage, CacheBus } from '../../src/index.js';
import { waitFor } from '../support/redis-helpers.js';

/** Two buses on the same channel, as two instances would have, plus a way to cut the first one off. */
export interface BusFixture {
  first: CacheBus;
  second: CacheBus;
  /** Drops `first`'s subscription connection; `restore` brings it back. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  cleanup(): Promise<void>;
}

const message = (seq: number): BusMessage => ({
  namespace: 'contract',
  origin: 'second',
  seq,
  kind: 'tags',
  items: ['user:42'],
});

/** The behaviour every `CacheBus` must show; run it from each implementation's test file. */
export function describeCacheBusContract(name: string, setup: () => Promise<BusFixture>): void {
  describe(`${name} (CacheBus contract)`, () => {
    let fixture: BusFixture;
    beforeAll(async () => {
      fixture = await setup();
      await waitFor(() => fixture.first.connected && fixture.second.connected);
    });
    afterAll(() => fixture.cleanup());

    it('delivers a published message to every subscriber of another bus, in order', async () => {
      const received: BusMessage[] = [];
      const unsubscribe = fixture.first.subscribe({
        message: (m) => received.push(m),
        connection: () => undefined,
      });
      await fixture.second.publish(message(1));
      await fixture.second.publish(message(2));
      await waitFor(() => received.length === 2);
      expect(received).toEqual([message(1), message(2)]);
      unsubscribe();
      await fixture.second.publish(message(3));
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(received).toHaveLength(2);
    });

    it('reports losing and regaining its subscription', async () => {
      const states: boolean[] = [];
      const unsubscribe = fixture.first.subscribe({
        message: () => undefined,
        connection: (c) => states.push(c),
      });
      await fixture.cut();
      await waitFor(() => !fixture.first.connected);
      await fixture.restore();
      await waitFor(() => fixture.first.connected);
      expect(states).toEqual([false, true]);
      const received: BusMessage[] = [];
      fixture.first.subscribe({ message: (m) => received.push(m), connection: () => undefined });
      await fixture.second.publish(message(4));
      await waitFor(() => received.length === 1);
      unsubscribe();
    });
  });
}
