//! Ruby gems, PHP Composer and .NET: each manifest makes packages that own their directory
//! or the assemblies it lists; an OS package's claim on the same file still wins.

use super::{analyse, bytes, stanza};
use crate::analysis::packages::Manager::{Dotnet, Dpkg, Gem, Php};
use crate::demo::builder::LayerBuilder;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const BUNDLE: &str = "usr/local/bundle";
const DEBGEMS: &str = "usr/share/rubygems-integration/all";

fn gemspec(name: &str, version: &str) -> Vec<u8> {
    format!(
        "# stub: {name} {version} ruby lib\nGem::Specification.new do |s|\n  s.name = \"{name}\".freeze\n  \
         s.version = \"{version}\"\nend\n"
    )
    .into_bytes()
}

fn image() -> Vec<LayerBuilder> {
    let debian = LayerBuilder::new("apt-get install ruby-rack")
        .file(
            &format!("{DEBGEMS}/specifications/rack-2.2.4.gemspec"),
            &gemspec("rack", "2.2.4"),
        )
        .file("usr/lib/ruby/vendor_ruby/rack.rb", &bytes(70, b'r'))
        .file(
            "var/lib/dpkg/status",
            stanza("ruby-rack", "2.2.4-3", "all", "").as_bytes(),
        )
        .file(
            "var/lib/dpkg/info/ruby-rack.list",
            format!(
                "/{DEBGEMS}/specifications/rack-2.2.4.gemspec\n/usr/lib/ruby/vendor_ruby/rack.rb\n"
            )
            .as_bytes(),
        );
    let bundle = LayerBuilder::new("bundle install")
        .file(
            &format!("{BUNDLE}/specifications/rake-13.0.6.gemspec"),
            &gemspec("rake", "13.0.6"),
        )
        .file(
            &format!("{BUNDLE}/gems/rake-13.0.6/lib/rake.rb"),
            &bytes(300, b'k'),
        )
        .file(
            &format!("{BUNDLE}/gems/rake-13.0.6/exe/rake"),
            &bytes(20, b'x'),
        )
        .file(&format!("{BUNDLE}/cache/rake-13.0.6.gem"), &bytes(90, b'c'));
    let php = LayerBuilder::new("composer install")
        .file(
            "app/vendor/composer/installed.json",
            br#"{"packages":[{"name":"monolog/monolog","version":"2.9.1","install-path":"../monolog/monolog"}]}"#,
        )
        .file("app/vendor/monolog/monolog/src/Logger.php", &bytes(400, b'm'))
        .file("app/vendor/autoload.php", &bytes(10, b'a'));
    let dotnet = LayerBuilder::new("COPY --from=build /app/publish /srv")
        .file(
            "srv/api.deps.json",
            br#"{"targets":{".NETCoreApp,Version=v8.0":{"api/1.0.0":{"runtime":{"api.dll":{}}},
                "Newtonsoft.Json/13.0.3":{"runtime":{"lib/net6.0/Newtonsoft.Json.dll":{}}}}},
                "libraries":{"api/1.0.0":{"type":"project"},"Newtonsoft.Json/13.0.3":{"type":"package"}}}"#,
        )
        .file("srv/api.dll", &bytes(50, b'd'))
        .file("srv/Newtonsoft.Json.dll", &bytes(700, b'n'))
        .file("srv/appsettings.json", &bytes(5, b'{'));
    vec![debian, bundle, php, dotnet]
}

