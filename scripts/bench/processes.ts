/** Child processes for benchmarks: start, wait for the URL they print, read peak RSS, stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Running {
  url: string;
  /** What the process printed up to its URL (and in the same write). */
  output: string;
  child: ChildProcess;
  peakRssMb(): number;
  rssMb(): number;
  stop(): Promise<void>;
}

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
    return Number(line?.replace(/\D+/g, '') ?? 0);
  } catch {
    return 0;
  }
}

export function start(command: string, args: string[], env: Record<string, string>, urlPattern = /https?:\/\/[^\s]+/, cwd?: string): Promise<Running> {
  const child = spawn(command, args, { env: { ...process.env, NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = urlPattern.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      child.stderr?.resume();
      const pid = child.pid as number;
      resolve({
        url: match[0].replace(/[).,]+$/, ''),
        output,
        child,
        peakRssMb: () => Math.round(statusKb(pid, 'VmHWM') / 1024),
        rssMb: () => Math.round(statusKb(pid, 'VmRSS') / 1024),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`)));
  });
}

/** Our production server as `npm start` runs it (compiled, heap capped), for `start(process.execPath, SERVER, env)`. */
export const SERVER = ['--max-old-space-size=160', join(import.meta.dirname, '../../dist/src/main.js')];

/** For TypeScript scripts that are not part of the build (the ceiling server). */
export const TSX = ['--import', 'tsx'];

/** A positive number option from parseArgs (`--seconds 5`), or the default when absent. */
export function positiveOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${String(raw)}`);
  return value;
}
