//! The gate's rules by name: the keys of `[ci]` in `.microscope.toml` and the `rule` of each
//! verdict in the JSON report.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    MinEfficiency,
    MaxReclaimableBytes,
    MaxReclaimablePercent,
    MaxFinalBytes,
    MaxCompressedBytes,
    MaxLayers,
    MaxSavableBytes,
    ForbidFindings,
    ForbidPackages,
    MaxGrowthBytes,
    MaxGrowthPercent,
}

impl Rule {
    /// Every rule, in the order the README documents them.
    pub const ALL: [Rule; 11] = [
        Rule::MinEfficiency,
        Rule::MaxReclaimableBytes,
        Rule::MaxReclaimablePercent,
        Rule::MaxFinalBytes,
        Rule::MaxCompressedBytes,
        Rule::MaxLayers,
        Rule::MaxSavableBytes,
        Rule::ForbidFindings,
        Rule::ForbidPackages,
        Rule::MaxGrowthBytes,
        Rule::MaxGrowthPercent,
    ];

    /// The key in `[ci]`, as serde writes it.
    pub fn key(self) -> &'static str {
        match self {
            Rule::MinEfficiency => "min_efficiency",
            Rule::MaxReclaimableBytes => "max_reclaimable_bytes",
            Rule::MaxReclaimablePercent => "max_reclaimable_percent",
            Rule::MaxFinalBytes => "max_final_bytes",
            Rule::MaxCompressedBytes => "max_compressed_bytes",
            Rule::MaxLayers => "max_layers",
            Rule::MaxSavableBytes => "max_savable_bytes",
            Rule::ForbidFindings => "forbid_findings",
            Rule::ForbidPackages => "forbid_packages",
            Rule::MaxGrowthBytes => "max_growth_bytes",
            Rule::MaxGrowthPercent => "max_growth_percent",
        }
    }

    /// The rule a `[ci]` key names (dashes read as underscores by the caller).
    pub fn from_key(key: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.key() == key)
    }

    /// A failure points at the image's size rather than at waste or content.
    pub fn is_size(self) -> bool {
        matches!(
            self,
            Rule::MaxFinalBytes
                | Rule::MaxCompressedBytes
                | Rule::MaxLayers
                | Rule::MaxGrowthBytes
                | Rule::MaxGrowthPercent
        )
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::Rule;

    #[test]
    fn serde_names_are_the_keys() {
        for r in Rule::ALL {
            let json = serde_json::to_string(&r).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", r.key()));
            assert_eq!(Rule::from_key(r.key()), Some(r));
        }
        assert_eq!(Rule::from_key("max_bytes"), None);
    }

    #[test]
    fn display_honours_the_column_width() {
        assert_eq!(format!("{:<12}|", Rule::MaxLayers), "max_layers  |");
    }
}
