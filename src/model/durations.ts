// Durations in words, for alarm descriptions and the schedule view. No aws-cdk-lib here.

/** A duration in words: "25 hours", "10 minutes", "2 days", "90 seconds". */
export function humanDuration(seconds: number): string {
  if (seconds % 60 !== 0) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  return `${Math.round(seconds / 60)} minute${seconds === 60 ? '' : 's'}`;
}
