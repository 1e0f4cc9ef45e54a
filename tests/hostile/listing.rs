//! A registry's catalog and tags lists, as `fleet docker://HOST` pages through them (issue
//! 17 on issue 23's listing): a page is read to 4 MiB, a list to 10,000 pages, what matches
//! to 100,000 repositories or images, no wait longer than `--stall-timeout`, and a `Link`
//! only on the registry's own host. Against a fake registry in this process.

use crate::fake_registry::*;
use crate::util::run_limited;
use microscope::source::registry::{ListLimits, Session};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Peak RSS a refused listing stays under: 16-24 MiB measured; an endless page read whole
/// passes 64 MiB in a fraction of a second.
const PEAK_KIB: u64 = 64 << 10;

/// `microscope fleet docker://127.0.0.1:PORT ARGS -o OUT` with a fresh HOME; the outcome
/// and what was written to OUT.
fn fleet(reg: &Registry, args: &[&str], limit: Duration) -> (crate::util::Outcome, String) {
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("fleet.jsonl");
    let host = format!("docker://127.0.0.1:{}", reg.port);
    let mut all = vec!["fleet", host.as_str(), "-o", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let o = run_limited(
        &all,
        limit,
        home.path(),
        &[
            ("HOME", home.path()),
            ("XDG_CACHE_HOME", home.path()),
            ("DOCKER_CONFIG", home.path()),
        ],
    );
    let written = std::fs::read_to_string(&out).unwrap_or_default();
    (o, written)
}

fn json(s: &mut TcpStream, body: &serde_json::Value, link: Option<&str>) {
    let body = serde_json::to_vec(body).unwrap();
    let link = link.map(|l| format!("<{l}>; rel=\"next\""));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(l) = &link {
        headers.push(("Link", l));
    }
    respond(s, "200 OK", &headers, &body);
}

/// The value of `key` in a request path's query.
fn query<'a>(path: &'a str, key: &str) -> Option<&'a str> {
    path.split_once('?')?
        .1
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

#[test]
fn an_endless_catalog_page_stops_at_4_mib() {
    let reg = Registry::start(
        Image::new(),
        Box::new(|m, p, s| {
            if m == "GET" && p.starts_with("/v2/_catalog") {
                endless(s, "application/json");
                return true;
            }
            false
        }),
    );
    let start = Instant::now();
    let (o, _) = fleet(&reg, &[], Duration::from_secs(60));
    let line = o.error("larger than 4 MiB, the limit for a page");
    assert!(line.contains("the catalog page 1"), "{line}");
    assert!(o.peak_kib < PEAK_KIB, "peak RSS {} KiB", o.peak_kib);
    eprintln!(
        "endless catalog page: {line}; {:?}, peak {} KiB",
        start.elapsed(),
        o.peak_kib
    );
}

#[test]
fn an_endless_tags_page_stops_at_4_mib() {
    let reg = Registry::start(
        Image::new(),
        Box::new(|m, p, s| {
            if m == "GET" && p.starts_with("/v2/_catalog") {
                json(s, &serde_json::json!({"repositories": ["img"]}), None);
                return true;
            }
            if m == "GET" && p.starts_with("/v2/img/tags/list") {
                endless(s, "application/json");
                return true;
            }
            false
        }),
    );
    let (o, _) = fleet(&reg, &[], Duration::from_secs(60));
    o.error("the tags of img page 1 is larger than 4 MiB, the limit for a page");
    assert!(o.peak_kib < PEAK_KIB, "peak RSS {} KiB", o.peak_kib);
}

/// A catalog whose every page names 1,000 new repositories and links to the next, forever.
fn endless_catalog(asked: Arc<AtomicUsize>) -> Registry {
    Registry::start(
        Image::new(),
        Box::new(move |m, p, s| {
            if m != "GET" || !p.starts_with("/v2/_catalog") {
                return false;
            }
            let page = asked.fetch_add(1, Ordering::Relaxed);
            let names: Vec<String> = (0..1000).map(|i| format!("r{page:06}-{i:04}")).collect();
            let next = format!("/v2/_catalog?n=1000&last={}", names[999]);
            json(s, &serde_json::json!({"repositories": names}), Some(&next));
            true
        }),
    )
}

