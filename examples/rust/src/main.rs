//! An AWS Lambda custom runtime (provided.al2023) in Rust with the standard library only.
//!
//! The loop every custom runtime runs (the Lambda Runtime API, version 2018-06-01):
//!   GET  http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next       -> the event,
//!        with the request id in the Lambda-Runtime-Aws-Request-Id header
//!   POST http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/{id}/response  <- the result
//!   POST http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/{id}/error     <- or an error
//!   POST http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error                <- failed start
//!
//! A real project would rather use the lambda_runtime crate; this one keeps the example free of
//! dependencies so it builds anywhere (`cargo build --offline`).

use std::env;
use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process;

const API_VERSION: &str = "2018-06-01";

/// A parsed HTTP/1.1 response.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request on its own connection (`Connection: close`), the body framed by Content-Length
/// (or chunked, or read to the end of the stream).
fn request(
    api: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<Response> {
    let mut stream = TcpStream::connect(api)?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {api}\r\nUser-Agent: hello-lambda/0.1\r\nConnection: close\r\n"
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if method != "GET" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    read_response(BufReader::new(stream))
}

fn bad_data(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

fn read_line<R: BufRead>(r: &mut R) -> io::Result<String> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(bad_data(
            "connection closed in the middle of a response".into(),
        ));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn read_response<R: BufRead>(mut r: R) -> io::Result<Response> {
    let status_line = read_line(&mut r)?;
    // "HTTP/1.1 200 OK"
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| bad_data(format!("bad status line {status_line:?}")))?;
    let mut headers = Vec::new();
    loop {
        let line = read_line(&mut r)?;
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let mut resp = Response {
        status,
        headers,
        body: Vec::new(),
    };
    if let Some(len) = resp.header("Content-Length") {
        let len: usize = len
            .parse()
            .map_err(|_| bad_data(format!("bad Content-Length {len:?}")))?;
        resp.body = vec![0; len];
        r.read_exact(&mut resp.body)?;
    } else if matches!(resp.header("Transfer-Encoding"), Some(te) if te.to_ascii_lowercase().contains("chunked"))
    {
        loop {
            let size_line = read_line(&mut r)?;
            let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| bad_data(format!("bad chunk size {size_line:?}")))?;
            if size == 0 {
                break;
            }
            let start = resp.body.len();
            resp.body.resize(start + size, 0);
            r.read_exact(&mut resp.body[start..])?;
            read_line(&mut r)?; // the CRLF after the chunk
        }
    } else {
        r.read_to_end(&mut resp.body)?;
    }
    Ok(resp)
}

/// A JSON string literal (quotes included).
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What the runtime knows about one invocation.
struct Context {
    request_id: String,
    deadline_ms: Option<u64>,
    function_arn: Option<String>,
}

/// The handler: your code goes here. It gets the event as raw JSON and returns the JSON result,
/// or an error (type, message) that Lambda reports to the caller.
fn handle(event: &str, ctx: &Context) -> Result<String, (&'static str, String)> {
    let event = event.trim();
    if !event.starts_with('{') {
        return Err((
            "InvalidEvent",
            "expected the event to be a JSON object".to_string(),
        ));
    }
    let function = env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default();
    Ok(format!(
        "{{\"message\":{},\"requestId\":{},\"function\":{},\"functionArn\":{},\"deadlineMs\":{},\"event\":{}}}",
        json_string("Hello from Rust, built with Nix"),
        json_string(&ctx.request_id),
        json_string(&function),
        ctx.function_arn.as_deref().map_or("null".to_string(), json_string),
        ctx.deadline_ms.map_or("null".to_string(), |d| d.to_string()),
        event
    ))
}

fn error_body(error_type: &str, message: &str) -> String {
    format!(
        "{{\"errorMessage\":{},\"errorType\":{}}}",
        json_string(message),
        json_string(error_type)
    )
}

/// Reports an error to .../{id}/error (or .../init/error when there is no invocation).
fn report_error(api: &str, path: &str, error_type: &str, message: &str) -> io::Result<()> {
    let body = error_body(error_type, message);
    let resp = request(
        api,
        "POST",
        path,
        &[
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Function-Error-Type", error_type),
        ],
        body.as_bytes(),
    )?;
    if resp.status >= 300 {
        eprintln!("bootstrap: POST {path} answered HTTP {}", resp.status);
    }
    Ok(())
}

fn serve(api: &str) -> io::Result<()> {
    let next = format!("/{API_VERSION}/runtime/invocation/next");
    loop {
        // No timeout: Lambda freezes the process here between invocations.
        let resp = request(api, "GET", &next, &[], &[])?;
        if resp.status != 200 {
            return Err(bad_data(format!(
                "GET {next} answered HTTP {}",
                resp.status
            )));
        }
        let ctx = Context {
            request_id: resp
                .header("Lambda-Runtime-Aws-Request-Id")
                .ok_or_else(|| bad_data("no Lambda-Runtime-Aws-Request-Id header".into()))?
                .to_string(),
            deadline_ms: resp
                .header("Lambda-Runtime-Deadline-Ms")
                .and_then(|d| d.parse().ok()),
            function_arn: resp
                .header("Lambda-Runtime-Invoked-Function-Arn")
                .map(str::to_string),
        };
        let base = format!("/{API_VERSION}/runtime/invocation/{}", ctx.request_id);
        let event = String::from_utf8_lossy(&resp.body);
        match handle(&event, &ctx) {
            Ok(result) => {
                let resp = request(
                    api,
                    "POST",
                    &format!("{base}/response"),
                    &[("Content-Type", "application/json")],
                    result.as_bytes(),
                )?;
                if resp.status >= 300 {
                    eprintln!(
                        "bootstrap: POST {base}/response answered HTTP {}",
                        resp.status
                    );
                }
            }
            Err((error_type, message)) => {
                eprintln!(
                    "bootstrap: invocation {} failed: {error_type}: {message}",
                    ctx.request_id
                );
                report_error(api, &format!("{base}/error"), error_type, &message)?;
            }
        }
    }
}

fn main() {
    let api = match env::var("AWS_LAMBDA_RUNTIME_API") {
        Ok(a) if !a.is_empty() => a,
        _ => {
            eprintln!("bootstrap: AWS_LAMBDA_RUNTIME_API is not set: run me on Lambda or under the runtime interface emulator");
            process::exit(2);
        }
    };
    if let Err(e) = serve(&api) {
        eprintln!("bootstrap: {e}");
        // Best effort: tell Lambda why the runtime stopped.
        let _ = report_error(
            &api,
            &format!("/{API_VERSION}/runtime/init/error"),
            "Runtime.ExitError",
            &e.to_string(),
        );
        process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_content_length_and_chunked_bodies() {
        let raw =
            b"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: abc\r\nContent-Length: 2\r\n\r\n{}";
        let r = read_response(&raw[..]).unwrap();
        assert_eq!(
            (
                r.status,
                r.header("lambda-runtime-aws-request-id"),
                &r.body[..]
            ),
            (200, Some("abc"), &b"{}"[..])
        );
        let raw = b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        assert_eq!(read_response(&raw[..]).unwrap().body, b"abcde");
    }

    #[test]
    fn escapes_json_strings() {
        assert_eq!(json_string("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"");
    }
}
