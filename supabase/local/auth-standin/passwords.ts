/**
 * Password hashing as GoTrue does it: bcrypt at cost 10 in auth.users.encrypted_password. Hashes made by
 * pgcrypto's `crypt(…, gen_salt('bf'))` in seeds (`$2a$`) verify too.
 */
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { badRequest, weakPassword } from './errors.ts';

const COST = 10;
/** bcrypt ignores everything after 72 bytes; GoTrue refuses such passwords rather than truncate. */
const MAX_BYTES = 72;

export async function hashPassword(password: string): Promise<string> {
  if (Buffer.byteLength(password) > MAX_BYTES) {
    throw badRequest('validation_failed', 'bcrypt: password length exceeds 72 bytes');
  }
  return bcrypt.hash(password, COST);
}

/** False for a missing/empty hash (an invited user without a password), never an exception. */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash?.startsWith('$2')) return false;
  try {
    return await bcrypt.compare(password, hash);
  } catch {
    // A corrupt hash in the table is "wrong password" for the caller, exactly like GoTrue.
    return false;
  }
}

/** GoTrue's strength check with the CLI's default policy (length only). */
export function checkPasswordStrength(password: string, minLength: number): void {
  if ([...password].length < minLength) throw weakPassword(minLength);
}

/** A password nobody knows, for accounts created without one (admin create, accepted invite). */
export function randomPassword(): string {
  return randomBytes(48).toString('base64url');
}

/** True when `hash` looks like a bcrypt hash (accepted by POST /admin/users `password_hash`). */
export function isBcryptHash(hash: string): boolean {
  return /^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/.test(hash);
}
