import type { Db } from '../store/client.js';
import { sql } from '../store/sql.js';

/**
 * Records a platform event as handled; false when it already was. Platforms redeliver events
 * (Lark after 3 s without an answer, WeChat puppets after a reconnect), and each must act once.
 * One raw statement (every message runs it; see store/raw-rows.ts): a row that already exists is
 * left alone and nothing comes back.
 */
export async function claimEvent(db: Db, platform: string, eventId: string): Promise<boolean> {
  const claimed = await sql(db)<{ id: number }>`
    INSERT INTO "ProcessedEvent" ("platform", "eventId", "createdAt") VALUES (${platform}, ${eventId}, ${new Date()})
    ON CONFLICT ("platform", "eventId") DO NOTHING RETURNING "id"`;
  return claimed.length > 0;
}
