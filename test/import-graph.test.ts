import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layering of STYLE.md §6.1, read from the sources with the TypeScript parser: which file
 * imports which, and whether the import exists at run time or only for the type checker.
 * Not dependency-cruiser: the TypeScript parser (already a dependency) reads runtime versus
 * type-only imports exactly as verbatimModuleSyntax emits them; the cruiser would add a large
 * dev dependency tree for the same few rules.
 */

const root = join(import.meta.dirname, '..');

interface Edge {
  /** Project-relative path of the importing file. */
  from: string;
  /** Project-relative path of the imported file, or the bare specifier of a package. */
  to: string;
  /** Whether the module is loaded at run time (false for `import type` / `export type`). */
  runtime: boolean;
  line: number;
}

/**
 * With `verbatimModuleSyntax` (our tsconfig), `import { type A } from './a.js'` is emitted as
 * `import {} from './a.js'`: the module still loads. Only a declaration-level `import type` or
 * `export type` is erased. Without it, a declaration whose specifiers are all `type` is erased too.
 */
function verbatimModuleSyntax(): boolean {
  const file = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(file.config, ts.sys, root);
  return parsed.options.verbatimModuleSyntax === true;
}

function resolveSpecifier(fromAbs: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const base = resolve(dirname(fromAbs), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && candidate.endsWith('.ts')) return relative(root, candidate).replaceAll('\\', '/');
  }
  throw new Error(`${relative(root, fromAbs)}: cannot resolve "${specifier}"`);
}

/** Every import of one source text: static imports, re-exports, `import x = require()`, `import()` and `typeof import()`. */
function importsOf(fileAbs: string, text: string, verbatim: boolean): Edge[] {
  const source = ts.createSourceFile(fileAbs, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edges: Edge[] = [];
  const from = relative(root, fileAbs).replaceAll('\\', '/');
  const add = (specifier: ts.Node, runtime: boolean) => {
    if (!ts.isStringLiteralLike(specifier)) return;
    const line = source.getLineAndCharacterOfPosition(specifier.getStart(source)).line + 1;
    edges.push({ from, to: resolveSpecifier(fileAbs, specifier.text), runtime, line });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      let runtime = true;
      if (clause?.isTypeOnly) runtime = false;
      else if (!verbatim && clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
        const specifiers = clause.namedBindings.elements;
        runtime = specifiers.length === 0 || !specifiers.every((s) => s.isTypeOnly);
      }
      add(node.moduleSpecifier, runtime);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      let runtime = !node.isTypeOnly;
      if (runtime && !verbatim && node.exportClause && ts.isNamedExports(node.exportClause)) {
        const specifiers = node.exportClause.elements;
        runtime = specifiers.length === 0 || !specifiers.every((s) => s.isTypeOnly);
      }
      add(node.moduleSpecifier, runtime);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, !node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) {
      add(node.arguments[0], true);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** A cycle as a path that starts and ends on the same node, or null. Nodes and successors are visited in sorted order, so the answer is stable. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.get(node) === undefined) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(root, folder, name))
    .sort();
}

const verbatim = verbatimModuleSyntax();
const edges = [...sourceFiles('src'), ...sourceFiles('fixture')].flatMap((file) => importsOf(file, readFileSync(file, 'utf8'), verbatim));
const show = (e: Edge) => `${e.from}:${e.line} → ${e.to}${e.runtime ? '' : ' (type only)'}`;
const isProjectFile = (path: string) => path.endsWith('.ts');

function graphOf(selected: readonly Edge[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const e of selected) {
    if (!graph.has(e.from)) graph.set(e.from, []);
    if (isProjectFile(e.to)) graph.get(e.from)!.push(e.to);
  }
  return graph;
}

