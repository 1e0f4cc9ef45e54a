//! What runs: Entrypoint + Cmd as Docker joins them, the shell form taken apart, names
//! looked up on the image's PATH, init wrappers (tini, dumb-init, gosu...) seen through and
//! `#!` scripts followed to their interpreter.

use super::fs::{self, Fs, Resolved};
use crate::image::RunConfig;

/// Docker's PATH when the image sets none (moby oci/defaults.go).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// Wrappers and scripts followed before giving up: a real chain is two or three deep.
const MAX_DEPTH: usize = 8;

/// A program as it is executed: the path exec() gets and where that lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exe {
    /// Absolute path as executed (after the PATH lookup).
    pub invoked: String,
    pub resolved: Resolved,
}

/// `/bin/sh -c SCRIPT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellForm {
    pub shell: Exe,
    pub script: String,
    /// The script is one plain command (no expansion, no operators): the exec form of it.
    /// None means the shell must stay.
    pub exec_form: Option<Vec<String>>,
}

/// The resolved launch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// Entrypoint followed by Cmd.
    pub argv: Vec<String>,
    pub shell: Option<ShellForm>,
    /// Process wrappers and `env`, outermost first: they run too, so they are copied.
    pub wrappers: Vec<Exe>,
    /// `#!` scripts met on the way, outermost first.
    pub scripts: Vec<Exe>,
    /// What finally runs: an ELF program (the interpreter, for scripts), or whatever the
    /// last step found when it is neither ELF nor script.
    pub program: Exe,
    /// Arguments the program gets (the script path comes first for interpreters).
    pub args: Vec<String>,
    pub notes: Vec<String>,
}

impl Launch {
    /// True when a shell has to be in the rewritten image.
    pub fn needs_shell(&self) -> bool {
        self.shell.as_ref().is_some_and(|s| s.exec_form.is_none())
    }
}

/// `PATH` from the config's Env, or Docker's default.
pub fn search_path(env: &[String]) -> String {
    env.iter()
        .rev()
        .find_map(|e| e.strip_prefix("PATH="))
        .map(str::to_string)
        .unwrap_or_else(|| DEFAULT_PATH.to_string())
}

/// Finds `name` the way exec does: with a `/` relative to the working dir, else on PATH.
pub fn lookup(fs: &Fs<'_>, name: &str, path: &str, workdir: &str) -> Option<Exe> {
    let candidates: Vec<String> = if name.contains('/') {
        vec![fs::join(
            if workdir.is_empty() { "/" } else { workdir },
            name,
        )]
    } else {
        path.split(':')
            .filter(|d| !d.is_empty())
            .map(|d| fs::join(&fs::join(workdir_or_root(workdir), d), name))
            .collect()
    };
    candidates.into_iter().find_map(|invoked| {
        let (resolved, _) = fs.executable(&invoked)?;
        Some(Exe { invoked, resolved })
    })
}

fn workdir_or_root(w: &str) -> &str {
    if w.is_empty() { "/" } else { w }
}

/// Resolves what the config runs.
pub fn resolve(fs: &Fs<'_>, run: &RunConfig) -> Result<Launch, String> {
    let argv: Vec<String> = run.entrypoint.iter().chain(&run.cmd).cloned().collect();
    if argv.is_empty() {
        return Err("the image config has neither Entrypoint nor Cmd: nothing runs".into());
    }
    let path = search_path(&run.env);
    let find = |name: &str| -> Result<Exe, String> {
        lookup(fs, name, &path, &run.working_dir)
            .ok_or_else(|| format!("{name:?} is not an executable file in the image (PATH={path})"))
    };
    let mut notes = Vec::new();
    let mut rest = argv.clone();
    let mut shell = None;
    if is_shell_form(&rest) {
        let sh = find(&rest[0])?;
        let script = rest[2].clone();
        let exec_form = plain_command(&script);
        let words = match &exec_form {
            Some(words) => words.clone(),
            None => {
                notes.push(format!(
                    "shell form with shell syntax ({script:?}): the shell stays, and the program is the script's first command"
                ));
                first_command(&script)
            }
        };
        if words.is_empty() {
            return Err(format!("shell form with no command: {script:?}"));
        }
        shell = Some(ShellForm {
            shell: sh,
            script,
            exec_form,
        });
        rest = words;
    }
    let mut wrappers = Vec::new();
    let mut scripts = Vec::new();
    for _ in 0..MAX_DEPTH {
        let Some(name) = rest.first().cloned() else {
            return Err("a wrapper is given no program to run".into());
        };
        let exe = find(&name)?;
        let real = fs::basename(&exe.resolved.real).to_string();
        let called = fs::basename(&exe.invoked).to_string();
        if let Some(skip) = wrapper_args(&called, &real, &rest[1..]) {
            wrappers.push(exe);
            rest.drain(..1 + skip);
            continue;
        }
        let Some((_, file)) = fs.file(&exe.invoked) else {
            return Err(format!("{name:?} is not a regular file"));
        };
        if file.elf.is_some() {
            return Ok(done(argv, shell, wrappers, scripts, exe, rest, notes));
        }
        let Some(line) = fs.shebang(&file) else {
            return Ok(done(argv, shell, wrappers, scripts, exe, rest, notes));
        };
        // The kernel runs `interp [one arg] script args...`.
        let mut words = line.trim().splitn(2, [' ', '\t']);
        let interp = words.next().unwrap_or_default().to_string();
        let arg = words.next().map(str::trim).filter(|a| !a.is_empty());
        if interp.is_empty() {
            return Err(format!("{} has an empty #! line", exe.invoked));
        }
        let mut next = vec![interp];
        next.extend(arg.map(str::to_string));
        next.push(exe.invoked.clone());
        next.extend(rest.drain(1..));
        scripts.push(exe);
        rest = next;
    }
    Err(format!(
        "more than {MAX_DEPTH} wrappers and scripts: {argv:?}"
    ))
}

