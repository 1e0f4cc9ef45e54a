//! One test per kind of finding, on images built in memory, with exact expected bytes.

use crate::support::elf;

use elf::*;
use microscope::analysis::findings::{
    Finding, FindingsInput, FindingsReport, PackageRef, PackageView, Severity, classify, find,
};
use microscope::analysis::packages::Manager;
use microscope::demo::builder::LayerBuilder;
use microscope::image::Merged;
use microscope::scan::{ScanContext, scan_layer};
use std::sync::Arc;

fn report_with(layers: Vec<LayerBuilder>, packages: Option<&PackageView>) -> FindingsReport {
    let commands: Vec<String> = layers.iter().map(|l| l.command.clone()).collect();
    let scans: Vec<_> = layers
        .into_iter()
        .map(|l| Arc::new(scan_layer(&l.build()[..], &ScanContext::default()).unwrap()))
        .collect();
    let merged = Merged::build(&scans);
    find(&FindingsInput {
        scans: &scans,
        merged: &merged,
        commands: &commands,
        packages,
    })
}

fn report(layers: Vec<LayerBuilder>) -> FindingsReport {
    report_with(layers, None)
}

fn only<'a>(r: &'a FindingsReport, kind: &str) -> &'a Finding {
    let all: Vec<&Finding> = r.findings.iter().filter(|f| f.kind == kind).collect();
    assert_eq!(all.len(), 1, "one {kind} finding in {:#?}", r.findings);
    all[0]
}

fn paths(f: &Finding) -> Vec<&str> {
    f.paths.iter().map(|p| p.path.as_str()).collect()
}

const APT: &str = "/bin/sh -c apt-get update && apt-get install -y curl";

#[test]
fn apt_lists_and_cache() {
    let r = report(vec![
        LayerBuilder::new("/bin/sh -c #(nop) ADD file:abc in / ").file("usr/bin/ls", &[1; 300]),
        LayerBuilder::new(APT)
            .file("var/lib/apt/lists/deb_Packages", &[2; 1000])
            .file("var/lib/apt/lists/deb_Release", &[3; 200])
            .file("var/lib/apt/lists/lock", b"")
            .file("var/cache/apt/archives/curl.deb", &[4; 5000])
            .file("var/cache/apt/pkgcache.bin", &[5; 3000]),
    ]);
    let lists = only(&r, "apt-lists");
    assert_eq!(
        (
            lists.layer,
            lists.bytes,
            lists.savable_bytes,
            lists.path_count
        ),
        (1, 1200, 1200, 2)
    );
    assert_eq!(
        paths(lists),
        [
            "/var/lib/apt/lists/deb_Packages",
            "/var/lib/apt/lists/deb_Release"
        ]
    );
    assert_eq!(lists.rule.as_deref(), Some("DL3009"));
    assert_eq!(
        lists.fix,
        "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*"
    );
    let cache = only(&r, "package-cache");
    assert_eq!(cache.savable_bytes, 8000);
    assert!(cache.fix.ends_with("&& apt-get clean"));
    assert_eq!(r.findings_savable_bytes, 9200);
    assert_eq!(r.findings[0].kind, "package-cache", "largest saving first");
    assert_eq!(cache.severity, Severity::Info);
}

#[test]
fn apk_and_pip_caches_rewrite_the_command() {
    let r = report(vec![
        LayerBuilder::new("/bin/sh -c apk add curl")
            .file("var/cache/apk/APKINDEX.tar.gz", &[1; 700]),
        LayerBuilder::new("RUN /bin/sh -c pip3 install flask # buildkit")
            .file("root/.cache/pip/http/a/b", &[2; 900]),
    ]);
    let apk = r.findings.iter().find(|f| f.layer == 0).unwrap();
    assert_eq!(
        (apk.kind.as_str(), apk.savable_bytes),
        ("package-cache", 700)
    );
    assert_eq!(
        (apk.fix.as_str(), apk.rule.as_deref()),
        ("RUN apk add --no-cache curl", Some("DL3019"))
    );
    let pip = r.findings.iter().find(|f| f.layer == 1).unwrap();
    assert_eq!(pip.fix, "RUN pip3 install --no-cache-dir flask");
    assert_eq!(pip.rule.as_deref(), Some("DL3042"));
}

