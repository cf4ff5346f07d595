/**
 * A query that failed because the database connection broke under it (a restart, a failover, a
 * connection killed by a proxy) is run once more: queries only read, so running one again is safe,
 * and the pool has by then replaced the broken connection. Mutations are never run again here —
 * they rely on idempotency keys, which the caller holds. The second run gets a context of its own,
 * so no dataloader answers it from what failed the first time.
 */
import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { classifyDatabaseError } from '../db/error-classes.ts';
import type { Metrics } from '../metrics.ts';

const RETRY_DELAY_MS = 200;

interface PlainResult {
  errors?: readonly { originalError?: unknown }[];
}

function lostConnection(result: unknown): boolean {
  if (!result || typeof result !== 'object' || Symbol.asyncIterator in result) return false;
  const errors = (result as PlainResult).errors ?? [];
  return errors.some((e) => classifyDatabaseError(e.originalError) === 'SERVICE_UNAVAILABLE');
}

/** A copy of the context (getters included) that dataloaders see as a new request. */
function freshContext<T extends object>(context: T): T {
  return Object.defineProperties(
    Object.create(Object.getPrototypeOf(context)),
    Object.getOwnPropertyDescriptors(context),
  ) as T;
}

export function retrySafeReads(metrics?: Metrics): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document as DocumentNode, args.operationName);
      if (operation?.operation !== 'query') return;
      setExecuteFn(async (executeArgs) => {
        const first = await executeFn(executeArgs);
        if (!lostConnection(first)) return first;
        metrics?.readRetries.inc();
        await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
        return executeFn({ ...executeArgs, contextValue: freshContext(executeArgs.contextValue as object) });
      });
    },
  };
}
