/**
 * The two lines a client pastes into their page's <head>: the widget's stylesheet and its script,
 * both served by the chat server's host, the script carrying the site's public key.
 */
export function installSnippet(widgetBaseUrl: string, siteKey: string): string {
  const base = widgetBaseUrl.replace(/\/+$/, '');
  return [
    `<link rel="stylesheet" href="${escapeAttribute(`${base}/widget.css`)}">`,
    `<script src="${escapeAttribute(`${base}/widget.js`)}" data-site="${escapeAttribute(siteKey)}" defer></script>`,
  ].join('\n');
}

function escapeAttribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}
