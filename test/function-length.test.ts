import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * No function in src/ is longer than MAX_LINES, factories included (a factory is an assembly of
 * named parts, not the parts themselves). Read with the TypeScript parser: every function
 * declaration, expression, arrow function, method and accessor, counted from its first line to
 * its last, nested functions included in their parent's count.
 */
const MAX_LINES = 80;
const root = join(import.meta.dirname, '..');

function longFunctions(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      const named = node.name ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name : ts.isPropertyAssignment(node.parent) ? node.parent.name : undefined);
      const name = named && ts.isIdentifier(named) ? named.text : '(anonymous)';
      if (lines > MAX_LINES) found.push(`${relative(root, file)}:${first + 1} ${name}: ${lines} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('function length', () => {
  it('when a long function is read, then it is reported with its place and length', () => {
    const body = Array.from({ length: MAX_LINES }, (_, i) => `  const a${i} = ${i};`).join('\n');
    expect(longFunctions('src/probe.ts', `function short() {\n  return 1;\n}\nconst long = () => {\n${body}\n};`)).toEqual([`src/probe.ts:4 long: ${MAX_LINES + 2} lines`]);
  });

  it(`when the functions of src/ are read, then none is longer than ${MAX_LINES} lines`, () => {
    const files = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
      .map((name) => join(root, 'src', name));
    expect(files.length).toBeGreaterThan(50);
    const long = files.flatMap((file) => longFunctions(file, readFileSync(file, 'utf8')));
    const key = (line: string) => line.replace(/:\d+ /, ' ').replace(/: \d+ lines$/, '');
    expect(long).toEqual([]);
  });
});