#[test]
fn catalogue_classes() {
    let kind = |p: &str, size: u64| classify(p, size).map(|c| c.kind);
    let cases: &[(&str, u64, Option<&str>)] = &[
        ("usr/share/doc/curl/changelog.gz", 1, Some("docs")),
        ("usr/share/doc/curl/copyright", 1, None),
        ("usr/share/man/man1/ls.1.gz", 1, Some("docs")),
        ("usr/share/locale/de/LC_MESSAGES/x.mo", 1, Some("docs")),
        (
            "usr/lib/python3/dist-packages/yaml/__pycache__/a.cpython-311.pyc",
            1,
            Some("python-bytecode"),
        ),
        (
            "usr/local/lib/python3.12/test/test_os.py",
            1,
            Some("tests-examples"),
        ),
        (
            "usr/local/lib/python3.12/site-packages/numpy/core/tests/t.py",
            1,
            Some("tests-examples"),
        ),
        (
            "app/node_modules/lodash/README.md",
            1,
            Some("tests-examples"),
        ),
        (
            "app/node_modules/x/__tests__/a.js",
            1,
            Some("tests-examples"),
        ),
        ("app/node_modules/x/index.js", 1, None),
        (
            "usr/lib/x86_64-linux-gnu/libssl.a",
            1,
            Some("static-libs-headers"),
        ),
        ("usr/include/stdio.h", 1, Some("static-libs-headers")),
        (
            "usr/lib/go-1.19/pkg/tool/linux_amd64/compile",
            1,
            Some("toolchain"),
        ),
        ("usr/local/go/bin/go", 1, Some("toolchain")),
        ("usr/lib/gcc/x86_64-linux-gnu/12/cc1", 1, Some("toolchain")),
        ("usr/bin/x86_64-linux-gnu-gcc-12", 1, Some("toolchain")),
        ("usr/bin/gcc-12", 1, Some("toolchain")),
        ("usr/bin/gzip", 1, None),
        ("src/app/.git/objects/pack/p.pack", 1, Some("vcs")),
        ("tmp/build/hello", 1, Some("tmp-logs")),
        ("var/log/dpkg.log", 1, Some("tmp-logs")),
        ("var/lib/dpkg/status-old", 1, Some("tmp-logs")),
        ("var/lib/dpkg/status", 1, None),
        ("var/log/lastlog", 300_000_000, Some("sparse-log")),
        ("var/log/lastlog", 292, Some("tmp-logs")),
        ("root/.bash_history", 1, Some("shell-history")),
        (
            "root/go/pkg/mod/golang.org/x/net@v0.1.0/go.mod",
            1,
            Some("package-cache"),
        ),
        ("root/.cache/go-build/00/abc-d", 1, Some("package-cache")),
        (
            "usr/local/cargo/registry/cache/x.crate",
            1,
            Some("package-cache"),
        ),
        (
            "app/target/release/deps/libx.rlib",
            1,
            Some("package-cache"),
        ),
        ("app/target/release/app", 1, None),
        ("root/.m2/repository/a/b.jar", 1, Some("package-cache")),
        ("home/u/.gradle/caches/x", 1, Some("package-cache")),
        ("root/.npm/_cacache/index-v5/x", 1, Some("package-cache")),
        ("usr/local/share/.cache/yarn/v6/x", 1, Some("package-cache")),
        ("var/cache/dnf/x", 1, Some("package-cache")),
        ("var/lib/apt/lists/lock", 1, None),
    ];
    for (path, size, want) in cases {
        assert_eq!(kind(path, *size), *want, "{path}");
    }
    assert_eq!(
        classify("var/log/lastlog", 300_000_000).unwrap().rule,
        Some("DL3046")
    );
}

