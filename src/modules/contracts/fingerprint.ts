/**
 * The fingerprint of a schema: SHA-256 of its RFC 8785 canonical JSON, leaving out `$id` (which names
 * the version, not the content). Equal content always gives the same fingerprint, whatever the key
 * order or whitespace of the submitted document.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export function schemaFingerprint(schema: Record<string, unknown>): string {
  const { $id: _id, ...content } = schema;
  return createHash('sha256')
    .update(canonicalize(content) ?? '')
    .digest('hex');
}