#[test]
fn gems_composer_and_dotnet_own_their_files() -> TestResult {
    let fx = analyse(image())?;
    let rake = fx.pkg(Gem, "rake");
    assert_eq!((&*rake.version, rake.layer), ("13.0.6", 1));
    let spec = format!("{BUNDLE}/specifications/rake-13.0.6.gemspec");
    assert_eq!(rake.files, 3, "the gem's directory and its specification");
    assert_eq!(fx.owner(&spec), Some("rake"));
    assert_eq!(
        fx.owner(&format!("{BUNDLE}/gems/rake-13.0.6/exe/rake")),
        Some("rake")
    );
    assert_eq!(fx.owner(&format!("{BUNDLE}/cache/rake-13.0.6.gem")), None);

    // Debian's ruby-rack lists the gemspec: dpkg owns it; the gem is still listed.
    assert_eq!(
        fx.owner(&format!("{DEBGEMS}/specifications/rack-2.2.4.gemspec")),
        Some("ruby-rack")
    );
    assert_eq!(fx.pkg(Dpkg, "ruby-rack").files, 2);
    assert_eq!(fx.pkg(Gem, "rack").files, 0);

    let mono = fx.pkg(Php, "monolog/monolog");
    assert_eq!(
        (mono.bytes, &*mono.version, &*mono.location),
        (400, "2.9.1", "app/vendor/monolog/monolog")
    );
    assert_eq!(fx.owner("app/vendor/autoload.php"), None);

    let nj = fx.pkg(Dotnet, "Newtonsoft.Json");
    assert_eq!((nj.bytes, &*nj.version, nj.layer), (700, "13.0.3", 3));
    assert_eq!(fx.pkg(Dotnet, "api").bytes, 50);
    assert_eq!(fx.owner("srv/appsettings.json"), None);
    assert!(fx.a.warnings.is_empty(), "{:?}", fx.a.warnings);
    Ok(())
}

#[test]
fn a_broken_manifest_is_a_warning() -> TestResult {
    let l = LayerBuilder::new("x")
        .file("app/vendor/composer/installed.json", b"{\"packages\": [")
        .file("srv/api.deps.json", b"nope");
    let fx = analyse(vec![l])?;
    assert!(fx.a.packages.is_empty());
    assert_eq!(fx.a.warnings.len(), 2, "{:?}", fx.a.warnings);
    Ok(())
}

/// A Spring Boot fat jar: the jar is a package owning its bytes, its nested jars are listed
/// under it; a jar a dpkg package ships stays dpkg's bytes and is still listed.
#[test]
fn java_archives_and_their_nested_jars() -> TestResult {
    use crate::analysis::packages::Manager::Java;
    use crate::scan::jar::tests::zip;
    let inner = zip(&[(
        "META-INF/maven/org.slf4j/slf4j-api/pom.properties",
        b"groupId=org.slf4j\nartifactId=slf4j-api\nversion=2.0.9\n",
        false,
    )]);
    let fat = zip(&[
        (
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\nStart-Class: app.Main\n",
            false,
        ),
        (
            "META-INF/maven/com.example/app/pom.properties",
            b"artifactId=app\nversion=1.0.0\n",
            false,
        ),
        ("BOOT-INF/lib/slf4j-api-2.0.9.jar", &inner, true),
    ]);
    let debian = zip(&[(
        "META-INF/MANIFEST.MF",
        b"Manifest-Version: 1.0\nImplementation-Title: commons-lang3\nImplementation-Version: 3.12.0\n",
        false,
    )]);
    let layer = LayerBuilder::new("apt-get install libcommons-lang3-java && COPY app.jar /srv/")
        .file("usr/share/java/commons-lang3.jar", &debian)
        .file("srv/app.jar", &fat)
        .file(
            "var/lib/dpkg/status",
            stanza("libcommons-lang3-java", "3.12.0-2", "all", "").as_bytes(),
        )
        .file(
            "var/lib/dpkg/info/libcommons-lang3-java.list",
            b"/usr/share/java/commons-lang3.jar\n",
        );
    let fx = analyse(vec![layer])?;
    let app = fx.pkg(Java, "app");
    assert_eq!(
        (&*app.version, app.bytes, app.files),
        ("1.0.0", fat.len() as u64, 1)
    );
    let slf = fx.pkg(Java, "slf4j-api");
    assert_eq!((&*slf.version, slf.bytes), ("2.0.9", 0));
    assert_eq!(
        slf.location,
        "srv/app.jar!/BOOT-INF/lib/slf4j-api-2.0.9.jar"
    );
    assert_eq!(
        fx.owner("usr/share/java/commons-lang3.jar"),
        Some("libcommons-lang3-java")
    );
    assert_eq!(fx.pkg(Java, "commons-lang3").version, "3.12.0");
    Ok(())
}
