// Markdown (as the documents here write it: headings, bullets, tables, paragraphs) to PDF
// with pdfkit and its built-in Helvetica, so no browser or font files are needed.
import PDFDocument from 'pdfkit';

/** The built-in fonts encode WinAnsi only: other characters would print as garbage. */
function printable(s: string): string {
  return s
    .replace(/\\([\\`*_[\]<>|#])/g, '$1')
    .replace(/\*\*/g, '')
    .replace(/[—–]/g, '-')
    .replace(/[^\x20-\x7e\u00a0-\u00ff]/g, '?');
}

export function markdownToPdf(title: string, markdown: string, info: { generatedAt: Date }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: printable(title), Creator: 'hirebox', CreationDate: info.generatedAt }, compress: true });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    for (const raw of markdown.split('\n')) {
      const line = raw.trimEnd();
      if (line.startsWith('# ')) doc.font('Helvetica-Bold').fontSize(18).text(printable(line.slice(2))).moveDown(0.5);
      else if (line.startsWith('## ')) doc.moveDown(0.5).font('Helvetica-Bold').fontSize(13).text(printable(line.slice(3))).moveDown(0.3);
      else if (/^\|\s*-/.test(line)) continue;
      else if (line.startsWith('|')) {
        const cells = line
          .slice(1, -1)
          .split(/(?<!\\)\|/)
          .map((c) => printable(c.trim()));
        doc.font('Helvetica').fontSize(9).text(cells.join('   |   '), { indent: 10 });
      } else if (line.startsWith('- ')) doc.font('Helvetica').fontSize(10).text(`•  ${printable(line.slice(2))}`, { indent: 10 });
      else if (line === '') doc.moveDown(0.4);
      else doc.font('Helvetica').fontSize(10).text(printable(line));
    }
    doc.end();
  });
}
