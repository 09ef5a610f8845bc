import type { ShoeboxApi } from '@shared/contract';
import type { AppService } from './app-service';

/**
 * The engine's implementation of the contract: one entry per request channel, each a thin call into a service.
 * Electron's utility process and the web-mode server both serve exactly this table, so the two modes cannot drift.
 */
export function createEngineApi(app: AppService): ShoeboxApi {
  return {
    'app.status': async () => app.status(),
  };
}
