//! The side roads' bases: an Alpine-like base (musl, busybox, a real apk database) and a
//! Node runtime with a node_modules tree, on it and on the Debian-like base.

use super::images::{GoBuild, go_server};
use crate::demo::builder::{ImageBuilder, LayerBuilder};
use crate::demo::elf::{self, ElfSpec, filler};
use crate::demo::{Pkg, base_packages, status, with_packages};
use crate::image::RunConfig;

/// One apk package: name, version, and files as (dir, name, size).
struct Apk {
    name: &'static str,
    version: &'static str,
    files: Vec<(&'static str, &'static str, usize)>,
}

fn alpine_packages() -> Vec<Apk> {
    vec![
        Apk {
            name: "musl",
            version: "1.2.5-r0",
            files: vec![("lib", "ld-musl-x86_64.so.1", 659_000)],
        },
        Apk {
            name: "busybox",
            version: "1.36.1-r29",
            files: vec![("bin", "busybox", 814_000)],
        },
        Apk {
            name: "ca-certificates-bundle",
            version: "20240705-r0",
            files: vec![("etc/ssl/certs", "ca-certificates.crt", 219_597)],
        },
        Apk {
            name: "apk-tools",
            version: "2.14.4-r0",
            files: vec![
                ("sbin", "apk", 140_000),
                ("lib", "libapk.so.2.14.0", 230_000),
            ],
        },
    ]
}

fn apk_db(pkgs: &[Apk]) -> String {
    let mut db = String::new();
    for p in pkgs {
        let size: usize = p.files.iter().map(|f| f.2).sum();
        db.push_str(&format!(
            "C:Q1abc=\nP:{}\nV:{}\nA:x86_64\nS:{size}\nI:{size}\nT:{} (tour)\n",
            p.name, p.version, p.name
        ));
        for (dir, name, _) in &p.files {
            db.push_str(&format!(
                "F:{dir}\nR:{name}\na:0:0:755\nZ:Q1c29tZWNvbnRlbnRoYXNoPT0=\n"
            ));
        }
        db.push('\n');
    }
    db
}

fn alpine_base(extra: Vec<Apk>) -> LayerBuilder {
    let mut pkgs = alpine_packages();
    pkgs.extend(extra);
    let mut l = LayerBuilder::new("/bin/sh -c #(nop) ADD file:5e6f7a8b9c0d in / ")
        .symlink("bin/sh", "/bin/busybox")
        .symlink("lib/libc.musl-x86_64.so.1", "ld-musl-x86_64.so.1")
        .file(
            "etc/passwd",
            b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n",
        )
        .file(
            "etc/os-release",
            b"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\n",
        )
        .file(
            "etc/apk/repositories",
            b"https://dl-cdn.alpinelinux.org/alpine/v3.20/main\n",
        );
    for (i, p) in pkgs.iter().enumerate() {
        for (dir, name, size) in &p.files {
            let mode = if dir.contains("bin") { 0o755 } else { 0o644 };
            l = l.file_with(
                &format!("{dir}/{name}"),
                &filler(500 + i as u64, *size),
                mode,
                0,
                0,
            );
        }
    }
    l.file("lib/apk/db/installed", apk_db(&pkgs).as_bytes())
}

/// The stripped static server on the Alpine-like base.
pub fn alpine_shell() -> ImageBuilder {
    let l1 = LayerBuilder::new("COPY /src/server /usr/local/bin/server # buildkit").file_with(
        "usr/local/bin/server",
        &go_server(GoBuild::STRIPPED),
        0o755,
        0,
        0,
    );
    let mut img = ImageBuilder::new("tour/alpine-shell:1")
        .layer(alpine_base(Vec::new()))
        .layer(l1);
    img.run = RunConfig {
        entrypoint: vec!["/usr/local/bin/server".into()],
        exposed_ports: vec!["8080/tcp".into()],
        ..RunConfig::default()
    };
    img
}

/// The node binary: dynamic, against glibc or musl, with libstdc++.
fn node_binary(musl: bool) -> Vec<u8> {
    elf::build(&ElfSpec {
        text: 4_600_000,
        interp: Some(if musl {
            "/lib/ld-musl-x86_64.so.1".into()
        } else {
            "/lib64/ld-linux-x86-64.so.2".into()
        }),
        needed: vec![
            "libstdc++.so.6".into(),
            "libgcc_s.so.1".into(),
            if musl {
                "libc.musl-x86_64.so.1".into()
            } else {
                "libc.so.6".into()
            },
        ],
        seed: 18,
        ..ElfSpec::default()
    })
}

