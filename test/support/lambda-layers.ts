import { createHash } from 'node:crypto';

/**
 * Lambda's layers API (2018-10-31) for the local Lambda server (lambda-server.ts), kept the way
 * Lambda keeps it as far as the deploy can tell: versions numbered from 1 and never reused (a
 * deleted version's number stays taken), ListLayerVersions newest first and filtered by
 * architecture and runtime, GetLayerVersion 404 for a deleted version, and a function whose Layers
 * name a deleted (or never published) version of a known layer refused with Lambda's message.
 */

export type LayerOp = 'ListLayerVersions' | 'GetLayerVersion' | 'PublishLayerVersion' | 'DeleteLayerVersion';

/** An error the server answers with (status, type, message), as Lambda's JSON errors. */
export class LayerApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface LayerVersionState {
  name: string;
  version: number;
  arn: string;
  layerArn: string;
  description: string;
  code: Buffer;
  codeSha256: string;
  codeSize: number;
  architectures: string[];
  runtimes: string[];
  created: string;
}

/** The route of a layers request, or undefined when the path is not the layers API's. */
export function routeLayer(
  method: string,
  pathname: string,
): { op: LayerOp | 'Unknown'; name: string; version: number | undefined } | undefined {
  const m = /^\/2018-10-31\/layers\/([^/]+)\/versions(?:\/(\d+))?\/?$/.exec(pathname);
  if (!m) return undefined;
  const name = decodeURIComponent(m[1]!);
  const version = m[2] === undefined ? undefined : Number(m[2]);
  if (version === undefined)
    return {
      op: method === 'POST' ? 'PublishLayerVersion' : method === 'GET' ? 'ListLayerVersions' : 'Unknown',
      name,
      version,
    };
  return {
    op: method === 'GET' ? 'GetLayerVersion' : method === 'DELETE' ? 'DeleteLayerVersion' : 'Unknown',
    name,
    version,
  };
}

export class LayerStore {
  /** Every version ever published, deleted ones included (their numbers stay taken). */
  readonly versions = new Map<string, LayerVersionState[]>();
  readonly deleted = new Set<string>();

  constructor(
    private readonly prefix: string,
    private readonly pageSize = 50,
  ) {}

  reset(): void {
    this.versions.clear();
    this.deleted.clear();
  }

  layerArn(name: string): string {
    return `${this.prefix}:layer:${name}`;
  }

  /** Versions that exist, oldest first. */
  live(name: string): LayerVersionState[] {
    return (this.versions.get(name) ?? []).filter((v) => !this.deleted.has(v.arn));
  }

  publish(name: string, input: Record<string, unknown>, code: Buffer): LayerVersionState {
    const all = this.versions.get(name) ?? [];
    const version = all.length + 1;
    const v: LayerVersionState = {
      name,
      version,
      arn: `${this.layerArn(name)}:${version}`,
      layerArn: this.layerArn(name),
      description: typeof input['Description'] === 'string' ? input['Description'] : '',
      code,
      codeSha256: createHash('sha256').update(code).digest('base64'),
      codeSize: code.length,
      architectures: (input['CompatibleArchitectures'] as string[] | undefined) ?? [],
      runtimes: (input['CompatibleRuntimes'] as string[] | undefined) ?? [],
      created: new Date().toISOString().replace('Z', '+0000'),
    };
    all.push(v);
    this.versions.set(name, all);
    return v;
  }

  delete(name: string, version: number): void {
    const v = (this.versions.get(name) ?? []).find((x) => x.version === version);
    if (v) this.deleted.add(v.arn);
  }

  get(name: string, version: number): LayerVersionState {
    const v = this.live(name).find((x) => x.version === version);
    if (!v)
      throw new LayerApiError(
        404,
        'ResourceNotFoundException',
        `The resource you requested does not exist. (Service: Lambda, Status Code: 404) ${this.layerArn(name)}:${version}`,
      );
    return v;
  }

  /** A version by its ARN, when it exists. */
  byArn(arn: string): LayerVersionState | undefined {
    for (const all of this.versions.values()) {
      const v = all.find((x) => x.arn === arn);
      if (v && !this.deleted.has(arn)) return v;
    }
    return undefined;
  }

  /** Refuses Layers naming a version of a layer this server knows that does not exist (deleted, or never published). */
  checkLayers(arns: readonly string[]): void {
    for (const arn of arns) {
      const name = /:layer:([\w-]+):\d+$/.exec(arn)?.[1];
      if (name === undefined || !arn.startsWith(`${this.prefix}:layer:`) || !this.versions.has(name))
        continue;
      if (!this.byArn(arn))
        throw new LayerApiError(
          400,
          'InvalidParameterValueException',
          `Layer version ${arn} does not exist.`,
        );
    }
  }

  out(v: LayerVersionState, withContent: boolean): Record<string, unknown> {
    return {
      LayerArn: v.layerArn,
      LayerVersionArn: v.arn,
      Version: v.version,
      Description: v.description,
      CreatedDate: v.created,
      CompatibleArchitectures: v.architectures,
      CompatibleRuntimes: v.runtimes,
      ...(withContent
        ? {
            Content: {
              Location: `https://layers.invalid/${v.name}/${v.version}`,
              CodeSha256: v.codeSha256,
              CodeSize: v.codeSize,
            },
          }
        : {}),
    };
  }

  list(name: string, query: URLSearchParams): Record<string, unknown> {
    const arch = query.get('CompatibleArchitecture');
    const runtime = query.get('CompatibleRuntime');
    const all = this.live(name)
      .filter((v) => !arch || v.architectures.length === 0 || v.architectures.includes(arch))
      .filter((v) => !runtime || v.runtimes.includes(runtime))
      .reverse();
    const start = Number(query.get('Marker') ?? '0');
    const size = Number(query.get('MaxItems') ?? String(this.pageSize));
    const next = start + size < all.length ? String(start + size) : undefined;
    return {
      LayerVersions: all.slice(start, start + size).map((v) => this.out(v, false)),
      ...(next ? { NextMarker: next } : {}),
    };
  }
}
