//! A bare actix-web server that answers every request with one static HTML
//! page of a chosen size.
//!
//! `deploy/load.sh` runs it beside the real service as the yardstick for the
//! rating page: the same framework, worker count, machine and body size, but
//! no routing, templating, database or cookies. The ratio of the two
//! request rates says how much the rating page costs on top of serving bytes.
//!
//! ```text
//! bare_static --bytes 4711 [--bind 127.0.0.1:18081]
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;

use actix_web::http::header::ContentType;
use actix_web::web::{self, Bytes};
use actix_web::{App, HttpResponse, HttpServer};

const DEFAULT_BIND: &str = "127.0.0.1:18081";
const USAGE: &str = "usage: bare_static --bytes N [--bind ADDR:PORT]";

/// What to serve and where, as given on the command line.
#[derive(Debug, PartialEq)]
struct Options {
    body_bytes: usize,
    bind: SocketAddr,
}

/// Parses `--bytes N` (required) and `--bind ADDR:PORT` (optional).
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut body_bytes = None;
    let mut bind = None;
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--bytes" => {
                let n = value
                    .parse::<usize>()
                    .map_err(|_| format!("--bytes wants a byte count, not {value:?}"))?;
                body_bytes = Some(n);
            }
            "--bind" => {
                let addr = value
                    .parse::<SocketAddr>()
                    .map_err(|_| format!("--bind wants ADDR:PORT, not {value:?}"))?;
                bind = Some(addr);
            }
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    Ok(Options {
        body_bytes: body_bytes.ok_or("--bytes is required")?,
        bind: match bind {
            Some(addr) => addr,
            None => DEFAULT_BIND
                .parse()
                .expect("DEFAULT_BIND is a valid address"),
        },
    })
}

/// A well-formed HTML document of exactly `len` bytes (ASCII, so valid UTF-8).
///
/// Below the size of the empty document the result is a prefix of it: the
/// byte count is what the comparison needs to match.
fn html_page(len: usize) -> Vec<u8> {
    const HEAD: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
        <title>bare static</title></head><body><p>";
    const TAIL: &str = "</p></body></html>\n";
    const FILLER: &[u8] = b"The quick brown fox jumps over the lazy dog. ";

    let mut page = Vec::with_capacity(len.max(HEAD.len() + TAIL.len()));
    page.extend_from_slice(HEAD.as_bytes());
    let filler_len = len.saturating_sub(HEAD.len() + TAIL.len());
    page.extend(FILLER.iter().cycle().take(filler_len));
    page.extend_from_slice(TAIL.as_bytes());
    page.truncate(len);
    page
}

async fn serve(options: Options) -> std::io::Result<()> {
    // `Bytes` is reference-counted: every response shares the one buffer.
    let page = Bytes::from(html_page(options.body_bytes));
    eprintln!(
        "bare_static: serving {} bytes of text/html on http://{}",
        page.len(),
        options.bind
    );
    HttpServer::new(move || {
        let page = page.clone();
        App::new().default_service(web::to(move || {
            let page = page.clone();
            async move {
                HttpResponse::Ok()
                    .content_type(ContentType::html())
                    .body(page)
            }
        }))
    })
    .bind(options.bind)?
    .run()
    .await
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(problem) => {
            eprintln!("bare_static: {problem}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match actix_web::rt::System::new().block_on(serve(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bare_static: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn page_has_exactly_the_requested_size() {
        for len in [0, 1, 10, 150, 151, 4711, 100_000] {
            let page = html_page(len);
            assert_eq!(page.len(), len);
            assert!(std::str::from_utf8(&page).is_ok());
        }
        let page = String::from_utf8(html_page(4711)).unwrap();
        assert!(page.starts_with("<!doctype html>"));
        assert!(page.ends_with("</html>\n"));
    }

    #[test]
    fn parses_bytes_and_optional_bind() {
        assert_eq!(
            parse_args(args(&["--bytes", "4711"])),
            Ok(Options {
                body_bytes: 4711,
                bind: DEFAULT_BIND.parse().unwrap(),
            })
        );
        assert_eq!(
            parse_args(args(&["--bind", "127.0.0.1:9000", "--bytes", "1"])),
            Ok(Options {
                body_bytes: 1,
                bind: "127.0.0.1:9000".parse().unwrap(),
            })
        );
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(parse_args(args(&[])).is_err());
        assert!(parse_args(args(&["--bytes"])).is_err());
        assert!(parse_args(args(&["--bytes", "-3"])).is_err());
        assert!(parse_args(args(&["--bytes", "1", "--bind", "nowhere"])).is_err());
        assert!(parse_args(args(&["--bytes", "1", "--port", "80"])).is_err());
    }
}
