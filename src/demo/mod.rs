//! The built-in demo images, generated in code: no network, no Docker. "fat" is what a
//! careless Dockerfile produces (a Debian-style base, apt lists and .deb caches left behind,
//! a Go toolchain, an unstripped cgo server, a build dir deleted one layer too late, a chmod
//! copy); "micro" is the same server built static and stripped, alone on scratch.

pub mod builder;
pub mod elf;
pub mod tour;
pub mod zip;

use crate::image::RunConfig;
use crate::source::docker_archive::DockerArchive;
use crate::source::memory::MemoryStore;
use crate::source::{ImageSource, SourceError, SourceOptions};
use builder::{ImageBuilder, LayerBuilder};
use elf::{ElfSpec, filler};

pub const NAMES: [&str; 2] = ["fat", "micro"];

/// Opens a demo image as a source, like any archive.
pub fn source(name: &str) -> Result<Box<dyn ImageSource>, SourceError> {
    let image = match name {
        "fat" => fat(),
        "micro" => micro(),
        other => {
            return Err(SourceError::ImageNotFound(format!(
                "demo:{other}: no such demo image (there are: {})",
                NAMES.join(", ")
            )));
        }
    };
    source_of(&format!("demo:{name}"), image)
}

/// A generated image as a source named `display`.
pub(crate) fn source_of(
    display: &str,
    image: ImageBuilder,
) -> Result<Box<dyn ImageSource>, SourceError> {
    let display = display.to_string();
    let store = MemoryStore::new(&display, image.docker_archive())?;
    Ok(Box::new(DockerArchive::from_store(
        Box::new(store),
        None,
        &SourceOptions::default(),
        &display,
    )?))
}

const GO_NAMES: [&str; 3] = [
    "crypto/x509.loadSystemRoots",
    "net/http.(*Server).Serve",
    "time.loadLocation",
];

pub(crate) fn server(debug: bool) -> Vec<u8> {
    let modinfo = if debug {
        "path\texample.com/server\nmod\texample.com/server\t(devel)\t\nbuild\tCGO_ENABLED=1\n"
    } else {
        "path\texample.com/server\nmod\texample.com/server\t(devel)\t\nbuild\t-ldflags=\"-s -w\"\nbuild\tCGO_ENABLED=0\n"
    };
    let mut names = GO_NAMES.to_vec();
    if debug {
        names.push("net._C2func_getaddrinfo");
        names.push("runtime/cgo.init");
    }
    elf::build(&ElfSpec {
        text: 1_400_000,
        gopclntab: 420_000,
        gopclntab_names: names,
        go: Some(("go1.22.5".into(), modinfo.into())),
        interp: debug.then(|| "/lib64/ld-linux-x86-64.so.2".into()),
        needed: if debug {
            vec!["libc.so.6".into()]
        } else {
            vec![]
        },
        debug_info: if debug { 950_000 } else { 0 },
        symtab_entries: if debug { 10_000 } else { 0 },
        strtab: if debug { 180_000 } else { 0 },
        seed: 42,
        dep_v0: None,
    })
}

pub(crate) struct Pkg {
    pub(crate) name: &'static str,
    pub(crate) version: &'static str,
    pub(crate) multiarch: bool,
    pub(crate) files: Vec<(&'static str, usize)>,
}

pub(crate) fn status(pkgs: &[&Pkg]) -> Vec<u8> {
    let mut s = String::new();
    for p in pkgs {
        let kib: usize = p.files.iter().map(|(_, n)| n.div_ceil(1024)).sum();
        s.push_str(&format!(
            "Package: {}\nStatus: install ok installed\nPriority: optional\nInstalled-Size: {kib}\nArchitecture: amd64\n{}Version: {}\nDescription: {} (demo)\n\n",
            p.name,
            if p.multiarch { "Multi-Arch: same\n" } else { "" },
            p.version,
            p.name
        ));
    }
    s.into_bytes()
}

pub(crate) fn with_packages(mut layer: LayerBuilder, pkgs: &[&Pkg], seed: u64) -> LayerBuilder {
    for (i, p) in pkgs.iter().enumerate() {
        let mut list = String::new();
        for (path, size) in &p.files {
            layer = layer.file(path, &filler(seed + i as u64 * 31 + *size as u64, *size));
            // dpkg lists name paths as installed: `/bin/...` under merged /usr.
            list.push_str(&format!("/{}\n", path.replacen("usr/bin/", "bin/", 1)));
        }
        let list_name = if p.multiarch {
            format!("var/lib/dpkg/info/{}:amd64.list", p.name)
        } else {
            format!("var/lib/dpkg/info/{}.list", p.name)
        };
        layer = layer.file(&list_name, list.as_bytes());
    }
    layer
}

pub(crate) fn base_packages() -> Vec<Pkg> {
    vec![
        Pkg {
            name: "libc6",
            version: "2.36-9+deb12u7",
            multiarch: true,
            files: vec![
                ("usr/lib/x86_64-linux-gnu/libc.so.6", 1_922_136),
                ("usr/lib64/ld-linux-x86-64.so.2", 210_968),
                ("usr/share/doc/libc6/changelog.Debian.gz", 28_000),
                ("usr/share/locale/de/LC_MESSAGES/libc.mo", 140_000),
            ],
        },
        Pkg {
            name: "coreutils",
            version: "9.1-1",
            multiarch: false,
            files: vec![
                ("usr/bin/ls", 151_344),
                ("usr/bin/cat", 44_016),
                ("usr/share/man/man1/ls.1.gz", 3_400),
                ("usr/share/doc/coreutils/changelog.gz", 40_000),
            ],
        },
        Pkg {
            name: "bash",
            version: "5.2.15-2+b7",
            multiarch: false,
            files: vec![
                ("usr/bin/bash", 1_265_648),
                ("usr/share/doc/bash/README", 3_000),
                ("usr/share/man/man1/bash.1.gz", 96_000),
            ],
        },
        Pkg {
            name: "ca-certificates",
            version: "20230311",
            multiarch: false,
            files: vec![("etc/ssl/certs/ca-certificates.crt", 219_597)],
        },
    ]
}

fn build_packages() -> Vec<Pkg> {
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
            name: "golang-1.19-go",
            version: "1.19.8-2",
            multiarch: false,
            files: vec![
                ("usr/lib/go-1.19/bin/go", 2_900_000),
                ("usr/lib/go-1.19/pkg/tool/linux_amd64/compile", 2_600_000),
                ("usr/lib/go-1.19/src/net/http/server.go", 110_000),
            ],
        },
    ]
}

