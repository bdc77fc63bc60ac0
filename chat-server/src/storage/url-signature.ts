/**
 * Signatures for local file URLs: GET /v1/files/:attachmentId?exp=<unix seconds>&sig=<hex>, where
 * sig = HMAC-SHA256(FILE_URL_SECRET, "<attachmentId>.<exp>"). Anyone holding the URL may download
 * until `exp`; changing the id or the expiry breaks the signature.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signFileUrl(secret: string, attachmentId: string, exp: number): string {
  return createHmac('sha256', secret).update(`${attachmentId}.${exp}`).digest('hex');
}

export type SignatureCheck = 'ok' | 'invalid' | 'expired';

/** Checks the signature first (constant time), then the expiry, so a forged exp never reads as merely expired. */
export function checkFileUrl(
  secret: string,
  attachmentId: string,
  exp: string | null,
  sig: string | null,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp) || !/^[0-9a-f]{64}$/.test(sig)) return 'invalid';
  const expected = Buffer.from(signFileUrl(secret, attachmentId, Number(exp)), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return 'invalid';
  return Number(exp) < nowSeconds ? 'expired' : 'ok';
}
