//! Go build information, read the way `go version -m` reads it (debug/buildinfo), plus the
//! runtime needs a Go program reveals through the function names in `.gopclntab`, which
//! survive `-s -w` because the runtime itself needs them.
//!
//! Only the inline-string format (Go 1.18+, `flags & 2`) is read. The older format stores
//! pointers into the data segment; resolving them is not worth it for toolchains that old,
//! so such binaries get a note instead of a version.

use crate::image::facts::{GoInfo, GoModule, GoNeeds};

/// `\xff Go buildinf:`: the start of the 32-byte header Go writes at a 16-byte boundary.
pub const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER_LEN: usize = 32;
const FLAG_INLINE_STRINGS: u8 = 2;
/// Go's own reader refuses strings longer than this; so do we (a lying length is common in
/// fuzzed input and must not turn into a huge allocation).
const MAX_STRING: u64 = 1 << 20;
/// The sentinels Go puts around the module text (runtime/debug.modinfoStart/End).
const MODINFO_SENTINEL_LEN: usize = 16;
/// How far into a segment Go's reader looks for the header.
const SEARCH_WINDOW: usize = 64 << 10;

/// Go facts of an ELF file from its `.go.buildinfo` section (or, lacking section headers,
/// its first writable segment), `.gopclntab`, and whether it has a Go build id note.
/// `None` when nothing says Go.
pub fn inspect(
    buildinfo: &[u8],
    writable_segment: Option<&[u8]>,
    pclntab: &[u8],
    has_buildid: bool,
) -> Option<GoInfo> {
    inspect_with(
        buildinfo,
        writable_segment,
        !pclntab.is_empty() || has_buildid,
        || pclntab_needs(pclntab),
    )
}

/// [`inspect`] for a file read as it streams by: the pclntab is not kept, `needs` answers
/// from the name matches recorded in it.
pub fn inspect_with(
    buildinfo: &[u8],
    writable_segment: Option<&[u8]>,
    says_go: bool,
    needs: impl FnOnce() -> GoNeeds,
) -> Option<GoInfo> {
    let blob = if buildinfo.starts_with(MAGIC) {
        Some(buildinfo)
    } else {
        writable_segment.and_then(|seg| find_buildinfo(&seg[..seg.len().min(SEARCH_WINDOW)]))
    };
    let mut go = match blob.and_then(parse_buildinfo) {
        Some(go) => go,
        None if says_go => GoInfo {
            note: Some("no readable .go.buildinfo".into()),
            ..Default::default()
        },
        None => return None,
    };
    go.needs = needs();
    Some(go)
}

/// Parses the build info starting at `MAGIC`. `None` when `blob` does not start with it.
pub fn parse_buildinfo(blob: &[u8]) -> Option<GoInfo> {
    if !blob.starts_with(MAGIC) {
        return None;
    }
    let mut info = GoInfo::default();
    let Some(&flags) = blob.get(15) else {
        info.note = Some("build info header is truncated".into());
        return Some(info);
    };
    if flags & FLAG_INLINE_STRINGS == 0 {
        info.note = Some("build info in the pre-Go 1.18 pointer format: not read".into());
        return Some(info);
    }
    let mut rest = blob.get(HEADER_LEN..).unwrap_or_default();
    let (Some(version), Some(modinfo)) = (read_string(&mut rest), read_string(&mut rest)) else {
        info.note = Some("build info strings are truncated or too long".into());
        return Some(info);
    };
    info.version = Some(String::from_utf8_lossy(version).into_owned()).filter(|v| !v.is_empty());
    apply_modinfo(&mut info, strip_sentinels(modinfo));
    Some(info)
}

/// One uvarint-prefixed string, advancing `rest`.
fn read_string<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let mut len = 0u64;
    let mut used = 0;
    for (i, &b) in rest.iter().take(10).enumerate() {
        len |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            used = i + 1;
            break;
        }
    }
    if used == 0 || len > MAX_STRING {
        return None;
    }
    let body = rest.get(used..used + len as usize)?;
    *rest = &rest[used + len as usize..];
    Some(body)
}

fn strip_sentinels(modinfo: &[u8]) -> &[u8] {
    let n = modinfo.len();
    if n > 2 * MODINFO_SENTINEL_LEN && modinfo[n - MODINFO_SENTINEL_LEN - 1] == b'\n' {
        &modinfo[MODINFO_SENTINEL_LEN..n - MODINFO_SENTINEL_LEN]
    } else {
        modinfo
    }
}

