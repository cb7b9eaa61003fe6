export * from './model-catalog';
export * from './manifest';
export * from './model-volume';
export * as runpod from './gen/runpod';
