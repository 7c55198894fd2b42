-- Designated key projects (issue 18): the federation's list per campaign, and the one a plan names.

-- CreateTable
CREATE TABLE "KeyProject" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "unitId" INTEGER,
    "startDate" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "withdrawnAt" DATETIME,
    CONSTRAINT "KeyProject_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "KeyProject_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE INDEX "KeyProject_unitId_idx" ON "KeyProject"("unitId");
CREATE UNIQUE INDEX "KeyProject_campaignId_name_key" ON "KeyProject"("campaignId", "name");

-- A nullable column with a foreign key can be added in place (no table rebuild, existing plans keep
-- every value): plans filed before this migration name no designated project.
ALTER TABLE "Plan" ADD COLUMN "keyProjectId" INTEGER REFERENCES "KeyProject" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "Plan_keyProjectId_idx" ON "Plan"("keyProjectId");
