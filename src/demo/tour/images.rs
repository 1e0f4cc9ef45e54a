//! The tour's images, miniatures of the classic lesson's road: real ELF files (their
//! symbols, DWARF, linkage and UPX headers are what microscope measures), real dpkg and apk
//! databases, real layers and whiteouts. File contents are filler of a chosen size.

use crate::demo::builder::{ImageBuilder, LayerBuilder};
use crate::demo::elf::{self, ElfSpec, filler};
use crate::demo::{Pkg, base_packages, status, with_packages};
use crate::image::RunConfig;

const GO_NAMES: [&str; 3] = [
    "crypto/x509.loadSystemRoots",
    "net/http.(*Server).Serve",
    "time.loadLocation",
];

/// How the Go service was built.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct GoBuild {
    /// cgo on (the default where gcc is found): dynamic, against glibc.
    pub cgo: bool,
    /// Symbol table and DWARF kept (no `-ldflags="-s -w"`).
    pub debug: bool,
}

impl GoBuild {
    /// `go build` on the golang image.
    pub const PLAIN: GoBuild = GoBuild {
        cgo: true,
        debug: true,
    };
    /// `CGO_ENABLED=0 go build`.
    pub const STATIC: GoBuild = GoBuild {
        cgo: false,
        debug: true,
    };
    /// `CGO_ENABLED=0 go build -ldflags="-s -w"`.
    pub const STRIPPED: GoBuild = GoBuild {
        cgo: false,
        debug: false,
    };
}

pub fn go_server(build: GoBuild) -> Vec<u8> {
    let GoBuild { cgo, debug } = build;
    let mut modinfo =
        String::from("path\texample.com/server\nmod\texample.com/server\t(devel)\t\n");
    if !debug {
        modinfo.push_str("build\t-ldflags=\"-s -w\"\n");
    }
    modinfo.push_str(if cgo {
        "build\tCGO_ENABLED=1\n"
    } else {
        "build\tCGO_ENABLED=0\n"
    });
    let mut names = GO_NAMES.to_vec();
    if cgo {
        names.extend(["net._C2func_getaddrinfo", "runtime/cgo.init"]);
    }
    elf::build(&ElfSpec {
        text: 1_900_000,
        gopclntab: 560_000,
        gopclntab_names: names,
        go: Some(("go1.22.5".into(), modinfo)),
        interp: cgo.then(|| "/lib64/ld-linux-x86-64.so.2".into()),
        needed: if cgo {
            vec!["libc.so.6".into()]
        } else {
            vec![]
        },
        debug_info: if debug { 1_250_000 } else { 0 },
        symtab_entries: if debug { 14_000 } else { 0 },
        strtab: if debug { 240_000 } else { 0 },
        seed: 22,
        dep_v0: None,
    })
}

/// tini, the static init that reaps zombies and forwards signals (PID 1 on scratch).
fn tini() -> Vec<u8> {
    elf::build(&ElfSpec {
        text: 22_000,
        seed: 7,
        ..ElfSpec::default()
    })
}

/// The ratio UPX's LZMA reaches against zstd -1 on a real Go binary (DOMAIN.md §4: xz-9e
/// 26 %, zstd-1 38 % of a Go binary of about 22 MiB); the miniature's packed file is sized with it,
/// since filler does not compress like code.
const UPX_OF_ZSTD1: (u64, u64) = (26, 38);

