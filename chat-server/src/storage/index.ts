/** Picks the storage backend from config: Supabase Storage when STORAGE=supabase, else local disk. */
import type { Config } from '../config.ts';
import { createLocalDiskStorage } from './local-disk.ts';
import { createSupabaseStorage } from './supabase.ts';
import type { FileStorage } from './types.ts';

export * from './types.ts';
export { checkFileUrl, signFileUrl } from './url-signature.ts';

/** Backends hold no state beyond their config, so creating one per user of it is cheap and safe. */
export function createFileStorage(config: Config): FileStorage {
  if (config.storage === 'supabase') {
    // config.ts refuses STORAGE=supabase without these two; checked again for the type system.
    if (!config.supabaseUrl || !config.supabaseServiceRoleKey) {
      throw new Error('STORAGE=supabase needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY');
    }
    return createSupabaseStorage({
      url: config.supabaseUrl,
      serviceRoleKey: config.supabaseServiceRoleKey,
      bucket: config.storageBucket,
    });
  }
  return createLocalDiskStorage({
    dir: config.uploadDir,
    urlSecret: config.fileUrlSecret,
    publicUrl: config.publicUrl,
  });
}
