// wgsl_reflect, loaded from its ES-module build. The package's "main" is a CommonJS
// file inside a "type": "module" package, which Node (and vitest) refuse to load
// ("exports is not defined in ES module scope"); the .module.js build works in Node,
// vitest and bundlers alike. Import wgsl_reflect from here, not from 'wgsl_reflect'.
import * as reflectModule from 'wgsl_reflect/wgsl_reflect.module.js';

type WgslReflectModule = typeof import('wgsl_reflect');
const m = reflectModule as unknown as WgslReflectModule;

export const WgslReflect = m.WgslReflect;
export const WgslParser = m.WgslParser;
export const ResourceType = m.ResourceType;
export type WgslReflect = InstanceType<WgslReflectModule['WgslReflect']>;
