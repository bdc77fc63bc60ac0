/**
 * Allowed embedding domains as the chat server matches them against the Origin header: exact hosts
 * ("acme.com", "localhost") or one leading wildcard label ("*.acme.com"). No scheme, path or port.
 */
const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export type DomainCheck = { ok: true; domain: string } | { ok: false; message: string };

export function normalizeDomain(input: string): DomainCheck {
  let value = input.trim().toLowerCase();
  // People paste URLs; keep the host and say nothing.
  value = value.replace(/^[a-z]+:\/\//, '').replace(/[/?#].*$/, '');
  if (!value) return { ok: false, message: 'Enter a domain, e.g. example.com' };
  if (/:\d+$/.test(value))
    return { ok: false, message: 'Leave out the port: every port of a host is allowed.' };
  if (!HOST.test(value) && value !== '127.0.0.1') {
    return { ok: false, message: `"${input.trim()}" is not a host name. Use example.com or *.example.com.` };
  }
  return { ok: true, domain: value };
}