/// The careless image.
pub fn fat() -> ImageBuilder {
    let base = base_packages();
    let build = build_packages();
    let base_refs: Vec<&Pkg> = base.iter().collect();
    let build_refs: Vec<&Pkg> = build.iter().collect();
    let all_refs: Vec<&Pkg> = base.iter().chain(&build).collect();
    let [l2, l3, l4] = fat_server_layers(&server(true));
    let mut img = ImageBuilder::new("demo/fat:latest")
        .layer(fat_base_layer(&base_refs))
        .layer(fat_toolchain_layer(&build_refs, &all_refs))
        .layer(l2)
        .layer(l3)
        .layer(l4);
    img.run = RunConfig {
        entrypoint: vec!["/usr/local/bin/server".into()],
        env: vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()],
        working_dir: "/src".into(),
        exposed_ports: vec!["8080/tcp".into()],
        ..RunConfig::default()
    };
    img
}

/// Debian with the base packages, a dpkg log left behind.
fn fat_base_layer(base: &[&Pkg]) -> LayerBuilder {
    let l0 = LayerBuilder::new("/bin/sh -c #(nop) ADD file:3a1b2c4d5e6f in / ")
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
        .file("var/log/dpkg.log", &filler(5, 60_000));
    with_packages(l0, base, 100).file("var/lib/dpkg/status", &status(base))
}

/// apt-get install of the toolchain, its lists and .deb cache left in the layer.
fn fat_toolchain_layer(build: &[&Pkg], all: &[&Pkg]) -> LayerBuilder {
    let l1 = LayerBuilder::new(
        "RUN /bin/sh -c apt-get update && apt-get install -y gcc-12 golang-1.19-go # buildkit",
    )
    .file(
        "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4",
        &filler(7, 2_600_000),
    )
    .file(
        "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease",
        &filler(8, 150_000),
    )
    .file("var/cache/apt/pkgcache.bin", &filler(9, 1_300_000))
    .file("var/cache/apt/srcpkgcache.bin", &filler(10, 1_250_000))
    .file(
        "var/cache/apt/archives/gcc-12_12.2.0-14_amd64.deb",
        &filler(11, 1_900_000),
    )
    .file(
        "var/cache/apt/archives/golang-1.19-go_1.19.8-2_amd64.deb",
        &filler(12, 2_400_000),
    );
    with_packages(l1, build, 200).file("var/lib/dpkg/status", &status(all))
}

/// The server built in /tmp/build and copied out, the build deleted a layer later (too
/// late), then a chmod that stores the binary again.
fn fat_server_layers(server: &[u8]) -> [LayerBuilder; 3] {
    let l2 = LayerBuilder::new(
        "RUN /bin/sh -c mkdir -p /tmp/build && cd /src && go build -o /tmp/build/server . && cp /tmp/build/server /usr/local/bin/server # buildkit",
    )
    .file("src/main.go", &filler(13, 4_200))
    .file("src/go.mod", b"module example.com/server\n\ngo 1.22\n")
    .file("tmp/build/server", server)
    .file("tmp/build/_obj/main.a", &filler(14, 700_000))
    .file("root/.cache/go-build/3f/3f9a1c-d", &filler(15, 820_000))
    .file_with("usr/local/bin/server", server, 0o775, 0, 0);

    let l3 = LayerBuilder::new(
        "RUN /bin/sh -c rm -rf /tmp/build /var/cache/apt/archives/*.deb # buildkit",
    )
    .whiteout("tmp/build")
    .whiteout("var/cache/apt/archives/gcc-12_12.2.0-14_amd64.deb")
    .whiteout("var/cache/apt/archives/golang-1.19-go_1.19.8-2_amd64.deb");

    let l4 = LayerBuilder::new("RUN /bin/sh -c chmod 755 /usr/local/bin/server # buildkit")
        .file_with("usr/local/bin/server", server, 0o755, 0, 0);

    [l2, l3, l4]
}

/// The same server, static and stripped, on scratch with the CA bundle.
pub fn micro() -> ImageBuilder {
    let l0 =
        LayerBuilder::new("COPY /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ # buildkit")
            .file(
                "etc/ssl/certs/ca-certificates.crt",
                &filler(100 + 219_597, 219_597),
            );
    let l1 = LayerBuilder::new("COPY /src/server /server # buildkit").file_with(
        "server",
        &server(false),
        0o755,
        0,
        0,
    );
    let mut img = ImageBuilder::new("demo/micro:latest").layer(l0).layer(l1);
    img.run = RunConfig {
        entrypoint: vec!["/server".into()],
        exposed_ports: vec!["8080/tcp".into()],
        user: "65534".into(),
        ..RunConfig::default()
    };
    img
}