#[test]
fn an_endless_link_chain_stops_at_100000_repositories() {
    let asked = Arc::new(AtomicUsize::new(0));
    let reg = endless_catalog(asked.clone());
    let (o, _) = fleet(&reg, &[], Duration::from_secs(120));
    o.error("more than 100000 repositories match, the limit for one listing");
    let pages = asked.load(Ordering::Relaxed);
    assert_eq!(pages, 101, "the 100,001st name is on page 101");
    assert!(o.peak_kib < PEAK_KIB, "peak RSS {} KiB", o.peak_kib);
    eprintln!("endless Link chain: {pages} pages, peak {} KiB", o.peak_kib);
}

#[test]
fn an_endless_link_chain_of_unmatched_names_stops_at_the_page_limit() {
    // The same chain with nothing matching: the page limit stops it (here a small one, to
    // keep the test short; the default is 10,000).
    let asked = Arc::new(AtomicUsize::new(0));
    let reg = endless_catalog(asked.clone());
    let session =
        Session::connect(&format!("127.0.0.1:{}", reg.port), &Default::default()).unwrap();
    let none = globset::Glob::new("nothing").unwrap().compile_matcher();
    let limits = ListLimits {
        max_pages: 40,
        ..ListLimits::default()
    };
    let e = session
        .list_images_within(&none, &none, &limits)
        .unwrap_err();
    let e = e.to_string();
    assert!(
        e.contains("the catalog goes on past 40 pages, the limit for one list"),
        "{e}"
    );
    assert_eq!(asked.load(Ordering::Relaxed), 40);
    assert_eq!(ListLimits::default().max_pages, 10_000);
}

#[test]
fn a_link_to_another_host_is_refused() {
    let followed = Arc::new(AtomicUsize::new(0));
    let seen = followed.clone();
    let port = Arc::new(AtomicUsize::new(0));
    let p = port.clone();
    let reg = Registry::start(
        Image::new(),
        Box::new(move |m, path, s| {
            if m != "GET" || !path.starts_with("/v2/_catalog") {
                return false;
            }
            if query(path, "last").is_some() {
                seen.fetch_add(1, Ordering::Relaxed);
            }
            // The same server under another name: a host the user never named.
            let next = format!(
                "http://localhost:{}/v2/_catalog?last=a",
                p.load(Ordering::Relaxed)
            );
            json(s, &serde_json::json!({"repositories": ["a"]}), Some(&next));
            true
        }),
    );
    port.store(reg.port as usize, Ordering::Relaxed);
    let (o, _) = fleet(&reg, &[], Duration::from_secs(60));
    let line = o.error("on another host; microscope reads pages only from the registry itself");
    assert!(line.contains("http://localhost:"), "{line}");
    assert_eq!(
        followed.load(Ordering::Relaxed),
        0,
        "the link was not followed"
    );
}

#[test]
fn a_redirect_to_another_host_is_not_followed() {
    let followed = Arc::new(AtomicUsize::new(0));
    let seen = followed.clone();
    let port = Arc::new(AtomicUsize::new(0));
    let p = port.clone();
    let reg = Registry::start(
        Image::new(),
        Box::new(move |m, path, s| {
            if m != "GET" || !path.starts_with("/v2/_catalog") {
                return false;
            }
            if path.contains("moved") {
                seen.fetch_add(1, Ordering::Relaxed);
                json(s, &serde_json::json!({"repositories": ["a"]}), None);
                return true;
            }
            let to = format!(
                "http://localhost:{}/v2/_catalog?moved",
                p.load(Ordering::Relaxed)
            );
            respond(s, "302 Found", &[("Location", &to)], b"");
            true
        }),
    );
    port.store(reg.port as usize, Ordering::Relaxed);
    let (o, _) = fleet(&reg, &[], Duration::from_secs(60));
    o.error("answered HTTP 302");
    assert_eq!(
        followed.load(Ordering::Relaxed),
        0,
        "the redirect was not followed"
    );
}