/// A UPX-packed executable: ELF header, one PT_LOAD, UPX's `l_info`/`p_info` naming the
/// original size, then the packed payload (filler of the size UPX would reach).
pub fn upx_packed(original: &[u8]) -> Vec<u8> {
    let zstd1 = zstd::encode_all(original, 1).map_or(original.len(), |z| z.len()) as u64;
    let target = (zstd1 * UPX_OF_ZSTD1.0 / UPX_OF_ZSTD1.1) as usize;
    let mut out = Vec::with_capacity(target.max(256));
    out.extend_from_slice(b"\x7fELF\x02\x01\x01\x00");
    out.extend_from_slice(&[0u8; 8]);
    out.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    out.extend_from_slice(&62u16.to_le_bytes()); // EM_X86_64
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&0x400078u64.to_le_bytes()); // entry
    out.extend_from_slice(&64u64.to_le_bytes()); // phoff
    out.extend_from_slice(&0u64.to_le_bytes()); // shoff: UPX drops section headers
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&64u16.to_le_bytes());
    out.extend_from_slice(&56u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // phnum
    out.extend_from_slice(&64u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    let len = target.max(256) as u64;
    out.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
    out.extend_from_slice(&5u32.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes());
    out.extend_from_slice(&0x400000u64.to_le_bytes());
    out.extend_from_slice(&0x400000u64.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(original.len() as u64).to_le_bytes());
    out.extend_from_slice(&0x1000u64.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // l_checksum
    out.extend_from_slice(b"UPX!");
    out.extend_from_slice(&[0, 0, 13, 22]); // l_lsize, l_version, l_format
    out.extend_from_slice(&0u32.to_le_bytes()); // p_progid
    let original_len = u32::try_from(original.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&original_len.to_le_bytes()); // p_filesize
    out.extend_from_slice(&original_len.to_le_bytes()); // p_blocksize
    let rest = (len as usize).saturating_sub(out.len());
    out.extend(filler(99, rest));
    out
}

/// A Debian-like base: merged /usr, bash, coreutils, glibc, apt and dpkg, a dpkg database.
pub(super) fn debian_base(seed: u64) -> LayerBuilder {
    let base = base_packages();
    let refs: Vec<&Pkg> = base.iter().collect();
    let l = LayerBuilder::new("/bin/sh -c #(nop) ADD file:3a1b2c4d5e6f in / ")
        .dir("usr")
        .dir("usr/bin")
        .dir("usr/lib")
        .symlink("bin", "usr/bin")
        .symlink("lib", "usr/lib")
        .symlink("lib64", "usr/lib64")
        .symlink("usr/bin/sh", "bash")
        .file("etc/passwd", b"root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
        .file("etc/group", b"root:x:0:\nnogroup:x:65534:\n")
        .file("etc/os-release", b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n")
        .file("usr/bin/apt-get", &filler(seed + 1, 1_800_000))
        .file("usr/bin/dpkg", &filler(seed + 2, 320_000))
        .file("usr/share/zoneinfo/Europe/Berlin", &filler(seed + 3, 2_298))
        .file("usr/share/zoneinfo/zone1970.tab", &filler(seed + 4, 18_000))
        .file("var/log/dpkg.log", &filler(seed + 5, 60_000));
    with_packages(l, &refs, seed + 100).file("var/lib/dpkg/status", &status(&refs))
}

fn dev_packages() -> Vec<Pkg> {
    vec![
        Pkg {
            name: "gcc-12",
            version: "12.2.0-14",
            multiarch: false,
            files: vec![
                ("usr/bin/x86_64-linux-gnu-gcc-12", 1_055_000),
                ("usr/lib/gcc/x86_64-linux-gnu/12/cc1", 3_900_000),
            ],
        },
        Pkg {
            name: "libc6-dev",
            version: "2.36-9+deb12u7",
            multiarch: true,
            files: vec![
                ("usr/lib/x86_64-linux-gnu/libc.a", 1_200_000),
                ("usr/include/stdio.h", 30_000),
            ],
        },
    ]
}

fn go_toolchain(l: LayerBuilder) -> LayerBuilder {
    l.file("usr/local/go/bin/go", &filler(31, 3_100_000))
        .file("usr/local/go/bin/gofmt", &filler(32, 900_000))
        .file(
            "usr/local/go/pkg/tool/linux_amd64/compile",
            &filler(33, 2_700_000),
        )
        .file(
            "usr/local/go/pkg/tool/linux_amd64/link",
            &filler(34, 1_300_000),
        )
        .file("usr/local/go/src/net/http/server.go", &filler(35, 110_000))
        .file("usr/local/go/src/runtime/proc.go", &filler(36, 200_000))
}

fn golang_layers(delete_later: bool) -> Vec<LayerBuilder> {
    let base = base_packages();
    let dev = dev_packages();
    let all: Vec<&Pkg> = base.iter().chain(&dev).collect();
    let l1 = LayerBuilder::new(
        "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*",
    );
    let l1 = with_packages(l1, &dev.iter().collect::<Vec<_>>(), 300)
        .file("var/lib/dpkg/status", &status(&all));
    let l2 = go_toolchain(LayerBuilder::new(
        "/bin/sh -c #(nop) ADD go1.22.5.linux-amd64.tar.gz /usr/local/",
    ));
    let l3 = LayerBuilder::new("RUN /bin/sh -c go build -o /app/server . # buildkit")
        .file("app/main.go", &filler(13, 4_200))
        .file("app/go.mod", b"module example.com/server\n\ngo 1.22\n")
        .file("root/.cache/go-build/3f/3f9a1c-d", &filler(15, 1_400_000))
        .file_with("app/server", &go_server(GoBuild::PLAIN), 0o755, 0, 0);
    let mut layers = vec![debian_base(100), l1, l2, l3];
    if delete_later {
        layers.push(
            LayerBuilder::new(
                "RUN /bin/sh -c rm -rf /usr/local/go /root/.cache/go-build # buildkit",
            )
            .whiteout("usr/local/go")
            .whiteout("root/.cache/go-build"),
        );
    }
    layers
}

fn image(tag: &str, layers: Vec<LayerBuilder>, run: RunConfig) -> ImageBuilder {
    let mut img = layers
        .into_iter()
        .fold(ImageBuilder::new(tag), |img, l| img.layer(l));
    img.run = run;
    img
}

fn go_run(entrypoint: &[&str], workdir: &str) -> RunConfig {
    RunConfig {
        entrypoint: entrypoint.iter().map(|s| s.to_string()).collect(),
        working_dir: workdir.into(),
        exposed_ports: vec!["8080/tcp".into()],
        ..RunConfig::default()
    }
}

/// Step 1: the service built and run on the full toolchain image.
pub fn golang() -> ImageBuilder {
    image(
        "tour/golang:1",
        golang_layers(false),
        go_run(&["/app/server"], "/app"),
    )
}

/// The toolchain removed in a later layer: still shipped.
pub fn deleted_later() -> ImageBuilder {
    image(
        "tour/deleted-later:1",
        golang_layers(true),
        go_run(&["/app/server"], "/app"),
    )
}

/// Fetch, build and delete in one RUN: the toolchain never reaches a layer.
pub fn same_layer() -> ImageBuilder {
    let mut layers = golang_layers(false);
    layers.truncate(2);
    layers.push(
        LayerBuilder::new(
            "RUN /bin/sh -c curl -fsSL https://go.dev/dl/go1.22.5.linux-amd64.tar.gz | tar -xz -C /usr/local && go build -o /app/server . && rm -rf /usr/local/go /root/.cache/go-build # buildkit",
        )
        .file("app/main.go", &filler(13, 4_200))
        .file("app/go.mod", b"module example.com/server\n\ngo 1.22\n")
        .file_with("app/server", &go_server(GoBuild::PLAIN), 0o755, 0, 0),
    );
    image(
        "tour/same-layer:1",
        layers,
        go_run(&["/app/server"], "/app"),
    )
}

/// scratch + tini + the server, built as `build` says.
pub fn on_scratch(tag: &str, server: Vec<u8>, extras: bool) -> ImageBuilder {
    let mut layers = vec![LayerBuilder::new("COPY /tini /tini # buildkit").file_with(
        "tini",
        &tini(),
        0o755,
        0,
        0,
    )];
    if extras {
        layers.push(
            LayerBuilder::new("COPY /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ # buildkit")
                .file(
                    "etc/ssl/certs/ca-certificates.crt",
                    &filler(100 + 219_597, 219_597),
                ),
        );
        layers.push(
            LayerBuilder::new("COPY /usr/share/zoneinfo /usr/share/zoneinfo # buildkit")
                .file("usr/share/zoneinfo/Europe/Berlin", &filler(103, 2_298))
                .file("usr/share/zoneinfo/America/New_York", &filler(104, 3_552))
                .file("usr/share/zoneinfo/zone1970.tab", &filler(105, 18_000))
                .file("usr/share/zoneinfo/UTC", &filler(106, 114)),
        );
    }
    layers.push(
        LayerBuilder::new("COPY /src/server /server # buildkit")
            .file_with("server", &server, 0o755, 0, 0),
    );
    let mut run = go_run(&["/tini", "--", "/server"], "");
    run.user = "65534".into();
    image(tag, layers, run)
}

/// The stripped static server on a Debian-like base, with a shell.
pub fn debian_shell() -> ImageBuilder {
    let l1 = LayerBuilder::new("COPY /src/server /usr/local/bin/server # buildkit").file_with(
        "usr/local/bin/server",
        &go_server(GoBuild::STRIPPED),
        0o755,
        0,
        0,
    );
    image(
        "tour/debian-shell:1",
        vec![debian_base(100), l1],
        go_run(&["/usr/local/bin/server"], ""),
    )
}
