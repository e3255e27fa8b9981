// --protocol NAME|PATH: a built-in protocol by name, or a user's JSON file by path (read
// here: experiment/ has no Node APIs). A file that cannot be read or parsed is refused
// naming it, before anything is trained.

import { existsSync, readFileSync } from 'node:fs';
import { builtInProtocol, BUILT_IN_PROTOCOLS, parseProtocol, type Protocol } from '../experiment/protocols';
import { UsageError } from '../experiment/options';

/** A path, not a built-in's name: it names a file that exists, ends in .json, or holds a folder separator. */
function looksLikePath(value: string): boolean {
  return /\.json$/i.test(value) || /[\\/]/.test(value) || (!BUILT_IN_PROTOCOLS.includes(value) && existsSync(value));
}

export function loadProtocol(value: string): Protocol {
  if (!looksLikePath(value)) return builtInProtocol(value);
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (error) {
    throw new UsageError(`--protocol ${value}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); built-in protocols: ${BUILT_IN_PROTOCOLS.join(', ')}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`protocol ${value}: not valid JSON: ${(error as Error).message}`);
  }
  return parseProtocol(json, value);
}
