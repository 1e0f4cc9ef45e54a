//! Registries, real ones (Debian's docker-registry, started by `.ci/run`): by tag and by
//! digest, a multi-platform index, a zstd layer, basic and token auth, wrong credentials, a
//! corrupted blob and a warm cache in `registry_cache.rs`. Images are pushed with skopeo.
//! Needs MICROSCOPE_TEST_REGISTRY (no auth), MICROSCOPE_TEST_REGISTRY_BASIC (htpasswd
//! testuser/testpass), MICROSCOPE_TEST_REGISTRY_TOKEN (bearer tokens),
//! MICROSCOPE_TEST_REGISTRY_DATA and MICROSCOPE_TEST_REGISTRY_LOG (the first one's storage
//! and log), and MICROSCOPE_CORPUS.

use crate::support::live;

use live::{Isolated, corpus, have, numbers, push_once, service};
use microscope::demo::builder::{BlobCompression, ImageBuilder, LayerBuilder};
use std::path::Path;

const CREDS: &str = "testuser:testpass";

pub(crate) fn registry(var: &str) -> Option<(String, std::path::PathBuf)> {
    let r = service(var, "a docker-registry")?;
    let c = corpus()?;
    have("skopeo").then_some((r, c))
}

pub(crate) fn arg(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn by_tag_and_by_digest_equal_the_archive() {
    let Some((reg, corpus)) = registry("MICROSCOPE_TEST_REGISTRY") else {
        return;
    };
    let archive = corpus.join("debian-bookworm.oci.tar");
    push_once(
        &format!("oci-archive:{}", arg(&archive)),
        &format!("docker://{reg}/debian:bookworm"),
        None,
        false,
    );
    let t = Isolated::new();
    let file = t.run(&[&arg(&archive), "--json", "--no-cache"]).json();
    let by_tag = t
        .run(&[&format!("docker://{reg}/debian:bookworm"), "--json"])
        .json();
    assert_eq!(by_tag["image"]["source"], "registry");
    let digest = by_tag["image"]["manifest_digest"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(numbers(by_tag.clone()), numbers(file.clone()));
    // By digest: the scan comes from the cache (keyed by blob digest), the manifest is
    // fetched by its digest and checked against it.
    let by_digest = t
        .run(&[&format!("docker://{reg}/debian@{digest}"), "--json"])
        .json();
    assert_eq!(by_digest["image"]["manifest_digest"], digest.as_str());
    assert_eq!(numbers(by_digest), numbers(file));
}

#[test]
fn multi_platform_index_and_platform_choice() {
    let Some((reg, corpus)) = registry("MICROSCOPE_TEST_REGISTRY") else {
        return;
    };
    let src = format!(
        "oci-archive:{}",
        arg(&corpus.join("variants/multi.oci.tar"))
    );
    push_once(&src, &format!("docker://{reg}/multi:latest"), None, true);
    let t = Isolated::new();
    let image = format!("docker://{reg}/multi:latest");
    for platform in ["linux/amd64", "linux/arm64"] {
        let r = t.run(&[&image, "--platform", platform, "--json"]).json();
        assert_eq!(r["image"]["platform"], platform);
    }
    let line = t.run(&[&image, "--platform", "linux/s390x"]).fails();
    assert!(
        line.contains("no image for platform linux/s390x; the index has: linux/amd64, linux/arm64"),
        "{line}"
    );
}

/// A zstd layer built here, unique to this run: skopeo would otherwise substitute a gzip
/// blob of the same diff_id already in the registry (its blob-info cache) for the corpus'
/// zstd variant.
#[test]
fn zstd_layers_are_read() {
    let Some((reg, _)) = registry("MICROSCOPE_TEST_REGISTRY") else {
        return;
    };
    let nonce = format!("{:?} {}", std::time::SystemTime::now(), std::process::id());
    let img = ImageBuilder::new("zstd:1")
        .compression(BlobCompression::Zstd)
        .layer(
            LayerBuilder::new("COPY . /")
                .file("etc/nonce", nonce.as_bytes())
                .file("usr/share/doc/big.txt", &b"zstd ".repeat(50_000)),
        );
    let dir = tempfile::tempdir().unwrap();
    img.write_oci_dir(dir.path()).unwrap();
    let image = format!("docker://{reg}/zstd:{}", std::process::id());
    push_once(&format!("oci:{}", arg(dir.path())), &image, None, false);
    let t = Isolated::new();
    let live = t.run(&[&image, "--json"]).json();
    assert_eq!(live["layers"][0]["compression"], "zstd");
    assert!(
        live["layers"][0]["media_type"]
            .as_str()
            .unwrap()
            .ends_with("+zstd")
    );
    let file = t
        .run(&[&format!("oci:{}", arg(dir.path())), "--json", "--no-cache"])
        .json();
    assert_eq!(numbers(live), numbers(file));
}

#[test]
fn basic_auth_from_flags_config_and_helper() {
    let Some((reg, corpus)) = registry("MICROSCOPE_TEST_REGISTRY_BASIC") else {
        return;
    };
    let image = format!("docker://{reg}/private/alpine:3.20");
    push_once(
        &format!(
            "docker-archive:{}",
            arg(&corpus.join("alpine-3.20.docker.tar"))
        ),
        &image,
        Some(CREDS),
        false,
    );
    let t = Isolated::new();
    let line = t.run(&[&image, "--no-cache"]).fails();
    assert!(line.contains("requires authentication (401"), "{line}");
    let ok = t
        .run(&[
            &image,
            "--json",
            "--username",
            "testuser",
            "--password-stdin",
        ])
        .stdin("testpass\n")
        .json();
    assert_eq!(ok["layers"].as_array().unwrap().len(), 1);
    let line = t
        .run(&[
            &image,
            "--no-cache",
            "--username",
            "testuser",
            "--password-stdin",
        ])
        .stdin("wrong\n")
        .fails();
    assert!(line.contains("refused the credentials"), "{line}");

    // docker login's record: auths.<host>.auth = base64(user:password)
    let cfg = t.docker_config().join("config.json");
    std::fs::write(
        &cfg,
        format!(r#"{{"auths":{{"{reg}":{{"auth":"dGVzdHVzZXI6dGVzdHBhc3M="}}}}}}"#),
    )
    .unwrap();
    t.run(&[&image, "--json", "--no-cache"]).json();

    // A credential helper, run as docker runs it.
    let bin = t.home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-microscopetest");
    std::fs::write(
        &helper,
        "#!/bin/sh\nread server\n[ \"$1\" = get ] || exit 1\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"testuser\",\"Secret\":\"testpass\"}' \"$server\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(
        &cfg,
        format!(r#"{{"credHelpers":{{"{reg}":"microscopetest"}}}}"#),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    t.run(&[&image, "--json", "--no-cache"])
        .env("PATH", &path)
        .json();
}

#[test]
fn token_auth_anonymous_and_with_credentials() {
    let Some((reg, corpus)) = registry("MICROSCOPE_TEST_REGISTRY_TOKEN") else {
        return;
    };
    let image = format!("docker://{reg}/private/alpine:3.20");
    push_once(
        &format!(
            "docker-archive:{}",
            arg(&corpus.join("alpine-3.20.docker.tar"))
        ),
        &image,
        Some(CREDS),
        false,
    );
    let t = Isolated::new();
    // The token server gives anonymous users pull access.
    t.run(&[&image, "--json", "--no-cache"]).json();
    t.run(&[
        &image,
        "--json",
        "--no-cache",
        "--username",
        "testuser",
        "--password-stdin",
    ])
    .stdin("testpass")
    .json();
    let line = t
        .run(&[
            &image,
            "--no-cache",
            "--username",
            "testuser",
            "--password-stdin",
        ])
        .stdin("wrong")
        .fails();
    assert!(line.contains("refused the credentials"), "{line}");
}

#[test]
fn bare_names_fall_back_to_the_registry_and_say_so() {
    let Some((reg, corpus)) = registry("MICROSCOPE_TEST_REGISTRY") else {
        return;
    };
    push_once(
        &format!(
            "docker-archive:{}",
            arg(&corpus.join("alpine-3.20.docker.tar"))
        ),
        &format!("docker://{reg}/alpine:3.20"),
        None,
        false,
    );
    let t = Isolated::new();
    let dir = tempfile::tempdir().unwrap();
    let out = t
        .run(&[&format!("{reg}/alpine:3.20"), "--json"])
        // An engine socket that does not exist: no engine answers.
        .env(
            "DOCKER_HOST",
            format!("unix://{}/none.sock", dir.path().display()),
        )
        .output();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "from the registry ({reg}); no local engine has it"
        )),
        "{err}"
    );
    let forced = t
        .run(&[&format!("{reg}/alpine:3.20"), "--source", "registry"])
        .output();
    assert!(String::from_utf8_lossy(&forced.stderr).contains("from the registry"));
}

#[test]
fn unreachable_and_unknown_are_one_clear_line() {
    let Some((reg, _)) = registry("MICROSCOPE_TEST_REGISTRY") else {
        return;
    };
    let t = Isolated::new();
    let line = t.run(&[&format!("docker://{reg}/no-such/image:1")]).fails();
    assert!(
        line.contains(&format!("not found in registry {reg}")),
        "{line}"
    );
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let line = t.run(&[&format!("docker://127.0.0.1:{port}/x:1")]).fails();
    assert!(line.contains("cannot reach registry"), "{line}");
}

/// A registry named by a host that is not spelled as loopback is spoken to over HTTPS: a
/// plain-HTTP registry then fails the TLS handshake, and `--insecure-registry` fixes it.
#[test]
fn tls_by_default_and_insecure_registry() {
    let Some((reg, corpus)) = registry("MICROSCOPE_TEST_REGISTRY") else {
        return;
    };
    let port = reg.rsplit(':').next().unwrap_or("5000");
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap_or_default()
        .trim()
        .to_string();
    use std::net::ToSocketAddrs;
    let resolves_here = (host.as_str(), 1)
        .to_socket_addrs()
        .is_ok_and(|mut a| a.any(|a| a.ip() == std::net::Ipv4Addr::LOCALHOST));
    if host.is_empty() || host == "localhost" || !resolves_here {
        crate::support::skip(format_args!(
            "the host name {host:?} does not resolve to 127.0.0.1"
        ));
        return;
    }
    push_once(
        &format!(
            "docker-archive:{}",
            arg(&corpus.join("alpine-3.20.docker.tar"))
        ),
        &format!("docker://{reg}/alpine:3.20"),
        None,
        false,
    );
    let named = format!("{host}:{port}");
    let t = Isolated::new();
    let image = format!("docker://{named}/alpine:3.20");
    let line = t.run(&[&image, "--no-cache"]).fails();
    assert!(line.contains("TLS"), "{line}");
    assert!(line.contains("--insecure-registry"), "{line}");
    t.run(&[
        &image,
        "--json",
        "--no-cache",
        "--insecure-registry",
        &named,
    ])
    .json();
}

/// The fleet's listing against a token-auth registry: the catalog asks for a token of scope
/// `registry:catalog:*`, which the token server gives only with credentials.
#[test]
fn a_token_registry_lists_its_catalog_with_credentials() {
    let Some((reg, corpus)) = registry("MICROSCOPE_TEST_REGISTRY_TOKEN") else {
        return;
    };
    push_once(
        &format!(
            "docker-archive:{}",
            arg(&corpus.join("alpine-3.20.docker.tar"))
        ),
        &format!("docker://{reg}/private/alpine:3.20"),
        Some(CREDS),
        false,
    );
    let t = Isolated::new();
    let out = t.home.path().join("fleet.jsonl");
    let out = arg(&out);
    let host = format!("docker://{reg}");
    let fleet = [
        "fleet",
        &host,
        "--repo",
        "private/alp*",
        "--tags",
        "3.20",
        "--no-cache",
    ];
    let line = t.run(&[&fleet[..], &["-o", &out]].concat()).fails();
    assert!(line.contains("requires authentication"), "{line}");
    let ok = t
        .run(
            &[
                &fleet[..],
                &["-o", &out, "--username", "testuser", "--password-stdin"],
            ]
            .concat(),
        )
        .stdin("testpass")
        .output();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let written = std::fs::read_to_string(&out).unwrap();
    let refs: Vec<serde_json::Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(refs.len(), 1, "{written}");
    assert_eq!(
        refs[0]["ref"],
        format!("docker://{reg}/private/alpine:3.20")
    );
    assert!(
        refs[0]["size"]["final_bytes"].as_u64().is_some(),
        "{}",
        refs[0]
    );
}
