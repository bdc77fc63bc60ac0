export { default as EditPanel } from './edit-panel.svelte';
export { default as ListWithPanel } from './list-with-panel.svelte';
export { type Message, RecordEditor } from './record-editor.svelte.ts';
