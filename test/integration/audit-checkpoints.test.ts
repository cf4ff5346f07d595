/**
 * The audit chain anchored by signed checkpoints: a rewrite of every hash and a cut of the tail both
 * still "verify" as a chain, and both are caught against a checkpoint taken before them.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkCheckpoint,
  newSigningKeyPair,
  readSigningKey,
  takeCheckpoint,
} from '../../src/modules/audit/audit-checkpoints.ts';
import { systemContext } from '../../src/startup.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { registerSystem } from '../support/factories.ts';

let t: TestApp;
const pair = newSigningKeyPair();
const key = readSigningKey(pair.privateKey);

beforeAll(async () => {
  t = await startTestApp();
  for (let i = 0; i < 5; i++)
    await registerSystem(t, { code: `audit-${i}`, name: `System ${i}`, kind: 'MES' });
});
afterAll(async () => {
  await t?.close();
});

const em = () => t.app.orm.em.fork();
const conn = () => t.app.orm.em.getConnection();
const verifyChain = () => t.app.services.audit.verifyChain(em(), systemContext('test'));

/** As an insider with the table owner's rights would: switch off the append-only triggers first. */
async function asOwner(run: () => Promise<void>) {
  await conn().execute('alter table audit_event disable trigger user');
  try {
    await run();
  } finally {
    await conn().execute('alter table audit_event enable trigger user');
  }
}

/** Rewrites the log the way an insider would: change one event, then recompute every hash after it. */
async function rewriteFrom(sequence: string) {
  const rows = await conn().execute<any[]>(
    'select * from audit_event where sequence >= ? order by sequence',
    [sequence],
  );
  const [prev] = await conn().execute<{ hash: string }[]>(
    'select hash from audit_event where sequence < ? order by sequence desc limit 1',
    [sequence],
  );
  let prevHash = prev?.hash ?? '0'.repeat(64);
  for (const [i, r] of rows.entries()) {
    const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : (v ?? null));
    const fields = {
      at: new Date(r.at).toISOString(),
      actorId: r.actor_id ?? null,
      actorName: i === 0 ? 'someone else' : (r.actor_name ?? null),
      tokenId: r.token_id ?? null,
      systemCode: r.system_code ?? null,
      action: r.action,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      before: parse(r.before),
      after: parse(r.after),
      requestId: r.request_id ?? null,
    };
    const hash = createHash('sha256')
      .update(prevHash)
      .update(canonicalize(fields) ?? '')
      .digest('hex');
    await conn().execute(
      'update audit_event set actor_name = ?, prev_hash = ?, hash = ? where sequence = ?',
      [fields.actorName, prevHash, hash, r.sequence],
    );
    prevHash = hash;
  }
}

describe('audit checkpoints', () => {
  it('verify while the log is intact, and catch a tampered checkpoint or a foreign key', async () => {
    const checkpoint = await takeCheckpoint(em(), key);
    expect(await checkCheckpoint(em(), checkpoint, pair.publicKey)).toMatchObject({ valid: true });
    expect(await checkCheckpoint(em(), { ...checkpoint, sequence: '1' }, pair.publicKey)).toMatchObject({
      valid: false,
      problem: 'bad-signature',
    });
    const other = newSigningKeyPair();
    expect(await checkCheckpoint(em(), checkpoint, other.publicKey)).toMatchObject({
      valid: false,
      problem: 'untrusted-key',
    });
  });

  it('catch a rewrite of every hash that the chain alone accepts', async () => {
    const checkpoint = await takeCheckpoint(em(), key);
    const [first] = await conn().execute<{ s: string }[]>('select min(sequence)::text as s from audit_event');
    await asOwner(() => rewriteFrom(first.s));
    expect((await verifyChain()).valid).toBe(true); // self-consistent again
    expect(await checkCheckpoint(em(), checkpoint, pair.publicKey)).toMatchObject({
      valid: false,
      problem: 'rewritten',
    });
  });

  it('catch a cut of the tail', async () => {
    await registerSystem(t, { code: 'audit-late', name: 'Late', kind: 'MES' });
    const checkpoint = await takeCheckpoint(em(), key);
    await asOwner(async () => {
      await conn().execute('delete from audit_event where sequence >= ?', [checkpoint.sequence]);
    });
    expect((await verifyChain()).valid).toBe(true);
    const result = await checkCheckpoint(em(), checkpoint, pair.publicKey);
    expect(result).toMatchObject({ valid: false, problem: 'truncated' });
    expect(result.message).toContain(checkpoint.sequence);
  });
});
