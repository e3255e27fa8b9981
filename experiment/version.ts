// The gradscope version that writes a results.json (package.json's): `gradscope merge`
// puts together only shards of the same version, whose runs are the same computation.
import { version } from '../package.json';

export const GRADSCOPE_VERSION: string = version;