describe('the import reader and the cycle finder', () => {
  const read = (text: string, verbatimSyntax = true) =>
    importsOf(join(root, 'src/schema/probe.ts'), text, verbatimSyntax).map((e) => [e.to, e.runtime] as const);

  it('when a graph has a cycle, then it is reported as a closed path; when it has none, then null', () => {
    const graph = (entries: Record<string, string[]>) => new Map(Object.entries(entries));
    expect(findCycle(graph({ a: ['b'], b: ['c'], c: ['d', 'b'], d: [] }))).toEqual(['b', 'c', 'b']);
    expect(findCycle(graph({ a: ['a'] }))).toEqual(['a', 'a']);
    expect(findCycle(graph({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }))).toBeNull();
  });

  it('when imports are type-only, inline-typed, mixed or dynamic, then each is read with its run-time effect', () => {
    const text = [
      "import type { Context } from '../context.js';",
      "import { type Config } from '../config.js';",
      "import { builder, type Ref } from './builder.js';",
      "import './enums.js';",
      "export type { UpstreamModel } from '../upstream/models.js';",
      "export * from './validate.js';",
      "export { type X } from './global-id.js';",
      "import { z } from 'zod';",
      "type T = typeof import('../errors.js');",
      "const later = () => import('../logger.js');",
    ].join('\n');
    expect(read(text)).toEqual([
      ['src/context.ts', false],
      ['src/config.ts', true], // still loaded under verbatimModuleSyntax
      ['src/schema/builder.ts', true],
      ['src/schema/enums.ts', true],
      ['src/upstream/models.ts', false],
      ['src/schema/validate.ts', true],
      ['src/schema/global-id.ts', true],
      ['zod', true],
      ['src/errors.ts', false],
      ['src/logger.ts', true],
    ]);
    expect(read("import { type Config } from '../config.js';\nexport { type X } from './global-id.js';", false)).toEqual([
      ['src/config.ts', false],
      ['src/schema/global-id.ts', false],
    ]);
  });

  it('when a relative import names no file, then reading fails instead of skipping it', () => {
    expect(() => read("import './nowhere.js';")).toThrow(/cannot resolve "\.\/nowhere\.js"/);
  });
});

describe('the import graph (STYLE.md §6.1)', () => {
  it('reads every file of src/ and fixture/', () => {
    const readers = new Set(edges.map((e) => e.from));
    expect(readers).toContain('src/server.ts');
    expect(readers).toContain('src/schema/index.ts');
    expect(readers).toContain('fixture/index.ts');
    expect(edges.filter((e) => e.from.startsWith('src/schema/') && e.to.startsWith('src/upstream/')).length).toBeGreaterThan(0);
  });

  it('when the imports of src/ are followed, type-only ones included, then no file comes back to itself', () => {
    const cycle = findCycle(graphOf(edges.filter((e) => e.from.startsWith('src/'))));
    const path = cycle?.slice(1).map((to, i) => edges.find((e) => e.from === cycle[i] && e.to === to)!);
    expect(path?.map(show) ?? [], 'import cycle').toEqual([]);
  });

  it('when the folders of src/ import each other, type-only imports included, then never both ways', () => {
    const folderOf = (path: string) => (path.split('/').length > 2 ? path.split('/')[1] : undefined);
    const pairs = new Set<string>();
    for (const e of edges) {
      const [from, to] = [folderOf(e.from), folderOf(e.to)];
      if (e.from.startsWith('src/') && e.to.startsWith('src/') && from && to && from !== to) pairs.add(`${from} → ${to}`);
    }
    const both = [...pairs].filter((pair) => pairs.has(pair.split(' → ').reverse().join(' → '))).sort();
    expect(both, 'folders that import each other').toEqual([]);
  });

  it('when a file of src/schema/ imports from src/upstream/, then only types (`import type`)', () => {
    const values = edges.filter((e) => e.from.startsWith('src/schema/') && e.to.startsWith('src/upstream/') && e.runtime);
    expect(values.map(show), 'value imports from upstream/ in schema/ (use `import type`)').toEqual([]);
  });

  it('when src/pagination/ imports, then only its own files or Node built-ins (it is pure)', () => {
    const outside = edges.filter((e) => e.from.startsWith('src/pagination/') && !e.to.startsWith('src/pagination/') && !e.to.startsWith('node:'));
    expect(edges.some((e) => e.from.startsWith('src/pagination/'))).toBe(true);
    expect(outside.map(show), 'imports of src/pagination/ from outside it').toEqual([]);
  });

  it('when fixture/ imports, then nothing from src/ (it is an independent twin of Civitai)', () => {
    const fromSrc = edges.filter((e) => e.from.startsWith('fixture/') && e.to.startsWith('src/'));
    expect(fromSrc.map(show), 'imports of src/ in fixture/').toEqual([]);
  });

  it('when a schema file registers a GraphQL type, then only index.ts imports it (type files share refs.ts, never each other)', () => {
    const registers = /\bbuilder\.(node|objectType|interfaceType|queryFields?|objectFields?)\(|\.implement\(/;
    const typeFiles = sourceFiles('src/schema')
      .filter((file) => registers.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file).replaceAll('\\', '/'));
    expect(typeFiles).toContain('src/schema/model.ts');
    const crossing = edges.filter((e) => typeFiles.includes(e.to) && e.from !== 'src/schema/index.ts');
    expect(crossing.map(show), 'imports of a type file other than from index.ts').toEqual([]);
  });

  it('when the schema is built, then only src/schema/index.ts calls toSchema()', () => {
    const callers = sourceFiles('src')
      .filter((file) => /\.toSchema\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file).replaceAll('\\', '/'));
    expect(callers).toEqual(['src/schema/index.ts']);
  });
});
