/** Load generators: autocannon for single requests, a small walker for multi-request operations. */
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export async function hammer(url: string, body: string, seconds: number, connections: number, headers: Record<string, string> = {}): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
    duration: seconds,
    connections,
    // An answer with errors is no answer: a benchmark of error responses measures nothing.
    verifyBody: answered,
  });
  return {
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.mismatches,
  };
}

/** True for a GraphQL response body with data and without errors. */
export function answered(raw: string | Buffer | undefined): boolean {
  const body = raw === undefined ? '' : raw.toString();
  return body.startsWith('{"data":{') && !body.includes('"errors":[');
}

/** Runs `operation` from `workers` loops for `seconds`; each run is one operation. */
export async function loop(operation: () => Promise<boolean>, seconds: number, workers: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        const ok = await operation().catch(() => false);
        latencies.push(performance.now() - t);
        if (!ok) errors++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return { requests: latencies.length, rps: Math.round((latencies.length / seconds) * 10) / 10, p50: at(0.5), p99: at(0.99), errors };
}

export async function post(url: string, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: unknown; errors?: unknown[] }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: unknown; errors?: unknown[] };
}
