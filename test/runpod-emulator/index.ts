export * from './emulator';
export * from './spec';
export * from './compile-runner';
