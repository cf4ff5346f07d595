/**
 * `canon audit keygen | checkpoint | verify`: anchoring the audit chain with signed checkpoints kept
 * outside the database (src/modules/audit/audit-checkpoints.ts). `verify` also runs through a running
 * Canon (--url); `checkpoint` signs on the database, with the key on this machine.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { AuditCheckpoint, AuditHashes } from '../modules/audit/audit-checkpoints.ts';
import { type RemoteFlags, remoteOptions } from './options.ts';
import type { Transport } from './transport.ts';

export function addAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the audit trail: signed checkpoints and verification');
  audit
    .command('keygen')
    .description(
      'write a new Ed25519 key pair: audit-signing-key.pem (for CANON_AUDIT_SIGNING_KEY_FILE) and audit-signing-key.pub.pem (keep it apart)',
    )
    .requiredOption('--out <dir>', 'folder to write the two files to')
    .action(async (opts: { out: string }) => {
      const { newSigningKeyPair } = await import('../modules/audit/audit-checkpoints.ts');
      const pair = newSigningKeyPair();
      mkdirSync(opts.out, { recursive: true });
      writeFileSync(join(opts.out, 'audit-signing-key.pem'), pair.privateKey, { mode: 0o600 });
      writeFileSync(join(opts.out, 'audit-signing-key.pub.pem'), pair.publicKey);
      console.log(
        `wrote ${join(opts.out, 'audit-signing-key.pem')} and ${join(opts.out, 'audit-signing-key.pub.pem')}`,
      );
    });
  audit
    .command('checkpoint')
    .description(
      'sign the newest audit event and print the checkpoint as JSON (keep the output outside the database)',
    )
    .option('--key <file>', 'Ed25519 private key (PEM); default CANON_AUDIT_SIGNING_KEY_FILE')
    .option('--out <file>', 'also write the checkpoint to this file')
    .action(async (opts: { key?: string; out?: string }) => {
      const { readSigningKey, takeCheckpoint } = await import('../modules/audit/audit-checkpoints.ts');
      const { loadConfig } = await import('../config.ts');
      const { withServices } = await import('./support.ts');
      const keyFile = opts.key ?? loadConfig().auditSigningKeyFile;
      if (!keyFile) throw new Error('Give --key or set CANON_AUDIT_SIGNING_KEY_FILE.');
      const key = readSigningKey(readFileSync(keyFile, 'utf8'));
      await withServices('canon audit checkpoint', async (services) => {
        const checkpoint = await takeCheckpoint(services.orm.em.fork(), key);
        const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
        if (opts.out) writeFileSync(opts.out, text);
        process.stdout.write(text);
      });
    });
  remoteOptions(
    audit
      .command('verify')
      .description('verify the hash chain, and with --checkpoint that nothing up to it was rewritten or cut')
      .option('--checkpoint <file>', 'a checkpoint written by `canon audit checkpoint` (or from the log)')
      .option('--public-key <file>', 'the public key you keep: the checkpoint must be signed by it'),
    false,
  ).action(async (opts: RemoteFlags & { checkpoint?: string; publicKey?: string }) => {
    const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
    const { checkCheckpoint } = await import('../modules/audit/audit-checkpoints.ts');
    await withTransport(opts, 'canon audit verify', async (t) => {
      const data = await t.call(
        `{ verifyAuditChain { ... on AuditChainVerification { valid checked brokenAt } ${ERROR_FIELDS} } }`,
      );
      const chain = payloadOf<{ valid: boolean; checked: number; brokenAt: string | null }>(
        data.verifyAuditChain,
        'The audit chain',
      );
      console.log(
        chain.valid
          ? `chain: valid (${chain.checked} events)`
          : `chain: BROKEN at event ${chain.brokenAt} (${chain.checked} events before it verify)`,
      );
      let ok = chain.valid;
      if (opts.checkpoint) {
        const checkpoint = JSON.parse(readFileSync(opts.checkpoint, 'utf8')) as AuditCheckpoint;
        const trusted = opts.publicKey ? readFileSync(opts.publicKey, 'utf8') : undefined;
        const result = await checkCheckpoint(auditHashesOver(t), checkpoint, trusted);
        console.log(
          `checkpoint: ${result.valid ? 'valid' : `INVALID (${result.problem})`} — ${result.message}`,
        );
        ok = ok && result.valid;
      }
      if (!ok) process.exitCode = 1;
    });
  });
}

/** The log's hashes read through the audit API (the same on a running Canon and offline). */
function auditHashesOver(t: Transport): AuditHashes {
  const newest = async (args: string, variables: Record<string, unknown>) => {
    const data = await t.call(
      `query($after: BigIntString) { auditEvents(first: 1, ${args}) { edges { node { sequence hash } } } }`,
      variables,
    );
    return (data.auditEvents.edges[0]?.node ?? null) as { sequence: string; hash: string } | null;
  };
  return {
    async hashAt(sequence) {
      const e = await newest('orderBy: OLDEST_FIRST, afterSequence: $after', {
        after: (BigInt(sequence) - 1n).toString(),
      });
      return e && e.sequence === sequence ? e.hash : null;
    },
    async lastSequence() {
      return (await newest('orderBy: NEWEST_FIRST', {}))?.sequence ?? null;
    },
  };
}