fn done(
    argv: Vec<String>,
    shell: Option<ShellForm>,
    wrappers: Vec<Exe>,
    scripts: Vec<Exe>,
    program: Exe,
    mut rest: Vec<String>,
    notes: Vec<String>,
) -> Launch {
    rest.remove(0);
    Launch {
        argv,
        shell,
        wrappers,
        scripts,
        program,
        args: rest,
        notes,
    }
}

/// Docker's shell form: `["/bin/sh", "-c", "..."]` (or another POSIX shell).
fn is_shell_form(argv: &[String]) -> bool {
    argv.len() >= 3
        && matches!(
            fs::basename(&argv[0]),
            "sh" | "bash" | "ash" | "dash" | "busybox"
        )
        && argv[1] == "-c"
}

/// The words of a script that is one plain command (`exec` dropped), or None when the
/// shell does something an exec form cannot (expansion, quoting, operators, assignments).
pub fn plain_command(script: &str) -> Option<Vec<String>> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./:@%+,-=".contains(c);
    if !script.chars().all(|c| plain(c) || c == ' ' || c == '\t') {
        return None;
    }
    let mut words: Vec<String> = script.split_whitespace().map(str::to_string).collect();
    if words.first().is_some_and(|w| w == "exec") {
        words.remove(0);
    }
    // `FOO=bar prog` sets the environment: an ENV line could do it, but keep it simple.
    if words.first().is_none_or(|w| w.contains('=')) {
        return None;
    }
    Some(words)
}

/// Best effort: the first command of a script (`exec`, assignments and `set -e;` skipped).
fn first_command(script: &str) -> Vec<String> {
    for stmt in script.split([';', '&', '|', '\n']) {
        let mut words: Vec<String> = stmt
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_string())
            .skip_while(|w| w == "exec" || (w.contains('=') && !w.starts_with('-')))
            .collect();
        if words.first().is_some_and(|w| w == "set" || w == "cd") || words.is_empty() {
            continue;
        }
        words.truncate(
            words
                .iter()
                .position(|w| w.starts_with('>'))
                .unwrap_or(words.len()),
        );
        return words;
    }
    Vec::new()
}

/// When the program is a known wrapper, how many of the following arguments are its own
/// (options, `--`, a user spec), so the wrapped program comes next.
fn wrapper_args(called: &str, real: &str, args: &[String]) -> Option<usize> {
    let kind = [called, real].into_iter().find_map(|n| match n {
        "tini" | "tini-static" | "docker-init" | "catatonit" => Some("tini"),
        "dumb-init" => Some("dumb-init"),
        "gosu" | "su-exec" => Some("gosu"),
        "env" => Some("env"),
        _ => None,
    })?;
    // Options of each that take a value.
    let valued: &[&str] = match kind {
        "tini" => &["-p", "-e"],
        "dumb-init" => &["-r", "--rewrite"],
        "env" => &["-u", "--unset", "-C", "--chdir", "-S", "--split-string"],
        _ => &[],
    };
    let mut i = 0;
    if kind == "gosu" {
        return (!args.is_empty()).then_some(1);
    }
    while let Some(a) = args.get(i) {
        if a == "--" {
            return Some(i + 1);
        }
        if kind == "env" && a.contains('=') && !a.starts_with('-') {
            i += 1;
            continue;
        }
        if !a.starts_with('-') {
            break;
        }
        i += if valued.contains(&a.as_str()) { 2 } else { 1 };
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn plain_commands_become_exec_form() {
        assert_eq!(
            plain_command("exec /app/server --port 80"),
            Some(s(&["/app/server", "--port", "80"]))
        );
        assert_eq!(
            plain_command("node server.js"),
            Some(s(&["node", "server.js"]))
        );
        assert_eq!(plain_command("server $PORT"), None);
        assert_eq!(plain_command("a && b"), None);
        assert_eq!(plain_command("FOO=1 server"), None);
        assert_eq!(plain_command("  "), None);
    }

    #[test]
    fn first_command_skips_setup() {
        assert_eq!(
            first_command("set -e; cd /app && exec FOO=1 ./run.sh \"$@\" > /dev/null"),
            s(&["./run.sh", "$@"])
        );
    }

    #[test]
    fn wrapper_options_are_skipped() {
        assert_eq!(
            wrapper_args("tini", "tini", &s(&["-s", "--", "app"])),
            Some(2)
        );
        assert_eq!(
            wrapper_args("tini", "tini", &s(&["-p", "SIGTERM", "app"])),
            Some(2)
        );
        assert_eq!(
            wrapper_args("dumb-init", "dumb-init", &s(&["--single-child", "app"])),
            Some(1)
        );
        assert_eq!(
            wrapper_args("gosu", "gosu", &s(&["app:app", "app"])),
            Some(1)
        );
        assert_eq!(
            wrapper_args("env", "env", &s(&["-i", "A=b", "python3"])),
            Some(2)
        );
        assert_eq!(wrapper_args("app", "app", &s(&["x"])), None);
    }

    #[test]
    fn path_comes_from_env() {
        assert_eq!(search_path(&s(&["A=1", "PATH=/x:/y"])), "/x:/y");
        assert_eq!(search_path(&[]), DEFAULT_PATH);
    }
}
