// Whole rows by hand-written SQL, for the statements every message runs (who is writing, which group,
// has this event been handled) and the filing itself. Prisma 6.19 builds each model query's plan
// anew — about 0.5 ms of CPU each, most of a filing's cost under a deadline rush — while a raw
// statement costs about a quarter of that. The rows still come back typed: the drivers read dates,
// booleans and integers by the columns' declared types, as they do for Prisma's own queries.
//
// Column lists come from the generated client's field enums, so a column added to the schema is
// read here too without anyone remembering this file.
import { Prisma } from '../generated/sqlite/index.js';
import { SqlText } from './sql.js';

const FIELDS = {
  Unit: Object.keys(Prisma.UnitScalarFieldEnum),
  Campaign: Object.keys(Prisma.CampaignScalarFieldEnum),
  ChatBinding: Object.keys(Prisma.ChatBindingScalarFieldEnum),
  Member: Object.keys(Prisma.MemberScalarFieldEnum),
} as const;

export type RawModel = keyof typeof FIELDS;

/**
 * The select list for every column of `model` under the table alias `alias`, each named
 * "<alias>.<field>" so that a join's tables can be told apart in the row (see `nested`).
 */
export function columns(model: RawModel, alias: string): SqlText {
  return new SqlText(FIELDS[model].map((f) => `"${alias}"."${f}" AS "${alias}.${f}"`).join(', '));
}

/** The row of `model` read under `alias` (see `columns`); null when a left join found none. */
export function nested<T>(row: Record<string, unknown>, model: RawModel, alias: string): T | null {
  if (row[`${alias}.id`] === null || row[`${alias}.id`] === undefined) return null;
  const out: Record<string, unknown> = {};
  for (const f of FIELDS[model]) out[f] = row[`${alias}.${f}`];
  return out as T;
}
