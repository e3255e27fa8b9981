// The experiment is a library: experiment/ uses no Node API (the browser page runs it)
// and nothing above it; report/ and examples/ take it from experiment/, never from the
// command line in cli/; the report's parts that the page bundles use no Node API either.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = process.cwd();

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts'))
    .map((name) => join(folder, name));
}

/** Every module a file imports (import type included): 'node:fs', 'commander', or a folder-relative path such as 'cli/program.ts'. */
function importsOf(file: string): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  return [...source.matchAll(/^\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)].map((m) => {
    const target = m[1] ?? m[2];
    return target.startsWith('.') ? relative(root, resolve(root, dirname(file), target)) : target;
  });
}

const importers = (folder: string, wanted: (target: string) => boolean) =>
  sourceFiles(folder).flatMap((file) => importsOf(file).filter(wanted).map((target) => `${file} → ${target}`));

describe('layering of the experiment', () => {
  it('finds the imports it checks (the check itself works)', () => {
    expect(importsOf('cli/program.ts')).toEqual(expect.arrayContaining(['commander', 'node:os', 'experiment/compare', 'cli/output']));
  });

  it('experiment/ imports no Node API and nothing from cli/, report/ or examples/', () => {
    expect(importers('experiment', (t) => t.startsWith('node:') || /^(cli|report|examples)\//.test(t))).toEqual([]);
  });

  it('report/ and examples/ import nothing from cli/', () => {
    expect([...importers('report', (t) => t.startsWith('cli/')), ...importers('examples', (t) => t.startsWith('cli/'))]).toEqual([]);
  });

  it("the report's parts the browser page bundles (markup, drawing) use no Node API", () => {
    const bundled = importsOf('examples/compare/main.ts').filter((t) => t.startsWith('report/'));
    expect(bundled.sort()).toEqual(['report/draw', 'report/markup']);
    for (const file of bundled) expect(importsOf(`${file}.ts`).filter((t) => t.startsWith('node:') || !/^(experiment|plotly\.js)/.test(t))).toEqual([]);
  });
});
