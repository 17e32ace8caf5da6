import * as fs from 'node:fs';
import AdmZip from 'adm-zip';
import { crc32, LOCAL_HEADER, METHOD_DEFLATED, METHOD_STORED, SIG_LOCAL } from './format.js';

/**
 * Reading zips back, with adm-zip: the bootstrap of a zip to deploy, and the checks of the tests.
 * Only the deploy stage (loaded when it runs) imports this module, so adm-zip is never loaded to
 * build, package or push.
 */

export interface ZipListing {
  name: string;
  /** The Unix st_mode from the high 16 bits of the external attributes (type bits included). */
  mode: number;
  isDirectory: boolean;
  size: number;
  compressedSize: number;
  crc: number;
  /** 0 stored, 8 deflated. */
  method: number;
}

/** The bytes of the file `name` of a zip; undefined when the zip has no such file. Throws when it is not a zip. */
export function readZipEntry(zip: Buffer, name: string): Buffer | undefined {
  const entry = new AdmZip(zip).getEntry(name);
  if (!entry || entry.isDirectory) return undefined;
  return entry.getData();
}

/** The bytes of a zip given by path or already read. */
function zipBytes(zip: Buffer | string): Buffer {
  return typeof zip === 'string' ? fs.readFileSync(zip) : zip;
}

/** The entries of a zip as adm-zip reads them, in central-directory order. */
export function listZip(zip: Buffer | string): ZipListing[] {
  const admZip = new AdmZip(zipBytes(zip), { noSort: true });
  return admZip.getEntries().map((e) => ({
    name: e.entryName,
    mode: e.header.attr >>> 16,
    isDirectory: e.isDirectory,
    size: e.header.size,
    compressedSize: e.header.compressedSize,
    crc: e.header.crc,
    method: e.header.method,
  }));
}

/**
 * Read every entry back with adm-zip (which checks each CRC against the local header) and check
 * that local and central headers agree, sizes match and names are unique. Throws on any problem.
 */
export function verifyZip(zip: Buffer | string): void {
  const buf = zipBytes(zip);
  const admZip = new AdmZip(buf, { noSort: true });
  const seen = new Set<string>();
  for (const e of admZip.getEntries()) {
    const h = e.header;
    const name = e.entryName;
    const fail = (why: string): never => {
      throw new Error(`zip: ${JSON.stringify(name)}: ${why}`);
    };
    if (seen.has(name)) fail('duplicate entry');
    seen.add(name);
    // The local header, parsed here rather than trusted to adm-zip.
    const at = h.offset;
    if (at + LOCAL_HEADER > buf.length || buf.readUInt32LE(at) !== SIG_LOCAL)
      fail(`no local header at offset ${at}`);
    const local = {
      method: buf.readUInt16LE(at + 8),
      crc: buf.readUInt32LE(at + 14),
      compressedSize: buf.readUInt32LE(at + 18),
      size: buf.readUInt32LE(at + 22),
      nameLength: buf.readUInt16LE(at + 26),
      extraLength: buf.readUInt16LE(at + 28),
    };
    if (local.method !== h.method)
      fail(`method ${local.method} in the local header, ${h.method} in the central`);
    if (local.crc !== h.crc) fail('local and central CRC-32 differ');
    if (local.compressedSize !== h.compressedSize || local.size !== h.size)
      fail('local and central sizes differ');
    const localName = buf.subarray(at + LOCAL_HEADER, at + LOCAL_HEADER + local.nameLength);
    if (!localName.equals(e.rawEntryName)) fail('local and central names differ');
    const dataEnd = at + LOCAL_HEADER + local.nameLength + local.extraLength + h.compressedSize;
    if (dataEnd > buf.length) fail('data runs past the end of the file');
    if (e.isDirectory) {
      if (h.size !== 0 || h.compressedSize !== 0) fail('a folder entry with data');
      continue;
    }
    if (h.method !== METHOD_STORED && h.method !== METHOD_DEFLATED) fail(`unsupported method ${h.method}`);
    let data: Buffer;
    try {
      data = e.getData();
    } catch (err) {
      return fail(`cannot be read back: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (data.length !== h.size) fail(`read back ${data.length} bytes, the header says ${h.size}`);
    if (crc32(data) !== h.crc) fail('CRC-32 mismatch');
  }
}
