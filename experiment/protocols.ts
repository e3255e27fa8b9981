// Protocols: the tutorials' experiments as data. A protocol is a JSON file (the built-in
// ones are in protocols/, bundled here; a user may pass a path, which the command line
// reads) with a description, the tutorial it reproduces, what it produces (kind) and its
// settings, every key checked as strictly as the flags (experiment/options.ts).
//
//   { "description": "...", "tutorial": "...", "kind": "comparison", "settings": { "lr": 0.001, ... } }

import dldnaCh4 from '../protocols/dldna-ch4.json';
import dldnaCh4Text from '../protocols/dldna-ch4-text.json';
import facureMnist from '../protocols/facure-mnist.json';
import kerasInitializers from '../protocols/keras-initializers.json';
import moonsReluVsTanh from '../protocols/moons-relu-vs-tanh.json';
import quick from '../protocols/quick.json';
import { KINDS, refuseUnknownKeys, settingsFromJson, UsageError, type ProtocolKind, type Settings } from './options';

export interface Protocol {
  /** A built-in's name, or the path of a user's file. */
  name: string;
  description: string;
  /** The tutorial it reproduces, and where in it. */
  tutorial: string;
  kind: ProtocolKind;
  settings: Partial<Settings>;
}

const TOP_LEVEL_KEYS = ['description', 'tutorial', 'kind', 'settings'];

/** A protocol file's parsed JSON → a protocol, every key checked; `name` (the file) is named in every error. */
export function parseProtocol(json: unknown, name: string): Protocol {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`protocol ${name}: expected a JSON object { description, tutorial, kind, settings }`);
  refuseUnknownKeys(json, TOP_LEVEL_KEYS, `protocol ${name}`);
  const { description, tutorial, kind = 'comparison', settings } = json as Record<string, unknown>;
  for (const [key, value] of [['description', description], ['tutorial', tutorial]] as const) {
    if (typeof value !== 'string' || !value.trim()) throw new UsageError(`protocol ${name}: ${key}: expected a non-empty string, got ${JSON.stringify(value)}`);
  }
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) throw new UsageError(`protocol ${name}: kind: unknown kind ${JSON.stringify(kind)} (valid: ${KINDS.join(', ')})`);
  if (settings === undefined) throw new UsageError(`protocol ${name}: settings: missing (an object of settings, as results.json's options name them)`);
  return { name, description: description as string, tutorial: tutorial as string, kind: kind as ProtocolKind, settings: settingsFromJson(settings, `protocol ${name}: settings`) };
}

const BUILT_IN_FILES: Record<string, unknown> = {
  quick,
  'dldna-ch4': dldnaCh4,
  'dldna-ch4-text': dldnaCh4Text,
  'facure-mnist': facureMnist,
  'moons-relu-vs-tanh': moonsReluVsTanh,
  'keras-initializers': kerasInitializers,
};

/** The built-in protocols' names, in the order `gradscope protocols` lists them. */
export const BUILT_IN_PROTOCOLS: readonly string[] = Object.keys(BUILT_IN_FILES);

/** The default: what `gradscope compare` runs without --protocol (npm start). */
export const DEFAULT_PROTOCOL = 'quick';

/**
 * A built-in protocol by name. Parsed when asked for, not at import: its activations must
 * be registered by then (a user's, loaded with --register, may be named in a file).
 */
export function builtInProtocol(name: string): Protocol {
  const json = BUILT_IN_FILES[name];
  if (json === undefined) throw new UsageError(`--protocol: no built-in protocol '${name}' (valid: ${BUILT_IN_PROTOCOLS.join(', ')}, or the path of a .json file)`);
  return parseProtocol(json, name);
}

/** One line per built-in protocol: its name, then its description. */
export function protocolListing(): string[] {
  const width = Math.max(...BUILT_IN_PROTOCOLS.map((n) => n.length));
  return BUILT_IN_PROTOCOLS.map((name) => {
    const { description } = BUILT_IN_FILES[name] as { description: string };
    return `${name.padEnd(width)}  ${description}`;
  });
}
