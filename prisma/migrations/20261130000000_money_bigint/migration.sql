-- Money as 64-bit integers of fen (issue 17): budgetFen and expenditureFen become BIGINT, as Prisma's
-- BigInt expects. SQLite's INTEGER already holds 64 bits, so every value is kept as it is.
-- Written by prisma migrate diff. It runs inside the migration runner's transaction, where the
-- foreign_keys pragmas do nothing; defer_foreign_keys lets Plan be rebuilt while summaries and
-- progress updates reference it (test/money.test.ts upgrades such a database).

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Plan" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "enterpriseName" TEXT NOT NULL,
    "project" TEXT NOT NULL,
    "organizer" TEXT NOT NULL,
    "participants" INTEGER NOT NULL,
    "participantsText" TEXT,
    "startDate" TEXT NOT NULL,
    "endDate" TEXT NOT NULL,
    "periodText" TEXT,
    "distinctParticipants" BOOLEAN NOT NULL DEFAULT false,
    "type" TEXT NOT NULL,
    "keyProject" BOOLEAN NOT NULL DEFAULT false,
    "keyProjectId" INTEGER,
    "budgetFen" BIGINT,
    "late" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "filedBy" TEXT NOT NULL,
    "filedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "withdrawnAt" DATETIME,
    CONSTRAINT "Plan_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Plan_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Plan_keyProjectId_fkey" FOREIGN KEY ("keyProjectId") REFERENCES "KeyProject" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Plan" ("budgetFen", "campaignId", "distinctParticipants", "endDate", "enterpriseName", "filedAt", "filedBy", "id", "keyProject", "keyProjectId", "late", "organizer", "participants", "participantsText", "periodText", "project", "startDate", "type", "unitId", "updatedAt", "version", "withdrawnAt") SELECT "budgetFen", "campaignId", "distinctParticipants", "endDate", "enterpriseName", "filedAt", "filedBy", "id", "keyProject", "keyProjectId", "late", "organizer", "participants", "participantsText", "periodText", "project", "startDate", "type", "unitId", "updatedAt", "version", "withdrawnAt" FROM "Plan";
DROP TABLE "Plan";
ALTER TABLE "new_Plan" RENAME TO "Plan";
CREATE INDEX "Plan_unitId_idx" ON "Plan"("unitId");
CREATE INDEX "Plan_keyProjectId_idx" ON "Plan"("keyProjectId");
CREATE UNIQUE INDEX "Plan_campaignId_unitId_project_key" ON "Plan"("campaignId", "unitId", "project");
CREATE TABLE "new_Summary" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "planId" INTEGER NOT NULL,
    "actualParticipants" INTEGER NOT NULL,
    "expenditureFen" BIGINT NOT NULL,
    "awards" TEXT NOT NULL DEFAULT '[]',
    "awardLevel" TEXT NOT NULL DEFAULT 'none',
    "late" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "filedBy" TEXT NOT NULL,
    "filedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Summary_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Summary" ("actualParticipants", "awardLevel", "awards", "expenditureFen", "filedAt", "filedBy", "id", "late", "planId", "updatedAt", "version") SELECT "actualParticipants", "awardLevel", "awards", "expenditureFen", "filedAt", "filedBy", "id", "late", "planId", "updatedAt", "version" FROM "Summary";
DROP TABLE "Summary";
ALTER TABLE "new_Summary" RENAME TO "Summary";
CREATE UNIQUE INDEX "Summary_planId_key" ON "Summary"("planId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

