// Reading a results.json back (`gradscope report`): the report and the figures are rebuilt
// from it without training. A file that is not a gradscope results file is refused with
// one line that names the file and what is wrong, before anything is written.

import { readFileSync } from 'node:fs';
import { UsageError } from '../experiment/options';
import type { ComparisonResult } from '../experiment/results';

/** The fields every results file of gradscope compare has had, with what each must be. */
const REQUIRED: readonly [field: keyof ComparisonResult, kind: 'object' | 'array' | 'string' | 'number'][] = [
  ['createdAt', 'string'],
  ['backend', 'string'],
  ['dataset', 'object'],
  ['network', 'object'],
  ['options', 'object'],
  ['runs', 'array'],
  ['activations', 'array'],
  ['totalSeconds', 'number'],
];

const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** The comparison in the results file at `path`; a UsageError when it is not one. */
export function readResultsFile(path: string): ComparisonResult {
  const refuse = (problem: string) => new UsageError(`${path}: ${problem}`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder; give the results.json in it' : `cannot be read (${code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw refuse(`not a gradscope results file: not JSON (${(error as Error).message})`);
  }
  if (kindOf(value) !== 'object') throw refuse(`not a gradscope results file: expected a JSON object, got ${kindOf(value)}`);
  const fields = value as Record<string, unknown>;
  if (fields.tool !== 'gradscope compare') {
    throw refuse(`not a gradscope results file: its "tool" is ${JSON.stringify(fields.tool) ?? 'missing'}, expected "gradscope compare" (the results.json that gradscope compare writes)`);
  }
  for (const [field, kind] of REQUIRED) {
    if (kindOf(fields[field]) !== kind) throw refuse(`not a complete gradscope results file: "${field}" should be ${kind === 'array' ? 'an' : 'a'} ${kind}, got ${kindOf(fields[field])}`);
  }
  const runs = fields.runs as unknown[];
  if (runs.length === 0) throw refuse('not a complete gradscope results file: "runs" is empty');
  const broken = runs.findIndex((run) => kindOf(run) !== 'object' || typeof (run as Record<string, unknown>).activation !== 'string' || kindOf((run as Record<string, unknown>).curves) !== 'object');
  if (broken >= 0) throw refuse(`not a complete gradscope results file: runs[${broken}] has no activation or curves`);
  return value as ComparisonResult;
}
