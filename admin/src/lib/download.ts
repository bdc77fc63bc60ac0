/** Saves text as a file through a temporary object URL (CSV exports). */
export function downloadText(fileName: string, text: string, type: string): void {
  // A byte-order mark makes Excel read the CSV as UTF-8.
  const blob = new Blob([type === 'text/csv' ? `\uFEFF${text}` : text], { type: `${type};charset=utf-8` });
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
