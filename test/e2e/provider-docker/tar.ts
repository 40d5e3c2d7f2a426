/**
 * A tiny ustar writer: regular files only, enough to feed PUT /containers/{id}/archive.
 * Paths longer than the 100-byte name field use the ustar prefix field, or a PAX `path` record
 * when no split fits.
 */

export interface TarFile {
  /** Path inside the archive (a leading "/" is dropped). */
  path: string;
  content: Buffer;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  mtime?: Date;
  uid?: number;
  gid?: number;
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  // width includes the trailing NUL
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, prefix: string, size: number, mode: number, mtime: number, type: string, uid: number, gid: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 100, "utf8");
  h.write(octal(mode & 0o7777, 8), 100, 8, "ascii");
  h.write(octal(uid, 8), 108, 8, "ascii");
  h.write(octal(gid, 8), 116, 8, "ascii");
  h.write(octal(size, 12), 124, 12, "ascii");
  h.write(octal(mtime, 12), 136, 12, "ascii");
  h.write("        ", 148, 8, "ascii"); // checksum placeholder: spaces
  h.write(type, 156, 1, "ascii");
  h.write("ustar\0", 257, 6, "ascii");
  h.write("00", 263, 2, "ascii");
  h.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii");
  return h;
}

function pad(len: number): Buffer {
  const rest = len % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest, 0);
}

/** Splits a path into ustar (prefix, name), or undefined when it cannot fit. */
function splitPath(path: string): [string, string] | undefined {
  if (Buffer.byteLength(path) <= 100) return ["", path];
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== "") return [prefix, name];
  }
  return undefined;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body);
  let total = len + String(len).length;
  if (String(total).length !== String(len).length) total = len + String(total).length;
  return `${total}${body}`;
}

export function tar(files: TarFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const path = f.path.replace(/^\/+/, "");
    const mtime = Math.floor((f.mtime ?? new Date()).getTime() / 1000);
    const uid = f.uid ?? 0;
    const gid = f.gid ?? 0;
    let split = splitPath(path);
    if (!split) {
      const pax = Buffer.from(paxRecord("path", path), "utf8");
      parts.push(header("PaxHeaders/" + path.slice(-80), "", pax.length, 0o644, mtime, "x", uid, gid), pax, pad(pax.length));
      split = ["", path.slice(-100)];
    }
    parts.push(header(split[1], split[0], f.content.length, f.mode, mtime, "0", uid, gid), f.content, pad(f.content.length));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}
