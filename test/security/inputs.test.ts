import { describe, expect } from 'vitest';
import { NodeByIdDocument } from '../../generated/graphql.js';
import type { GraphQLResponse } from '../helpers/execute.js';
import { test } from '../helpers/stack.js';

const gid = (type: string, key: string) => Buffer.from(`${type}:${key}`, 'utf8').toString('base64');
/** Control, format (bidi, zero-width) and line-separator characters. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** The one error of a response whose only field is null, as code and message; the message must be free of invisible characters. */
function onlyError(response: GraphQLResponse<unknown>, field: string) {
  expect(response.data).toEqual({ [field]: null });
  expect(response.errors).toHaveLength(1);
  const error = response.errors![0]!;
  expect(error.message).not.toMatch(INVISIBLE);
  return { code: error.extensions?.code, message: error.message };
}

const CREATOR = 'query ($username: String!) { creator(username: $username) { username } }';
const TAG = 'query ($name: String!) { tag(name: $name) { name } }';

describe('names in arguments and in global IDs', () => {
  test.for([
    ['blank', '   ', 'must not be empty'],
    ['longer than 200 characters', 'x'.repeat(201), 'can be at most 200 characters'],
    ['carrying a NUL', 'bad\u0000name', 'must not contain control characters'],
    ['carrying an escape sequence', 'red\u001b[31m', 'must not contain control characters'],
    ['carrying a DEL', 'del\u007f', 'must not contain control characters'],
    ['carrying a C1 control', 'next\u0085line', 'must not contain control characters'],
  ] as const)(
    'when a username or tag name is %s, then the argument and the global ID are both refused with BAD_USER_INPUT before any upstream call',
    async ([, key, problem], { stack }) => {
      const creatorArg = onlyError(await stack.client.execute(CREATOR, { username: key }), 'creator');
      const creatorId = onlyError(await stack.client.execute(NodeByIdDocument, { id: gid('Creator', key) }), 'node');
      const tagArg = onlyError(await stack.client.execute(TAG, { name: key }), 'tag');
      const tagId = onlyError(await stack.client.execute(NodeByIdDocument, { id: gid('Tag', key) }), 'node');

      expect([creatorArg, creatorId, tagArg, tagId]).toEqual([
        { code: 'BAD_USER_INPUT', message: `\`username\` ${problem}.` },
        { code: 'BAD_USER_INPUT', message: `"${gid('Creator', key).slice(0, 64)}" is not a valid global ID: a Creator's username ${problem}.` },
        { code: 'BAD_USER_INPUT', message: `\`name\` ${problem}.` },
        { code: 'BAD_USER_INPUT', message: `"${gid('Tag', key).slice(0, 64)}" is not a valid global ID: a Tag's name ${problem}.` },
      ]);
      expect(stack.fixture.calls()).toBe(0);
    },
  );

  test('when a name has exactly 200 characters, then the argument and the global ID both reach the upstream (NOT_FOUND, not BAD_USER_INPUT)', async ({ stack }) => {
    const key = 'x'.repeat(200);
    const answers = [
      onlyError(await stack.client.execute(CREATOR, { username: key }), 'creator').code,
      onlyError(await stack.client.execute(NodeByIdDocument, { id: gid('Creator', key) }), 'node').code,
      onlyError(await stack.client.execute(TAG, { name: key }), 'tag').code,
      onlyError(await stack.client.execute(NodeByIdDocument, { id: gid('Tag', key) }), 'node').code,
    ];
    expect(answers).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    expect(stack.fixture.calls()).toBeGreaterThan(0);
  });

  test('when a creator and a tag are fetched by the global IDs they carry, then both resolve', async ({ stack }) => {
    const listed = await stack.client.execute<{ models: { nodes: Array<{ creator: { id: string; username: string }; tags: Array<{ id: string; name: string }> }> } }, object>(
      '{ models(first: 1) { nodes { creator { id username } tags { id name } } } }',
    );
    const model = listed.data!.models.nodes[0]!;
    const tag = model.tags[0]!;
    const creator = await stack.client.execute(NodeByIdDocument, { id: model.creator.id });
    const tagged = await stack.client.execute(NodeByIdDocument, { id: tag.id });
    expect([creator.data, tagged.data]).toEqual([
      { node: { __typename: 'Creator', id: model.creator.id, username: model.creator.username } },
      { node: { __typename: 'Tag', id: tag.id, name: tag.name } },
    ]);
  });
});

describe('messages that quote client input', () => {
  test('when a malformed global ID carries control, bidi and line-separator characters, then the message quotes them as \\u escapes', async ({ stack }) => {
    const id = 'ab\u0000\u001b[2J\u202Eevil\u2028\u{E0041}';
    const error = onlyError(await stack.client.execute(NodeByIdDocument, { id }), 'node');
    expect(error).toEqual({ code: 'BAD_USER_INPUT', message: '"ab\\u0000\\u001b[2J\\u202eevil\\u2028\\u{e0041}" is not a valid global ID.' });
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when a malformed global ID is long, then the message quotes its first 64 characters only', async ({ stack }) => {
    const id = `${'!'.repeat(64)}${'\u0007'.repeat(400)}`;
    const error = onlyError(await stack.client.execute(NodeByIdDocument, { id }), 'node');
    expect(error).toEqual({ code: 'BAD_USER_INPUT', message: `"${'!'.repeat(64)}" is not a valid global ID.` });
  });
});
