/**
 * Theme from the site settings, applied as CSS custom properties on the widget root through the
 * CSSOM (allowed under a strict CSP, unlike style attributes in markup). The text colour on the
 * accent (black or white) is worked out in CSS (widget.css, --cw-on-accent).
 */
const HEX = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

export function applyTheme(root: HTMLElement, color: string | null | undefined): void {
  if (color && HEX.test(color)) root.style.setProperty('--cw-accent', color);
}
