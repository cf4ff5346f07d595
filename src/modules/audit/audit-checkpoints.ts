/**
 * Anchors for the audit chain. A hash chain alone proves only that it is self-consistent: whoever can
 * write the table can rewrite every hash after a change, or cut the tail, and the chain still
 * verifies. A checkpoint is the (sequence, hash) of the newest event, signed with an Ed25519 key the
 * database never holds; kept outside the database (the operator's log, a file, a ticket), it makes
 * any rewrite or truncation of the events up to it detectable. Canon writes one periodically when a
 * signing key is configured (CANON_AUDIT_SIGNING_KEY_FILE) and on `canon audit checkpoint`.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Em } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';

export interface AuditCheckpoint {
  /** The newest audit event when the checkpoint was taken ('0': the log was empty). */
  sequence: string;
  hash: string;
  at: string;
  /** Ed25519 signature (base64) over the canonical JSON of { sequence, hash, at }. */
  signature: string;
  /** The signer's public key (SPKI PEM); trust it only if it matches the one you keep. */
  publicKey: string;
}

export interface CheckpointVerification {
  valid: boolean;
  /** Why not: bad-signature, untrusted-key, truncated, rewritten. */
  problem: string | null;
  message: string;
}

const signedBytes = (c: { sequence: string; hash: string; at: string }) =>
  Buffer.from(canonicalize({ sequence: c.sequence, hash: c.hash, at: c.at }) ?? '');

export function readSigningKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new CanonError(
      'BAD_USER_INPUT',
      `The audit signing key is not a PEM private key: ${(error as Error).message}`,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new CanonError('BAD_USER_INPUT', 'The audit signing key must be an Ed25519 key.');
  return key;
}

/** A new Ed25519 key pair as PEM (for `canon audit keygen`). */
export function newSigningKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Signs the newest event's (sequence, hash) and keeps the checkpoint in audit_checkpoint. */
export async function takeCheckpoint(em: Em, key: KeyObject): Promise<AuditCheckpoint> {
  const conn = em.getConnection();
  const [last] = await conn.execute<{ sequence: string; hash: string }[]>(
    'select sequence::text as sequence, hash from audit_event order by sequence desc limit 1',
  );
  const body = {
    sequence: last?.sequence ?? '0',
    hash: last?.hash ?? '0'.repeat(64),
    at: new Date().toISOString(),
  };
  const checkpoint: AuditCheckpoint = {
    ...body,
    signature: sign(null, signedBytes(body), key).toString('base64'),
    publicKey: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
  };
  await conn.execute(
    'insert into audit_checkpoint (sequence, hash, at, signature, public_key) values (?, ?, ?, ?, ?)',
    [checkpoint.sequence, checkpoint.hash, checkpoint.at, checkpoint.signature, checkpoint.publicKey],
  );
  return checkpoint;
}

/**
 * Checks a checkpoint kept outside the database against the log: its signature (by `trustedKey`, the
 * public key the operator keeps, when given), and that the event it names is still there with the
 * same hash. The chain itself is verified apart (AuditService.verifyChain): together they show that
 * nothing up to the checkpoint was rewritten or cut.
 */
/** Where a checkpoint is checked against: the database, or a running Canon's audit API (the CLI's --url). */
export interface AuditHashes {
  /** The hash of the event with this sequence; null when there is none. */
  hashAt(sequence: string): Promise<string | null>;
  /** The newest sequence of the log; null when it is empty. */
  lastSequence(): Promise<string | null>;
}

export function databaseAuditHashes(em: Em): AuditHashes {
  const conn = em.getConnection();
  return {
    async hashAt(sequence) {
      const [row] = await conn.execute<{ hash: string }[]>(
        'select hash from audit_event where sequence = ?',
        [sequence],
      );
      return row?.hash ?? null;
    },
    async lastSequence() {
      const [max] = await conn.execute<{ s: string | null }[]>(
        'select max(sequence)::text as s from audit_event',
      );
      return max?.s ?? null;
    },
  };
}

export async function checkCheckpoint(
  source: Em | AuditHashes,
  checkpoint: AuditCheckpoint,
  trustedKey?: string,
): Promise<CheckpointVerification> {
  const log = 'hashAt' in source ? source : databaseAuditHashes(source);
  const fail = (problem: string, message: string) => ({ valid: false, problem, message });
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(checkpoint.publicKey);
  } catch {
    return fail('bad-signature', 'The checkpoint carries no readable public key.');
  }
  if (
    trustedKey &&
    createPublicKey(trustedKey).export({ type: 'spki', format: 'pem' }) !==
      publicKey.export({ type: 'spki', format: 'pem' })
  )
    return fail('untrusted-key', 'The checkpoint was signed with another key than the one you keep.');
  if (!verify(null, signedBytes(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64')))
    return fail('bad-signature', 'The checkpoint signature does not verify: the file was altered.');
  if (checkpoint.sequence === '0')
    return { valid: true, problem: null, message: 'The checkpoint was taken on an empty log.' };
  const hash = await log.hashAt(checkpoint.sequence);
  if (hash === null) {
    return fail(
      'truncated',
      `Audit event ${checkpoint.sequence} of the checkpoint is gone (the log ends at ${(await log.lastSequence()) ?? 'nothing'}): the log was cut.`,
    );
  }
  if (hash !== checkpoint.hash)
    return fail(
      'rewritten',
      `Audit event ${checkpoint.sequence} has another hash than at the checkpoint: the log was rewritten.`,
    );
  return {
    valid: true,
    problem: null,
    message: `The log holds event ${checkpoint.sequence} as signed at ${checkpoint.at}.`,
  };
}
