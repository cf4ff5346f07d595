/** A file sent as the body of a POST to a running Canon (imports, reconciliations): its JSON answer or a typed error. */
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { CanonError } from '../errors.ts';
import { explainFetchFailure, explainHttpStatus } from './remote-errors.ts';

/** The server takes the built-in mappings by name; a mapping file is read by the command on the database. */
export function requireServerMapping(mapping: string, command: string): void {
  if (mapping !== 'canon' && !mapping.startsWith('odoo:'))
    throw new CanonError(
      'BAD_USER_INPUT',
      `--mapping ${mapping}: a running Canon takes the canon or odoo:<model> mappings; ${command} with a mapping file on the database (without --url).`,
      { path: ['mapping'] },
    );
}

export async function uploadFile<T>(
  target: { url: string; token: string },
  path: string,
  file: string,
  contentType: string,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${target.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${target.token}`,
        'content-type': contentType,
        'content-length': String(statSync(file).size),
      },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
  } catch (error) {
    throw explainFetchFailure(error, target.url, 0);
  }
  const text = await res.text();
  let body: T & { errors?: { message: string; extensions?: { code?: string; path?: string[] } }[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw explainHttpStatus(res.status, target.url, text);
  }
  const [error] = body.errors ?? [];
  if (error)
    throw new CanonError((error.extensions?.code ?? 'BAD_USER_INPUT') as never, error.message, {
      path: error.extensions?.path,
    });
  if (res.status !== 202 && res.status !== 200) throw explainHttpStatus(res.status, target.url, text);
  return body;
}
