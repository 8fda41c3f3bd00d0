// The change in fixed monthly cost a preview's change sets make: resources with a monthly price
// (alarms, KMS keys) added and removed, at the stage region's list prices (src/model/prices.ts).
import type { StageResult } from './result';
import { formatUsd } from '../model/costs';
import { PRICES_CHECKED, PriceName, priceIn } from '../model/prices';

/** Resource types with a fixed monthly price, the price, and how one reads ("alarm", "alarms"). */
const PRICED_TYPES: Readonly<Record<string, { readonly price: PriceName; readonly one: string; readonly many: string }>> = {
  'AWS::CloudWatch::Alarm': { price: 'alarmMonth', one: 'alarm', many: 'alarms' },
  'AWS::KMS::Key': { price: 'kmsKeyMonth', one: 'KMS key', many: 'KMS keys' },
};

/** One kind of priced resource whose count changes. */
export interface CostChangeLine {
  /** `alarms`, `KMS keys`. */
  readonly what: string;
  /** How many are added (positive) or removed (negative). */
  readonly count: number;
  readonly usdPerMonth: number;
}

/** The change in fixed monthly cost of a stage's change sets. */
export interface FixedCostChange {
  readonly lines: readonly CostChangeLine[];
  readonly usdPerMonth: number;
  readonly region: string;
  readonly pricesChecked: string;
}

/**
 * What the change sets of `result` add to and remove from the stage's fixed monthly cost: each
 * added priced resource counts +1, each removed one -1 (a retained one still costs: 0); a
 * replacement counts 0. Undefined when no priced resource changes.
 */
export function fixedCostChange(result: StageResult): FixedCostChange | undefined {
  const counts = new Map<string, number>();
  for (const s of result.stacks) {
    for (const c of s.changes ?? []) {
      if (!(c.type in PRICED_TYPES)) continue;
      const delta = c.action === 'Add' ? 1 : c.action === 'Remove' && !c.retained ? -1 : 0;
      if (delta) counts.set(c.type, (counts.get(c.type) ?? 0) + delta);
    }
  }
  const lines = [...counts].filter(([, n]) => n !== 0).map(([type, count]): CostChangeLine => {
    const t = PRICED_TYPES[type];
    return { what: Math.abs(count) === 1 ? t.one : t.many, count, usdPerMonth: count * priceIn(t.price, result.region) };
  });
  if (!lines.length) return undefined;
  return { lines, usdPerMonth: lines.reduce((n, l) => n + l.usdPerMonth, 0), region: result.region, pricesChecked: PRICES_CHECKED };
}

function signed(n: number, text: string): string {
  return `${n > 0 ? '+' : n < 0 ? '−' : '±'}${text}`;
}

/**
 * "Fixed monthly cost: −2.70 USD/month (−3 KMS keys: −3.00 USD/month; +3 alarms: +0.30 USD/month), at
 * ap-northeast-2 list prices of 2026-12-07 before free tiers; runs and log volume not included."
 */
export function costChangeSentence(change: FixedCostChange): string {
  const usd = (v: number) => signed(v, `${formatUsd(Math.abs(v))} USD/month`);
  const parts = change.lines.map((l) => `${signed(l.count, `${Math.abs(l.count)} ${l.what}`)}: ${usd(l.usdPerMonth)}`);
  return `Fixed monthly cost: ${usd(change.usdPerMonth)} (${parts.join('; ')}), at ${change.region} list prices of ${change.pricesChecked} before free tiers ` +
    '(see docs/guides/costs.md); runs and log volume not included.';
}