/// Reads the tab-separated text `runtime/debug.BuildInfo.String` produces.
fn apply_modinfo(info: &mut GoInfo, text: &[u8]) {
    let text = String::from_utf8_lossy(text);
    for line in text.lines() {
        let mut fields = line.split('\t');
        let (Some(key), Some(a)) = (fields.next(), fields.next()) else {
            continue;
        };
        let b = fields.next().unwrap_or_default();
        let module = || GoModule {
            path: a.to_string(),
            version: b.to_string(),
        };
        match key {
            "go" if info.version.is_none() => info.version = Some(a.to_string()),
            "path" => info.path = Some(a.to_string()),
            "mod" => info.main = Some(module()),
            "dep" => info.deps.push(module()),
            "build" => {
                let (k, v) = a.split_once('=').unwrap_or((a, ""));
                let v = unquote(v);
                match k {
                    "CGO_ENABLED" => info.cgo_enabled = Some(v == "1"),
                    "-ldflags" => info.ldflags = Some(v),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// Go quotes a setting value with strconv.Quote when it holds spaces, tabs or quotes.
fn unquote(v: &str) -> String {
    match v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => v.to_string(),
    }
}

/// Finds the build info header in a data segment: Go aligns it to 16 bytes from the start.
pub fn find_buildinfo(segment: &[u8]) -> Option<&[u8]> {
    memchr::memmem::find_iter(segment, MAGIC)
        .find(|at| at % 16 == 0)
        .map(|at| &segment[at..])
}

/// What the function names linked into the program say it will need at run time.
pub fn pclntab_needs(pclntab: &[u8]) -> GoNeeds {
    let names = funcnames(pclntab)
        .and_then(|r| pclntab.get(r))
        .unwrap_or(pclntab);
    needs_from(|name| memchr::memmem::find(names, name).is_some())
}

/// The function names whose presence [`GoNeeds`] reports, searched by [`needs_from`].
pub const NEED_NAMES: [&[u8]; 6] = [
    b"crypto/x509.loadSystemRoots",
    b"time.loadLocation",
    b"time/tzdata.",
    b"os/user.",
    b"runtime/cgo.",
    b"net._C2func_getaddrinfo",
];

/// [`GoNeeds`] from a test of whether the function-name table holds one of [`NEED_NAMES`].
pub fn needs_from(has: impl Fn(&[u8]) -> bool) -> GoNeeds {
    let [roots, location, tzdata, user, cgo, getaddrinfo] = NEED_NAMES.map(&has);
    GoNeeds {
        ca_bundle: roots,
        zoneinfo: location && !tzdata,
        passwd: user,
        cgo: cgo || getaddrinfo,
    }
}

/// Bytes of the pclntab header that [`funcnames`] reads.
pub const PCLNTAB_HEADER: usize = 48;

/// Where the function-name table of a Go 1.16+ pclntab lies in it (`runtime.pcHeader`:
/// magic, 4 bytes, then pointer-sized nfunc, nfiles, [textStart since 1.18,]
/// funcnameOffset, cuOffset...), a quarter of the table, so the name searches stay cheap.
/// Needs only the header. None for other layouts.
pub fn funcnames(pclntab: &[u8]) -> Option<std::ops::Range<usize>> {
    let magic: [u8; 4] = pclntab.get(..4)?.try_into().ok()?;
    let ptr = usize::from(*pclntab.get(7)?);
    let big = match (u32::from_le_bytes(magic), u32::from_be_bytes(magic)) {
        (0xffff_fff0 | 0xffff_fff1, _) => false,
        (_, 0xffff_fff0 | 0xffff_fff1) => true,
        (0xffff_fffa, _) | (_, 0xffff_fffa) => {
            return funcnames_at(pclntab, ptr, 2, magic[0] != 0xfa);
        }
        _ => return None,
    };
    funcnames_at(pclntab, ptr, 3, big)
}

fn funcnames_at(
    pclntab: &[u8],
    ptr: usize,
    skip: usize,
    big: bool,
) -> Option<std::ops::Range<usize>> {
    if ptr != 4 && ptr != 8 {
        return None;
    }
    let word = |i: usize| -> Option<usize> {
        let raw = pclntab.get(8 + i * ptr..8 + (i + 1) * ptr)?;
        let mut buf = [0u8; 8];
        if big {
            buf[8 - ptr..].copy_from_slice(raw);
            usize::try_from(u64::from_be_bytes(buf)).ok()
        } else {
            buf[..ptr].copy_from_slice(raw);
            usize::try_from(u64::from_le_bytes(buf)).ok()
        }
    };
    let (start, end) = (word(skip)?, word(skip + 1)?);
    (start <= end).then_some(start..end)
}
