/**
 * relay-compiler (the npm package's own binary) compiles examples/relay's fragments, with
 * @connection forward and backward and @refetchable on Query, Model and Creator, against
 * schema.graphql; the pagination queries it writes then run against the server unchanged.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { test } from '../helpers/stack.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RELAY = join(ROOT, 'node_modules/.bin/relay-compiler');

/** A copy of examples/relay in a fresh directory, with the schema path made absolute. */
function project(extraSources: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'relay-'));
  cpSync(join(ROOT, 'examples/relay/src'), join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, '__generated__'));
  const config = JSON.parse(readFileSync(join(ROOT, 'examples/relay/relay.config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'relay.config.json'), JSON.stringify({ ...config, schema: join(ROOT, 'schema.graphql') }));
  for (const [name, text] of Object.entries(extraSources)) writeFileSync(join(dir, 'src', name), text);
  return dir;
}

function operationText(dir: string, name: string): string {
  const artifact = readFileSync(join(dir, '__generated__', `${name}.graphql.ts`), 'utf8');
  const literal = /"text": ("(?:[^"\\]|\\.)*")/.exec(artifact)?.[1];
  if (!literal) throw new Error(`no operation text in ${name}`);
  return JSON.parse(literal) as string;
}

describe('relay-compiler over schema.graphql', () => {
  let dir: string;
  beforeAll(async () => {
    dir = project();
    await run(RELAY, [], { cwd: dir });
  }, 60_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the fragments compile, then each @refetchable has its query and each @connection its metadata', () => {
    for (const name of ['ModelListPaginationQuery', 'CreatorModelsPaginationQuery', 'CreatorsBackwardPaginationQuery', 'ModelCardRefetchQuery']) {
      expect(operationText(dir, name)).toMatch(new RegExp(`^query ${name}\\(`));
    }
    const creator = readFileSync(join(dir, '__generated__', 'CreatorModels_creator.graphql.ts'), 'utf8');
    expect(creator).toMatch(/"connection": \[\s*\{\s*"count": "first",\s*"cursor": "after",\s*"direction": "forward"/);
    const creators = readFileSync(join(dir, '__generated__', 'CreatorsBackward_query.graphql.ts'), 'utf8');
    expect(creators).toMatch(/"backward": \{\s*"count": "last",\s*"cursor": "before"/);
    expect(operationText(dir, 'CreatorModelsPaginationQuery')).toContain('node(id: $id)');
  });

  test('when the generated pagination queries run against the server, then they answer without errors', async ({ stack }) => {
    const forward = await stack.client.execute<{ models: { edges: Array<{ node: { id: string; creator: { id: string } } }>; pageInfo: { endCursor: string } } }, unknown>(
      operationText(dir, 'ModelListPaginationQuery'),
      { first: 3 },
    );
    expect(forward.errors).toBeUndefined();
    expect(forward.data?.models.edges).toHaveLength(3);
    const next = await stack.client.execute(operationText(dir, 'ModelListPaginationQuery'), { first: 3, after: forward.data?.models.pageInfo.endCursor });
    expect(next.errors).toBeUndefined();

    const creatorId = forward.data?.models.edges[0]?.node.creator.id;
    const creator = await stack.client.execute<{ node: { username: string; models: { edges: unknown[] } } }, unknown>(
      operationText(dir, 'CreatorModelsPaginationQuery'),
      { id: creatorId, first: 2 },
    );
    expect(creator.errors).toBeUndefined();
    expect(creator.data?.node.models.edges.length).toBeGreaterThan(0);

    const backward = await stack.client.execute<{ creators: { edges: unknown[] } }, unknown>(operationText(dir, 'CreatorsBackwardPaginationQuery'), { last: 4 });
    expect(backward.errors).toBeUndefined();
    expect(backward.data?.creators.edges).toHaveLength(4);
  });

  it('when a fragment asks for a field the schema lacks, then relay-compiler fails and names it', async () => {
    const broken = project({ 'Broken.ts': "import { graphql } from './graphql.js';\nexport const B = graphql`fragment Broken_model on Model { id downloadUrlThatDoesNotExist }`;\n" });
    try {
      const failure = await run(RELAY, [], { cwd: broken }).then(
        () => undefined,
        (error: { code?: number; stdout?: string; stderr?: string }) => error,
      );
      expect(failure?.code).not.toBe(0);
      expect(`${failure?.stdout}${failure?.stderr}`).toContain('downloadUrlThatDoesNotExist');
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
