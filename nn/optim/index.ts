export { Optimizer } from './optimizer';
export { SGD, type SgdConfig } from './sgd';
