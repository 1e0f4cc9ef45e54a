//! Go build info and pclntab needs, on blobs written the way the Go linker writes them.

use crate::support::elf;

use elf::*;
use microscope::demo::elf::varint;
use microscope::scan::elf::gobuild::{self, MAGIC, parse_buildinfo, pclntab_needs};
use microscope::scan::elf::inspect;

const MODINFO: &str = "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\n\
dep\tgolang.org/x/net\tv0.25.0\th1:abc=\n\
build\t-buildmode=exe\nbuild\t-compiler=gc\nbuild\t-ldflags=\"-s -w -X main.v=1\"\n\
build\tCGO_ENABLED=0\nbuild\tGOOS=linux\n";

#[test]
fn reads_version_module_deps_and_settings() {
    let go = parse_buildinfo(&buildinfo("go1.22.3", MODINFO)).expect("Go build info");
    assert_eq!(go.version.as_deref(), Some("go1.22.3"));
    assert_eq!(go.path.as_deref(), Some("example.com/hello"));
    assert_eq!(
        go.main.as_ref().map(|m| m.version.as_str()),
        Some("(devel)")
    );
    assert_eq!(go.deps.len(), 1);
    assert_eq!(go.deps[0].path, "golang.org/x/net");
    assert_eq!(go.deps[0].version, "v0.25.0");
    assert_eq!(go.cgo_enabled, Some(false));
    assert_eq!(go.ldflags.as_deref(), Some("-s -w -X main.v=1"));
    assert_eq!(go.note, None);
}

#[test]
fn old_and_broken_headers_give_a_note_not_a_panic() {
    let mut old = MAGIC.to_vec();
    old.extend_from_slice(&[8, 0]);
    old.resize(64, 0);
    let go = parse_buildinfo(&old).unwrap();
    assert!(go.version.is_none() && go.note.unwrap().contains("1.18"));

    // A length that runs past the end, and one of 2^60.
    let mut lying = MAGIC.to_vec();
    lying.extend_from_slice(&[8, 2]);
    lying.resize(32, 0);
    varint(1000, &mut lying);
    lying.extend_from_slice(b"go1.2");
    assert!(parse_buildinfo(&lying).unwrap().note.is_some());
    let mut huge = lying[..32].to_vec();
    varint(1 << 60, &mut huge);
    assert!(parse_buildinfo(&huge).unwrap().note.is_some());
    assert!(parse_buildinfo(&MAGIC[..10]).is_none());
    assert!(parse_buildinfo(MAGIC).unwrap().note.is_some());
    for cut in 0..buildinfo("go1.22.3", MODINFO).len() {
        let _ = parse_buildinfo(&buildinfo("go1.22.3", MODINFO)[..cut]);
    }
}

#[test]
fn pclntab_names_tell_what_the_program_needs() {
    let tab = b"\0main.main\0crypto/x509.loadSystemRoots\0time.loadLocation\0os/user.lookupUser\0";
    let n = pclntab_needs(tab);
    assert!(n.ca_bundle && n.zoneinfo && n.passwd && !n.cgo);
    let embedded = b"\0time.loadLocation\0time/tzdata.init.0\0runtime/cgo.init\0";
    let n = pclntab_needs(embedded);
    assert!(!n.zoneinfo && n.cgo && !n.ca_bundle);
}

#[test]
fn inspect_finds_go_in_sections_and_in_the_data_segment() {
    let blob = buildinfo("go1.21.0", MODINFO);
    let mut b = ElfBuilder::new(ET_EXEC);
    b.sections = vec![
        sec(".text", SHT_PROGBITS, SHF_ALLOC | 4, 64),
        Sec {
            name: ".gopclntab".into(),
            kind: SHT_PROGBITS,
            flags: SHF_ALLOC,
            data: b"\0net._C2func_getaddrinfo\0crypto/x509.loadSystemRoots\0".to_vec(),
        },
        Sec {
            name: ".go.buildinfo".into(),
            kind: SHT_PROGBITS,
            flags: SHF_ALLOC | 1,
            data: blob.clone(),
        },
    ];
    let go = inspect(&b.build(), true).unwrap().go.expect("Go");
    assert_eq!(go.version.as_deref(), Some("go1.21.0"));
    assert!(go.needs.cgo && go.needs.ca_bundle);

    // sstripped: no section headers, Go looks at 16-byte boundaries of the writable segment.
    let mut s = ElfBuilder::new(ET_EXEC);
    s.no_section_headers = true;
    let mut after = vec![0u8; 8]; // 64 + 56 + 8 = 128
    after.extend_from_slice(&blob);
    s.after_phdrs = after;
    let go = inspect(&s.build(), true)
        .unwrap()
        .go
        .expect("Go without sections");
    assert_eq!(go.version.as_deref(), Some("go1.21.0"));
    assert!(gobuild::find_buildinfo(&[0u8; 40]).is_none());
}
