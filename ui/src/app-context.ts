import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { DashboardConfig } from './dashboard-config.ts';

export interface AppContext extends DashboardConfig {
  /** Shows a short message in the status line (announced politely). */
  notify: (message: string) => void;
}

export const App = createContext<AppContext>({ readOnly: true, target: '', notify: () => undefined });

export const useApp = (): AppContext => useContext(App);
