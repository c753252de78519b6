/**
 * GraphiQL's page and its assets. @graphql-yoga/render-graphiql ships GraphiQL (JS, CSS, the
 * editor's three workers, an icon) as string exports that its renderer inlines into every page:
 * 9 MB of HTML per view. Here they are served apart instead, from our own routes (never a CDN:
 * the demo runs offline), under names that carry their content hash:
 * `/graphiql/<name>.<hash>.<ext>`, immutable-cached, compressed once (src/http/precompressed.ts).
 * The page is a few KB that loads them and calls the same init as yoga's renderer, with our
 * options.
 *
 * The bundle is read once per process, at the first view, one export at a time (each parsed
 * string is dropped as soon as it is bytes), so what stays is ~14 MB of Buffers outside the V8
 * heap (9 MB plain, 2 MB br, 2.5 MB gzip) and nothing inside it.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { GraphiQLOptions } from 'graphql-yoga';
import { precompress, type Precompressed } from './precompressed.js';

export const GRAPHIQL_ASSETS_PATH = '/graphiql/';

const JS = 'text/javascript; charset=utf-8';

/** The bundle's exports, and the name and type each is served under. */
const PARTS = {
  js: { name: 'graphiql', ext: 'js', type: JS },
  css: { name: 'graphiql', ext: 'css', type: 'text/css; charset=utf-8' },
  favicon: { name: 'favicon', ext: 'ico', type: 'image/x-icon' },
  editorWorkerService: { name: 'editor-worker', ext: 'js', type: JS },
  jsonWorker: { name: 'json-worker', ext: 'js', type: JS },
  graphqlWorker: { name: 'graphql-worker', ext: 'js', type: JS },
} as const;
type Part = keyof typeof PARTS;

export interface GraphiQLAssets {
  /** Each asset by its path. */
  readonly byPath: ReadonlyMap<string, Precompressed>;
  /** The path of each export. */
  readonly paths: Readonly<Record<Part, string>>;
}

let assets: Promise<GraphiQLAssets> | undefined;

/** The assets of this process, made at the first call (a failure is retried at the next). */
export function graphiqlAssets(): Promise<GraphiQLAssets> {
  assets ??= buildAssets().catch((error: unknown) => {
    assets = undefined;
    throw error;
  });
  return assets;
}

/** render-graphiql's CommonJS build: one `exports.<name> = "<JSON string>";` line per export. */
function bundlePath(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@graphql-yoga/render-graphiql')), 'graphiql.js');
}

const EXPORT_LINE = /^exports\.(\w+) = "/;

async function buildAssets(): Promise<GraphiQLAssets> {
  const file = await readFile(bundlePath());
  const made = new Map<Part, Promise<Precompressed>>();
  for (let start = 0; start < file.byteLength; ) {
    const newline = file.indexOf(0x0a, start);
    const end = newline === -1 ? file.byteLength : newline;
    const head = EXPORT_LINE.exec(file.toString('latin1', start, Math.min(end, start + 64)));
    const part = head?.[1];
    if (head && part !== undefined && Object.hasOwn(PARTS, part)) {
      const literal = file.toString('utf8', start + head[0].length - 1, end).replace(/;\s*$/, '');
      made.set(part as Part, precompress(bytesOf(part as Part, JSON.parse(literal) as string), PARTS[part as Part].type));
    }
    start = end + 1;
  }
  const missing = Object.keys(PARTS).filter((part) => !made.has(part as Part));
  if (missing.length > 0) throw new Error(`@graphql-yoga/render-graphiql no longer exports ${missing.join(', ')} as strings`);
  const byPath = new Map<string, Precompressed>();
  const paths = {} as Record<Part, string>;
  const parts = [...made.keys()];
  const stored = await Promise.all(made.values());
  parts.forEach((part, i) => {
    const asset = stored[i] as Precompressed;
    paths[part] = `${GRAPHIQL_ASSETS_PATH}${PARTS[part].name}.${asset.hash.slice(0, 20)}.${PARTS[part].ext}`;
    byPath.set(paths[part], asset);
  });
  return { byPath, paths };
}

/** The favicon comes as a base64 data: URL; the rest as text. */
function bytesOf(part: Part, value: string): Buffer {
  if (part !== 'favicon') return Buffer.from(value, 'utf8');
  const comma = value.indexOf(',');
  if (!value.startsWith('data:') || !value.slice(0, comma).endsWith(';base64')) throw new Error('the GraphiQL favicon is no longer a base64 data: URL');
  return Buffer.from(value.slice(comma + 1), 'base64');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON inside a <script>: `<` escaped, so no string in it can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The page: render-graphiql's, with links and script sources where it inlined the assets. */
export function graphiqlPage(options: GraphiQLOptions, { paths }: GraphiQLAssets): string {
  const workers = { editorWorkerService: paths.editorWorkerService, json: paths.jsonWorker, graphql: paths.graphqlWorker };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="${paths.favicon}" />
    <link rel="stylesheet" href="${paths.css}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      const workers = ${scriptJson(workers)};
      self['MonacoEnvironment'] = { globalAPI: false, getWorkerUrl: (moduleId, label) => workers[label] };
    </script>
    <script src="${paths.js}"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(window.document.querySelector('#root'), ${scriptJson(options)});
    </script>
  </body>
</html>
`;
}