#[test]
fn sparse_lastlog_rewrites_useradd() {
    let r = report(vec![
        LayerBuilder::new("/bin/sh -c useradd -u 1000000 app")
            .file("var/log/lastlog", &[0; 2 << 20]),
    ]);
    let f = only(&r, "sparse-log");
    assert_eq!(f.savable_bytes, 2 << 20);
    assert_eq!(f.fix, "RUN useradd -l -u 1000000 app");
    assert_eq!(f.severity, Severity::Low);
}

#[test]
fn overwritten_deleted_and_opaque_waste() {
    let r = report(vec![
        LayerBuilder::new("/bin/sh -c make all")
            .file("etc/app.conf", &[1; 100])
            .file("build/x.o", &[2; 300])
            .file("build/y.o", &[3; 200])
            .file("opt/app/old.jar", &[4; 400]),
        LayerBuilder::new("/bin/sh -c rm -rf /build && sed -i s/a/b/ /etc/app.conf")
            .file("etc/app.conf", &[9; 150])
            .whiteout("build"),
        LayerBuilder::new("COPY app /opt/app # buildkit")
            .opaque("opt/app")
            .file("opt/app/new.jar", &[5; 10]),
    ]);
    let over = only(&r, "overwritten");
    assert_eq!(
        (over.layer, over.by_layer, over.savable_bytes),
        (0, Some(1), 100)
    );
    assert_eq!(over.fix, "", "no single line undoes an overwrite");
    assert!(
        over.explanation.contains("layer 1 (`RUN rm -rf /build"),
        "{}",
        over.explanation
    );
    let del = only(&r, "deleted-later");
    assert_eq!(
        (del.layer, del.by_layer, del.savable_bytes, del.path_count),
        (0, Some(1), 500, 2)
    );
    assert_eq!(
        del.fix, "RUN make all && rm -rf /build",
        "only the line to paste"
    );
    assert!(
        del.explanation.contains("frees nothing"),
        "{}",
        del.explanation
    );
    let opq = only(&r, "opaque-hidden");
    assert_eq!(
        (opq.layer, opq.by_layer, opq.savable_bytes),
        (0, Some(2), 400)
    );
    assert!(opq.explanation.contains("/opt/app"));
    assert_eq!(r.findings_savable_bytes, 1000);
}

#[test]
fn chmod_copy_is_a_metadata_copy_not_an_overwrite() {
    let r = report(vec![
        LayerBuilder::new("COPY app /usr/local/bin/app # buildkit").file_with(
            "usr/local/bin/app",
            &[7; 1000],
            0o644,
            0,
            0,
        ),
        LayerBuilder::new("/bin/sh -c chmod 0555 /usr/local/bin/app").file_with(
            "usr/local/bin/app",
            &[7; 1000],
            0o555,
            0,
            0,
        ),
    ]);
    let f = only(&r, "metadata-copy");
    assert_eq!((f.layer, f.by_layer, f.savable_bytes), (0, Some(1), 1000));
    assert_eq!(f.fix, "COPY --chmod=555 app /usr/local/bin/app");
    assert!(
        f.explanation.contains("`COPY --chmod=555`"),
        "{}",
        f.explanation
    );
    assert!(
        f.explanation.contains("chmod 0555"),
        "names the chmod layer: {}",
        f.explanation
    );
    assert!(r.findings.iter().all(|f| f.kind != "overwritten"));
    assert_eq!(r.findings_savable_bytes, 1000);
}

