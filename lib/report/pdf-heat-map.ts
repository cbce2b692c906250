import { groupDigits, kindLabel, LABELS, type HeatMap } from '../core/report/report-model.js';
import { CONTENT, INK, type ReportCanvas } from './pdf-canvas.js';

/**
 * The warehouse x kind heat map, drawn as vector rectangles: each cell shows its count and its
 * money at stake, and its colour grows with the money (square-root scale, so a cell with a tenth
 * of the largest one is still clearly tinted). A legend gives the scale's ends.
 */

const STOPS: readonly (readonly [number, readonly [number, number, number]])[] = [
  [0, [255, 246, 225]],
  [0.45, [247, 178, 103]],
  [0.75, [226, 96, 62]],
  [1, [160, 26, 30]],
];

/** The fill for a cell of relative money `intensity` (0..1). */
export function heatColor(intensity: number): string {
  const t = Math.sqrt(Math.min(1, Math.max(0, intensity)));
  for (let i = 1; i < STOPS.length; i++) {
    const [t1, c1] = STOPS[i] ?? [1, [0, 0, 0]];
    const [t0, c0] = STOPS[i - 1] ?? [0, [0, 0, 0]];
    if (t <= t1) {
      const f = (t - t0) / (t1 - t0);
      const channel = (k: 0 | 1 | 2) => Math.round(c0[k] + (c1[k] - c0[k]) * f);
      return `#${[channel(0), channel(1), channel(2)].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    }
  }
  return '#a01a1e';
}

/** White text on the dark end of the scale, dark text elsewhere. */
function inkOn(intensity: number): string {
  return Math.sqrt(intensity) > 0.62 ? '#ffffff' : INK.text;
}

export function drawHeatMap(c: ReportCanvas, map: HeatMap): void {
  const labelWidth = 112;
  const totalWidth = 104;
  const cellWidth = (CONTENT.width - labelWidth - totalWidth) / map.kinds.length;
  const headerHeight = 30;
  const legendHeight = 34;
  const rows = map.rows.length + 1;
  const available = CONTENT.bottom - c.y - headerHeight - legendHeight;
  const rowHeight = Math.max(21, Math.min(30, available / rows));
  c.ensure(headerHeight + rowHeight * Math.min(rows, 4) + legendHeight);

  const drawHeader = (): void => {
    const y = c.y;
    c.doc.rect(CONTENT.left, y, CONTENT.width, headerHeight).fill(INK.band);
    c.font(true, 8).line(LABELS.warehouse.zh, CONTENT.left + 4, y + 5, labelWidth - 8);
    c.font(false, 7, INK.muted).line(LABELS.warehouse.en, CONTENT.left + 4, y + 16, labelWidth - 8);
    map.kinds.forEach((k, i) => {
      const x = CONTENT.left + labelWidth + i * cellWidth;
      const label = kindLabel(k);
      c.font(true, 7.5).line(label.zh, x + 3, y + 5, cellWidth - 6, 'center');
      c.font(false, 6.5, INK.muted).line(label.en, x + 3, y + 16, cellWidth - 6, 'center');
    });
    const tx = CONTENT.right - totalWidth;
    c.font(true, 8).line(LABELS.total.zh, tx + 4, y + 5, totalWidth - 8, 'right');
    c.font(false, 7, INK.muted).line(LABELS.total.en, tx + 4, y + 16, totalWidth - 8, 'right');
    c.y = y + headerHeight;
  };

  const cell = (x: number, y: number, w: number, count: number, money: string, intensity: number): void => {
    const fill = count === 0 ? '#ffffff' : heatColor(intensity);
    c.doc.rect(x + 0.6, y + 0.6, w - 1.2, rowHeight - 1.2).fill(fill);
    if (count === 0) {
      c.font(false, 7.5, INK.faint).line('—', x, y + rowHeight / 2 - 4.5, w, 'center');
      return;
    }
    const ink = inkOn(intensity);
    c.font(true, 8, ink).line(`${count} 项`, x + 2, y + rowHeight / 2 - 9.5, w - 4, 'center');
    c.font(false, 7, ink).line(groupDigits(money), x + 2, y + rowHeight / 2 + 0.5, w - 4, 'center');
  };

  c.setContinuation(drawHeader);
  drawHeader();
  for (const row of map.rows) {
    c.ensure(rowHeight); // on a new page, the continuation draws the header again
    const y = c.y;
    const label = row.others ? `${LABELS.others.zh} (${row.warehouses})` : row.warehouseId;
    c.font(true, 8.5).line(
      label,
      CONTENT.left + 4,
      y + rowHeight / 2 - (row.others ? 9.5 : 5),
      labelWidth - 8,
    );
    if (row.others) {
      c.font(false, 6.5, INK.muted).line(
        LABELS.others.en,
        CONTENT.left + 4,
        y + rowHeight / 2 + 1.5,
        labelWidth - 8,
      );
    }
    row.cells.forEach((k, i) =>
      cell(CONTENT.left + labelWidth + i * cellWidth, y, cellWidth, k.count, k.money, k.intensity),
    );
    const tx = CONTENT.right - totalWidth;
    c.font(true, 8).line(`${row.count} 项`, tx + 4, y + rowHeight / 2 - 9.5, totalWidth - 8, 'right');
    c.font(false, 7.5).line(groupDigits(row.money), tx + 4, y + rowHeight / 2 + 0.5, totalWidth - 8, 'right');
    c.y = y + rowHeight;
  }
  c.ensure(rowHeight + legendHeight);
  const y = c.y;
  c.doc.rect(CONTENT.left, y, CONTENT.width, rowHeight).fill(INK.band);
  c.doc.moveTo(CONTENT.left, y).lineTo(CONTENT.right, y).lineWidth(0.8).strokeColor(INK.muted).stroke();
  c.font(true, 8.5).line(
    `${LABELS.total.zh} ${LABELS.total.en}`,
    CONTENT.left + 4,
    y + rowHeight / 2 - 5,
    labelWidth - 8,
  );
  map.totals.forEach((t, i) => {
    const x = CONTENT.left + labelWidth + i * cellWidth;
    c.font(true, 8).line(`${t.count} 项`, x + 2, y + rowHeight / 2 - 9.5, cellWidth - 4, 'center');
    c.font(false, 7).line(groupDigits(t.money), x + 2, y + rowHeight / 2 + 0.5, cellWidth - 4, 'center');
  });
  const tx = CONTENT.right - totalWidth;
  c.font(true, 8).line(`${map.count} 项`, tx + 4, y + rowHeight / 2 - 9.5, totalWidth - 8, 'right');
  c.font(true, 7.5).line(groupDigits(map.money), tx + 4, y + rowHeight / 2 + 0.5, totalWidth - 8, 'right');
  c.y = y + rowHeight;
  c.setContinuation(undefined);
  drawLegend(c, map);
}

function drawLegend(c: ReportCanvas, map: HeatMap): void {
  const y = c.y + 10;
  const x = CONTENT.left;
  const steps = 24;
  const w = 150;
  c.font(false, 7, INK.muted).line('颜色按单元格涉及金额 Colour by money at stake per cell:', x, y + 1);
  const bx = x + 210;
  for (let i = 0; i < steps; i++) {
    c.doc.rect(bx + (i * w) / steps, y, w / steps + 0.3, 10).fill(heatColor((i + 0.5) / steps));
  }
  c.doc.rect(bx, y, w, 10).lineWidth(0.4).strokeColor(INK.rule).stroke();
  c.font(false, 7, INK.muted).line('0', bx - 10, y + 1);
  c.font(false, 7, INK.muted).line(groupDigits(map.maxCellMoney), bx + w + 5, y + 1);
  c.font(false, 7, INK.muted).line(
    '格内: 项数 / 涉及金额 Each cell: count / money at stake',
    bx + w + 90,
    y + 1,
  );
  c.y = y + 22;
}
