-- Money as 64-bit integers of fen (issue 17): a 32-bit INTEGER ends at 21,474,836.47 元.
-- AlterTable
ALTER TABLE "Plan" ALTER COLUMN "budgetFen" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "Summary" ALTER COLUMN "expenditureFen" SET DATA TYPE BIGINT;
