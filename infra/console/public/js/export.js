/** Exports of one call: JSON (everything the page holds) and CSV (the transcript, safe to open in a spreadsheet). */

/** A CSV cell: quoted, quotes doubled, and text a spreadsheet would run as a formula (=, +, -, @) made inert. */
export function csvCell(value) {
  let text = value === undefined || value === null ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

export function transcriptCsv(lines) {
  const rows = [["seq", "time", "speaker", "text"]];
  for (const line of lines) rows.push([line.seq ?? "", line.ts ?? "", line.speaker, line.text]);
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

export function download(filename, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
