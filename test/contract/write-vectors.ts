/** Writes test/fixtures/contract-vectors.json from test/contract/vectors.ts: `npx projen contract:vectors`. */
import * as fs from 'fs';
import * as path from 'path';
import { contractVectors, VECTORS_FILE, vectorsText } from './vectors';

fs.writeFileSync(VECTORS_FILE, vectorsText(contractVectors()));
process.stdout.write(`wrote ${path.relative(process.cwd(), VECTORS_FILE)}\n`);
