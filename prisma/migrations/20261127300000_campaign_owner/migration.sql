-- Campaigns belong to the unit that runs them, and several may share a year.
-- (Hand-written: Prisma's diff redefines the table, which SQLite cannot do safely inside the
-- migration's transaction while other tables reference Campaign.)
DROP INDEX IF EXISTS "Campaign_year_key";
ALTER TABLE "Campaign" ADD COLUMN "unitId" INTEGER REFERENCES "Unit" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "Campaign_unitId_year_idx" ON "Campaign"("unitId", "year");

-- Existing campaigns belong to the only top-level unit, when there is exactly one.
UPDATE "Campaign" SET "unitId" = (SELECT "id" FROM "Unit" WHERE "parentId" IS NULL AND "archivedAt" IS NULL)
WHERE (SELECT COUNT(*) FROM "Unit" WHERE "parentId" IS NULL AND "archivedAt" IS NULL) = 1;
