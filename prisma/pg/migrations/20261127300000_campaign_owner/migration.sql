-- DropIndex
DROP INDEX "Campaign_year_key";

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "unitId" INTEGER;

-- CreateIndex
CREATE INDEX "Campaign_unitId_year_idx" ON "Campaign"("unitId", "year");

-- AddForeignKey
ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Existing campaigns belong to the only top-level unit, when there is exactly one.
UPDATE "Campaign" SET "unitId" = (SELECT "id" FROM "Unit" WHERE "parentId" IS NULL AND "archivedAt" IS NULL)
WHERE (SELECT COUNT(*) FROM "Unit" WHERE "parentId" IS NULL AND "archivedAt" IS NULL) = 1;
