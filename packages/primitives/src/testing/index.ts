export { freePort } from './free-port.js';
export { type ManualClock, type ManualClockOptions, manualClock } from './manual-clock.js';
