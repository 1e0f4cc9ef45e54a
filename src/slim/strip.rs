//! Stripping an ELF file where the rewrite predicts it stripped: with `strip` (or
//! `objcopy --strip-unneeded`) from this machine's PATH, the same `--strip-unneeded` the
//! rewrite's Dockerfile runs. The result is kept only when it is still an ELF file of the
//! same class and machine whose loaded segments are byte for byte the ones it had: what
//! strip removes is symbols and debug sections, which nothing maps at run time.

use object::{Object, ObjectSegment};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The strip program found on PATH, and how it is called.
#[derive(Debug, Clone)]
pub struct Tool {
    pub program: PathBuf,
    /// Arguments before `-o OUT IN`.
    pub args: Vec<&'static str>,
}

impl Tool {
    /// `strip`, else `objcopy`, from PATH.
    pub fn find() -> Option<Tool> {
        let path = std::env::var_os("PATH")?;
        for (name, args) in [
            ("strip", vec!["--strip-unneeded"]),
            ("objcopy", vec!["--strip-unneeded"]),
        ] {
            for dir in std::env::split_paths(&path) {
                let p = dir.join(name);
                if p.is_file() {
                    return Some(Tool { program: p, args });
                }
            }
        }
        None
    }

    /// In words, for the output: `/usr/bin/strip --strip-unneeded`.
    pub fn describe(&self) -> String {
        format!("{} {}", self.program.display(), self.args.join(" "))
    }
}

