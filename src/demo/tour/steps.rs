//! The steps: main road first (golang → scratch → -s -w → UPX), then the side roads.
//! Lesson texts are templates: every number is a `{placeholder}` filled from the analysis.

use super::{Road, Step, bases, images};
use images::GoBuild;

pub static STEPS: [Step; 12] = [
    Step {
        id: "golang",
        title: "a Go service on the full golang image",
        road: Road::Main,
        before: None,
        dockerfile: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n",
        lesson: "The service is built and run on the image that built it: a Debian base, gcc and \
the C headers, the whole Go toolchain and its build cache ship to production beside \
the program. This miniature weighs {size}; microscope finds {this.toolchain} of build \
toolchain, and its rewrite onto scratch predicts {this.rewrite}. The trap: every byte here is \
pulled, stored and scanned for CVEs on every node.",
        real_world: Some((968_212_150, "the real golang-based image")),
        promise: None,
        build: images::golang,
    },
    Step {
        id: "scratch",
        title: "multi-stage onto scratch, tini as PID 1",
        road: Road::Main,
        before: Some(0),
        dockerfile: "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/server .\n\nFROM scratch\nCOPY --from=build /tini /tini\nCOPY --from=build /out/server /server\nUSER 65534\nENTRYPOINT [\"/tini\", \"--\", \"/server\"]\n",
        lesson: "A second FROM starts an empty image; only the COPY --from lines reach it. The \
toolchain, the base and the caches stay in the build stage: {change}, down to {size}. tini \
runs as PID 1 so signals reach the server and zombies are reaped. The cost: \
scratch has no shell to `docker exec` into, no CA roots and no zoneinfo (a side road below). \
The binary still carries its symbol table and DWARF: microscope says {this.debug-symbols} of \
debug symbols.",
        real_world: Some((8_799_493, "the real multi-stage image on scratch")),
        promise: None,
        build: scratch_static,
    },
    Step {
        id: "stripped",
        title: "-ldflags=\"-s -w\": no symbol table, no DWARF",
        road: Road::Main,
        before: Some(1),
        dockerfile: "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -ldflags=\"-s -w\" -o /out/server .\n\nFROM scratch\nCOPY --from=build /tini /tini\nCOPY --from=build /out/server /server\nUSER 65534\nENTRYPOINT [\"/tini\", \"--\", \"/server\"]\n",
        lesson: "`-s` drops the symbol table, `-w` the DWARF debug data; a Go binary keeps its own \
pclntab, so panics still print function names and line numbers. The step before promised \
{promise} (its debug-symbols finding); this step saves {saved} ({saved_pct}), down to {size}, \
{of_start} of the start. The cost: no debugger or profiler symbols from the shipped binary - \
keep the unstripped build as an artefact.",
        real_world: Some((6_559_840, "the real stripped image")),
        promise: Some("debug-symbols"),
        build: scratch_stripped,
    },
    Step {
        id: "upx",
        title: "UPX on the binary",
        road: Road::Main,
        before: Some(2),
        dockerfile: "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -ldflags=\"-s -w\" -o /out/server . \\\n && apt-get update && apt-get install -y upx-ucl && upx --best --lzma /out/server\n\nFROM scratch\nCOPY --from=build /tini /tini\nCOPY --from=build /out/server /server\nUSER 65534\nENTRYPOINT [\"/tini\", \"--\", \"/server\"]\n",
        lesson: "UPX compresses the executable and prepends an unpacker. The step before promised \
{promise} on disk (its uncompressed-binary finding); this step saves {saved}, down to {size}, \
{of_start} of the start. The miniature's packed file is sized with the ratio UPX's LZMA reached \
on a real Go binary of about 22 MiB. The trap: layers already travel gzip-compressed, so the pull shrinks \
far less (the finding estimates {prev.pull.uncompressed-binary}); every start unpacks the whole program (slower start-up, more memory) and its pages \
are no longer shared between processes; some scanners cannot see inside.",
        real_world: Some((2_567_632, "the real UPX image (0.27 % of the start)")),
        promise: Some("uncompressed-binary"),
        build: scratch_upx,
    },
    Step {
        id: "cgo",
        title: "side road: CGO_ENABLED=0, or the binary needs a C library",
        road: Road::Side,
        before: Some(2),
        dockerfile: "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\n# cgo is on by default where gcc is found: net and os/user link against libc\nRUN go build -ldflags=\"-s -w\" -o /out/server .\n\nFROM scratch\nCOPY --from=build /tini /tini\nCOPY --from=build /out/server /server\nUSER 65534\nENTRYPOINT [\"/tini\", \"--\", \"/server\"]\n",
        lesson: "Built without CGO_ENABLED=0 on an image with gcc, the net package links against \
glibc: the binary names /lib64/ld-linux-x86-64.so.2 as its interpreter and needs libc.so.6. \
scratch has neither, so the container fails with a baffling `exec /server: no such file or \
directory`. Size is not the lesson here ({change}); linkage is. microscope reads the \
program as a {this.program}.",
        real_world: None,
        promise: None,
        build: scratch_cgo,
    },
    Step {
        id: "certs",
        title: "side road: the CA bundle and zoneinfo scratch lacks",
        road: Road::Side,
        before: Some(2),
        dockerfile: "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -ldflags=\"-s -w\" -o /out/server .\n\nFROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo\nCOPY --from=build /tini /tini\nCOPY --from=build /out/server /server\nUSER 65534\nENTRYPOINT [\"/tini\", \"--\", \"/server\"]\n",
        lesson: "On scratch an HTTPS call fails with `x509: certificate signed by unknown \
authority` (no CA roots), and time.LoadLocation fails (no zoneinfo). Both are copied from the \
build stage: {change}, to {size}. A cheap fix for a real trap; or embed them with \
`import _ \"time/tzdata\"` and the x509roots/fallback package.",
        real_world: None,
        promise: None,
        build: scratch_extras,
    },
    Step {
        id: "debian",
        title: "side road: a base with a shell, Debian-like",
        road: Road::Side,
        before: Some(5),
        dockerfile: "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -ldflags=\"-s -w\" -o /out/server .\n\nFROM debian:bookworm-slim\nCOPY --from=build /out/server /usr/local/bin/server\nENTRYPOINT [\"/usr/local/bin/server\"]\n",
        lesson: "When you need a shell, a package manager or a C library, you need a base. A \
Debian-like base brings bash, coreutils, glibc, apt and dpkg: against scratch with the CA \
bundle this {change}, to {size}. Its docs and man pages alone are {this.docs}.",
        real_world: Some((188_000_000, "the real Ubuntu base image")),
        promise: None,
        build: images::debian_shell,
    },
    Step {
        id: "alpine",
        title: "side road: the same on an Alpine-like base",
        road: Road::Side,
        before: Some(6),
        dockerfile: "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -ldflags=\"-s -w\" -o /out/server .\n\nFROM alpine:3.20\nRUN apk add --no-cache ca-certificates\nCOPY --from=build /out/server /usr/local/bin/server\nENTRYPOINT [\"/usr/local/bin/server\"]\n",
        lesson: "Alpine is musl and busybox: one binary for the shell and the tools, and \
`apk --no-cache` leaves no index behind. Against the Debian-like base this {change}, to \
{size}. The trap: musl is not glibc - a binary built against glibc (cgo) does not run here, \
and DNS and locale behave differently.",
        real_world: Some((5_000_000, "the real Alpine base image")),
        promise: None,
        build: bases::alpine_shell,
    },
    Step {
        id: "node",
        title: "side road: a Node app on a Debian-like base",
        road: Road::Side,
        before: None,
        dockerfile: "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nCMD [\"node\", \"server.js\"]\n",
        lesson: "Not only Go: a Node runtime and a node_modules tree on the full official image, \
a Debian base with python, git and compilers for native modules. This miniature weighs \
{size}; microscope finds {this.docs} of docs and {this.static-libs-headers} of headers.",
        real_world: Some((644_000_000, "the real official node image")),
        promise: None,
        build: bases::node_debian,
    },
    Step {
        id: "node-alpine",
        title: "side road: the same Node app on an Alpine-like base",
        road: Road::Side,
        before: Some(8),
        dockerfile: "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nCMD [\"node\", \"server.js\"]\n",
        lesson: "The same node_modules tree on musl with libstdc++ from apk: {change}, to {size}. \
The trap: native modules (node-gyp) must be built for musl, and prebuilt binaries for glibc \
will not load.",
        real_world: Some((29_000_000, "the real node:alpine image")),
        promise: None,
        build: bases::node_alpine,
    },
    Step {
        id: "deleted-later",
        title: "side road: deleting files in a later layer saves nothing",
        road: Road::Side,
        before: Some(0),
        dockerfile: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\nRUN rm -rf /usr/local/go /root/.cache/go-build\nCMD [\"/app/server\"]\n",
        lesson: "A later `RUN rm -rf` hides the toolchain from the final filesystem, but layers \
only add: the bytes stay in the layer that wrote them and are pulled all the same. Against step \
1 this {change}; the image is {size}. microscope's deleted-later finding names {this.deleted-later} \
that a single RUN would never have written.",
        real_world: None,
        promise: None,
        build: images::deleted_later,
    },
    Step {
        id: "same-layer",
        title: "side road: fetch, build and delete in one RUN",
        road: Road::Side,
        before: Some(10),
        dockerfile: "FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY . .\nRUN curl -fsSL https://go.dev/dl/go1.22.5.linux-amd64.tar.gz | tar -xz -C /usr/local \\\n && go build -o /app/server . && rm -rf /usr/local/go /root/.cache/go-build\nCMD [\"/app/server\"]\n",
        lesson: "Deleting in the same RUN that created the files keeps them out of every layer. \
The step before promised {promise} (its deleted-later finding); this step saves {saved}, down \
to {size}. Still, a multi-stage build (step 2) is simpler and smaller.",
        real_world: None,
        promise: Some("deleted-later"),
        build: images::same_layer,
    },
];

fn scratch_static() -> crate::demo::builder::ImageBuilder {
    images::on_scratch("tour/scratch:1", images::go_server(GoBuild::STATIC), false)
}

fn scratch_stripped() -> crate::demo::builder::ImageBuilder {
    images::on_scratch(
        "tour/stripped:1",
        images::go_server(GoBuild::STRIPPED),
        false,
    )
}

fn scratch_upx() -> crate::demo::builder::ImageBuilder {
    let packed = images::upx_packed(&images::go_server(GoBuild::STRIPPED));
    images::on_scratch("tour/upx:1", packed, false)
}

fn scratch_cgo() -> crate::demo::builder::ImageBuilder {
    images::on_scratch(
        "tour/cgo:1",
        images::go_server(GoBuild {
            cgo: true,
            debug: false,
        }),
        false,
    )
}

fn scratch_extras() -> crate::demo::builder::ImageBuilder {
    images::on_scratch(
        "tour/scratch-certs:1",
        images::go_server(GoBuild::STRIPPED),
        true,
    )
}
