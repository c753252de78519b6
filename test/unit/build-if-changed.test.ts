/**
 * `npm run demo` and `npm start` compile only when a source changed since the last build
 * (scripts/build-if-changed.mjs): a repeat start skips tsc's ~4 s of checking nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { needsBuild, OUTPUT, STAMP } from '../../scripts/build-if-changed.mjs';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'build-if-changed-'));
  roots.push(root);
  for (const [path, text] of [['src/main.ts', 'x'], ['generated/graphql.ts', 'x'], ['tsconfig.json', '{}']] as const) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const at = (root: string, path: string, seconds: number) => utimesSync(join(root, path), seconds, seconds);

function built(root: string, seconds: number): void {
  mkdirSync(join(root, 'dist/src'), { recursive: true });
  writeFileSync(join(root, OUTPUT), '');
  writeFileSync(join(root, STAMP), '');
  at(root, STAMP, seconds);
}

describe('build only when sources changed', () => {
  it('when nothing was built yet, then it builds', () => {
    expect(needsBuild(project())).toBe(true);
  });

  it('when the last build is newer than every source, then it skips; a changed source, config or generated file builds again', () => {
    const root = project();
    for (const path of ['src', 'src/main.ts', 'generated', 'generated/graphql.ts', 'tsconfig.json']) at(root, path, 1_000);
    built(root, 2_000);
    expect(needsBuild(root)).toBe(false);
    for (const path of ['src/main.ts', 'generated/graphql.ts', 'tsconfig.json']) {
      at(root, path, 3_000);
      expect([path, needsBuild(root)]).toEqual([path, true]);
      at(root, path, 1_000);
    }
    // A new file changes its folder's time.
    writeFileSync(join(root, 'src/new.ts'), 'x');
    expect(needsBuild(root)).toBe(true);
  });

  it('when the output is gone, then it builds', () => {
    const root = project();
    built(root, Date.now() / 1000 + 60);
    rmSync(join(root, OUTPUT));
    expect(needsBuild(root)).toBe(true);
  });
});
