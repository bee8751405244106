import { createHash } from 'node:crypto';
import { seededRandom } from '@perfkit/primitives';
import type { AgentStatus } from '../schema/database.js';
import { apportion, randomToken } from './prng.js';
import { SEED_ANCHOR, SEED_DAYS, type SeedScaleSpec } from './seed-scales.js';

/** sha256 hex of an API key, as stored in `users.api_key_hash`. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

export interface PlannedUser {
  id: number;
  email: string;
  apiKey: string;
  createdAt: Date;
}

export interface PlannedAgent {
  id: number;
  userId: number;
  name: string;
  elevenlabsAgentId: string;
  status: AgentStatus;
  createdAt: Date;
  /** How many calls the SQL generator makes for this agent. */
  calls: number;
}

export interface SeedPlan {
  users: PlannedUser[];
  agents: PlannedAgent[];
  /** Day offsets (0 = anchor day) sampled in proportion to daily volume, for the SQL generator. */
  dayQuantiles: number[];
}

const DAY_MS = 86_400_000;
const ROLES = ['Sales', 'Support', 'Booking', 'Renewals', 'Outreach', 'Survey', 'Collections', 'Onboarding'];
// Weekly seasonality by UTC weekday (Sunday first): weekends are quiet.
const WEEKDAY_FACTOR = [0.35, 1.05, 1.1, 1.1, 1.05, 0.95, 0.45];
const DAY_QUANTILE_SLOTS = 4_000;

/** Log-normal-ish weight, so a few agents are busy and most are not. */
function skewedWeight(random: () => number): number {
  const z = Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
  return Math.exp(0.8 * z);
}

function pickStatus(random: () => number): AgentStatus {
  const u = random();
  return u < 0.8 ? 'active' : u < 0.95 ? 'paused' : 'archived';
}

/** Agents per non-heavy user: at least one each, the rest spread by weight. */
function agentsPerUser(spec: SeedScaleSpec, random: () => number): number[] {
  const others = spec.users - 1;
  const spare = spec.agents - spec.heavyAgents - others;
  const extra = apportion(
    spare,
    Array.from({ length: others }, () => skewedWeight(random)),
  );
  return [spec.heavyAgents, ...extra.map((n) => n + 1)];
}

function dayQuantiles(): number[] {
  const anchorMidnight = Date.UTC(
    SEED_ANCHOR.getUTCFullYear(),
    SEED_ANCHOR.getUTCMonth(),
    SEED_ANCHOR.getUTCDate(),
  );
  const partialToday = (SEED_ANCHOR.getTime() - anchorMidnight) / DAY_MS;
  const weights: number[] = [];
  for (let offset = 0; offset < SEED_DAYS; offset++) {
    const weekday = new Date(anchorMidnight - offset * DAY_MS).getUTCDay();
    const growth = 0.7 + (0.6 * (SEED_DAYS - offset)) / SEED_DAYS;
    weights.push((WEEKDAY_FACTOR[weekday] ?? 1) * growth * (offset === 0 ? partialToday : 1));
  }
  const slots = apportion(DAY_QUANTILE_SLOTS, weights);
  return slots.flatMap((n, offset) => Array<number>(n).fill(offset));
}

/**
 * Decides users and agents (and how many calls each agent gets) in JS from a
 * seeded PRNG; the bulk rows are then generated server-side from this plan.
 */
export function planSeed(spec: SeedScaleSpec, seed: number): SeedPlan {
  const random = seededRandom(seed);
  const users: PlannedUser[] = [];
  for (let id = 1; id <= spec.users; id++) {
    users.push({
      id,
      email: `user${id}@example.com`,
      apiKey: `pk_${randomToken(random, 32)}`,
      createdAt: new Date(SEED_ANCHOR.getTime() - (400 + Math.floor(random() * 300)) * DAY_MS),
    });
  }

  const agents: PlannedAgent[] = [];
  const perUser = agentsPerUser(spec, random);
  perUser.forEach((count, index) => {
    const user = users[index] as PlannedUser;
    for (let n = 1; n <= count; n++) {
      const role = ROLES[Math.floor(random() * ROLES.length)];
      agents.push({
        id: agents.length + 1,
        userId: user.id,
        name: `${role} agent ${n}`,
        elevenlabsAgentId: `agent_${randomToken(random, 26)}`,
        status: pickStatus(random),
        createdAt: new Date(SEED_ANCHOR.getTime() - (SEED_DAYS + 5 + Math.floor(random() * 200)) * DAY_MS),
        calls: 0,
      });
    }
  });

  // Every scale has the shapes tests need: a paused and an archived agent,
  // and one agent (the last) that never made a call.
  const last = agents[agents.length - 1] as PlannedAgent;
  if (!agents.some((a) => a.status === 'paused')) (agents[1] as PlannedAgent).status = 'paused';
  if (!agents.some((a) => a.status === 'archived')) (agents[2] as PlannedAgent).status = 'archived';

  const heavy = agents.filter((a) => a.userId === 1);
  const rest = agents.filter((a) => a.userId !== 1);
  apportion(
    spec.heavyCalls,
    heavy.map(() => skewedWeight(random)),
  ).forEach((n, i) => {
    (heavy[i] as PlannedAgent).calls = n;
  });
  apportion(
    spec.calls - spec.heavyCalls,
    rest.map((a) => (a === last ? 0 : skewedWeight(random))),
  ).forEach((n, i) => {
    (rest[i] as PlannedAgent).calls = n;
  });

  return { users, agents, dayQuantiles: dayQuantiles() };
}
