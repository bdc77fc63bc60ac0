/**
 * Where the widget was installed from: the site key (`data-site`) and the chat server's address
 * (`data-server`, else the origin the script itself was loaded from).
 */
export interface ScriptInfo {
  site: string;
  /** Chat server origin without a trailing slash, e.g. https://chat.example.com */
  server: string;
}

export function readScriptInfo(doc: Document): ScriptInfo | null {
  // currentScript is set while a classic script runs, deferred or not.
  const el = doc.currentScript as HTMLScriptElement | null;
  const site = el?.dataset.site?.trim();
  if (!el || !site) {
    console.error('[chat widget] The script tag needs a data-site="SITE_KEY" attribute.');
    return null;
  }
  try {
    const server = new URL(el.dataset.server || el.src, location.href);
    return { site, server: server.origin };
  } catch {
    console.error('[chat widget] data-server is not a valid URL.');
    return null;
  }
}
