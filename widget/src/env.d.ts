/** Lets TypeScript check .ts files that import Svelte components and CSS (Vite handles both). */
declare module '*.svelte' {
  import type { Component } from 'svelte';

  const component: Component<Record<string, unknown>>;
  export default component;
}
declare module '*.css' {}
