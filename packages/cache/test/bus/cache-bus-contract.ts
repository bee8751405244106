import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage, BusSubscriber, CacheBus, CacheBusMessageError } from '../../src/index.js';
import { waitFor } from '../support/redis-helpers.js';

/** Two buses on the same channel, as two instances would have, plus a way to cut the first one off. */
export interface BusFixture {
  first: CacheBus;
  second: CacheBus;
  /** Puts raw text on the channel, as a foreign or broken publisher would. */
  publishRaw(raw: string): Promise<void>;
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

/** A subscriber that ignores what `handlers` does not name. */
const subscriber = (handlers: Partial<BusSubscriber>): BusSubscriber => ({
  message: () => undefined,
  malformed: () => undefined,
  connection: () => undefined,
  ...handlers,
});

/** Raw messages that are not invalidations, each with the problem a bus must name. */
export const MALFORMED_MESSAGES: ReadonlyArray<[raw: string, problem: RegExp]> = [
  ['not json at all', /not JSON/],
  ['null', /not a JSON object/],
  ['[1,2]', /not a JSON object/],
  ['{"namespace":"contract","origin":"x","seq":1,"kind":"tags","items":null}', /items/],
  ['{"namespace":"contract","origin":"x","seq":1,"kind":"keys","items":[1,{}]}', /items/],
  ['{"namespace":"contract","origin":"x","seq":"1","kind":"tags","items":[]}', /seq/],
  ['{"namespace":"contract","origin":"x","seq":1,"kind":"drop-table","items":[]}', /kind/],
  ['{"namespace":"contract","origin":"","seq":1,"kind":"clear","items":[]}', /origin/],
  ['{"namespace":7,"origin":"x","seq":1,"kind":"clear","items":[]}', /namespace/],
];

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
      const unsubscribe = fixture.first.subscribe(subscriber({ message: (m) => received.push(m) }));
      await fixture.second.publish(message(1));
      await fixture.second.publish(message(2));
      await waitFor(() => received.length === 2);
      expect(received).toEqual([message(1), message(2)]);
      unsubscribe();
      // A witness still subscribed: once it has message 3, an unsubscribed subscriber would have it too.
      const witnessed: BusMessage[] = [];
      const stopWitness = fixture.first.subscribe(subscriber({ message: (m) => witnessed.push(m) }));
      await fixture.second.publish(message(3));
      await waitFor(() => witnessed.length === 1);
      stopWitness();
      expect(received).toHaveLength(2);
    });

    it('reports losing and regaining its subscription', async () => {
      const states: boolean[] = [];
      const unsubscribe = fixture.first.subscribe(subscriber({ connection: (c) => states.push(c) }));
      await fixture.cut();
      await waitFor(() => !fixture.first.connected);
      await fixture.restore();
      await waitFor(() => fixture.first.connected);
      expect(states).toEqual([false, true]);
      const received: BusMessage[] = [];
      fixture.first.subscribe(subscriber({ message: (m) => received.push(m) }));
      await fixture.second.publish(message(4));
      await waitFor(() => received.length === 1);
      unsubscribe();
    });

    it('reports each malformed message on its channel instead of delivering it, and delivers the next valid one', async () => {
      const received: BusMessage[] = [];
      const malformed: CacheBusMessageError[] = [];
      const unsubscribe = fixture.first.subscribe(
        subscriber({ message: (m) => received.push(m), malformed: (e) => malformed.push(e) }),
      );
      for (const [raw] of MALFORMED_MESSAGES) await fixture.publishRaw(raw);
      await fixture.second.publish(message(5));
      await waitFor(() => received.length === 1);
      expect(received).toEqual([message(5)]);
      expect(malformed).toHaveLength(MALFORMED_MESSAGES.length);
      MALFORMED_MESSAGES.forEach(([raw, problem], n) => {
        expect(malformed[n]).toMatchObject({ code: 'PERFKIT_CACHE_MALFORMED_BUS_MESSAGE', excerpt: raw });
        expect(malformed[n]?.message).toMatch(problem);
      });
      unsubscribe();
    });
  });
}
