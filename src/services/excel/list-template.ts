// The blank list an admin downloads and fills in (the unit roster, the key-project list): a header row
// to write under, and a 填写说明 sheet that explains every column. Both print one page wide, the notes
// wrapped inside their column.
import { loadExcelJs } from './exceljs.js';
import { displayWidth } from './layout.js';

const NOTE_WIDTH = 70;

export interface ListColumn {
  key: string;
  header: string;
  width: number;
  /** What to write in the column, for the 填写说明 sheet. */
  note: string;
  /** Excel number format for the column ('@' keeps codes as text). */
  numFmt?: string;
}

export async function listTemplate(sheetName: string, columns: readonly ListColumn[], tip: string): Promise<Buffer> {
  const wb = new (await loadExcelJs()).Workbook();
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, key: c.key, width: c.width }));
  ws.getRow(1).font = { bold: true };
  for (const c of columns) if (c.numFmt) ws.getColumn(c.key).numFmt = c.numFmt;
  const help = wb.addWorksheet('填写说明');
  help.columns = [{ header: '列', width: 12 }, { header: '说明', width: NOTE_WIDTH }];
  help.addRows(columns.map((c) => [c.header, c.note]));
  help.addRow([]);
  help.addRow(['提示', tip]);
  // Each note wraps in its cell, and its row is made tall enough for it: neither Excel nor LibreOffice
  // sizes rows of a file on opening, so a wrapped note would print over the row below.
  help.eachRow((row) => {
    const cell = row.getCell(2);
    cell.alignment = { wrapText: true, vertical: 'top' };
    row.getCell(1).alignment = { vertical: 'top' };
    row.height = Math.max(1, Math.ceil(displayWidth(cell.value) / NOTE_WIDTH)) * 15 + 3;
  });
  for (const sheet of [ws, help]) sheet.pageSetup = { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
