/** Name of the one-time schedule that makes attempt `attempt + 1` of a job due. */
export function jobScheduleName(jobId: string, attempt: number): string {
  return `job.${jobId}.${attempt}`;
}

/** Name of the EventBridge schedule behind a recurring SkyForge schedule. */
export function recurringScheduleName(name: string): string {
  return `rec.${name}`;
}