#[test]
fn duplicates_keep_the_lowest_copy() {
    let r = report(vec![
        LayerBuilder::new("/bin/sh -c cp -r /opt/a /opt/b")
            .file("opt/a/data.bin", &[6; 2048])
            .file("opt/b/data.bin", &[6; 2048])
            .file("opt/a/empty", b"")
            .file("opt/b/empty", b""),
        LayerBuilder::new("COPY data.bin /srv/ # buildkit").file("srv/data.bin", &[6; 2048]),
    ]);
    let dups: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.kind == "duplicate")
        .collect();
    assert_eq!(dups.len(), 2);
    let l0 = dups.iter().find(|f| f.layer == 0).unwrap();
    assert_eq!(
        (paths(l0), l0.savable_bytes),
        (vec!["/opt/b/data.bin"], 2048)
    );
    assert!(
        l0.explanation
            .contains("/opt/b/data.bin is a copy of /opt/a/data.bin")
    );
    let l1 = dups.iter().find(|f| f.layer == 1).unwrap();
    assert_eq!((paths(l1), l1.savable_bytes), (vec!["/srv/data.bin"], 2048));
    assert_eq!(r.findings_savable_bytes, 4096);
}

#[test]
fn debug_symbols_in_c_and_go_binaries_and_debug_packages() {
    let c = unstripped(3000, 1200, 800, 20_000);
    let go = go_binary(5000, 4000, 60_000, "");
    let r = report(vec![
        LayerBuilder::new("/bin/sh -c make install")
            .file_with("usr/local/bin/tool", &c, 0o755, 0, 0)
            .file("usr/lib/debug/.build-id/ab/cdef.debug", &[1; 3000]),
        LayerBuilder::new("/bin/sh -c cd /src && go build -o /usr/local/bin/app .").file_with(
            "usr/local/bin/app",
            &go,
            0o755,
            0,
            0,
        ),
    ]);
    let dbg: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.kind == "debug-symbols")
        .collect();
    assert_eq!(dbg.len(), 3);
    let tool = dbg
        .iter()
        .find(|f| paths(f) == ["/usr/local/bin/tool"])
        .unwrap();
    assert_eq!(tool.savable_bytes, strip_cost(1200, 800, 20_000));
    assert_eq!(tool.bytes, c.len() as u64);
    assert_eq!(
        tool.fix,
        "RUN make install && strip --strip-unneeded /usr/local/bin/tool"
    );
    let app = dbg.iter().find(|f| f.layer == 1).unwrap();
    assert_eq!(app.savable_bytes, strip_cost(5000, 4000, 60_000));
    assert_eq!(
        app.fix,
        "RUN cd /src && go build -ldflags=\"-s -w\" -o /usr/local/bin/app ."
    );
    assert!(app.title.starts_with("Go binaries"));
    let sep = dbg
        .iter()
        .find(|f| paths(f) == ["/usr/lib/debug/.build-id/ab/cdef.debug"])
        .unwrap();
    assert_eq!(sep.savable_bytes, 3000);
    assert_eq!(
        r.findings_savable_bytes,
        3000 + strip_cost(1200, 800, 20_000) + strip_cost(5000, 4000, 60_000)
    );
}

#[test]
fn go_fix_extends_existing_ldflags() {
    let go = go_binary(100, 100, 100, "-X main.version=1");
    let r = report(vec![
        LayerBuilder::new("COPY --from=build /app /app # buildkit")
            .file_with("app", &go, 0o755, 0, 0),
    ]);
    let f = only(&r, "debug-symbols");
    assert_eq!(
        f.fix, "",
        "the build is not in this image: no line to paste"
    );
    assert!(
        f.explanation
            .starts_with("add `-s -w` to the build's -ldflags (now `-X main.version=1`)"),
        "{}",
        f.explanation
    );
}

