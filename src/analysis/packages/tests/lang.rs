//! Language packages: Python dist-info RECORD (with `../../../bin/`), egg-info, npm's
//! nearest package directory, and OS packages winning over them.

use super::{analyse, bytes, stanza};
use crate::analysis::packages::Manager::{Dpkg, Npm, Python};
use crate::demo::builder::LayerBuilder;

const DIST: &str = "usr/lib/python3/dist-packages";
const SITE: &str = "usr/local/lib/python3.11/site-packages";

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn debian_python() -> LayerBuilder {
    let record = b"yaml/__init__.py,sha256=x,100\nPyYAML-6.0.dist-info/METADATA,,\n";
    LayerBuilder::new("apt-get install python3-yaml")
        .dir(&format!("{DIST}/yaml"))
        .file(&format!("{DIST}/yaml/__init__.py"), &bytes(100, b'y'))
        .file(
            &format!("{DIST}/PyYAML-6.0.dist-info/METADATA"),
            b"Name: PyYAML\nVersion: 6.0\n",
        )
        .file(&format!("{DIST}/PyYAML-6.0.dist-info/RECORD"), record)
        .file(
            "var/lib/dpkg/status",
            stanza("python3-yaml", "6.0-3+b2", "amd64", "").as_bytes(),
        )
        .file(
            "var/lib/dpkg/info/python3-yaml.list",
            format!(
                "/{DIST}/yaml/__init__.py\n/{DIST}/PyYAML-6.0.dist-info/METADATA\n\
                 /{DIST}/PyYAML-6.0.dist-info/RECORD\n"
            )
            .as_bytes(),
        )
}

const REQ_METADATA: &[u8] = b"Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n";
const REQ_RECORD: &[u8] = b"requests/__init__.py,sha256=a,200\n\
requests/__pycache__/__init__.cpython-311.pyc,,\n\
../../../bin/req,sha256=b,30\n\
requests-2.31.0.dist-info/METADATA,sha256=c,52\n\
requests-2.31.0.dist-info/RECORD,,\n";
const SIX_FILES: &[u8] = b"../six.py\nPKG-INFO\ninstalled-files.txt\n";

fn pip() -> LayerBuilder {
    LayerBuilder::new("pip install requests six")
        .file(&format!("{SITE}/requests/__init__.py"), &bytes(200, b'r'))
        .file(
            &format!("{SITE}/requests/__pycache__/__init__.cpython-311.pyc"),
            &bytes(150, b'p'),
        )
        .file(
            &format!("{SITE}/requests-2.31.0.dist-info/METADATA"),
            REQ_METADATA,
        )
        .file(
            &format!("{SITE}/requests-2.31.0.dist-info/RECORD"),
            REQ_RECORD,
        )
        .file("usr/local/bin/req", &bytes(30, b'#'))
        .file(&format!("{SITE}/six.py"), &bytes(77, b'6'))
        .file(
            &format!("{SITE}/six-1.16.0-py3.11.egg-info/PKG-INFO"),
            b"Name: six\nVersion: 1.16.0\n",
        )
        .file(
            &format!("{SITE}/six-1.16.0-py3.11.egg-info/installed-files.txt"),
            SIX_FILES,
        )
}

const LEFT_PAD: &[u8] = br#"{"name":"left-pad","version":"1.3.0"}"#;
const INNER: &[u8] = br#"{"name":"@scope/inner","version":"0.1.0","dependencies":{}}"#;

