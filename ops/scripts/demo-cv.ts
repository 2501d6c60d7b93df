// A demo CV as a one-page PDF written in raw PDF syntax (Helvetica, WinAnsi), optionally
// with one line in white on the white page: what a candidate hiding an instruction for a
// screening model would do. The parser exposes it as hidden text and the screening flags
// the application for a human (issue 6, prompt-injection defence).
export function demoCvPdf(lines: string[], hiddenWhiteLine?: string): Buffer {
  const esc = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`);
  const content = [
    'BT /F1 11 Tf 72 740 Td 15 TL',
    ...lines.map((l) => `(${esc(l)}) '`),
    'ET',
    ...(hiddenWhiteLine ? ['q 1 1 1 rg BT /F1 9 Tf 72 90 Td', `(${esc(hiddenWhiteLine)}) Tj`, 'ET Q'] : []),
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
