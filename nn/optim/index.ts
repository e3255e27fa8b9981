export { Optimizer } from './optimizer';
export { SGD, type SgdConfig } from './sgd';
export { Adam, AdamW, type AdamConfig } from './adam';
export { StepLR, CosineAnnealingLR } from './schedules';