#[test]
fn a_name_that_is_no_repository_name_is_refused() {
    let reg = Registry::start(
        Image::new(),
        Box::new(|m, p, s| {
            if m == "GET" && p.starts_with("/v2/_catalog") {
                let body = serde_json::json!({"repositories": ["../../x\u{1b}[2J"]});
                json(s, &body, None);
                return true;
            }
            false
        }),
    );
    let (o, _) = fleet(&reg, &[], Duration::from_secs(60));
    let line = o.error("not a repository name");
    assert!(!line.contains('\u{1b}'), "{line}");
}

#[test]
fn a_stalled_catalog_page_fails_after_the_stall_timeout() {
    let reg = Registry::start(
        Image::new(),
        Box::new(|m, p, s| {
            if m == "GET" && p.starts_with("/v2/_catalog") {
                use std::io::Write;
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                            Content-Length: 100\r\n\r\n{\"repositories\":";
                let _ = s.write_all(head.as_bytes());
                std::thread::sleep(Duration::from_secs(30));
                return true;
            }
            false
        }),
    );
    let start = Instant::now();
    let (o, _) = fleet(&reg, &["--stall-timeout", "1"], Duration::from_secs(20));
    let line = o.error("sent nothing for 1 s while listing the catalog");
    assert!(line.contains("16 bytes received"), "{line}");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_trickling_catalog_is_given_up_at_the_timeout() {
    // A byte every half second: never a stall, never an end; only --timeout stops it.
    let reg = Registry::start(
        Image::new(),
        Box::new(|m, p, s| {
            if m == "GET" && p.starts_with("/v2/_catalog") {
                use std::io::Write;
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";
                let _ = s.write_all(head.as_bytes());
                for _ in 0..120 {
                    if s.write_all(b" ").is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
                return true;
            }
            false
        }),
    );
    let start = Instant::now();
    let (o, _) = fleet(&reg, &["--timeout", "2"], Duration::from_secs(20));
    o.error("gave up after 2 s (--timeout 2)");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

/// Five repositories on three catalog pages of at most two (whatever `n` asks), each with
/// tags `1`, `2`, `3` on two pages; every repository serves the one test image.
fn three_page_registry() -> Registry {
    let image = Arc::new(Image::new());
    let repos = ["a", "b", "c", "d", "e"];
    Registry::start(
        Image::new(),
        Box::new(move |m, p, s| {
            if m == "GET" && p.starts_with("/v2/_catalog") {
                let after = query(p, "last").unwrap_or("");
                let page: Vec<&str> = repos
                    .iter()
                    .copied()
                    .filter(|r| *r > after)
                    .take(2)
                    .collect();
                let next = (page.len() == 2 && page[1] != "e")
                    .then(|| format!("/v2/_catalog?n=2&last={}", page[1]));
                json(
                    s,
                    &serde_json::json!({"repositories": page}),
                    next.as_deref(),
                );
                return true;
            }
            let Some((repo, rest)) = p.strip_prefix("/v2/").and_then(|r| r.split_once('/')) else {
                return false;
            };
            if !repos.contains(&repo) {
                return false;
            }
            if rest.starts_with("tags/list") {
                let (tags, next) = match query(p, "last") {
                    None => (
                        vec!["1", "2"],
                        Some(format!("/v2/{repo}/tags/list?n=2&last=2")),
                    ),
                    Some(_) => (vec!["3"], None),
                };
                let body = serde_json::json!({"name": repo, "tags": tags});
                json(s, &body, next.as_deref());
                return true;
            }
            normal(&image, m, &format!("/v2/img/{rest}"), s);
            true
        }),
    )
}

#[test]
fn a_three_page_catalog_still_lists_every_image() {
    let reg = three_page_registry();
    let (o, written) = fleet(
        &reg,
        &["--tags", "1", "--no-cache"],
        Duration::from_secs(120),
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let refs: Vec<String> = written
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert!(v.get("error").is_none(), "{l}");
            v["ref"].as_str().unwrap().to_string()
        })
        .collect();
    let want: Vec<String> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|r| format!("docker://127.0.0.1:{}/{r}:1", reg.port))
        .collect();
    assert_eq!(refs, want);
    let session =
        Session::connect(&format!("127.0.0.1:{}", reg.port), &Default::default()).unwrap();
    let any = globset::Glob::new("*").unwrap().compile_matcher();
    let all = session.list_images(&any, &any).unwrap();
    assert_eq!(all.len(), 15, "{all:?}");
}
