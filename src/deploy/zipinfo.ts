import * as fsp from 'node:fs/promises';
import { readElf } from '../bundle/elf.js';
import { runtimeEnvFor } from '../bundle/runtime-env.js';
import { BOOTSTRAP, lambdaArchOf, type LambdaArch } from '../lambda.js';
import { codeSha256 } from '../util/hash.js';
import { listZip, readZipEntry, type ZipListing } from '../zip/read.js';
import { ActionError } from '../util/errors.js';
import type { ZipInfo } from './types.js';

/**
 * The zip to deploy: the package stage's, or (deploy-only runs) an existing zip whose
 * architecture is read from its bootstrap's ELF header, and whose entry names give the variables
 * the bundle needs (certificates, locales...), as the package stage would have given them.
 */

/** Lambda's architecture of an ELF header: e_machine (offset 18, little-endian u16) 62 is x86_64, 183 arm64. */
export function elfArchitecture(header: Buffer, name = 'bootstrap'): LambdaArch {
  if (header.length < 20 || header.readUInt32BE(0) !== 0x7f454c46)
    throw new ActionError(
      'Not an ELF bootstrap',
      `${name} is not an ELF executable; this action deploys a native bootstrap (x86_64 or arm64 ELF).`,
    );
  if (header[4] !== 2 || header[5] !== 1)
    throw new ActionError(
      'Unsupported architecture',
      `${name} is not a 64-bit little-endian ELF; Lambda runs x86_64 and arm64 programs only.`,
    );
  const machine = header.readUInt16LE(18);
  const arch = lambdaArchOf(machine);
  if (arch) return arch;
  throw new ActionError(
    'Unsupported architecture',
    `${name} is an ELF for machine ${machine}; Lambda runs x86_64 (62) and arm64 (183) programs only.`,
  );
}

/** Reads an existing zip (deploy without the package stage); taskRoot: where Lambda unpacks it. */
export async function existingZip(zipPath: string, taskRoot: string): Promise<ZipInfo> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(zipPath);
  } catch (err) {
    throw new ActionError(
      'Zip not found',
      `Input \`zip-path\`: could not read the zip to deploy, ${zipPath}: ${(err as Error).message}`,
    );
  }
  let header: Buffer | undefined;
  let entries: ZipListing[];
  try {
    entries = listZip(bytes);
    header = readZipEntry(bytes, BOOTSTRAP);
  } catch (err) {
    throw new ActionError(
      'Not a zip',
      `Input \`zip-path\`: ${zipPath} is not a readable zip: ${(err as Error).message}`,
    );
  }
  if (!header)
    throw new ActionError(
      'No bootstrap in the zip',
      `Input \`zip-path\`: ${zipPath} has no \`bootstrap\` file at its root; Lambda's provided runtimes run /var/task/bootstrap.`,
    );
  const layerLoader = loaderInLayer(header);
  return {
    path: zipPath,
    bytes,
    codeSha256: codeSha256(bytes),
    ...(layerLoader !== undefined ? { layerLoader } : {}),
    architecture: elfArchitecture(header, `Input \`zip-path\`: the bootstrap in ${zipPath}`),
    unzippedBytes: entries.reduce((n, e) => n + e.size, 0),
    runtimeEnv: runtimeEnvFor(
      entries.filter((e) => !e.isDirectory).map((e) => e.name),
      taskRoot,
    ),
  };
}

/** The zip the package stage wrote. Its bytes are read again and checked against the recorded hash. */
export async function packagedZip(
  pkg: Pick<ZipInfo, 'codeSha256' | 'architecture' | 'runtimeEnv' | 'unzippedBytes'> & { zipPath: string },
): Promise<ZipInfo> {
  const bytes = await fsp.readFile(pkg.zipPath);
  const sha = codeSha256(bytes);
  if (sha !== pkg.codeSha256)
    throw new ActionError(
      'Zip changed',
      `${pkg.zipPath} no longer has the SHA-256 the package stage recorded (${pkg.codeSha256}, now ${sha}); something rewrote it between the stages.`,
    );
  return {
    path: pkg.zipPath,
    bytes,
    codeSha256: sha,
    architecture: pkg.architecture,
    unzippedBytes: pkg.unzippedBytes,
    runtimeEnv: { ...pkg.runtimeEnv },
  };
}

/** The bootstrap's loader when it lives in a layer (/opt/...), as library-layer makes it; else undefined. */
function loaderInLayer(bootstrap: Buffer): string | undefined {
  try {
    const interp = readElf(bootstrap).interp;
    return interp?.startsWith('/opt/') ? interp : undefined;
  } catch {
    return undefined; // elfArchitecture says what is wrong with it
  }
}
