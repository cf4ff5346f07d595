/**
 * Deterministic npm tarballs: the same files always give the same bytes, on any machine and run.
 * Entries sit under `package/` (as `npm pack` lays them out), sorted by path, with the fixed mtime npm
 * itself uses for reproducible packs, fixed modes and owners; gzip carries no timestamp and a fixed
 * OS byte (zlib would otherwise write the building platform's).
 */
import { createHash } from 'node:crypto';
import { constants, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

/** 1985-10-26T08:15:00Z, the timestamp npm writes into reproducible tarballs. */
const FIXED_MTIME = new Date('1985-10-26T08:15:00.000Z');
const GZIP_OS_UNKNOWN = 255;

export interface PackedTarball {
  tgz: Buffer;
  /** Subresource integrity string, `sha512-<base64>` (what npm checks). */
  integrity: string;
  /** SHA-1 hex of the tarball (npm's legacy `shasum`). */
  shasum: string;
}

export async function packTarball(files: Record<string, string>): Promise<PackedTarball> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    tar.on('end', () => resolve());
    tar.on('error', reject);
  });
  for (const path of Object.keys(files).sort()) {
    const body = Buffer.from(files[path], 'utf8');
    await new Promise<void>((resolve, reject) => {
      tar.entry(
        {
          name: `package/${path}`,
          size: body.length,
          mode: 0o644,
          mtime: FIXED_MTIME,
          uid: 0,
          gid: 0,
          uname: '',
          gname: '',
          type: 'file',
        },
        body,
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  tar.finalize();
  await done;
  const tgz = gzipSync(Buffer.concat(chunks), { level: 9, strategy: constants.Z_DEFAULT_STRATEGY });
  tgz[9] = GZIP_OS_UNKNOWN;
  return {
    tgz,
    integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
    shasum: createHash('sha1').update(tgz).digest('hex'),
  };
}
