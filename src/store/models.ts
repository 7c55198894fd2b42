// The rows the rest of the code handles, by name. Only the store (src/store/) reaches into Prisma's
// generated clients; both (SQLite and PostgreSQL) are generated from one model, so these types serve
// for either database.
export type {
  CalendarOverride, Campaign, ChatBinding, Competition, HolidayNoticeDay, JoinRequest, KeyProject, Member, Plan, Revision, Unit,
} from '../generated/sqlite/index.js';