#[test]
fn packages_name_the_toolchain_and_debug_packages() {
    let view = PackageView {
        packages: vec![
            PackageRef {
                manager: Manager::Dpkg,
                name: "gcc-12".into(),
                version: "12.2".into(),
            },
            PackageRef {
                manager: Manager::Dpkg,
                name: "libssl3-dbgsym".into(),
                version: "3".into(),
            },
            PackageRef {
                manager: Manager::Dpkg,
                name: "libgcc-s1".into(),
                version: "12".into(),
            },
        ],
        owners: [
            ("usr/libexec/gcc-wrapper/cc1", 0),
            ("usr/share/doc/gcc-12/README", 0),
            ("usr/lib/debug/.build-id/aa/bb.debug", 1),
            ("usr/lib/x86_64-linux-gnu/libgcc_s.so.1", 2),
        ]
        .into_iter()
        .map(|(p, i)| (Arc::from(p), i))
        .collect(),
        owner_nodes: Vec::new(),
    };
    let r = report_with(
        vec![
            LayerBuilder::new(APT)
                .file("usr/libexec/gcc-wrapper/cc1", &[1; 5000])
                .file("usr/share/doc/gcc-12/README", &[2; 100])
                .file("usr/lib/debug/.build-id/aa/bb.debug", &[3; 700])
                .file("usr/lib/x86_64-linux-gnu/libgcc_s.so.1", &[4; 900]),
        ],
        Some(&view),
    );
    let tc = only(&r, "toolchain");
    assert_eq!((tc.savable_bytes, tc.path_count), (5100, 2));
    assert!(tc.title.ends_with(": gcc-12"), "{}", tc.title);
    let dbg = only(&r, "debug-symbols");
    assert_eq!(dbg.title, "debug packages installed: libssl3-dbgsym");
    assert!(
        dbg.fix.ends_with("&& apt-get purge -y libssl3-dbgsym"),
        "{}",
        dbg.fix
    );
    assert_eq!(r.findings_savable_bytes, 5800);
}

#[test]
fn large_executables_get_upx_advice_that_is_not_counted() {
    let big = unstripped(3 << 20, 16, 16, 16);
    let r = report(vec![
        LayerBuilder::new("COPY app /app # buildkit").file_with("app", &big, 0o755, 0, 0),
    ]);
    let f = only(&r, "uncompressed-binary");
    assert_eq!(f.counted_bytes, 0);
    assert!(f.savable_bytes > 0 && f.savable_bytes < big.len() as u64);
    let pull = f.pull_savable_bytes.expect("pull estimate");
    assert!(pull < f.savable_bytes, "layers already travel compressed");
    assert_eq!(f.fix, "", "UPX is advice, not a line");
    assert!(f.explanation.contains("start-up"));
    assert!(f.severity <= Severity::Low);
    let strip = only(&r, "debug-symbols");
    assert_eq!(r.findings_savable_bytes, strip.savable_bytes);
}

#[test]
fn findings_serialise_with_snake_case_fields() {
    let r = report(vec![
        LayerBuilder::new(APT).file("var/lib/apt/lists/x", &[1; 10]),
    ]);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["findings_savable_bytes"], 10);
    let f = &json["findings"][0];
    for field in [
        "kind",
        "title",
        "layer",
        "paths",
        "path_count",
        "bytes",
        "savable_bytes",
        "counted_bytes",
        "fix",
        "rule",
        "severity",
    ] {
        assert!(f.get(field).is_some(), "{field} in {f}");
    }
    assert_eq!(f["severity"], "info");
    let back: FindingsReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, r);
}

#[test]
fn a_file_moved_by_a_later_layer_is_moved_earlier_not_deleted() {
    let r = report(vec![
        LayerBuilder::new("/bin/sh -c cp /src/a.txt /root/example/a.txt")
            .file("root/example/a.txt", &[3; 700]),
        LayerBuilder::new("/bin/sh -c mv /root/example/a.txt /root/saved.txt")
            .whiteout("root/example/a.txt")
            .file("root/saved.txt", &[3; 700]),
    ]);
    assert!(
        r.findings.iter().all(|f| f.kind != "deleted-later"),
        "a move is not waste to delete: {:?}",
        r.findings
    );
    let f = only(&r, "moved-later");
    assert_eq!((f.layer, f.by_layer, f.savable_bytes), (0, Some(1), 700));
    assert_eq!(
        f.fix,
        "RUN cp /src/a.txt /root/example/a.txt && mv /root/example/a.txt /root/saved.txt"
    );
    assert!(
        f.explanation.contains("drop the mv from layer 1"),
        "{}",
        f.explanation
    );
}
