//! The rewrite of interpreted programs: a `#!/usr/bin/env python3` script, and the
//! python-app layout (a virtualenv on PATH, `CMD ["python", "/app/app.py"]`): interpreter,
//! its closure, the standard library, extension modules' libraries, the app.

use crate::support::rewrite;

use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use microscope::image::RunConfig;
use rewrite::{Elf, file, paths, rewrite};

const PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn debian_python() -> LayerBuilder {
    let mut libc = Elf::lib("libc.so.6", &["ld-linux-x86-64.so.2"]);
    libc.symbols = vec!["dlopen".into()];
    let mut python = Elf::glibc().needs(&["libz.so.1", "libm.so.6"]);
    python.symbols = vec!["dlopen".into()];
    LayerBuilder::new("debian + python3")
        .symlink("lib", "usr/lib")
        .symlink("lib64", "usr/lib64")
        .symlink("bin", "usr/bin")
        .file_with(
            "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
            &Elf::lib("ld-linux-x86-64.so.2", &[]).build(),
            0o755,
            0,
            0,
        )
        .symlink(
            "usr/lib64/ld-linux-x86-64.so.2",
            "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
        )
        .file("usr/lib/x86_64-linux-gnu/libc.so.6", &libc.build())
        .file(
            "usr/lib/x86_64-linux-gnu/libm.so.6",
            &Elf::lib("libm.so.6", &["libc.so.6"]).build(),
        )
        .file(
            "usr/lib/x86_64-linux-gnu/libz.so.1",
            &Elf::lib("libz.so.1", &["libc.so.6"]).build(),
        )
        .file(
            "usr/lib/x86_64-linux-gnu/libssl.so.3",
            &Elf::lib("libssl.so.3", &["libcrypto.so.3"]).build(),
        )
        .file(
            "usr/lib/x86_64-linux-gnu/libcrypto.so.3",
            &Elf::lib("libcrypto.so.3", &["libc.so.6"]).build(),
        )
        .file(
            "usr/lib/x86_64-linux-gnu/ossl-modules/legacy.so",
            &Elf::lib("legacy.so", &[]).build(),
        )
        .file_with("usr/bin/python3.11", &python.build(), 0o755, 0, 0)
        .symlink("usr/bin/python3", "python3.11")
        .file_with("usr/bin/env", &Elf::glibc().build(), 0o755, 0, 0)
        .file("usr/lib/python3.11/os.py", &[b'p'; 40_000])
        .file("usr/lib/python3.11/encodings/utf_8.py", &[b'p'; 1_500])
        .file(
            "usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so",
            &Elf::lib(
                "_ssl.cpython-311-x86_64-linux-gnu.so",
                &["libssl.so.3", "libc.so.6"],
            )
            .build(),
        )
        .symlink(
            "usr/lib/python3.11/sitecustomize.py",
            "/etc/python3.11/sitecustomize.py",
        )
        .file("etc/python3.11/sitecustomize.py", b"# site\n")
        .file("usr/lib/python3/dist-packages/six.py", &[b's'; 3_000])
        .file("etc/ssl/certs/ca-certificates.crt", &[b'M'; 6000])
        .file("etc/os-release", b"ID=debian\nVERSION_CODENAME=bookworm\n")
}

fn image(layers: Vec<LayerBuilder>, run: RunConfig) -> ImageBuilder {
    let mut img = ImageBuilder::new("test/py:latest");
    for l in layers {
        img = img.layer(l);
    }
    img.run = run;
    img
}

