/** `npm run docs:asyncapi`: writes docs/asyncapi.json, the AsyncAPI document for Canon's defaults. */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncApiDocument } from './asyncapi.ts';

export const ASYNCAPI_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/asyncapi.json');

/** The committed text: the document for the defaults, two-space indented, with a final newline. */
export const asyncApiText = (): string => `${JSON.stringify(asyncApiDocument(), null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ASYNCAPI_FILE, asyncApiText());
  console.log(`wrote ${ASYNCAPI_FILE}`);
}
