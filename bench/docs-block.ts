/** A benchmark's results written into docs/benchmarks.md between its markers (appended when absent). */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const DOCS = resolve(import.meta.dirname, '../docs/benchmarks.md');

export function writeDocsBlock(mark: string, lines: readonly string[]): void {
  const text = readFileSync(DOCS, 'utf8');
  const start = `<!-- ${mark}:start -->`;
  const end = `<!-- ${mark}:end -->`;
  const block = `${start}\n${lines.join('\n')}\n${end}`;
  const at = text.indexOf(start);
  const until = text.indexOf(end);
  writeFileSync(
    DOCS,
    at >= 0 && until > at
      ? `${text.slice(0, at)}${block}${text.slice(until + end.length)}`
      : `${text.trimEnd()}\n\n${block}\n`,
  );
}
