export * from './model-catalog';
export * from './manifest';
export * from './model-volume';
export * from './secret-value';
export * from './infinitetalk-image';
export * from './storage-init-job';
export * from './avatar-serverless-endpoint';
export * as runpod from './gen/runpod';
