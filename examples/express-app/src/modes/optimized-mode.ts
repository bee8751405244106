import { HttpError } from '../errors.js';
import type { DataSource } from './data-source.js';

const notYet = async (): Promise<never> => {
  throw new HttpError(501, 'mode_not_implemented', 'MODE=optimized is not implemented yet; run MODE=naive');
};

/**
 * Placeholder until the optimized data functions land: every read endpoint
 * answers 501 `mode_not_implemented` (writes, auth and health work as in
 * naive mode).
 */
export const optimizedMode: DataSource = {
  overview: notYet,
  analytics: notYet,
  agentsList: notYet,
  agent: notYet,
};
