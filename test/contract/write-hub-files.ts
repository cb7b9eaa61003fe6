/** Brings the constructs' entries of docker/.runpod/hub.json and tests.json up to date: `npx projen hub:files`. */
import * as fs from 'fs';
import { HUB_FILE, hubFileText, readHubFiles, renderHubFiles, TESTS_FILE } from './hub-files';

const { hub, tests, testInput } = readHubFiles();
const rendered = renderHubFiles(hub, tests, testInput);
fs.writeFileSync(HUB_FILE, hubFileText(rendered.hub));
fs.writeFileSync(TESTS_FILE, hubFileText(rendered.tests));
process.stdout.write(`wrote ${HUB_FILE} and ${TESTS_FILE}\n`);
