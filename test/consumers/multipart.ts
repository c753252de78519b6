/** Reads a multipart/mixed incremental delivery response (GraphQL over HTTP, @defer/@stream) into its JSON parts, in order. */
export interface IncrementalPart {
  data?: unknown;
  errors?: unknown[];
  hasNext?: boolean;
  incremental?: Array<{ data?: Record<string, unknown>; items?: unknown[]; path: Array<string | number>; label?: string; errors?: unknown[] }>;
}

export function parseMultipart(contentType: string, body: string): IncrementalPart[] {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) throw new Error(`no boundary in ${contentType}`);
  const parts: IncrementalPart[] = [];
  for (const chunk of body.split(`\r\n--${boundary}`)) {
    const separator = chunk.indexOf('\r\n\r\n');
    if (separator < 0) continue;
    const json = chunk.slice(separator + 4).trim();
    if (json) parts.push(JSON.parse(json) as IncrementalPart);
  }
  return parts;
}

/** Applies incremental parts to the initial data, as a client does: deferred fields merged at their path, streamed items appended. */
export function mergeIncremental(parts: IncrementalPart[]): unknown {
  const result = structuredClone(parts[0]?.data) as Record<string, unknown>;
  for (const part of parts.slice(1)) {
    for (const increment of part.incremental ?? []) {
      // Streamed items name the index of their first item; deferred data names its object.
      const path = increment.items ? increment.path.slice(0, -1) : increment.path;
      let target: unknown = result;
      for (const key of path) target = (target as Record<string | number, unknown>)[key];
      if (increment.items) (target as unknown[]).splice(Number(increment.path.at(-1)), increment.items.length, ...increment.items);
      else Object.assign(target as Record<string, unknown>, increment.data);
    }
  }
  return result;
}
