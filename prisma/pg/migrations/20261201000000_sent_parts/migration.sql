-- Parts of a multi-part reminder the platform took (ReminderDelivery.sentParts): a retry after a later
-- part failed does not post them again (WeCom and WeChat have no idempotency key). Written by prisma migrate diff.
-- AlterTable
ALTER TABLE "ReminderDelivery" ADD COLUMN     "sentParts" TEXT NOT NULL DEFAULT '';