/// The app's dependencies, the same on both bases: (package, version, code bytes).
const MODULES: [(&str, &str, usize); 4] = [
    ("express", "4.19.2", 220_000),
    ("body-parser", "1.20.2", 60_000),
    ("lodash", "4.17.21", 540_000),
    ("moment", "2.30.1", 900_000),
];

fn node_app(l: LayerBuilder) -> LayerBuilder {
    let mut l = l
        .file(
            "app/package.json",
            br#"{"name":"web","version":"1.0.0","main":"server.js"}"#,
        )
        .file("app/server.js", &filler(61, 3_000));
    for (i, (name, version, size)) in MODULES.iter().enumerate() {
        let dir = format!("app/node_modules/{name}");
        let manifest = format!(r#"{{"name":"{name}","version":"{version}"}}"#);
        l = l
            .file(&format!("{dir}/package.json"), manifest.as_bytes())
            .file(&format!("{dir}/index.js"), &filler(70 + i as u64, *size))
            .file(&format!("{dir}/README.md"), &filler(80 + i as u64, 12_000));
    }
    l
}

/// Node and npm under /usr/local, as the official images install them.
fn node_runtime(l: LayerBuilder, musl: bool) -> LayerBuilder {
    l.file_with("usr/local/bin/node", &node_binary(musl), 0o755, 0, 0)
        .file(
            "usr/local/lib/node_modules/npm/package.json",
            br#"{"name":"npm","version":"10.8.2"}"#,
        )
        .file(
            "usr/local/lib/node_modules/npm/lib/npm.js",
            &filler(62, 1_900_000),
        )
        .file("usr/local/include/node/v8.h", &filler(63, 400_000))
}

fn node_run() -> RunConfig {
    RunConfig {
        cmd: vec!["node".into(), "server.js".into()],
        working_dir: "/app".into(),
        exposed_ports: vec!["3000/tcp".into()],
        ..RunConfig::default()
    }
}

/// Node on a Debian-like base with build tools, as the full official image ships.
pub fn node_debian() -> ImageBuilder {
    let base = base_packages();
    let extra = vec![
        Pkg {
            name: "libstdc++6",
            version: "12.2.0-14",
            multiarch: true,
            files: vec![("usr/lib/x86_64-linux-gnu/libstdc++.so.6", 2_400_000)],
        },
        Pkg {
            name: "python3.11-minimal",
            version: "3.11.2-6",
            multiarch: false,
            files: vec![("usr/bin/python3.11", 6_800_000)],
        },
        Pkg {
            name: "git",
            version: "1:2.39.2-1.1",
            multiarch: false,
            files: vec![("usr/bin/git", 3_900_000)],
        },
    ];
    let all: Vec<&Pkg> = base.iter().chain(&extra).collect();
    let l1 = with_packages(
        LayerBuilder::new(
            "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends git python3 libstdc++6 && rm -rf /var/lib/apt/lists/*",
        ),
        &extra.iter().collect::<Vec<_>>(),
        700,
    )
    .file("var/lib/dpkg/status", &status(&all));
    let l2 = node_runtime(
        LayerBuilder::new(
            "RUN /bin/sh -c set -ex && curl -fsSLO https://nodejs.org/dist/v20.17.0/node-v20.17.0-linux-x64.tar.xz && tar -xJf node-v20.17.0-linux-x64.tar.xz -C /usr/local --strip-components=1",
        ),
        false,
    );
    let l3 = node_app(LayerBuilder::new("COPY . /app # buildkit"));
    let mut img = ImageBuilder::new("tour/node:20")
        .layer(super::images::debian_base(100))
        .layer(l1)
        .layer(l2)
        .layer(l3);
    img.run = node_run();
    img
}

/// Node on the Alpine-like base: musl, and libstdc++ from apk.
pub fn node_alpine() -> ImageBuilder {
    let extra = vec![
        Apk {
            name: "libstdc++",
            version: "13.2.1_git20240309-r0",
            files: vec![("usr/lib", "libstdc++.so.6.0.32", 2_300_000)],
        },
        Apk {
            name: "libgcc",
            version: "13.2.1_git20240309-r0",
            files: vec![("usr/lib", "libgcc_s.so.1", 90_000)],
        },
    ];
    let l0 = alpine_base(extra).symlink("usr/lib/libstdc++.so.6", "libstdc++.so.6.0.32");
    let l1 = node_runtime(
        LayerBuilder::new("RUN /bin/sh -c apk add --no-cache nodejs-current npm # buildkit"),
        true,
    );
    let l2 = node_app(LayerBuilder::new("COPY . /app # buildkit"));
    let mut img = ImageBuilder::new("tour/node:20-alpine")
        .layer(l0)
        .layer(l1)
        .layer(l2);
    img.run = node_run();
    img
}
