/**
 * uuencoded files pasted into a text body ("begin 644 name" … "end"), still sent by some old
 * Japanese mailers. mailparser leaves them in the text as noise, so they are cut out of the
 * text here and listed as attachments (application/octet-stream, size of the decoded data).
 * The content itself stays in the raw blob; nothing needs it decoded at parse time.
 */
export interface UuencodedFile {
  filename: string;
  size: number;
}

const BEGIN = /^begin [0-7]{3,4} (.+)$/;

/** Decoded byte count of one uuencoded line, or null when the line is not uuencoding. */
function lineSize(line: string): number | null {
  if (line === "" || line === "`") return 0;
  if (!/^[\x20-\x60]+$/.test(line)) return null;
  const n = ((line.charCodeAt(0) ?? 32) - 32) & 63;
  return line.length - 1 >= Math.ceil(n / 3) * 4 - 3 ? n : null;
}

export function extractUuencoded(text: string): { text: string; files: UuencodedFile[] } {
  const lines = text.split("\n");
  const files: UuencodedFile[] = [];
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN.exec((lines[i] ?? "").trimEnd());
    const block = begin ? readBlock(lines, i + 1) : null;
    if (!begin || !block) {
      kept.push(lines[i] ?? "");
      continue;
    }
    files.push({ filename: (begin[1] ?? "").trim(), size: block.size });
    i = block.endLine;
  }
  return files.length === 0 ? { text, files } : { text: kept.join("\n"), files };
}

function readBlock(lines: string[], from: number): { size: number; endLine: number } | null {
  let size = 0;
  for (let i = from; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/\r$/, "");
    if (line === "end") return { size, endLine: i };
    const n = lineSize(line);
    if (n === null) return null;
    size += n;
  }
  return null;
}
