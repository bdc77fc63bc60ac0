export { type BadgeTone, default as Badge } from './badge.svelte';
