/**
 * Writes the PDF statements of the bundled demo corpus from the texts below.
 * A deliberately small PDF writer (Helvetica, WinAnsi text, word wrap, pages,
 * an Info dictionary carrying the metadata) keeps the demo corpus free of a
 * PDF-authoring dependency. Run with `npm run corpus:pdf`; output is
 * byte-for-byte reproducible.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface PdfSpec {
  file: string;
  info: Record<string, string>;
  /** Pages of paragraphs; "# " marks a heading line, "- " a bullet. */
  pages: string[][];
}

export const SPECS: PdfSpec[] = [
  {
    file: '2024-11-05_nh-ks-semiconductor-mou.pdf',
    info: {
      Title: 'Memorandum of Cooperation on Semiconductors between Nordhaven and Kestria',
      Partnership: 'NH-KS-TC',
      Date: '2024-11-05',
      DocType: 'memorandum',
      SourceUrl: 'https://example.org/nordhaven/2024/11/05/semiconductor-moc.pdf',
    },
    pages: [
      [
        '# Memorandum of Cooperation on Semiconductors',
        'The Ministry of Economy of Nordhaven and the Ministry of Industry of Kestria (the Participants) sign this Memorandum to deepen cooperation under the Technology Council.',
        '# Areas of cooperation',
        '- The Participants intend to establish a joint early warning mechanism and to exchange information on supply disruptions within two weeks of learning of them.',
        '- The Participants will cooperate on research into wide-bandgap materials and advanced packaging, through the joint research programme.',
        '- The Participants endeavour to share best practices on permitting new fabrication plants.',
      ],
      [
        '# Implementation',
        'Each Participant shall designate a point of contact within thirty days. The Participants will review this Memorandum at the annual meeting of the Technology Council.',
        'This Memorandum does not create obligations under international law.',
      ],
    ],
  },
  {
    file: '2025-09-30_vl-nh-chips-dialogue-progress-report.pdf',
    info: {
      Title: 'Valmora-Nordhaven Chips Dialogue: Progress Report 2025',
      Partnership: 'VL-NH-CD',
      Date: '2025-09-30',
      DocType: 'report',
    },
    pages: [
      [
        '# Progress Report 2025',
        'This report records what the Chips Dialogue has delivered since its launch in September 2024.',
        '# Delivered',
        '- The demand forecast exchange for legacy chips has run twice, in March and in September.',
        '- The readiness assessment of the Valmoran chip ecosystem was completed and published in June.',
      ],
      [
        '# Not yet delivered',
        '- The working group on standards has not yet agreed a work plan.',
        '- The two sides are still considering a joint fund for packaging start-ups.',
        '# Outlook',
        'The Dialogue will ask both governments to fund a technician training scheme with 5 million euros in 2026.',
      ],
    ],
  },
];

function winAnsi(s: string): string {
  // The demo texts are ASCII; escape the PDF string delimiters.
  return s.replace(/[\\()]/g, (c) => `\\${c}`);
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(/\s+/)) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}

function pageStream(paragraphs: string[]): string {
  const ops: string[] = ['BT', '/F1 11 Tf', '14 TL', '56 780 Td'];
  for (const para of paragraphs) {
    if (para.startsWith('# ')) {
      ops.push('/F2 13 Tf', `(${winAnsi(para.slice(2))}) Tj T*`, '/F1 11 Tf', 'T*');
      continue;
    }
    const bullet = para.startsWith('- ');
    const lines = wrap(bullet ? para.slice(2) : para, 88);
    lines.forEach((l, i) => ops.push(`(${winAnsi(`${bullet ? (i === 0 ? '- ' : '  ') : ''}${l}`)}) Tj T*`));
    ops.push('T*');
  }
  ops.push('ET');
  return ops.join('\n');
}

export function buildPdf(spec: PdfSpec): Buffer {
  const objects: string[] = [];
  const add = (body: string) => objects.push(body) - 1 + 1;
  const catalog = add('');
  const pagesObj = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const bold = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  const pageIds: number[] = [];
  for (const page of spec.pages) {
    const stream = pageStream(page);
    const content = add(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
    pageIds.push(add(`<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${font} 0 R /F2 ${bold} 0 R >> >> /Contents ${content} 0 R >>`));
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesObj} 0 R >>`;
  objects[pagesObj - 1] = `<< /Type /Pages /Kids [${pageIds.map((p) => `${p} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  const info = add(`<< ${Object.entries(spec.info).map(([k, v]) => `/${k} (${winAnsi(v)})`).join(' ')} /Producer (accords demo corpus) >>`);
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /Info ${info} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  const dir = process.argv[2] ?? join(import.meta.dirname ?? '.', '..', 'corpus');
  for (const spec of SPECS) {
    writeFileSync(join(dir, spec.file), buildPdf(spec));
    console.log(`wrote ${join(dir, spec.file)}`);
  }
}
