//! The ELF inspector on hand-written fixtures (exact bytes) and on gcc-built programs
//! checked against the real `strip`.

use crate::support::elf;

use elf::*;
use microscope::image::facts::{ElfType, Linkage};
use microscope::scan::elf::inspect;

#[test]
fn strip_bytes_are_exact_on_a_written_fixture() {
    let bytes = unstripped(4000, 2400, 1500, 30_000);
    let info = inspect(&bytes, true).expect("an ELF file");
    assert_eq!(info.class, 64);
    assert_eq!(info.arch(), Some("amd64"));
    assert_eq!(info.e_type, ElfType::Exec);
    assert_eq!(info.linkage, Linkage::Static);
    assert!(info.has_symtab && info.has_debug);
    assert_eq!(info.strip_bytes, strip_cost(2400, 1500, 30_000));
    assert_eq!(info.go, None);
    assert!(!info.rust);
}

#[test]
fn stripped_files_and_relocatables_keep_their_symbols() {
    let mut b = ElfBuilder::new(ET_EXEC);
    b.sections = vec![sec(".text", SHT_PROGBITS, SHF_ALLOC | 4, 100)];
    let info = inspect(&b.build(), true).unwrap();
    assert_eq!(
        (info.strip_bytes, info.has_symtab, info.has_debug),
        (0, false, false)
    );

    // An object file needs its symbol table to be linked: only DWARF is removable.
    let mut o = ElfBuilder::new(ET_REL);
    o.sections = vec![
        sec(".symtab", SHT_SYMTAB, 0, 240),
        sec(".strtab", SHT_STRTAB, 0, 50),
        sec(".debug_line", SHT_PROGBITS, 0, 700),
        sec(".zdebug_str", SHT_PROGBITS, 0, 90),
        sec(".debug_bss", SHT_NOBITS, 0, 5000),
    ];
    let info = inspect(&o.build(), false).unwrap();
    assert_eq!(info.linkage, Linkage::None);
    assert_eq!(info.strip_bytes, 700 + 90 + 2 * 64 + 12 + 12);
}

#[test]
fn linkage_interp_needed_runpath_soname() {
    let mut b = ElfBuilder::new(ET_DYN);
    b.interp = Some("/lib/ld-musl-x86_64.so.1".into());
    b.needed = vec!["libssl.so.3".into(), "libc.musl-x86_64.so.1".into()];
    b.runpath = Some("$ORIGIN/../lib".into());
    b.pie = true;
    b.symbols = vec!["dlopen".into(), "getaddrinfo".into()];
    let info = inspect(&b.build(), true).unwrap();
    assert_eq!(info.linkage, Linkage::Dynamic);
    assert_eq!(info.interp.as_deref(), Some("/lib/ld-musl-x86_64.so.1"));
    assert_eq!(info.needed, ["libssl.so.3", "libc.musl-x86_64.so.1"]);
    assert_eq!(info.runpath.as_deref(), Some("$ORIGIN/../lib"));
    assert!(info.pie && info.dlopen && info.nss);

    let mut pie = ElfBuilder::new(ET_DYN);
    pie.dynamic = true;
    pie.pie = true;
    assert_eq!(
        inspect(&pie.build(), true).unwrap().linkage,
        Linkage::StaticPie
    );

    let mut ld = ElfBuilder::new(ET_DYN);
    ld.soname = Some("ld-linux-x86-64.so.2".into());
    let info = inspect(&ld.build(), true).unwrap();
    assert_eq!(info.linkage, Linkage::Dynamic);
    assert_eq!(info.soname.as_deref(), Some("ld-linux-x86-64.so.2"));
    assert!(!info.dlopen && !info.nss);
}

#[test]
fn dynamic_strings_are_found_without_section_headers() {
    let mut b = ElfBuilder::new(ET_DYN);
    b.interp = Some("/lib64/ld-linux-x86-64.so.2".into());
    b.needed = vec!["libc.so.6".into()];
    b.no_section_headers = true;
    let info = inspect(&b.build(), true).unwrap();
    assert_eq!(info.needed, ["libc.so.6"]);
    assert_eq!(info.linkage, Linkage::Dynamic);
}

