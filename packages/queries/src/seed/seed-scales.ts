/** Named dataset sizes; `heavy*` is tenant 1, the worst-case dashboard. */
export interface SeedScaleSpec {
  users: number;
  agents: number;
  calls: number;
  heavyAgents: number;
  heavyCalls: number;
}

export type SeedScale = 'tiny' | 'small' | 'large';

export const SEED_SCALES: Readonly<Record<SeedScale, SeedScaleSpec>> = {
  tiny: { users: 3, agents: 10, calls: 3_000, heavyAgents: 5, heavyCalls: 1_800 },
  small: { users: 100, agents: 1_000, calls: 250_000, heavyAgents: 50, heavyCalls: 50_000 },
  large: { users: 1_000, agents: 10_000, calls: 5_000_000, heavyAgents: 50, heavyCalls: 500_000 },
};

/** The seeded data's "now": it covers the 180 UTC days up to this instant and nothing after. */
export const SEED_ANCHOR = new Date('2026-11-01T15:00:00.000Z');

/** Days of history before the anchor day. */
export const SEED_DAYS = 180;

export const DEFAULT_SEED = 42;
