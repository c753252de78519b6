/**
 * The typed consumer in examples/consumer (its own package.json): codegen's client preset over
 * schema.graphql and documents/, type-checked with tsc, then run with urql against a server and
 * the fixture started here; the pages it prints equal the pages the API gives.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelListDocument, type ModelListQuery } from '../../generated/graphql.js';
import type { GraphQLResponse } from '../helpers/execute.js';
import { test } from '../helpers/stack.js';

const run = promisify(execFile);
const DIR = fileURLToPath(new URL('../../examples/consumer/', import.meta.url));
const bin = (name: string) => `${DIR}node_modules/.bin/${name}`;

describe('examples/consumer: a typed urql client', () => {
  beforeAll(async () => {
    // scripts/ensure-test-deps.sh (run by npm test) installs it; install here when run alone.
    if (!existsSync(`${DIR}node_modules/.bin/tsc`)) await run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: DIR });
    await run(bin('graphql-codegen'), ['--config', 'codegen.ts'], { cwd: DIR });
  }, 180_000);

  it('when its codegen output and sources are type-checked, then tsc finds no error', async () => {
    const { stdout } = await run(bin('tsc'), ['--noEmit', '-p', '.'], { cwd: DIR });
    expect(stdout).toBe('');
  }, 120_000);

  test('when it pages through models, then it prints the pages the API gives, in order, following endCursor', async ({ stack }) => {
    await run(bin('tsc'), ['-p', '.'], { cwd: DIR });
    const { stdout } = await run(process.execPath, ['dist/main.js', stack.url, '3', '10'], { cwd: DIR });
    const printed = stdout.trim().split('\n').map((line) => JSON.parse(line) as { page: number; ids: string[]; hasNextPage: boolean });

    const expected: Array<{ page: number; ids: string[]; hasNextPage: boolean }> = [];
    let after: string | null | undefined = null;
    for (let page = 1; page <= 3; page++) {
      const result: GraphQLResponse<ModelListQuery> = await stack.client.execute(ModelListDocument, { first: 10, after, sort: 'NEWEST' });
      const models = result.data?.models;
      expected.push({ page, ids: models?.edges.map((e) => e.node!.id) ?? [], hasNextPage: models?.pageInfo.hasNextPage ?? false });
      after = models?.pageInfo.endCursor;
    }
    expect(printed).toEqual(expected);
    expect(new Set(printed.flatMap((p) => p.ids)).size).toBe(30);
  }, 120_000);
});