#[test]
fn upx_packed_files_report_the_original_size() {
    let mut b = ElfBuilder::new(ET_EXEC);
    b.no_section_headers = true;
    let mut l_info = Vec::new();
    l_info.extend_from_slice(&0u32.to_le_bytes()); // l_checksum
    l_info.extend_from_slice(b"UPX!");
    l_info.extend_from_slice(&[0, 0, 13, 22]); // l_lsize, l_version, l_format
    l_info.extend_from_slice(&0u32.to_le_bytes()); // p_progid
    l_info.extend_from_slice(&5_000_000u32.to_le_bytes()); // p_filesize
    l_info.extend_from_slice(&5_000_000u32.to_le_bytes()); // p_blocksize
    l_info.extend(std::iter::repeat_n(7u8, 2 << 20));
    b.after_phdrs = l_info;
    let info = inspect(&b.build(), true).unwrap();
    let upx = info.upx.expect("UPX detected");
    assert_eq!(upx.original_size, Some(5_000_000));
    assert_eq!(info.zstd1_bytes, None, "packed files are not estimated");
}

#[test]
fn zstd_estimate_only_for_large_executables() {
    let big = unstripped(2 << 20, 10, 10, 10);
    let info = inspect(&big, true).unwrap();
    let z = info.zstd1_bytes.expect("estimated");
    assert!(
        z > 0 && z < big.len() as u64 / 10,
        "0xab filler compresses well: {z}"
    );
    assert_eq!(inspect(&big, false).unwrap().zstd1_bytes, None);
    assert_eq!(
        inspect(&unstripped(1000, 10, 10, 10), true)
            .unwrap()
            .zstd1_bytes,
        None
    );
}

const HELLO: &str = r#"
#include <stdio.h>
#include <stdlib.h>
struct point { int x, y; double w; };
static int add(const struct point *p) { return p->x + p->y; }
int main(int argc, char **argv) {
    struct point p = { argc, 2, 3.0 };
    printf("hello %d %s\n", add(&p), getenv("HOME"));
    return 0;
}
"#;

/// Predicted strip saving of a gcc-built binary against what `strip` really removes.
fn check_against_strip(flags: &[&str], linkage: Linkage) {
    let dir = tempfile::tempdir().unwrap();
    let Some(bin) = gcc(dir.path(), "hello", HELLO, flags) else {
        return;
    };
    let Some(after) = stripped_size(&bin) else {
        return;
    };
    let bytes = std::fs::read(&bin).unwrap();
    let info = inspect(&bytes, true).unwrap();
    let real = bytes.len() as u64 - after;
    let predicted = info.strip_bytes;
    let error = (predicted as f64 - real as f64).abs() / real as f64;
    eprintln!(
        "gcc {flags:?}: predicted {predicted} B, strip removed {real} B ({:.3} %)",
        error * 100.0
    );
    assert!(error < 0.01, "predicted {predicted}, real {real}");
    assert_eq!(info.linkage, linkage);
    assert!(info.has_symtab && info.has_debug);
    let again = inspect(
        &std::fs::read(bin.with_extension("stripped")).unwrap(),
        true,
    )
    .unwrap();
    assert_eq!((again.strip_bytes, again.has_symtab), (0, false));
}

#[test]
fn strip_prediction_within_1_percent_dynamic() {
    check_against_strip(&["-g", "-O0"], Linkage::Dynamic);
}

#[test]
fn strip_prediction_within_1_percent_static() {
    check_against_strip(&["-g", "-O2", "-static"], Linkage::Static);
}

#[test]
fn strip_prediction_within_1_percent_static_pie() {
    check_against_strip(&["-g", "-static-pie"], Linkage::StaticPie);
}

#[test]
fn gcc_shared_library_has_a_soname_and_rpath() {
    let dir = tempfile::tempdir().unwrap();
    let src = "#include <dlfcn.h>\nvoid *f(void) { return dlopen(\"x\", 0); }\n";
    let flags = [
        "-shared",
        "-fPIC",
        "-Wl,-soname,libf.so.1",
        "-Wl,--disable-new-dtags,-rpath,/opt/f",
    ];
    let Some(lib) = gcc(dir.path(), "libf", src, &flags) else {
        return;
    };
    let info = inspect(&std::fs::read(lib).unwrap(), true).unwrap();
    assert_eq!(info.soname.as_deref(), Some("libf.so.1"));
    assert_eq!(info.rpath.as_deref(), Some("/opt/f"));
    assert_eq!(info.linkage, Linkage::Dynamic);
    assert!(info.dlopen);
    assert_eq!(info.zstd1_bytes, None);
}

#[test]
fn this_test_binary_is_recognised_as_rust() {
    let exe = std::env::current_exe().unwrap();
    let bytes = std::fs::read(exe).unwrap();
    let info = inspect(&bytes, false).unwrap();
    assert!(info.rust, "rustc's marks or std's /rustc/ paths");
    assert!(info.go.is_none());
    assert!(info.has_symtab);
    assert!(info.strip_bytes > 0 && info.strip_bytes < bytes.len() as u64);
}
