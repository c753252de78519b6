/**
 * `engines` tells the truth: every Node.js it admits runs every installed package (the lowest
 * version of each of its ranges satisfies each package's own `engines.node`), the tests run on one
 * of them (scripts/node-lts.sh), the image's base is one of them, and `npm ls` finds the tree valid.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface SemVer {
  version: string;
}
/** semver comes with npm's own tree (no types installed); these are the three functions used. */
const semver = createRequire(import.meta.url)('semver') as {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): SemVer | null;
  intersects(a: string, b: string): boolean;
};

const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };

describe('engines.node', () => {
  it('when any Node.js it admits runs the locked tree, then no package refuses it (no EBADENGINE)', () => {
    const lowest = engines.split('||').map((range) => semver.minVersion(range.trim())!.version);
    expect(lowest.length).toBeGreaterThan(0);
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = entry.engines && !Array.isArray(entry.engines) ? entry.engines.node : undefined;
      if (!range || path === '') continue;
      for (const version of lowest) if (!semver.satisfies(version, range)) refused.push(`${path} (${range}) refuses ${version}`);
    }
    expect(refused).toEqual([]);
  });

  it('when the tests run, then they run on a Node.js it admits', () => {
    expect(semver.satisfies(process.versions.node, engines)).toBe(true);
  });

  it('when the image is built, then every stage is based on a Node.js LTS it admits', () => {
    const bases = [...read('Dockerfile').matchAll(/^FROM node:(\d+)\S*/gm)].map((m) => Number(m[1]));
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const major of bases) {
      expect(major % 2, `node:${major} is not an LTS line`).toBe(0);
      expect(semver.intersects(`${major}.x`, engines)).toBe(true);
    }
  });

  it('when npm checks the installed tree, then it is valid (exit 0)', () => {
    expect(() => execFileSync('npm', ['ls', '--all', '--silent'], { cwd: root, stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 })).not.toThrow();
  });
});
