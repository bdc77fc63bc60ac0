/** Email and phone checks with GoTrue's messages and codes. */
import { badRequest } from './errors.ts';

// The HTML living-standard e-mail pattern: what browsers accept in <input type=email>.
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** Returns the address lower-cased (GoTrue stores emails lower-case). */
export function validateEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed === '') throw badRequest('validation_failed', 'An email address is required');
  if (trimmed.length > 255) throw badRequest('validation_failed', 'An email address is too long');
  if (!EMAIL.test(trimmed))
    throw badRequest('email_address_invalid', 'Unable to validate email address: invalid format');
  return trimmed.toLowerCase();
}

/** Returns the number in GoTrue's stored form: E.164 digits without the leading '+'. */
export function validatePhone(phone: string): string {
  const digits = phone.replace(/[\s()-]/g, '').replace(/^\+/, '');
  if (!/^[1-9]\d{1,14}$/.test(digits)) {
    throw badRequest('validation_failed', 'Invalid phone number format (E.164 required)');
  }
  return digits;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);
