// Types for the ES-module build of wgsl_reflect (see wgsl-reflect.ts): the same API.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
