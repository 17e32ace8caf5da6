import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocalSmokeTest } from '../../src/bundle/smoke.js';

/**
 * The local smoke test ends everything the program started, even a process that left the
 * program's process group (setsid, as daemons and sidecars do): none is left running in the
 * isolated root, and one that still holds the program's stderr does not keep the smoke test
 * waiting. The bootstrap is a static C program (gcc -static) that speaks the Runtime API itself.
 */

const SOURCE = String.raw`
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

static int api(void) {
  char host[64];
  snprintf(host, sizeof host, "%s", getenv("AWS_LAMBDA_RUNTIME_API"));
  char *colon = strchr(host, ':');
  *colon = 0;
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(atoi(colon + 1));
  inet_pton(AF_INET, host, &a.sin_addr);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) exit(3);
  return s;
}

static void exchange(const char *request, char *reply, size_t size) {
  int s = api();
  if (write(s, request, strlen(request)) < 0) exit(4);
  size_t got = 0;
  ssize_t n;
  while (got < size - 1 && (n = read(s, reply + got, size - 1 - got)) > 0) {
    got += n;
    reply[got] = 0;
    char *end = strstr(reply, "\r\n\r\n");
    char *len = strcasestr(reply, "content-length:");
    if (end && len && got - (size_t)(end + 4 - reply) >= (size_t)atoi(len + 15)) break;
  }
  reply[got] = 0;
  close(s);
}

int main(void) {
  const char *mode = getenv("SIDECAR");
  if (fork() == 0) {
    setsid();
    if (mode && strcmp(mode, "detached") == 0) {
      int null = open("/dev/null", O_RDWR);
      dup2(null, 1);
      dup2(null, 2);
    } else {
      fprintf(stderr, "sidecar: running\n");
    }
    for (;;) pause();
  }
  char reply[65536];
  exchange("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: api\r\n\r\n", reply, sizeof reply);
  char *id = strcasestr(reply, "lambda-runtime-aws-request-id:") + 30;
  while (*id == ' ') id++;
  *strchr(id, '\r') = 0;
  char request[1024];
  snprintf(request, sizeof request,
           "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: api\r\nContent-Length: 11\r\n\r\n{\"ok\":true}",
           id);
  exchange(request, reply, sizeof reply);
  for (;;) pause();
}
`;

let tmp: string;
let program: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-processes-'));
  fs.writeFileSync(path.join(tmp, 'sidecar.c'), SOURCE);
  program = path.join(tmp, 'bootstrap');
  execFileSync('gcc', ['-static', '-O1', '-o', program, path.join(tmp, 'sidecar.c')]);
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Processes whose root is the folder (or inside it). */
function processesRootedIn(folder: string): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const root = fs.readlinkSync(`/proc/${pid}/root`);
      if (root === folder || root.startsWith(`${folder}/`)) out.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

function rootWithProgram(name: string): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(tmp, `${name}-`)));
  fs.mkdirSync(path.join(root, 'var/task'), { recursive: true });
  fs.copyFileSync(program, path.join(root, 'var/task/bootstrap'));
  fs.chmodSync(path.join(root, 'var/task/bootstrap'), 0o755);
  return root;
}

describe('a program that starts a process in a session of its own', () => {
  it.each(['holding stderr', 'detached'])(
    'sidecar %s: the smoke test ends promptly and leaves nothing running',
    async (kind) => {
      const root = rootWithProgram(kind.replace(' ', '-'));
      const t0 = Date.now();
      const r = await Promise.race([
        runLocalSmokeTest({
          root,
          arch: 'x86_64',
          hostArch: 'x86_64',
          decoys: [],
          payload: '{}',
          expect: '"ok"',
          timeoutMs: 5_000,
          function: { functionName: 'api', region: 'us-east-1', memoryMb: 128, taskRoot: '/var/task' },
          variables: { SIDECAR: kind === 'detached' ? 'detached' : 'stderr' },
        }),
        new Promise<'hung'>((resolve) =>
          setTimeout(() => {
            resolve('hung');
          }, 20_000),
        ),
      ]);
      const left = processesRootedIn(root);
      for (const pid of left) process.kill(pid, 'SIGKILL');
      expect(r === 'hung' ? r : r.result).toBe('passed');
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(left).toEqual([]);
    },
    60_000,
  );
});
