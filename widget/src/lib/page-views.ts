/**
 * Reports the page the visitor is on: once at load, then on every history navigation of a
 * single-page app (pushState, replaceState, popstate, hashchange). pushState fires no event, so
 * it is wrapped; the wrapper calls the original first and never changes what it returns.
 */
export function watchPageViews(report: (url: string, title: string) => void): void {
  let lastUrl = '';
  const check = () => {
    // The app usually sets the new title right after navigating; read it on the next tick.
    setTimeout(() => {
      if (location.href === lastUrl) return;
      lastUrl = location.href;
      report(location.href, document.title);
    }, 0);
  };
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      check();
      return result;
    };
  }
  addEventListener('popstate', check);
  addEventListener('hashchange', check);
  check();
}
