//! What an interpreter needs beside its own binary: its standard library and installed
//! packages (Python's `lib/pythonX.Y`, dist-packages, a virtualenv; a JDK's home; Ruby's and
//! Perl's library trees), and the application it runs (the script, its directory).

use super::classify::Runtime;
use super::fs::{self, Fs};
use super::os_files::{self, Extra};

/// Directories no application lives in: a script there is copied alone, not its directory.
const SYSTEM_DIRS: [&str; 12] = [
    "/",
    "/bin",
    "/sbin",
    "/usr",
    "/usr/bin",
    "/usr/sbin",
    "/usr/local",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/etc",
    "/tmp",
    "/root",
];

/// The runtime's files and the app's, plus notes on what was assumed.
#[derive(Debug, Clone, Default)]
pub struct RuntimeFiles {
    pub extras: Vec<Extra>,
    pub notes: Vec<String>,
    pub may_also_need: Vec<String>,
}

/// Collects what `runtime`, run as `invoked` (resolving to `real`) with `args`, reads.
pub fn files(
    fs: &Fs<'_>,
    runtime: &Runtime,
    invoked: &str,
    real: &str,
    args: &[String],
    workdir: &str,
) -> RuntimeFiles {
    let mut out = RuntimeFiles::default();
    // <prefix>/bin/<interp> → <prefix>
    let prefix = fs::parent(fs::parent(real)).to_string();
    match runtime {
        Runtime::Python(version) => python(fs, &mut out, version.as_deref(), invoked, &prefix),
        Runtime::Java => {
            // A JDK's bin/java sits at <home>/bin/java (Debian: /usr/lib/jvm/<jdk>/bin/java);
            // jre/bin/java in Java 8.
            let home = if fs::basename(&prefix) == "jre" {
                fs::parent(&prefix).to_string()
            } else {
                prefix.clone()
            };
            if home != "/usr" && home != "/" {
                push(&mut out, os_files::dir(fs, &home, "the Java runtime (JAVA_HOME)"));
            } else {
                out.notes.push(format!(
                    "{real}: Java home not recognised; its lib/ and conf/ are not copied"
                ));
            }
        }
        Runtime::Ruby => {
            push(&mut out, os_files::dir(fs, &fs::join(&prefix, "lib/ruby"), "Ruby's library"));
        }
        Runtime::Perl => {
            for d in ["share/perl5", "lib/x86_64-linux-gnu/perl-base", "lib/x86_64-linux-gnu/perl5", "share/perl"] {
                push(&mut out, os_files::dir(fs, &fs::join(&prefix, d), "Perl's library"));
            }
        }
        Runtime::Node => {}
        Runtime::Php => out
            .notes
            .push("PHP: extensions and php.ini are not followed; compare with the php image's layout".into()),
        Runtime::Shell => out.may_also_need.push(
            "the commands the shell script runs are not followed: add each program it calls (and its libraries) with --include-path"
                .into(),
        ),
    }
    app(fs, &mut out, runtime, args, workdir);
    out
}

fn push(out: &mut RuntimeFiles, e: Option<Extra>) {
    if let Some(e) = e
        && !out.extras.iter().any(|x| x.real == e.real)
    {
        out.extras.push(e);
    }
}

fn python(fs: &Fs<'_>, out: &mut RuntimeFiles, version: Option<&str>, invoked: &str, prefix: &str) {
    // A virtualenv: pyvenv.cfg next to the bin/ the interpreter was invoked from.
    let venv = fs::parent(fs::parent(invoked)).to_string();
    let in_venv = fs.file(&fs::join(&venv, "pyvenv.cfg")).is_some();
    if in_venv {
        push(
            out,
            os_files::dir(fs, &venv, "the virtualenv (its site-packages)"),
        );
    }
    let version = version.map(str::to_string).or_else(|| {
        // Find lib/python3.X holding os.py.
        let lib = fs::join(prefix, "lib");
        let real = fs.resolve(&lib).ok()?.real;
        let mut found: Vec<String> = fs
            .walk(&real)
            .filter_map(|(p, _)| {
                let rest = p.strip_prefix(&format!("{real}/python"))?;
                let v = rest.strip_suffix("/os.py")?;
                (!v.contains('/')).then(|| v.to_string())
            })
            .collect();
        found.sort();
        found.pop()
    });
    let Some(v) = version else {
        out.notes.push(format!(
            "no Python standard library found under {prefix}/lib"
        ));
        return;
    };
    let stdlib = fs::join(prefix, &format!("lib/python{v}"));
    match os_files::dir(fs, &stdlib, "Python's standard library") {
        Some(e) => push(out, Some(e)),
        None => out.notes.push(format!(
            "{stdlib}: Python's standard library is not in the image"
        )),
    }
    let major = v.split('.').next().unwrap_or("3");
    for d in [
        format!("{prefix}/lib/python{major}/dist-packages"),
        format!("{prefix}/local/lib/python{v}/dist-packages"),
        format!("{prefix}/local/lib/python{v}/site-packages"),
    ] {
        let Some(e) = os_files::dir(fs, &d, "installed Python packages") else {
            continue;
        };
        // A virtualenv sees the system's packages only with include-system-site-packages
        // = true; `python -m venv` writes false, and pyvenv.cfg is not read here.
        if in_venv {
            out.may_also_need.push(format!(
                "{} ({}) if {venv}/pyvenv.cfg sets include-system-site-packages = true",
                e.path,
                crate::units::bytes(e.bytes)
            ));
        } else {
            push(out, Some(e));
        }
    }
    out.may_also_need.push(
        "/bin/sh if the app runs subprocess(shell=True) or os.system(); libraries ctypes loads by name".into(),
    );
}

/// The application: the first argument naming a file (the script, the jar), and its
/// directory when that is an app directory rather than a system one; else WorkingDir.
fn app(fs: &Fs<'_>, out: &mut RuntimeFiles, runtime: &Runtime, args: &[String], workdir: &str) {
    let base = if workdir.is_empty() { "/" } else { workdir };
    let mut script = None;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        // Options with a value: python -m/-c/-W/-X, java -cp/-classpath/-jar.
        if matches!(a.as_str(), "-m" | "-c") && matches!(runtime, Runtime::Python(_)) {
            break;
        }
        if matches!(
            a.as_str(),
            "-W" | "-X" | "-cp" | "-classpath" | "--class-path" | "-r" | "--require"
        ) {
            i += 2;
            continue;
        }
        if a == "-jar" {
            i += 1;
            continue;
        }
        if a.starts_with('-') {
            i += 1;
            continue;
        }
        script = Some(fs::join(base, a));
        break;
    }
    let dir = match &script {
        Some(s) if fs.file(s).is_some() || fs.is_dir(s) => {
            let d = fs::parent(s).to_string();
            if SYSTEM_DIRS.contains(&d.as_str()) {
                let why = format!("the {} application", runtime.name());
                push(
                    out,
                    os_files::file(fs, s, &why).or_else(|| os_files::dir(fs, s, &why)),
                );
                None
            } else {
                Some(d)
            }
        }
        Some(s) => {
            out.notes.push(format!(
                "{s}: the script named on the command line is not in the image"
            ));
            None
        }
        None => None,
    };
    let dir = dir.or_else(|| (!SYSTEM_DIRS.contains(&base)).then(|| base.to_string()));
    if let Some(d) = dir {
        let why = format!("the {} application's directory", runtime.name());
        push(out, os_files::dir(fs, &d, &why));
    }
}
