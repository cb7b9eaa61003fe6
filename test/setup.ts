import { Testing } from 'cdktf';
import { expect } from 'vitest';

// cdktf's matchers are written for jest's global `expect`; vitest's is API-compatible.
(globalThis as unknown as { expect: typeof expect }).expect = expect;
Testing.setupJest();
