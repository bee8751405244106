import { describe, expect, it } from 'vitest';
import * as admin from '../src/admin.js';
import * as app from '../src/index.js';

describe('entry points by audience', () => {
  it('keep the query builders internal and each export in one entry point', () => {
    const appNames = Object.keys(app);
    expect(appNames.filter((name) => name.endsWith('Query'))).toEqual([]);
    expect(appNames.filter((name) => name in admin)).toEqual([]);
  });

  it('give a request handler reads only, and the operator the schema, indexes, rollup and seed', () => {
    expect(Object.keys(app)).toEqual(
      expect.arrayContaining([
        'createDatabase',
        'loadOverview',
        'loadAnalytics',
        'loadAgentsPage',
        'listenForChanges',
      ]),
    );
    for (const name of ['migrateToLatest', 'applyIndexes', 'runRollup', 'seedDatabase', 'catalogQueries'])
      expect([name, name in app, name in admin]).toEqual([name, false, true]);
  });
});
