//! The sizes the rewrite predicts (the base, apk's packages on alpine, the copies) and the
//! rpm packages a Red Hat-family image's libraries come from.

use super::AlpinePackage;
use super::alpine;
use super::closure::Closure;
use super::copies::Assembled;
use super::fs::{self, Fs};
use super::rpm::{self, RpmProvider};
use super::target::{Base, Choice};

/// The sizes the rewrite predicts: the base, apk's packages on alpine, and the copies.
pub(super) struct Prediction<'c> {
    /// The closure's libraries and the missing ones: on alpine a package may be exactly
    /// what provides them.
    pub sonames: Vec<&'c str>,
    pub apk: Vec<AlpinePackage>,
    pub unmapped: Vec<String>,
    pub base_bytes: u64,
    pub base_compressed: u64,
    pub bytes: u64,
    pub compressed: u64,
}

impl<'c> Prediction<'c> {
    pub fn new(
        choice: &Choice,
        closure: &'c Closure,
        a: &Assembled,
        assumptions: &mut Vec<String>,
    ) -> Self {
        let (base_bytes, base_compressed) = choice.base.bytes();
        if !choice.base.exact() {
            assumptions.push(format!(
                "{} is counted at its published size, about {} ({} compressed); microscope has not measured it",
                choice.base.image(),
                crate::units::bytes(base_bytes),
                crate::units::bytes(base_compressed)
            ));
        }
        let sonames: Vec<&str> = closure
            .libraries()
            .map(|o| fs::basename(&o.opened))
            .chain(closure.missing.iter().map(|m| fs::basename(&m.name)))
            .collect();
        let index = alpine::snapshot();
        let (apk, unmapped) = alpine::map_sonames(&index, sonames.iter().copied());
        let alpine = choice.base == Base::Alpine;
        // Sizes the image's apk database declares: summed without overflow.
        let apk_bytes: u64 = if alpine {
            apk.iter()
                .map(|p| p.installed_bytes)
                .fold(0, u64::saturating_add)
        } else {
            0
        };
        let bytes = a
            .copies
            .iter()
            .map(|c| c.predicted_bytes)
            .fold(base_bytes.saturating_add(apk_bytes), u64::saturating_add);
        let compressed = a.copies.iter().map(|c| c.predicted_compressed_bytes).fold(
            base_compressed.saturating_add(apk_bytes / 100 * 45),
            u64::saturating_add,
        );
        if alpine && !apk.is_empty() {
            assumptions.push("apk also installs the packages' own dependencies, which the prediction does not count (the snapshot has no dependency lists)".into());
        }
        if alpine && !unmapped.is_empty() {
            assumptions.push(format!(
                "no Alpine package in the snapshot for {}: copied from the image",
                unmapped.join(", ")
            ));
        }
        Prediction {
            sonames,
            apk,
            unmapped,
            base_bytes,
            base_compressed,
            bytes,
            compressed,
        }
    }
}

/// The image's rpm packages providing the libraries (Red Hat family only), and what
/// microdnf installs on ubi-minimal for the missing ones.
pub(super) struct Rpms {
    pub packages: Vec<RpmProvider>,
    pub dnf_install: Vec<String>,
}

impl Rpms {
    pub fn new(
        fs: &Fs<'_>,
        choice: &Choice,
        closure: &Closure,
        sonames: &[&str],
        assumptions: &mut Vec<String>,
    ) -> Self {
        let rpm_index = rpm::RpmIndex::from_fs(fs).filter(|_| rpm::redhat_family(fs));
        let packages = rpm_index
            .as_ref()
            .map(|index| index.map_sonames(sonames.iter().copied()).0)
            .unwrap_or_default();
        let dnf_install = if choice.base == Base::UbiMinimal {
            let missing = closure.missing.iter().map(|m| fs::basename(&m.name));
            rpm::dnf_install(rpm_index.as_ref(), missing)
        } else {
            Vec::new()
        };
        if !dnf_install.is_empty() {
            assumptions.push(format!(
                "microdnf installs {} from the Red Hat repositories: the image's database lists the missing libraries in them; their sizes are not counted",
                dnf_install.join(" ")
            ));
        }
        Rpms {
            packages,
            dnf_install,
        }
    }
}
