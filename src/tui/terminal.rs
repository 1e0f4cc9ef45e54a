//! Entering and leaving the terminal's app mode (raw, alternate screen, mouse), restored on
//! every exit path including a panic; and OSC 52 clipboard writes.

use anyhow::Result;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Stdout, Write, stdout};
use std::sync::Once;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Puts the terminal in app mode. Call [`restore`] when done; a panic restores it too.
pub fn enter() -> Result<Term> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // Leave the alternate screen first, or the panic message is lost with it.
            restore();
            previous(info);
        }));
    });
    enable_raw_mode()?;
    if let Err(e) = execute!(stdout(), EnterAlternateScreen, EnableMouseCapture) {
        restore();
        return Err(e.into());
    }
    Ok(Terminal::new(CrosstermBackend::new(stdout()))?)
}

/// Back to the shell's terminal. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Asks the terminal to put `text` on the clipboard (OSC 52). Terminals without support
/// ignore it; tmux passes it on with `set-clipboard on`.
pub fn osc52(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    write!(out, "\x1b]52;c;{}\x07", base64(text.as_bytes()))?;
    out.flush()
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {

    type TestResult = Result<(), Box<dyn std::error::Error>>;
    #[test]
    fn osc52_is_base64() -> TestResult {
        let mut out = Vec::new();
        super::osc52(&mut out, "/usr/bin/ls")?;
        assert_eq!(out, b"\x1b]52;c;L3Vzci9iaW4vbHM=\x07");
        assert_eq!(super::base64(b"ab"), "YWI=");
        assert_eq!(super::base64(b"abc"), "YWJj");
        Ok(())
    }
}
