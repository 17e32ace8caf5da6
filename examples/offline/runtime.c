/* A Lambda custom runtime: GET .../invocation/next, POST .../invocation/<id>/response, forever.
 * The response is a JSON echo: {"requestId":..,"event":<event body>,"curl":..,"zlib":..,"ssl":..}.
 * An event containing the key "fail" is reported to .../invocation/<id>/error instead.
 * `bootstrap --version` (or PRINT_VERSION=1) prints the versions and exits 0. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct buf {
  char *data;
  size_t len;
};

static void buf_append(struct buf *b, const char *p, size_t n) {
  char *d = realloc(b->data, b->len + n + 1);
  if (!d) {
    fputs("bootstrap: out of memory\n", stderr);
    exit(3);
  }
  memcpy(d + b->len, p, n);
  b->len += n;
  d[b->len] = '\0';
  b->data = d;
}

static size_t on_body(char *p, size_t size, size_t n, void *user) {
  buf_append(user, p, size * n);
  return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *user) {
  static const char name[] = "Lambda-Runtime-Aws-Request-Id:";
  size_t len = size * n;
  char *id = user;
  if (len > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0) {
    size_t i = sizeof name - 1, j = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t')) i++;
    while (i < len && p[i] != '\r' && p[i] != '\n' && j < 255) id[j++] = p[i++];
    id[j] = '\0';
  }
  return len;
}

static const curl_version_info_data *versions(void) { return curl_version_info(CURLVERSION_NOW); }

static int post(CURL *h, const char *url, const char *body) {
  struct buf sink = {0};
  struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  free(sink.data);
  if (rc != CURLE_OK || status >= 300) {
    fprintf(stderr, "bootstrap: POST %s failed: %s (HTTP %ld)\n", url, curl_easy_strerror(rc), status);
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  const curl_version_info_data *v = versions();
  const char *zlib = v->libz_version ? v->libz_version : "none";
  const char *ssl = v->ssl_version ? v->ssl_version : "none";
  if ((argc > 1 && strcmp(argv[1], "--version") == 0) || getenv("PRINT_VERSION")) {
    printf("offline-example curl/%s zlib/%s ssl/%s\n", v->version, zlib, ssl);
    return 0;
  }
  const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
  if (!api || !*api) {
    fputs("bootstrap: AWS_LAMBDA_RUNTIME_API is not set\n", stderr);
    return 2;
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 2;
  CURL *h = curl_easy_init();
  if (!h) return 2;
  char url[1024];
  char id[256];
  printf("bootstrap: serving %s with curl/%s\n", api, v->version);
  fflush(stdout);
  for (;;) {
    struct buf event = {0};
    id[0] = '\0';
    curl_easy_reset(h);
    snprintf(url, sizeof url, "http://%s/2018-06-01/runtime/invocation/next", api);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &event);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, id);
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
      fprintf(stderr, "bootstrap: GET %s failed: %s\n", url, curl_easy_strerror(rc));
      return 1;
    }
    if (!id[0]) {
      fputs("bootstrap: no Lambda-Runtime-Aws-Request-Id header\n", stderr);
      return 1;
    }
    const char *body = event.len ? event.data : "null";
    if (strstr(body, "\"fail\"")) {
      snprintf(url, sizeof url, "http://%s/2018-06-01/runtime/invocation/%s/error", api, id);
      if (post(h, url, "{\"errorMessage\":\"the event asked to fail\",\"errorType\":\"ExampleError\"}")) return 1;
    } else {
      struct buf out = {0};
      const char *parts[] = {"{\"requestId\":\"", id, "\",\"event\":", body, ",\"curl\":\"", v->version,
                             "\",\"zlib\":\"", zlib, "\",\"ssl\":\"", ssl, "\"}"};
      for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) buf_append(&out, parts[i], strlen(parts[i]));
      snprintf(url, sizeof url, "http://%s/2018-06-01/runtime/invocation/%s/response", api, id);
      int failed = post(h, url, out.data);
      free(out.data);
      if (failed) return 1;
    }
    free(event.data);
  }
}
