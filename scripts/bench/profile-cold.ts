/**
 * `npx tsx scripts/bench/profile-cold.ts [seconds]` (after `npm run build`): cold S2 one request
 * at a time at 50 ms upstream latency, the server under `node --cpu-prof`; prints p50 and the
 * profile's top frames by self time (BENCHMARKS.md, "Cold path"). The profile stays in
 * .bench/prof/ for Chrome DevTools or speedscope.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER, start } from './processes.js';

const root = join(import.meta.dirname, '../..');
const seconds = Number(process.argv[2] ?? 10);
const dir = join(root, '.bench/prof');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const S2_BODY = JSON.stringify({
  query: readFileSync(join(root, 'documents/models.graphql'), 'utf8') + readFileSync(join(root, 'documents/fragments.graphql'), 'utf8'),
  operationName: 'ModelPageDeep',
  variables: { first: 50 },
});

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }

/** Self time per function, highest first. */
function topFrames(file: string, count: number): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    if (!frame) return;
    const where = frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(dist\/)/, '$1');
    const key = `${frame.functionName || '(anonymous)'} ${where}${where ? `:${frame.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  // Self time by package (the bundle a frame's script belongs to), for a coarse split.
  const byPackage = new Map<string, number>();
  for (const [key, t] of self) {
    const where = key.slice(key.indexOf(' ') + 1);
    const pkg = where === '' ? key : /^dist\//.test(where) ? 'our code (dist/)' : where.startsWith('node:') ? 'node internals' : (/^((@[^/]+\/)?[^/]+)\//.exec(where)?.[1] ?? key);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t);
  }
  return [
    `sampled ${(total / 1000).toFixed(0)} ms; by package: ${[...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, t]) => `${k.trim()} ${((100 * t) / total).toFixed(1)} %`).join(', ')}`,
    ...[...self].sort((a, b) => b[1] - a[1]).slice(0, count).map(([k, t]) => `${(t / 1000).toFixed(0).padStart(6)} ms ${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`),
  ];
}

const fixture = await start(process.execPath, [join(root, 'dist/fixture/main.js'), '--port', '0'], {});
try {
  await fetch(`${new URL(fixture.url).origin}/__fixture/latency?ms=50`, { method: 'POST' });
  const server = await start(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...SERVER], { CIVITAI_API_URL: fixture.url, PORT: '0', LOG_LEVEL: 'warn', CACHE_MAX_BYTES: '0' });
  const times: number[] = [];
  try {
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      const t = performance.now();
      const body = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: S2_BODY }).then((r) => r.text());
      if (!body.startsWith('{"data":{') || body.includes('"errors":[')) throw new Error(`not an answer: ${body.slice(0, 300)}`);
      times.push(performance.now() - t);
    }
  } finally {
    await server.stop();
  }
  times.sort((a, b) => a - b);
  process.stdout.write(`cold S2 one at a time, 50 ms upstream: n=${times.length} p50=${Math.round(times[Math.floor(times.length / 2)] ?? 0)} ms min=${Math.round(times[0] ?? 0)} ms\n`);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file) process.stdout.write(`${topFrames(join(dir, file), 30).join('\n')}\n`);
} finally {
  await fixture.stop();
}
