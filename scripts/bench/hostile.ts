/**
 * The requests of `npm run soak -- --hostile` (issue 9, "Memory"): ordinary queries with random
 * and real ids under three credentials, mixed with what an attacker or a clumsy client sends:
 * the heap flood (distinct documents and variables, 10 %), oversize streamed bodies, forged cursors, malformed global ids, deep, aliased and
 * fragment-hidden queries, invalid JSON, form posts, GETs without a CSRF header, gzip bombs and
 * unknown Content-Encodings. Every outcome is
 * one `Outcome`; the soak tallies them.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { gzipBomb } from './hostile-http.js';

export interface Outcome {
  kind: string;
  /** HTTP status, or 0 when the connection ended without one (an oversize body cut short). */
  status: number;
  codes: string[];
  /** From `extensions.cost` when the request was executed. */
  cost?: { calls: number; retries: number; planned: number | null };
}

export interface HostileSetup {
  url: string;
  /** Authorization values: anonymous (undefined) and two API keys. */
  credentials: ReadonlyArray<string | undefined>;
  modelIds: readonly number[];
  versionIds: readonly number[];
  maxRequestBytes: number;
  random: () => number;
}

const gid = (type: string, id: string | number) => Buffer.from(`${type}:${id}`).toString('base64');
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

type Body = { errors?: Array<{ extensions?: { code?: string } }>; extensions?: { cost?: Outcome['cost'] } };

async function send(kind: string, url: string, init: RequestInit): Promise<Outcome> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  const text = await response.text();
  let body: Body = {};
  try {
    body = JSON.parse(text) as Body;
  } catch {
    // A refusal without JSON is tallied by its status alone.
  }
  return {
    kind,
    status: response.status,
    codes: (body.errors ?? []).map((e) => e.extensions?.code ?? 'NONE'),
    ...(body.extensions?.cost ? { cost: body.extensions.cost } : {}),
  };
}

function graphql(kind: string, setup: HostileSetup, query: string, variables: Record<string, unknown> = {}, credential?: string): Promise<Outcome> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-upstream-cost': '1' };
  if (credential) headers.authorization = `Bearer ${credential}`;
  return send(kind, setup.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
}

/** A chunked body past the limit, written until the server answers or cuts the connection. */
function oversize(setup: HostileSetup, bytes: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const target = new URL(setup.url);
    let settled = false;
    const done = (status: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ kind: 'oversize', status, codes: [] });
      req.destroy();
    };
    const req = httpRequest(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
      (response) => {
        response.resume();
        done(response.statusCode ?? 0);
      },
    );
    const timer = setTimeout(() => done(0), 20_000);
    req.on('error', () => done(0));
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    req.write('{"query":"{ tags(first: 1) { nodes { name } } }","extensions":{"pad":"');
    let sent = 0;
    const pump = () => {
      while (sent < bytes && !settled) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!settled) req.end('"}}');
    };
    pump();
  });
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

let flooded = 0;
const PAD_16K = 'x'.repeat(16_000);
const PAD_100K = 'y'.repeat(95_000);
const TOKEN_DENSE = 'a '.repeat(1_990);

/**
 * The heap flood of the hostile review (docs/operations.md, "Memory"), anonymous, in rotation: the review's
 * `query D<n> { __typename }` with one unused 16 KB variable (`n` changes every 500 requests), the
 * same with 100 KB, distinct comment-padded 100 KB documents, their APQ registrations, and
 * distinct token-dense documents (2,000 tokens in 4 KB, refused by validation once parsed).
 */
export function floodRequest(setup: HostileSetup): Promise<Outcome> {
  const i = flooded++;
  const n = Math.floor(i / 500);
  const post = (kind: string, body: unknown) => send(kind, setup.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  switch (i % 5) {
    case 0:
      return post('flood-16k-var', { query: `query D${n} { __typename }`, variables: { unused: `${i}${PAD_16K}` } });
    case 1:
      return post('flood-100k-var', { query: `query D${n} { __typename }`, variables: { unused: `${i}${PAD_100K}` } });
    case 2:
      return post('flood-100k-doc', { query: `# ${i} ${PAD_100K}\nquery P${i} { __typename }` });
    case 3: {
      const query = `# ${i} ${PAD_100K}\nquery A${i} { __typename }`;
      return post('flood-apq', { query, extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } } });
    }
    default:
      return post('flood-dense-doc', { query: `query T${i} { ${TOKEN_DENSE} }` });
  }
}

