-- CreateTable
CREATE TABLE "HolidayNoticeDay" (
    "date" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "importedBy" TEXT NOT NULL,
    "importedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "HolidayNoticeDay_pkey" PRIMARY KEY ("date")
);

-- CreateIndex
CREATE INDEX "HolidayNoticeDay_year_idx" ON "HolidayNoticeDay"("year");

