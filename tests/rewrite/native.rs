//! The rewrite of native programs on generated images: static, glibc with a library chain
//! (RUNPATH/$ORIGIN, RPATH inheritance, ld.so.conf includes, LD_LIBRARY_PATH), musl with
//! its path file, strip, shell form, and init wrappers.

use crate::support::rewrite;

use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use microscope::image::RunConfig;
use rewrite::{Elf, file, paths, rewrite};

const PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A merged-/usr Debian-like base: loader, libc, ld.so.conf with an include, passwd, a CA
/// bundle, and /bin/sh → dash.
fn debian() -> LayerBuilder {
    let ld = Elf::lib("ld-linux-x86-64.so.2", &[]);
    let mut libc = Elf::lib("libc.so.6", &["ld-linux-x86-64.so.2"]);
    libc.symbols = vec!["dlopen".into(), "getaddrinfo".into()];
    LayerBuilder::new("debian base")
        .dir("usr")
        .dir("usr/bin")
        .dir("usr/lib")
        .dir("usr/lib/x86_64-linux-gnu")
        .dir("usr/lib64")
        .symlink("bin", "usr/bin")
        .symlink("lib", "usr/lib")
        .symlink("lib64", "usr/lib64")
        .file_with("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", &ld.build(), 0o755, 0, 0)
        .symlink(
            "usr/lib64/ld-linux-x86-64.so.2",
            "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
        )
        .file("usr/lib/x86_64-linux-gnu/libc.so.6", &libc.build())
        .file("usr/lib/x86_64-linux-gnu/libssl.so.3", &Elf::lib("libssl.so.3", &["libcrypto.so.3", "libc.so.6"]).build())
        .file("usr/lib/x86_64-linux-gnu/libcrypto.so.3", &Elf::lib("libcrypto.so.3", &["libc.so.6"]).build())
        .file("usr/lib/x86_64-linux-gnu/libz.so.1", &Elf::lib("libz.so.1", &["libc.so.6"]).build())
        .file_with("usr/bin/dash", &Elf::glibc().build(), 0o755, 0, 0)
        .symlink("usr/bin/sh", "dash")
        .file("etc/ld.so.conf", b"# multiarch and local dirs\ninclude /etc/ld.so.conf.d/*.conf\n")
        .file(
            "etc/ld.so.conf.d/x86_64-linux-gnu.conf",
            b"/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n",
        )
        .file("etc/os-release", b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n")
        .file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")
        .file("etc/group", b"root:x:0:\napp:x:1000:\n")
        .file("etc/nsswitch.conf", b"passwd: files systemd\nhosts: files dns\n")
        .file("etc/ssl/certs/ca-certificates.crt", &[b'M'; 5000])
}

fn image(layers: Vec<LayerBuilder>, run: RunConfig) -> ImageBuilder {
    let mut img = ImageBuilder::new("test/app:latest");
    for l in layers {
        img = img.layer(l);
    }
    img.run = run;
    img
}

fn entry(argv: &[&str]) -> RunConfig {
    RunConfig {
        entrypoint: argv.iter().map(|s| s.to_string()).collect(),
        env: vec![PATH.into()],
        ..Default::default()
    }
}

#[test]
fn a_static_program_goes_to_scratch_alone() {
    let app = LayerBuilder::new("app")
        .file_with("app/server", &Elf::program().build(), 0o755, 0, 0)
        .file("app/README.md", b"docs");
    let mut run = entry(&["/app/server", "--port", "80"]);
    run.user = "1000:1000".into();
    run.working_dir = "/app".into();
    run.exposed_ports = vec!["80/tcp".into()];
    let (_, r) = rewrite(&image(vec![debian(), app], run));
    assert_eq!(r.base, "scratch");
    assert_eq!(
        paths(&r),
        ["/app/server"],
        "no TLS library: the CA bundle is only a hint"
    );
    assert!(
        r.may_also_need
            .iter()
            .any(|m| m.contains("ca-certificates.crt"))
    );
    assert_eq!(r.predicted_bytes, file(&r, "/app/server").bytes);
    let d = &r.dockerfile;
    assert!(d.contains("FROM ${SOURCE_IMAGE} AS source"), "{d}");
    assert!(d.contains("\nFROM scratch\n"), "{d}");
    assert!(d.contains("COPY --from=source /app/server /app/\n"), "{d}");
    assert!(
        d.contains("WORKDIR /app\nEXPOSE 80/tcp\nUSER 1000:1000\n"),
        "{d}"
    );
    assert!(
        d.contains("ENTRYPOINT [\"/app/server\",\"--port\",\"80\"]"),
        "{d}"
    );
}

#[test]
fn glibc_chain_follows_runpath_origin_and_ld_so_conf() {
    let mut server = Elf::glibc().needs(&["libfoo.so.1"]);
    server.runpath = Some("$ORIGIN/../lib".into());
    let app = LayerBuilder::new("app")
        .file_with("app/bin/server", &server.build(), 0o755, 0, 0)
        .file(
            "app/lib/libfoo.so.1.2.3",
            &Elf::lib("libfoo.so.1", &["libbar.so.2", "libc.so.6"]).build(),
        )
        .symlink("app/lib/libfoo.so.1", "libfoo.so.1.2.3")
        // A decoy: the program's RUNPATH must not serve libfoo's own needs.
        .file("app/lib/libbar.so.2", &Elf::lib("libbar.so.2", &[]).build())
        .file(
            "opt/bar/lib/libbar.so.2",
            &Elf::lib("libbar.so.2", &["libz.so.1"]).build(),
        )
        .file("etc/ld.so.conf.d/bar.conf", b"/opt/bar/lib\n");
    let (_, r) = rewrite(&image(vec![debian(), app], entry(&["/app/bin/server"])));
    assert_eq!(r.base, "scratch", "{}", r.reason);
    assert!(r.missing.is_empty(), "{:?}", r.missing);
    let p = paths(&r);
    for want in [
        "/lib64/ld-linux-x86-64.so.2",
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/lib/x86_64-linux-gnu/libz.so.1",
        "/app/lib/libfoo.so.1",
        "/opt/bar/lib/libbar.so.2",
        "/app/bin/server",
    ] {
        assert!(p.contains(&want), "{want} missing from {p:?}");
    }
    assert!(
        !p.contains(&"/app/lib/libbar.so.2"),
        "RUNPATH is not inherited: {p:?}"
    );
    assert!(
        file(&r, "/app/lib/libfoo.so.1")
            .why
            .contains("NEEDED libfoo.so.1 of /app/bin/server")
    );
    // The program goes last; libraries grouped by directory, symlinks copied as the loader names them.
    assert!(
        r.dockerfile
            .contains("COPY --from=source /app/lib/libfoo.so.1 /app/lib/\n"),
        "{}",
        r.dockerfile
    );
    assert!(r.dockerfile.contains("COPY --from=source /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libz.so.1 /lib/x86_64-linux-gnu/\n"), "{}", r.dockerfile);
    assert_eq!(p.last(), Some(&"/app/bin/server"));
    // libc's dlopen is its own; NSS is used (getaddrinfo), so nsswitch.conf comes along.
    assert!(p.contains(&"/etc/nsswitch.conf"));
    assert!(
        r.may_also_need
            .iter()
            .any(|m| m.contains("libnss_systemd.so.2")),
        "{:?}",
        r.may_also_need
    );
    assert!(!r.reason.contains("dlopen"), "{}", r.reason);
    // Alpine only after a rebuild for musl.
    let alpine = r
        .alternatives
        .iter()
        .find(|a| a.base == "alpine:3.20")
        .unwrap();
    assert!(alpine.note.contains("rebuilt for musl"), "{}", alpine.note);
}

#[test]
fn rpath_is_inherited_runpath_is_not() {
    let lib = |dir: &str| -> LayerBuilder {
        LayerBuilder::new("app")
            .file(
                &format!("{dir}/libfoo.so.1"),
                &Elf::lib("libfoo.so.1", &["libqux.so.1"]).build(),
            )
            .file(
                &format!("{dir}/libqux.so.1"),
                &Elf::lib("libqux.so.1", &[]).build(),
            )
    };
    let mut with_rpath = Elf::glibc().needs(&["libfoo.so.1"]);
    with_rpath.rpath = Some("$ORIGIN/lib".into());
    let a = lib("app/lib").file_with("app/server", &with_rpath.build(), 0o755, 0, 0);
    let (_, r) = rewrite(&image(vec![debian(), a], entry(&["/app/server"])));
    assert!(
        paths(&r).contains(&"/app/lib/libqux.so.1"),
        "{:?}",
        r.missing
    );
    assert_eq!(r.base, "scratch");

    let mut with_runpath = Elf::glibc().needs(&["libfoo.so.1"]);
    with_runpath.runpath = Some("$ORIGIN/lib".into());
    let b = lib("app/lib").file_with("app/server", &with_runpath.build(), 0o755, 0, 0);
    let (_, r) = rewrite(&image(vec![debian(), b], entry(&["/app/server"])));
    assert_eq!(r.missing.len(), 1, "{:?}", r.missing);
    assert!(r.missing[0].starts_with("libqux.so.1 (needed by /app/lib/libfoo.so.1"));
    assert_eq!(
        r.base, "debian:bookworm-slim",
        "an unproven closure stays on the distro"
    );
    assert!(r.reason.contains("libqux.so.1"));
}

#[test]
fn ld_library_path_from_env_is_searched() {
    let a = LayerBuilder::new("app")
        .file_with(
            "app/server",
            &Elf::glibc().needs(&["libenv.so.1"]).build(),
            0o755,
            0,
            0,
        )
        .file("custom/libenv.so.1", &Elf::lib("libenv.so.1", &[]).build());
    let mut run = entry(&["/app/server"]);
    run.env.push("LD_LIBRARY_PATH=/custom".into());
    let (_, r) = rewrite(&image(vec![debian(), a], run));
    assert!(paths(&r).contains(&"/custom/libenv.so.1"));
    assert!(r.dockerfile.contains("ENV LD_LIBRARY_PATH=\"/custom\""));
}

/// An Alpine-like base: musl's loader is its libc; libstdc++ and libgcc_s in /usr/lib.
fn alpine(path_file: Option<&str>) -> LayerBuilder {
    let mut ldso = Elf::lib("libc.musl-x86_64.so.1", &[]);
    ldso.symbols = vec!["dlopen".into()];
    let mut l = LayerBuilder::new("alpine base")
        .file_with("lib/ld-musl-x86_64.so.1", &ldso.build(), 0o755, 0, 0)
        .symlink("lib/libc.musl-x86_64.so.1", "ld-musl-x86_64.so.1")
        .file(
            "usr/lib/libstdc++.so.6",
            &Elf::lib(
                "libstdc++.so.6",
                &["libgcc_s.so.1", "libc.musl-x86_64.so.1"],
            )
            .build(),
        )
        .file(
            "usr/lib/libgcc_s.so.1",
            &Elf::lib("libgcc_s.so.1", &["libc.musl-x86_64.so.1"]).build(),
        )
        .file(
            "lib/libz.so.1",
            &Elf::lib("libz.so.1", &["libc.musl-x86_64.so.1"]).build(),
        )
        .file("etc/os-release", b"ID=alpine\nVERSION_ID=3.20.3\n");
    if let Some(p) = path_file {
        l = l.file("etc/ld-musl-x86_64.path", p.as_bytes());
    }
    l
}

#[test]
fn musl_program_copies_its_closure_onto_scratch() {
    let app = LayerBuilder::new("app")
        .file_with(
            "usr/local/bin/app",
            &Elf::musl()
                .needs(&["libstdc++.so.6", "libfoo.so.1", "libm.so"])
                .build(),
            0o755,
            0,
            0,
        )
        .file(
            "opt/musl/lib/libfoo.so.1",
            &Elf::lib("libfoo.so.1", &["libz.so.1"]).build(),
        );
    // The path file replaces musl's default list, so it must name /usr/lib itself.
    let img = image(
        vec![
            alpine(Some("/lib:/usr/local/lib:/usr/lib\n/opt/musl/lib\n")),
            app,
        ],
        entry(&["app"]),
    );
    let (_, r) = rewrite(&img);
    assert_eq!(r.base, "scratch", "{}", r.reason);
    assert!(r.missing.is_empty(), "{:?}", r.missing);
    let p = paths(&r);
    for want in [
        "/lib/ld-musl-x86_64.so.1",
        "/usr/lib/libstdc++.so.6",
        "/usr/lib/libgcc_s.so.1",
        "/opt/musl/lib/libfoo.so.1",
        "/lib/libz.so.1",
        "/usr/local/bin/app",
    ] {
        assert!(p.contains(&want), "{want} missing from {p:?}");
    }
    assert!(
        !p.iter()
            .any(|p| p.contains("libc.musl") || p.ends_with("libm.so")),
        "musl is its own libc: {p:?}"
    );
    assert!(
        !r.may_also_need.iter().any(|m| m.contains("ld-musl")),
        "the loader's dlopen is not the program's"
    );
    let alt = r
        .alternatives
        .iter()
        .find(|a| a.base == "alpine:3.20")
        .unwrap();
    assert!(
        alt.note.contains("apk add libstdc++ libgcc"),
        "{}",
        alt.note
    );
    let names: Vec<&str> = r
        .alpine_packages
        .iter()
        .map(|p| p.package.as_str())
        .collect();
    assert_eq!(
        names,
        ["libstdc++", "libgcc"],
        "libz is in alpine:3.20 already"
    );
}

#[test]
fn musl_path_file_without_usr_lib_hides_it() {
    let app = LayerBuilder::new("app").file_with(
        "app",
        &Elf::musl().needs(&["libstdc++.so.6"]).build(),
        0o755,
        0,
        0,
    );
    let (_, r) = rewrite(&image(
        vec![alpine(Some("/opt/none\n")), app],
        entry(&["/app"]),
    ));
    assert_eq!(r.missing.len(), 1, "{:?}", r.missing);
    assert_eq!(r.base, "alpine:3.20", "{}", r.reason);
    // apk provides what the image cannot: the Dockerfile installs it.
    assert!(
        r.dockerfile.contains("RUN apk add --no-cache libstdc++\n"),
        "{}",
        r.dockerfile
    );
    assert!(
        r.assumptions.iter().any(|a| a.contains("dependencies")),
        "{:?}",
        r.assumptions
    );
    let pkgs: u64 = r.alpine_packages.iter().map(|p| p.installed_bytes).sum();
    assert_eq!(
        r.predicted_bytes,
        7_792_915 + pkgs + file(&r, "/app").predicted_bytes
    );
}

#[test]
fn strip_runs_in_a_stage_when_the_image_has_strip() {
    let mut prog = Elf::program();
    prog.debug = 30_000;
    let app = LayerBuilder::new("app")
        .file_with("app/server", &prog.build(), 0o755, 0, 0)
        .file_with("usr/bin/strip", &Elf::glibc().build(), 0o755, 0, 0);
    let (_, r) = rewrite(&image(vec![debian(), app], entry(&["/app/server"])));
    let f = file(&r, "/app/server");
    assert!(f.bytes - f.predicted_bytes > 30_000, "{f:?}");
    assert_eq!(f.source_path, "/app/server.stripped");
    assert!(r.dockerfile.contains("FROM source AS strip\nRUN [\"/usr/bin/strip\",\"--strip-unneeded\",\"-o\",\"/app/server.stripped\",\"/app/server\"]"), "{}", r.dockerfile);
    assert!(
        r.dockerfile
            .contains("COPY --from=strip /app/server.stripped /app/server\n"),
        "{}",
        r.dockerfile
    );
    assert!(
        r.advice
            .iter()
            .any(|a| a.starts_with("strip --strip-unneeded"))
    );
}

#[test]
fn shell_form_without_shell_syntax_becomes_exec_form() {
    let app =
        LayerBuilder::new("app").file_with("app/server", &Elf::program().build(), 0o755, 0, 0);
    let run = RunConfig {
        cmd: vec![
            "/bin/sh".into(),
            "-c".into(),
            "exec /app/server --port 8080".into(),
        ],
        env: vec![PATH.into()],
        ..Default::default()
    };
    let (_, r) = rewrite(&image(vec![debian(), app], run));
    assert_eq!(r.program.path, "/app/server");
    assert_eq!(r.program.shell, None);
    assert!(!paths(&r).contains(&"/bin/sh"));
    assert!(
        r.dockerfile
            .contains("CMD [\"/app/server\",\"--port\",\"8080\"]"),
        "{}",
        r.dockerfile
    );
}

#[test]
fn shell_form_with_expansion_keeps_the_shell_and_its_libc() {
    let app =
        LayerBuilder::new("app").file_with("app/server", &Elf::program().build(), 0o755, 0, 0);
    let run = RunConfig {
        entrypoint: vec![
            "/bin/sh".into(),
            "-c".into(),
            "/app/server --port $PORT".into(),
        ],
        env: vec![PATH.into(), "PORT=8080".into()],
        ..Default::default()
    };
    let (_, r) = rewrite(&image(vec![debian(), app], run));
    assert_eq!(r.program.shell.as_deref(), Some("/bin/sh"));
    let p = paths(&r);
    for want in [
        "/bin/sh",
        "/app/server",
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/lib64/ld-linux-x86-64.so.2",
    ] {
        assert!(p.contains(&want), "{want} missing from {p:?}");
    }
    assert_eq!(r.base, "scratch");
    assert!(
        r.dockerfile
            .contains("ENTRYPOINT [\"/bin/sh\",\"-c\",\"/app/server --port $PORT\"]"),
        "{}",
        r.dockerfile
    );
}

#[test]
fn init_wrappers_are_seen_through_and_copied() {
    let app = LayerBuilder::new("app")
        .file_with("app/server", &Elf::program().build(), 0o755, 0, 0)
        .file_with("usr/bin/tini", &Elf::program().build(), 0o755, 0, 0);
    let mut run = entry(&["tini", "-s", "--"]);
    run.cmd = vec!["/app/server".into()];
    let (_, r) = rewrite(&image(vec![debian(), app], run));
    assert_eq!(r.program.path, "/app/server");
    assert_eq!(r.program.wrappers, ["/usr/bin/tini"]);
    assert!(paths(&r).contains(&"/usr/bin/tini"));
    assert!(
        !r.may_also_need.iter().any(|m| m.contains("--init")),
        "tini is already there"
    );
    assert!(
        r.dockerfile
            .contains("ENTRYPOINT [\"tini\",\"-s\",\"--\"]\nCMD [\"/app/server\"]")
    );
}

#[test]
fn user_by_name_brings_passwd_and_group() {
    let app =
        LayerBuilder::new("app").file_with("app/server", &Elf::program().build(), 0o755, 0, 0);
    let mut run = entry(&["/app/server"]);
    run.user = "app".into();
    let (_, r) = rewrite(&image(vec![debian(), app], run));
    let p = paths(&r);
    assert!(
        p.contains(&"/etc/passwd") && p.contains(&"/etc/group"),
        "{p:?}"
    );
    assert!(
        r.dockerfile
            .contains("COPY --from=source /etc/group /etc/passwd /etc/\n"),
        "{}",
        r.dockerfile
    );
}

#[test]
fn no_program_no_rewrite() {
    let (a, _) = {
        let img = image(vec![debian()], entry(&["/nowhere"]));
        let image = rewrite::load(&img);
        (microscope::analysis::analyze(&image), ())
    };
    let err = a.rewrite.unwrap_err();
    assert!(
        err.contains("\"/nowhere\" is not an executable file"),
        "{err}"
    );
}
