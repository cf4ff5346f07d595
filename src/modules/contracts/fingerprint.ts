/**
 * The fingerprint of a schema: SHA-256 of its RFC 8785 canonical JSON, leaving out `$id` (draft-04:
 * `id`, which names the version, not the content). Equal content always gives the same fingerprint, whatever the key
 * order or whitespace of the submitted document.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { draftOf } from '../../../codegen/drafts.ts';

export function schemaFingerprint(schema: Record<string, unknown>): string {
  const { $id: _id, ...content } = schema;
  // draft-04 names the document with `id`
  if (draftOf(schema) === 'draft-04') delete content.id;
  return createHash('sha256')
    .update(canonicalize(content) ?? '')
    .digest('hex');
}
