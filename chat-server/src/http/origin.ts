/**
 * Matching a request's Origin against a site's allowed domains: exact hosts ("acme.com",
 * "localhost") or one-level-or-deeper wildcards ("*.acme.com" matches "www.acme.com" and
 * "a.b.acme.com", not "acme.com" itself). Ports are ignored: a domain allows all its ports.
 */

/** The lower-case host of an Origin header, or null when it is absent, "null" or malformed. */
export function originHost(origin: string | undefined): string | null {
  if (!origin || origin === 'null') return null;
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.hostname.toLowerCase();
  } catch {
    return null;
  }
}

export function hostAllowed(host: string, allowedDomains: readonly string[]): boolean {
  for (const raw of allowedDomains) {
    const domain = raw.trim().toLowerCase();
    if (!domain) continue;
    if (domain.startsWith('*.')) {
      const suffix = domain.slice(1); // ".acme.com"
      if (host.endsWith(suffix) && host.length > suffix.length) return true;
    } else if (host === domain) {
      return true;
    }
  }
  return false;
}

export function originAllowed(origin: string | undefined, allowedDomains: readonly string[]): boolean {
  const host = originHost(origin);
  return host !== null && hostAllowed(host, allowedDomains);
}
