/**
 * The project's default job registry module. A deployment points the `SkyForge` construct's
 * `jobRegistryEntry` at its own module with the same shape: `export const jobs = defineJobs({...})`.
 * The demo types are added (or not) by the SKYFORGE_DEMO_JOBS setting, so they are not listed here.
 */
import { createJobRegistry } from './create-registry.ts';
import { defineJobs } from './registry.ts';

export const jobs = defineJobs({});

/** This module's jobs with the demo types, as the local cloud runs them by default. */
export const registry = createJobRegistry(jobs, { demoJobs: true });
