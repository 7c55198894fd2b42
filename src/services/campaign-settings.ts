// Per-campaign settings kept as JSON on the campaign row: reminder cadence, standings weights, which
// units must file each form, and what the admins were told about the calendar.
// Missing keys fall back to these defaults, so old rows keep working when a setting is added.
import { z } from 'zod';

export const reminderSettingsSchema = z.object({
  /** Days before the deadline (negative) and the day itself (0). */
  stages: z.array(z.number().int().min(-60).max(0)).default([-14, -7, -3, -1, 0]),
  /** Wall-clock time in Asia/Shanghai. */
  time: z.string().regex(/^\d{1,2}:\d{2}$/).default('09:30'),
  /** While overdue, remind every N working days … */
  overdueEveryWorkdays: z.number().int().min(1).max(30).default(2),
  /** … at most this many times. */
  overdueLimit: z.number().int().min(0).max(20).default(5),
  enabled: z.boolean().default(true),
});

export const scoreWeightsSchema = z.object({
  onTimePlan: z.number().min(0).default(10),
  onTimeSummary: z.number().min(0).default(10),
  /** Per competition held, up to competitionsCap. */
  perCompetition: z.number().min(0).default(5),
  competitionsCap: z.number().int().min(0).default(5),
  keyProjectCoverage: z.number().min(0).default(20),
  participationRate: z.number().min(0).default(20),
  awardNational: z.number().min(0).default(15),
  awardProvincial: z.number().min(0).default(10),
  awardCity: z.number().min(0).default(6),
  awardDistrict: z.number().min(0).default(3),
  /** Award points stop counting above this, so one prolific unit cannot swamp the rest. */
  awardsCap: z.number().min(0).default(30),
  /** The unit's own year-end report on time (units not asked for one are scored without it). */
  onTimeReport: z.number().min(0).default(10),
  /** A late filing earns this share of the on-time points (0 = nothing, 1 = the same). */
  lateFactor: z.number().min(0).max(1).default(0.5),
});

/**
 * Which units must file each form: 'all' = every unit under the campaign's federation, 'direct' = only
 * the units directly under it. The year-end report is asked of the level below the federation
 * (the county federations and industry unions), not of every enterprise.
 */
export const filingScope = z.enum(['all', 'direct']);
export const filingScopesSchema = z.object({
  plan: filingScope.default('all'),
  summary: filingScope.default('all'),
  report: filingScope.default('direct'),
});

export const campaignSettingsSchema = z.object({
  reminders: reminderSettingsSchema.default(reminderSettingsSchema.parse({})),
  scoreWeights: scoreWeightsSchema.default(scoreWeightsSchema.parse({})),
  scopes: filingScopesSchema.default(filingScopesSchema.parse({})),
});

export type ReminderSettings = z.infer<typeof reminderSettingsSchema>;
export type ScoreWeights = z.infer<typeof scoreWeightsSchema>;
export type CampaignSettings = z.infer<typeof campaignSettingsSchema>;
export type FilingScope = z.infer<typeof filingScope>;
export type FilingScopes = z.infer<typeof filingScopesSchema>;
export const SCOPE_LABELS: Record<FilingScope, string> = { all: '全部', direct: '直属' };

export function parseCampaignSettings(json: string | null | undefined): CampaignSettings {
  let data: unknown = {};
  try {
    data = json ? JSON.parse(json) : {};
  } catch {
    data = {};
  }
  const parsed = campaignSettingsSchema.safeParse(data);
  return parsed.success ? parsed.data : campaignSettingsSchema.parse({});
}

/** Replaces one section of the campaign's settings JSON, keeping every other setting as stored. */
function withSection(json: string | null | undefined, key: keyof CampaignSettings, value: unknown): string {
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = json ? JSON.parse(json) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
  } catch {
    data = {};
  }
  return JSON.stringify({ ...data, [key]: value });
}

export function withScoreWeights(json: string | null | undefined, weights: ScoreWeights): string {
  return withSection(json, 'scoreWeights', weights);
}

export function withReminderSettings(json: string | null | undefined, reminders: ReminderSettings): string {
  return withSection(json, 'reminders', reminders);
}

export function withFilingScopes(json: string | null | undefined, scopes: FilingScopes): string {
  return withSection(json, 'scopes', scopes);
}
