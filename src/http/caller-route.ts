/**
 * Plain HTTP routes that act for the caller (map downloads, exports): the bearer token becomes a
 * call context; an expected failure before the first byte answers JSON with the code's HTTP status
 * (503 with Retry-After during an outage), as GraphQL errors do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Callers } from '../callers.ts';
import { CanonError, httpStatusOf, UNAVAILABLE_RETRY_AFTER_S } from '../errors.ts';
import type { CallContext } from '../modules/auth/actor-context.ts';

export function callerRoute(callers: Callers) {
  return async (req: IncomingMessage, res: ServerResponse, run: (ctx: CallContext) => Promise<void>) => {
    try {
      const caller = await callers.fromHeader(req.headers.authorization);
      if (!caller)
        throw new CanonError(
          'UNAUTHENTICATED',
          'A valid API token is required (Authorization: Bearer <token>).',
        );
      await run({
        actor: caller.actor,
        ability: caller.ability,
        requestId: String(res.getHeader('x-request-id') ?? ''),
      });
    } catch (error) {
      if (!(error instanceof CanonError) || res.headersSent) throw error;
      const status = httpStatusOf(error.code);
      if (status === 503) res.setHeader('retry-after', String(UNAVAILABLE_RETRY_AFTER_S));
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          errors: [
            {
              message: error.message,
              extensions: { code: error.code, ...(error.fieldPath ? { path: error.fieldPath } : {}) },
            },
          ],
        }),
      );
    }
  };
}
