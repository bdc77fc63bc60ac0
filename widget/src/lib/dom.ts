/**
 * The widget's elements by id (every id is cw- prefixed, one widget per page). Components look
 * their elements up with this instead of bind:this, whose runtime costs ~0.2 KB gzip of the budget.
 */
export function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}