/** One request of the mix, drawn with the weights below (ordinary queries ~60 %). */
export function hostileRequest(setup: HostileSetup): Promise<Outcome> {
  const { random } = setup;
  const credential = pick(random, setup.credentials);
  const someModel = () => (random() < 0.5 ? pick(random, setup.modelIds) : 1 + Math.floor(random() * 2_000_000));
  const someVersion = () => (random() < 0.5 ? pick(random, setup.versionIds) : 1 + Math.floor(random() * 2_000_000));
  const roll = random() * 100;

  if (roll < 10) return floodRequest(setup);
  if (roll < 70) {
    const queries: Array<[string, Record<string, unknown>]> = [
      ['query($id: Int!) { model(id: $id) { name creator { username } modelVersions { name createdAt } tags { name } } }', { id: someModel() }],
      ['query($id: Int!) { modelVersion(id: $id) { name model { name } files { name } images { url } } }', { id: someVersion() }],
      ['query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Model { name } ... on ModelVersion { name } } }', { ids: [gid('Model', someModel()), gid('ModelVersion', someVersion()), gid('Model', someModel())] }],
      ['query($n: Int!) { models(first: $n, sort: NEWEST) { pageInfo { endCursor } nodes { id name creator { username modelCount } } } }', { n: 1 + Math.floor(random() * 30) }],
      ['{ creators(first: 10) { nodes { username modelCount } } tags(first: 10) { nodes { name } } }', {}],
      ['query($q: String!) { models(first: 5, query: $q) { nodes { id name } } }', { q: pick(random, ['style', 'anime', 'photo', 'zzz-none']) }],
      ['{ models(first: 3, nsfw: true) { nodes { modelVersions { images { meta } } } } }', {}],
    ];
    const [query, variables] = pick(random, queries);
    return graphql('ordinary', setup, query, variables, credential);
  }
  if (roll < 75) {
    // Forged cursors: issue 9's offset fan-out, a huge index, garbage, a foreign scope.
    const after = pick(random, [
      b64url({ v: 1, s: 'jlvqv8', o: 200_000, i: 1 }),
      b64url({ v: 1, s: 'jlvqv8', o: 1_000_000, i: 1 }),
      b64url({ v: 1, s: 'zzzzzz', a: 1, d: 999_999, n: 'evil&nsfw=true' }),
      'not a cursor!',
      b64url({ o: 142857142857144 }),
    ]);
    const field = pick(random, ['models(first: 1, nsfw: true, after: $after)', 'creators(first: 2, after: $after)', 'tags(first: 2, after: $after)']);
    return graphql('forged-cursor', setup, `query($after: String) { x: ${field} { nodes { __typename } } }`, { after }, credential);
  }
  if (roll < 80) {
    const ids = [gid('Model', someModel()), pick(random, ['%%%', gid('Model', '99999999999'), gid('Creator', 'a\u0007b'), gid('Nope', 1), 'TW9kZWw6', '=']), gid('Model', someModel())];
    if (random() < 0.5) return graphql('malformed-id', setup, 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids }, credential);
    return graphql('malformed-id', setup, 'query($id: ID!) { node(id: $id) { id } }', { id: ids[1] }, credential);
  }
  if (roll < 85) {
    const variant = Math.floor(random() * 3);
    if (variant === 0) {
      // Deeper than MAX_DEPTH.
      let inner = 'name';
      for (let k = 0; k < 8; k++) inner = `creator { models(first: 2) { nodes { ${inner} } } }`;
      return graphql('deep', setup, `{ models(first: 2) { nodes { ${inner} } } }`, {}, credential);
    }
    if (variant === 1) {
      const aliases = Array.from({ length: 60 }, (_, k) => `a${k}: model(id: ${someModel()}) { name }`).join(' ');
      return graphql('aliased', setup, `{ ${aliases} }`, {}, credential);
    }
    // Issue 9's hole 3: the costly query hidden behind fragments on an interface.
    return graphql(
      'fragment-hidden',
      setup,
      '{ models(first: 100, nsfw: true, sort: NEWEST) { nodes { ... on Node { ... on Model { creator { models(first: 100, nsfw: true) { nodes { modelVersions { createdAt } } } } } } } } }',
      {},
      credential,
    );
  }
  if (roll < 89) return send('invalid-json', setup.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ tags { nodes { name } } }", ' });
  if (roll < 93) {
    return send('form-post', setup.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=%7B%20tags(first%3A%201)%20%7B%20nodes%20%7B%20name%20%7D%20%7D%20%7D',
    });
  }
  if (roll < 95) return send('csrf-get', `${setup.url}?query=${encodeURIComponent('{ tags(first: 1) { nodes { name } } }')}`, { method: 'GET' });
  if (roll < 98.5) return oversize(setup, setup.maxRequestBytes + Math.floor(random() * 4_000_000));
  return encoded(setup);
}

let bomb: Buffer | undefined;

/** A gzip bomb within the wire limit (~90 MB decoded), or a body with an unknown Content-Encoding. */
function encoded(setup: HostileSetup): Promise<Outcome> {
  const json = { 'content-type': 'application/json' };
  if (setup.random() < 0.5) {
    bomb ??= gzipBomb(setup.maxRequestBytes * 0.9);
    return send('gzip-bomb', setup.url, { method: 'POST', headers: { ...json, 'content-encoding': 'gzip' }, body: new Uint8Array(bomb) });
  }
  const body = JSON.stringify({ query: '{ tags(first: 1) { nodes { name } } }' });
  return send('unknown-encoding', setup.url, { method: 'POST', headers: { ...json, 'content-encoding': pick(setup.random, ['compress', 'zstd', 'gzip, rot13']) }, body });
}
