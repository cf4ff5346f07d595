/** Answers a request with a JSON body and its length (JSON by default; a route may name its media type). */
import type { ServerResponse } from 'node:http';

export function sendJsonBody(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}
