import { createHash } from 'crypto';

/**
 * The SHA-256 of `content` in lowercase hex, a string hashed as its UTF-8 bytes: the one digest of the
 * render (file and folder digests of `index.json`, the `checksum/config` annotations that roll pods
 * when their configuration changes) and of the validation gate's tool caches.
 */
export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * {@link sha256Hex} of `fields`, each followed by a NUL byte, so that no two lists of fields without
 * NULs hash the same input (`['ab', 'c']` and `['a', 'bc']` differ).
 */
export function sha256OfFields(fields: readonly string[]): string {
  return sha256Hex(fields.map((field) => `${field}\0`).join(''));
}
