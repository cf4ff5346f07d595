import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.ts';
import { builtInSchema } from '../../src/graphql/print-schema.ts';

const schema = builtInSchema();

import { AUDIT_ACTIONS } from '../../src/modules/audit/audit-actions.ts';
import { ALL_CHANGE_KINDS } from '../../src/modules/contracts/compatibility/change-kinds.ts';

const doc = (name: string) => readFileSync(resolve(import.meta.dirname, '../../docs', name), 'utf8');

it('docs/contracts.md explains every change kind', () => {
  const text = doc('contracts.md');
  for (const kind of ALL_CHANGE_KINDS) expect(text, kind).toContain(`\`${kind}\``);
});

it('docs/errors.md explains every error code', () => {
  const text = doc('errors.md');
  for (const code of ERROR_CODES) expect(text, code).toContain(`\`${code}\``);
});

it('docs/api.md lists every audited action', () => {
  const text = doc('api.md');
  for (const action of AUDIT_ACTIONS) expect(text, action).toContain(`\`${action}\``);
});

it('docs/authorization.md has a row for every root field', () => {
  const text = doc('authorization.md');
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  for (const type of roots)
    for (const field of Object.keys(type?.getFields() ?? {}))
      expect(text, field).toMatch(new RegExp(`\`${field}\`|\`${field}\\(`));
});
