// The rows the rest of the code handles, by name. Only the store (src/store/) reaches into Prisma's
// generated clients; both (SQLite and PostgreSQL) are generated from one model, so these types serve
// for either database.
import type { Plan as PlanRow } from '../generated/sqlite/index.js';

export type {
  CalendarOverride, Campaign, ChatBinding, Competition, HolidayNoticeDay, JoinRequest, KeyProject, Member, Revision, Unit,
} from '../generated/sqlite/index.js';

/** A plan as the store returns it: budgetFen (a 64-bit column) as a number of fen (see client.ts). */
export type Plan = Omit<PlanRow, 'budgetFen'> & { budgetFen: number | null };
