/**
 * Periodic audit checkpoints, when a signing key is configured: one at start and one every
 * CANON_AUDIT_CHECKPOINT_MINUTES, each written to the audit_checkpoint table and to the log (info,
 * `audit checkpoint`), where the operator's log shipping keeps a copy outside the database. Every
 * replica signs its own; any of them anchors the chain.
 */
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CanonConfig } from '../../config.ts';
import { ConfigError } from '../../config.ts';
import type { Orm } from '../../db/orm.ts';
import type { Logger } from '../../logger.ts';
import { readSigningKey, takeCheckpoint } from './audit-checkpoints.ts';

/** The configured signing key, read before anything starts (a bad key stops the start). */
export function loadAuditSigningKey(config: CanonConfig): KeyObject | null {
  if (!config.auditSigningKeyFile) return null;
  try {
    return readSigningKey(readFileSync(config.auditSigningKeyFile, 'utf8'));
  } catch (error) {
    throw new ConfigError(`CANON_AUDIT_SIGNING_KEY_FILE: ${(error as Error).message}`);
  }
}

export function startAuditCheckpoints(
  key: KeyObject | null,
  config: CanonConfig,
  orm: Orm,
  log: Logger,
): { stop(): void } | null {
  if (!key) return null;
  const tick = async () => {
    try {
      const checkpoint = await takeCheckpoint(orm.em.fork(), key);
      log.info({ checkpoint }, 'audit checkpoint');
    } catch (error) {
      log.warn({ err: error }, 'audit checkpoint failed; retrying at the next interval');
    }
  };
  void tick();
  const timer = setInterval(tick, (config.auditCheckpointMinutes ?? 60) * 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
