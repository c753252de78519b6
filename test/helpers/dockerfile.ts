/**
 * The Dockerfile's stages played outside Docker (no engine runs on this kind of machine): each
 * stage is a directory standing for its WORKDIR, `COPY` takes from the build context as
 * `.dockerignore` filters it (or from an earlier stage with `--from`), `RUN` goes through
 * `runStep`, which the caller maps to what runs here. The last stage's ENV and CMD are returned.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const logical = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of logical) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args);
      stages.push({ base: m![1]!, name: m![2] ?? String(stages.length), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

/** `.dockerignore` patterns (top-level names and `*` globs, as this project's file uses). */
function ignoredBy(patterns: string[]): (name: string) => boolean {
  const regexes = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`));
  return (name) => regexes.some((r) => r.test(name));
}

/** The build context Docker would send: the project's top-level entries that `.dockerignore` keeps. */
export function buildContext(root: string, into: string): void {
  const patterns = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const ignored = ignoredBy(patterns);
  mkdirSync(into, { recursive: true });
  for (const entry of readdirSync(root)) {
    if (!ignored(entry)) cpSync(join(root, entry), join(into, entry), { recursive: true, filter: (src) => !ignored(basename(src)) || src === join(root, entry) });
  }
}

export interface PlayedImage {
  /** The last stage's directory (its WORKDIR). */
  dir: string;
  env: Record<string, string>;
  cmd: string[];
  healthcheck: string[] | undefined;
}

function copy(args: string, stageDir: (name: string) => string, context: string, dir: string): void {
  const words = args.split(/\s+/).filter((w) => !w.startsWith('--chown'));
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  const target = paths.pop()!;
  const source = from === undefined ? context : stageDir(from);
  for (const path of paths) {
    const src = join(source, path.replace(/^\/app\//, ''));
    if (!existsSync(src)) throw new Error(`COPY ${args}: ${path} is not in ${from === undefined ? 'the build context (.dockerignore?)' : `stage ${from}`}`);
    const dest = target.endsWith('/') && !statSync(src).isDirectory() ? join(dir, target, basename(path)) : join(dir, target);
    mkdirSync(dirname(dest), { recursive: true });
    cpSync(src, dest, { recursive: true });
  }
}

const json = (args: string): string[] => JSON.parse(args) as string[];

/** Plays every stage in `work`; `runStep(command, dir)` runs one RUN (throws when it fails). */
export function playDockerfile(root: string, work: string, runStep: (command: string, dir: string) => void): PlayedImage {
  const stages = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  const context = join(work, 'context');
  buildContext(root, context);
  const dirs = new Map<string, string>();
  const stageDir = (name: string) => dirs.get(name) ?? (() => { throw new Error(`no stage ${name}`); })();
  let played: PlayedImage | undefined;
  for (const stage of stages) {
    const dir = join(work, `stage-${stage.name}`);
    mkdirSync(dir, { recursive: true });
    dirs.set(stage.name, dir);
    played = { dir, env: {}, cmd: [], healthcheck: undefined };
    for (const { op, args } of stage.instructions) {
      if (op === 'COPY') copy(args, stageDir, context, dir);
      else if (op === 'RUN') runStep(args, dir);
      else if (op === 'ENV') for (const [, k, v] of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S*)/g)) played.env[k!] = v!;
      else if (op === 'CMD') played.cmd = json(args);
      else if (op === 'HEALTHCHECK') played.healthcheck = json(args.slice(args.indexOf('CMD') + 3).trim());
      else if (!['WORKDIR', 'USER', 'EXPOSE', 'LABEL', 'ARG'].includes(op)) throw new Error(`unknown instruction ${op}`);
    }
  }
  return played!;
}

/** Runs a shell command in `dir`, its output kept for the error. */
export function sh(command: string, dir: string, env: Record<string, string> = {}): void {
  try {
    execFileSync('bash', ['-c', command], { cwd: dir, env: { ...process.env, ...env }, stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`"${command}" failed in ${dir}:\n${String(stdout ?? '').slice(-2000)}\n${String(stderr ?? '').slice(-2000)}`);
  }
}
