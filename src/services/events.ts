import type { Db } from '../store/client.js';

/**
 * Records a platform event as handled; false when it already was. Platforms redeliver events
 * (Lark after 3 s without an answer, WeChat puppets after a reconnect), and each must act once.
 */
export async function claimEvent(db: Db, platform: string, eventId: string): Promise<boolean> {
  try {
    await db.processedEvent.create({ data: { platform, eventId } });
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') return false;
    throw err;
  }
}
