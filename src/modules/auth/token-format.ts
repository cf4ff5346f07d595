/**
 * API token strings: `canon_<prefix>_<secret>`. The prefix (12 base32 characters) identifies the
 * token in lists and logs without revealing it; the secret carries 256 random bits. Only the
 * SHA-256 of the whole string is stored.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

export interface IssuedToken {
  token: string;
  prefix: string;
  hash: string;
}

export function issueToken(): IssuedToken {
  const prefix = `canon_${base32(randomBytes(12))}`;
  const token = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { token, prefix, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A display prefix for a token Canon did not issue (the bootstrap admin token). */
export function prefixOf(token: string): string {
  const m = /^(canon_[a-z2-7]{12})_/.exec(token);
  return m ? m[1] : `bootstrap_${hashToken(token).slice(0, 12)}`;
}
