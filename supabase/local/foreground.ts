import { onShutdownSignal } from './processes.ts';

/**
 * One part of a foreground command (`npm start`, `npm run supabase:start`): the local Supabase today,
 * the chat server, admin app and widget demo later. Each starts in order and may hand values (URLs,
 * keys) to the ones after it through `env`.
 */
export interface ForegroundService {
  name: string;
  start(env: Readonly<Record<string, string>>): Promise<StartedService>;
}

export interface StartedService {
  /** Lines printed once everything is up (URLs, keys, logins). */
  banner: string[];
  /** Values for the services started after this one, e.g. SUPABASE_URL. */
  env?: Record<string, string>;
  stop(): Promise<void>;
  /** Resolves when the service dies on its own. */
  exited: Promise<Error>;
}

/**
 * Starts the services in order, prints their banners and stays in the foreground. Ctrl-C or SIGTERM
 * stops everything (in reverse order) and exits 0; a service that fails to start or dies stops the rest
 * and exits 1 with its reason.
 */
export async function runInForeground(services: ForegroundService[]): Promise<void> {
  const started: Array<{ name: string; service: StartedService }> = [];
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (code: number) => {
    shuttingDown ??= (async () => {
      for (const { name, service } of started.reverse()) {
        await service
          .stop()
          .catch((error: unknown) => console.error(`Error while stopping ${name}: ${String(error)}`));
      }
      process.exit(code);
    })();
    return shuttingDown;
  };

  let interrupted = false;
  onShutdownSignal((signal) => {
    interrupted = true;
    console.log(`\n${signal}: stopping…`);
    // While a service is still starting, the loop below notices `interrupted` once it returns.
    if (starting === undefined) void shutdown(0);
  });

  let starting: string | undefined;
  const env: Record<string, string> = {};
  for (const definition of services) {
    starting = definition.name;
    try {
      const service = await definition.start(env);
      started.push({ name: definition.name, service });
      Object.assign(env, service.env);
      service.exited.then((error) => {
        console.error(`\n${definition.name} stopped unexpectedly: ${error.message}`);
        void shutdown(1);
      });
    } catch (error) {
      if (interrupted) return shutdown(0);
      console.error(
        `\nCould not start ${definition.name}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return shutdown(1);
    }
    starting = undefined;
    if (interrupted) return shutdown(0);
  }

  console.log(`\n${started.flatMap(({ service }) => service.banner).join('\n')}\n\nPress Ctrl-C to stop.`);
}
