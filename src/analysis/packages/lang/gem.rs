//! Ruby gems: rubygems writes each installed gem's specification to
//! `<gem home>/specifications/NAME-VERSION.gemspec` (Ruby source with `s.name = "…"` and
//! `s.version = "…"` lines) and unpacks the gem into `<gem home>/gems/NAME-VERSION/`.
//! Default gems (`specifications/default/`) live in Ruby's own library and own only their
//! specification.

use super::Found;
use super::split;

/// True for the specification files rubygems writes.
pub fn is_gemspec(path: &str) -> bool {
    let Some(dir) = path.strip_suffix(".gemspec").map(|p| split(p).0) else {
        return false;
    };
    dir.ends_with("specifications") || dir.ends_with("specifications/default")
}

/// The gem a specification describes; `None` when it names none.
pub fn read(path: &str, bytes: &[u8]) -> Option<Found> {
    let text = String::from_utf8_lossy(bytes);
    let (spec_dir, file) = split(path);
    let stem = file.strip_suffix(".gemspec")?;
    let name = field(&text, "name").unwrap_or_else(|| name_of(stem).to_string());
    let version = field(&text, "version").unwrap_or_default();
    if name.is_empty() {
        return None;
    }
    let mut found = Found {
        name,
        version,
        location: path.to_string(),
        trees: Vec::new(),
        files: vec![path.to_string()],
    };
    if let Some(home) = spec_dir.strip_suffix("specifications") {
        found.trees.push(format!("{home}gems/{stem}"));
    }
    Some(found)
}

/// `s.name = "rake".freeze` → `rake`; the first such line wins.
fn field(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let rest = l.trim_start().strip_prefix("s.")?.strip_prefix(name)?;
        let rest = rest.trim_start().strip_prefix('=')?.trim_start();
        let rest = rest.strip_prefix("Gem::Version.new(").unwrap_or(rest);
        let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let inner = &rest[1..];
        inner.find(q).map(|end| inner[..end].to_string())
    })
}

/// `nokogiri-1.15.4-x86_64-linux` → `nokogiri`: the name ends before the first `-digit`.
fn name_of(stem: &str) -> &str {
    stem.match_indices('-')
        .find(|(i, _)| stem[i + 1..].starts_with(|c: char| c.is_ascii_digit()))
        .map_or(stem, |(i, _)| &stem[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAKE: &[u8] = b"# -*- encoding: utf-8 -*-\n# stub: rake 13.0.6 ruby lib\n\n\
Gem::Specification.new do |s|\n  s.name = \"rake\".freeze\n  s.version = \"13.0.6\"\n\n\
  s.required_rubygems_version = Gem::Requirement.new(\">= 1.3.2\".freeze) if s.respond_to? :required_rubygems_version=\n\
  s.authors = [\"Hiroshi SHIBATA\".freeze]\nend\n";

    #[test]
    fn reads_a_specification() -> Result<(), Box<dyn std::error::Error>> {
        let f = read("usr/local/bundle/specifications/rake-13.0.6.gemspec", RAKE)
            .ok_or("rake not read")?;
        assert_eq!((&*f.name, &*f.version), ("rake", "13.0.6"));
        assert_eq!(f.trees, ["usr/local/bundle/gems/rake-13.0.6"]);
        let d = read(
            "usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec",
            b"garbage",
        )
        .ok_or("a default gemspec is named by its path")?;
        assert_eq!((&*d.name, &*d.version), ("json", ""));
        assert!(d.trees.is_empty());
        assert_eq!(name_of("nokogiri-1.15.4-x86_64-linux"), "nokogiri");
        assert!(is_gemspec(
            "var/lib/gems/3.1.0/specifications/rack-3.0.8.gemspec"
        ));
        assert!(is_gemspec("x/specifications/default/json-2.6.1.gemspec"));
        assert!(!is_gemspec("app/rack.gemspec"));
        assert!(read("s/specifications/.gemspec", b"s.name = ''").is_none());
        Ok(())
    }
}
