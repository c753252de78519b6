import { describe, expect, it } from 'vitest';
import { createDriftReporter, DRIFT_LOG_INTERVAL_MS } from '../../src/upstream/drift-report.js';

describe('drift reports', () => {
  it('when the same field drifts again and again, then it is counted each time and warned once per (route, field) per interval, saying what arrived', () => {
    let clock = 0;
    const counted: string[] = [];
    const warnings: Array<Record<string, unknown>> = [];
    const report = createDriftReporter({ count: (route, field) => counted.push(`${route} ${field}`), warn: (_m, fields) => warnings.push(fields) }, () => clock);
    const drift = new Map([['items[].stats.downloadCount', 'string']]);
    report('models', drift);
    report('models', drift);
    report('images', new Map([['items[].width', 'object']]));
    clock += DRIFT_LOG_INTERVAL_MS - 1;
    report('models', drift);
    expect(warnings).toEqual([
      { route: 'models', field: 'items[].stats.downloadCount', arrived: 'string' },
      { route: 'images', field: 'items[].width', arrived: 'object' },
    ]);
    clock += 1;
    report('models', drift);
    expect(warnings).toHaveLength(3);
    expect(counted).toHaveLength(5);
  });
});
