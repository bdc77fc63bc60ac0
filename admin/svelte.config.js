import adapter from '@sveltejs/adapter-node';

/**
 * adapter-node serves `npm start` and the container image. For Cloudflare Pages/Workers swap in
 * `@sveltejs/adapter-cloudflare` here; nothing else changes (see README.md, "Deploying").
 */
/** @type {import('@sveltejs/kit').Config} */
const config = {
  kit: {
    adapter: adapter({ out: 'build', precompress: true }),
    // Public values (Supabase URL, anon key, widget base) are read at runtime, never baked in.
    env: { publicPrefix: 'PUBLIC_', privatePrefix: '' },
  },
};

export default config;