fn npm() -> LayerBuilder {
    LayerBuilder::new("npm ci")
        .file("app/package.json", br#"{"name":"app"}"#)
        .file("app/node_modules/left-pad/package.json", LEFT_PAD)
        .file("app/node_modules/left-pad/index.js", &bytes(40, b'l'))
        .file(
            "app/node_modules/left-pad/node_modules/@scope/inner/package.json",
            INNER,
        )
        .file(
            "app/node_modules/left-pad/node_modules/@scope/inner/lib/x.js",
            &bytes(60, b'i'),
        )
        .symlink("app/node_modules/.bin/left-pad", "../left-pad/index.js")
        .file("app/node_modules/nomanifest/x.js", &bytes(11, b'n'))
}

#[test]
fn os_package_wins_over_its_own_record() -> TestResult {
    let fx = analyse(vec![debian_python()])?;
    assert_eq!(
        fx.owner(&format!("{DIST}/yaml/__init__.py")),
        Some("python3-yaml")
    );
    let deb = fx.pkg(Dpkg, "python3-yaml");
    assert_eq!(deb.files, 3);
    let py = fx.pkg(Python, "PyYAML");
    assert_eq!((py.version.as_str(), py.bytes, py.files), ("6.0", 0, 0));
    assert_eq!(py.declared_bytes, Some(100));
    assert_eq!(py.location, format!("{DIST}/PyYAML-6.0.dist-info"));
    Ok(())
}

#[test]
fn python_record_and_egg_info() -> TestResult {
    let fx = analyse(vec![debian_python(), pip()])?;
    let req = fx.pkg(Python, "requests");
    let expected = 200 + 150 + 30 + REQ_METADATA.len() + REQ_RECORD.len();
    assert_eq!((req.bytes, req.files, req.layer), (expected as u64, 5, 1));
    assert_eq!(req.declared_bytes, Some(282));
    assert_eq!(fx.owner("usr/local/bin/req"), Some("requests"));
    let six = fx.pkg(Python, "six");
    assert_eq!(six.version, "1.16.0");
    assert_eq!(six.bytes, (77 + 26 + SIX_FILES.len()) as u64);
    assert_eq!(fx.layer_bytes(1, "requests", None), expected as u64);
    Ok(())
}

/// Issue 18 §8: distutils writes `NAME-VER.egg-info` as one PKG-INFO file (Debian's
/// python3-jdcal, python3-sympy).
#[test]
fn single_file_egg_info_is_a_python_package() -> TestResult {
    const JDCAL: &[u8] = b"Metadata-Version: 1.1\nName: jdcal\nVersion: 1.0\n\nlong text\n";
    let egg = format!("{DIST}/jdcal-1.0.egg-info");
    let layer = LayerBuilder::new("apt-get install python3-jdcal")
        .file(&egg, JDCAL)
        .file(&format!("{DIST}/jdcal.py"), &bytes(500, b'j'))
        .file(&format!("{DIST}/noversion-2.1.egg-info"), b"\n");
    let fx = analyse(vec![layer])?;
    let jdcal = fx.pkg(Python, "jdcal");
    assert_eq!(
        (jdcal.version.as_str(), jdcal.location.as_str()),
        ("1.0", egg.as_str())
    );
    assert_eq!((jdcal.bytes, jdcal.files), (JDCAL.len() as u64, 1));
    assert_eq!(fx.owner(&egg), Some("jdcal"));
    assert_eq!(fx.pkg(Python, "noversion").version, "2.1");
    Ok(())
}

#[test]
fn npm_nearest_package_directory_owns() -> TestResult {
    let fx = analyse(vec![npm()])?;
    let lp = fx.pkg(Npm, "left-pad");
    assert_eq!(lp.version, "1.3.0");
    assert_eq!(lp.location, "app/node_modules/left-pad");
    assert_eq!(lp.bytes, (40 + LEFT_PAD.len()) as u64);
    let inner = fx.pkg(Npm, "@scope/inner");
    assert_eq!((inner.bytes, inner.files), ((60 + INNER.len()) as u64, 2));
    assert_eq!(fx.owner("app/node_modules/nomanifest/x.js"), None);
    assert_eq!(fx.owner("app/package.json"), None);
    assert_eq!(fx.owner("app/node_modules/.bin/left-pad"), None);
    Ok(())
}

#[test]
fn a_removed_npm_package_is_gone_from_the_final_image() -> TestResult {
    let rm = LayerBuilder::new("rm -rf app/node_modules/left-pad/node_modules")
        .whiteout("app/node_modules/left-pad/node_modules");
    let fx = analyse(vec![npm(), rm])?;
    assert_eq!(fx.removed("@scope/inner")[0].removed_layer, Some(1));
    assert_eq!(
        fx.layer_bytes(0, "@scope/inner", None),
        (60 + INNER.len()) as u64
    );
    Ok(())
}
