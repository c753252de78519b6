// `npm run demo` / `npm start`: compile only when a source is newer than the last build.
// tsc's own incremental check (tsconfig.build.json, tsBuildInfoFile) still takes ~4 s to find
// nothing changed; comparing modification times takes milliseconds. Plain JS, so that deciding
// costs no TypeScript loader. Types: build-if-changed.d.mts.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the build reads: compiled folders and the files that steer the compiler. */
export const INPUTS = ['src', 'fixture', 'generated', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
export const STAMP = 'dist/.tsbuildinfo';
export const OUTPUT = 'dist/src/main.js';

function newestUnder(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestUnder(join(path, entry)));
  return newest;
}

/** Whether `root` needs compiling: no build yet, or an input changed after the last one. */
export function needsBuild(root) {
  const stamp = join(root, STAMP);
  if (!existsSync(stamp) || !existsSync(join(root, OUTPUT))) return true;
  const built = statSync(stamp).mtimeMs;
  return INPUTS.some((input) => newestUnder(join(root, input)) > built);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  if (needsBuild(root)) {
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
    if (tsc.status !== 0) process.exit(tsc.status ?? 1);
    // tsc leaves its info file alone when nothing changed: stamp this build's time ourselves.
    const now = new Date();
    utimesSync(join(root, STAMP), now, now);
  }
}