/// Why a file is copied as it is instead of stripped.
#[derive(Debug, thiserror::Error)]
pub enum StripError {
    #[error("{program} did not run")]
    Start {
        program: String,
        #[source]
        source: std::io::Error,
    },
    /// The first line strip wrote on stderr.
    #[error("{program} failed: {said}")]
    Failed { program: String, said: String },
    /// `what`: the input ("it back") or the result.
    #[error("cannot read {what}")]
    Read {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("not an ELF file")]
    NotElf(#[source] object::Error),
    #[error("the stripped file is unreadable")]
    Unreadable(#[source] object::Error),
    #[error("the stripped file changed class or machine")]
    ChangedClass,
    #[error("strip saved nothing")]
    SavedNothing,
    #[error("a segment lies outside the file")]
    SegmentOutside,
    #[error("strip changed a loaded segment")]
    ChangedSegment,
    #[error("strip changed the entry point")]
    ChangedEntry,
}

/// Strips `input` into `output`. Err says why the file is to be copied as it is instead.
pub fn strip(tool: &Tool, input: &Path, output: &Path) -> Result<u64, StripError> {
    let program = || tool.program.display().to_string();
    let out = Command::new(&tool.program)
        .args(&tool.args)
        .arg("-o")
        .arg(output)
        .arg(input)
        .output()
        .map_err(|source| StripError::Start {
            program: program(),
            source,
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(StripError::Failed {
            program: program(),
            said: err.lines().next().unwrap_or("no message").to_string(),
        });
    }
    let read =
        |path: &Path, what| std::fs::read(path).map_err(|source| StripError::Read { what, source });
    let before = read(input, "it back")?;
    let after = read(output, "the result")?;
    same_loaded_image(&before, &after)?;
    Ok(after.len() as u64)
}

/// Checks that `after` maps exactly what `before` maps.
pub fn same_loaded_image(before: &[u8], after: &[u8]) -> Result<(), StripError> {
    let a = object::File::parse(before).map_err(StripError::NotElf)?;
    let b = object::File::parse(after).map_err(StripError::Unreadable)?;
    if a.architecture() != b.architecture() || a.is_64() != b.is_64() {
        return Err(StripError::ChangedClass);
    }
    if after.len() >= before.len() {
        return Err(StripError::SavedNothing);
    }
    let mut ignore = unmapped_ranges(&a, before);
    ignore.extend(unmapped_ranges(&b, after));
    let (mb, ma) = (masked(before, &ignore), masked(after, &ignore));
    type Seg = (u64, u64, Vec<u8>, object::SegmentFlags);
    let segs = |f: &object::File<'_>, bytes: &[u8]| -> Result<Vec<Seg>, StripError> {
        f.segments()
            .map(|s| {
                let (off, len) = s.file_range();
                let data = usize::try_from(off)
                    .ok()
                    .zip(usize::try_from(off.saturating_add(len)).ok())
                    .and_then(|(lo, hi)| bytes.get(lo..hi))
                    .ok_or(StripError::SegmentOutside)?;
                Ok((s.address(), s.size(), data.to_vec(), s.flags()))
            })
            .collect()
    };
    let (sa, sb) = (segs(&a, &mb)?, segs(&b, &ma)?);
    if sa.len() != sb.len() || sa.iter().zip(&sb).any(|(x, y)| !same_segment(x, y)) {
        return Err(StripError::ChangedSegment);
    }
    if a.entry() != b.entry() {
        return Err(StripError::ChangedEntry);
    }
    Ok(())
}

/// Same address and memory size, and the same bytes once loaded: a file part cut short
/// (strip drops a segment's trailing zeros) loads the zeros the memory size fills in.
fn same_segment(
    x: &(u64, u64, Vec<u8>, object::SegmentFlags),
    y: &(u64, u64, Vec<u8>, object::SegmentFlags),
) -> bool {
    let n = x.2.len().min(y.2.len());
    let zero_tail = |d: &[u8]| d[n..].iter().all(|&b| b == 0);
    x.0 == y.0
        && x.1 == y.1
        && x.3 == y.3
        && x.2[..n] == y.2[..n]
        && zero_tail(&x.2)
        && zero_tail(&y.2)
}

/// File ranges nothing reads at run time though a segment may map them: the fields of
/// the ELF header that locate the section headers, the section header table, and sections
/// without SHF_ALLOC (Go's linker puts its section headers and `.shstrtab` inside loaded
/// segments; strip moves them to the end).
fn unmapped_ranges(f: &object::File<'_>, bytes: &[u8]) -> Vec<(usize, usize)> {
    use object::{ObjectSection, SectionFlags};
    let (fields, shoff, shentsize, shnum): ([(usize, usize); 4], _, _, _) = if f.is_64() {
        (
            [(0x28, 8), (0x3a, 2), (0x3c, 2), (0x3e, 2)],
            (0x28, 8),
            0x3a,
            0x3c,
        )
    } else {
        (
            [(0x20, 4), (0x2e, 2), (0x30, 2), (0x32, 2)],
            (0x20, 4),
            0x2e,
            0x30,
        )
    };
    let read = |at: usize, len: usize| -> u64 {
        let Some(b) = bytes.get(at..at + len) else {
            return 0;
        };
        let mut v = 0u64;
        for i in 0..len {
            let byte = if f.is_little_endian() {
                b[len - 1 - i]
            } else {
                b[i]
            };
            v = (v << 8) | u64::from(byte);
        }
        v
    };
    let mut out: Vec<(usize, usize)> = fields.to_vec();
    // The program headers are compared as parsed (address, sizes, flags), not as bytes:
    // strip may trim a segment's trailing zeros from its file size.
    let (phoff, phentsize, phnum) = if f.is_64() {
        ((0x20, 8), 0x36, 0x38)
    } else {
        ((0x1c, 4), 0x2a, 0x2c)
    };
    out.push((
        read(phoff.0, phoff.1) as usize,
        read(phentsize, 2).saturating_mul(read(phnum, 2)) as usize,
    ));
    let table = read(shoff.0, shoff.1);
    let table_len = read(shentsize, 2).saturating_mul(read(shnum, 2));
    out.push((table as usize, table_len as usize));
    for s in f.sections() {
        let alloc = match s.flags() {
            SectionFlags::Elf { sh_flags, .. } => sh_flags.0 & (1 << 1) != 0, // SHF_ALLOC
            _ => true,
        };
        if let (false, Some((off, len))) = (alloc, s.file_range()) {
            out.push((off as usize, len as usize));
        }
    }
    out
}

/// A copy of `bytes` with `ranges` zeroed.
fn masked(bytes: &[u8], ranges: &[(usize, usize)]) -> Vec<u8> {
    let mut v = bytes.to_vec();
    for &(at, len) in ranges {
        let end = at.saturating_add(len).min(v.len());
        if let Some(r) = v.get_mut(at.min(end)..end) {
            r.fill(0);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_elf() {
        let e = same_loaded_image(b"#!/bin/sh\n", b"#!/bin/sh").unwrap_err();
        assert!(matches!(e, StripError::NotElf(_)), "{e}");
        assert!(
            crate::error::one_line(&e).starts_with("not an ELF file: "),
            "{e}"
        );
    }

    #[test]
    fn strips_a_real_program_and_sees_a_changed_segment() -> Result<(), Box<dyn std::error::Error>>
    {
        let Some(tool) = Tool::find() else {
            eprintln!("skipped: no strip or objcopy on PATH");
            return Ok(());
        };
        // This test binary: a real ELF with symbols and line tables.
        let dir = tempfile::tempdir()?;
        let input = dir.path().join("program");
        std::fs::copy(std::env::current_exe()?, &input)?;
        let out = dir.path().join("program.stripped");
        let after = strip(&tool, &input, &out)?;
        let before = std::fs::metadata(&input)?.len();
        assert!(after < before, "{after} < {before}");

        // One byte of code changed: no longer the same loaded image.
        let original = std::fs::read(&input)?;
        let mut tampered = std::fs::read(&out)?;
        let text = object::File::parse(&*tampered)?
            .segments()
            .find(|s| s.file_range().1 > 0x2000)
            .map(|s| s.file_range().0 as usize + 0x1000)
            .ok_or("a segment")?;
        tampered[text] ^= 0xff;
        let e = same_loaded_image(&original, &tampered).unwrap_err();
        assert!(matches!(e, StripError::ChangedSegment), "{e}");
        Ok(())
    }
}
