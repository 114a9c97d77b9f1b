import { api } from './api.ts';

export interface DashboardConfig {
  /** `skyforge ui --read-only`: no write action is shown (and the proxy refuses writes). */
  readOnly: boolean;
  /** Where the API is: the local cloud itself, or the deployed stack behind `skyforge ui`. */
  target: string;
}

export async function loadConfig(): Promise<DashboardConfig> {
  try {
    return await api<DashboardConfig>('GET', '/ui/config.json');
  } catch {
    return { readOnly: false, target: location.origin };
  }
}