#[test]
fn a_python_script_brings_interpreter_stdlib_extensions_and_app() {
    let app = LayerBuilder::new("app")
        .file_with(
            "app/app.py",
            b"#!/usr/bin/env python3\nprint('hi')\n",
            0o755,
            0,
            0,
        )
        .file("app/templates/index.html", b"<html></html>");
    let run = RunConfig {
        entrypoint: vec!["/app/app.py".into()],
        env: vec![PATH.into()],
        working_dir: "/app".into(),
        ..Default::default()
    };
    let (_, r) = rewrite(&image(vec![debian_python(), app], run));
    assert_eq!(r.program.path, "/usr/bin/python3");
    assert_eq!(r.program.real, "/usr/bin/python3.11");
    assert_eq!(r.program.runtime.as_deref(), Some("Python 3.11"));
    assert_eq!(r.program.scripts, ["/app/app.py"]);
    assert_eq!(
        r.program.wrappers,
        ["/usr/bin/env"],
        "env runs first: it is copied"
    );
    assert_eq!(r.base, "scratch", "{}", r.reason);
    let p = paths(&r);
    for want in [
        "/usr/bin/env",
        "/usr/bin/python3",
        "/usr/lib/python3.11",
        "/usr/lib/python3/dist-packages",
        "/app",
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/python3.11/sitecustomize.py",
        "/lib64/ld-linux-x86-64.so.2",
    ] {
        assert!(p.contains(&want), "{want} missing from {p:?}");
    }
    // The extension module's libraries come along; the module itself is in the stdlib copy.
    assert!(p.iter().any(|p| p.ends_with("/libssl.so.3")), "{p:?}");
    assert!(p.iter().any(|p| p.ends_with("/libcrypto.so.3")), "{p:?}");
    assert!(!p.iter().any(|p| p.contains("lib-dynload")), "{p:?}");
    assert!(!p.contains(&"/app/app.py"), "inside /app, copied with it");
    let stdlib = file(&r, "/usr/lib/python3.11");
    assert!(stdlib.dir && stdlib.files == 3, "{stdlib:?}");
    assert!(
        r.dockerfile
            .contains("COPY --from=source /usr/lib/python3.11 /usr/lib/python3.11\n")
    );
    assert!(
        r.may_also_need.iter().any(|m| m.contains("ossl-modules")),
        "{:?}",
        r.may_also_need
    );
    assert!(r.may_also_need.iter().any(|m| m.contains("/tmp")));
    assert!(
        r.may_also_need
            .iter()
            .any(|m| m.contains("/usr/bin/python3 calls dlopen"))
    );
}

#[test]
fn python_app_layout_with_a_virtualenv() {
    let venv = LayerBuilder::new("python3 -m venv /opt/venv && pip install")
        .file(
            "opt/venv/pyvenv.cfg",
            b"home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n",
        )
        .symlink("opt/venv/bin/python3", "/usr/bin/python3")
        .symlink("opt/venv/bin/python", "python3")
        .file(
            "opt/venv/lib/python3.11/site-packages/flask/__init__.py",
            &[b'f'; 9_000],
        )
        .symlink("opt/venv/lib64", "lib")
        .file("app/app.py", b"import flask\n")
        .file("app/requirements.txt", b"flask\n");
    let run = RunConfig {
        cmd: vec!["python".into(), "/app/app.py".into()],
        env: vec![format!(
            "PATH=/opt/venv/bin:{}",
            PATH.trim_start_matches("PATH=")
        )],
        exposed_ports: vec!["8000/tcp".into()],
        ..Default::default()
    };
    let (a, r) = rewrite(&image(vec![debian_python(), venv], run));
    assert_eq!(r.program.path, "/opt/venv/bin/python");
    assert_eq!(r.program.runtime.as_deref(), Some("Python 3.11"));
    let p = paths(&r);
    for want in [
        "/opt/venv",
        "/usr/bin/python3",
        "/usr/lib/python3.11",
        "/app",
    ] {
        assert!(p.contains(&want), "{want} missing from {p:?}");
    }
    assert!(
        !p.contains(&"/opt/venv/bin/python"),
        "inside the venv copy, a symlink: {p:?}"
    );
    assert!(r.predicted_bytes < a.sizes.final_bytes);
    assert!(r.dockerfile.contains("CMD [\"python\",\"/app/app.py\"]"));
    assert!(r.dockerfile.contains("ENV PATH=\"/opt/venv/bin:"));
}
