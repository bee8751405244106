import type { CliIo } from '../io.js';
import type { LoadtestProgress } from '../loadtest/loadtest-options.js';

/**
 * A progress reporter for stderr: a redrawn bar on a terminal, one line per
 * finished phase otherwise (so CI logs are not flooded).
 *
 * @example
 * await runLoadtest({ ...options, onProgress: progressBar(io) });
 */
export function progressBar(io: CliIo): (event: LoadtestProgress) => void {
  const tty = Boolean(io.stderr.isTTY);
  let finished = '';
  return (event) => {
    const label =
      event.phase === 'warmup'
        ? `${event.target} warm-up`
        : `${event.target} repetition ${event.repetition}/${event.repetitions}`;
    if (event.fraction >= 1) {
      if (finished === label) return;
      finished = label;
    }
    if (tty) {
      const width = 30;
      const filled = Math.round(event.fraction * width);
      io.stderr.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(event.fraction * 100).toFixed(0).padStart(3)}% ${label}   `,
      );
      if (event.fraction >= 1) io.stderr.write('\n');
    } else if (event.fraction >= 1) {
      io.stderr.write(`done: ${label}\n`);
    }
  };
}
