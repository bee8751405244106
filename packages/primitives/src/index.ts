export { type Clock, type NowClock, preciseClock, systemClock } from './clock.js';
export {
  type Duration,
  type DurationUnit,
  durationToMs,
  MAX_TIMER_MS,
  parseDuration,
  parseTimerDuration,
} from './duration.js';
export {
  InvalidOptionError,
  type InvalidOptionErrorClass,
  PerfkitError,
  type PerfkitErrorCode,
  someCause,
} from './errors.js';
export { checkNumber, type NumberBounds, parseNumber } from './number.js';
export { type WithDefaults, withDefaults } from './options.js';
export { hashText, type Random, seededRandom } from './random.js';
export { within } from './within.js';
