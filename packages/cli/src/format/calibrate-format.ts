import type { CalibrationResult } from '../compare/calibrate.js';
import { ms, pct, renderTable } from './table.js';

/**
 * Renders a calibration: noise and smallest detectable regression per target and metric.
 *
 * @example
 * io.stdout.write(formatCalibrationTable(calibrateGate(report)));
 */
export function formatCalibrationTable(result: CalibrationResult): string {
  const rows = result.entries.map((e) => [
    e.target,
    e.metric,
    e.metric === 'rps' ? e.median.toFixed(1) : ms(e.median),
    pct(e.cv).replace('+', ''),
    e.smallestDetectable === null ? '> 200%' : pct(e.smallestDetectable),
  ]);
  const lines = [
    `A/A calibration: ${result.repetitionsPerSide} + ${result.repetitionsPerSide} repetitions, alpha ${result.alpha}, minimum effect ${pct(result.minEffect)}, power ${(result.power * 100).toFixed(0)}%`,
    renderTable(['target', 'metric', 'median', 'CV', 'smallest detectable regression'], rows),
    `A/A gate (first half vs second half): ${result.aa.verdict}`,
    result.smallestDetectable === null
      ? 'the gate cannot reliably detect regressions on this machine with these settings: add repetitions or lengthen runs'
      : `smallest regression the gate detects (every target and metric): ${pct(result.smallestDetectable)}`,
  ];
  return `${lines.join('\n')}\n`;
}
