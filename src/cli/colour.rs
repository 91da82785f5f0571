//! `--color`: one decision, per stream, for every coloured thing the command prints: clap's help
//! and errors, the human report, the log of `responder`. anstream makes it (clap asks the same
//! crate), so `NO_COLOR`, `CLICOLOR`, `CLICOLOR_FORCE` and `TERM` mean the same everywhere.

use std::ffi::OsString;

use ocsp_harness::report;

/// An output stream of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Makes `choice` the process's choice, for clap's output as for ours.
pub fn set(choice: clap::ColorChoice) {
    anstream::ColorChoice::write_global(match choice {
        clap::ColorChoice::Auto => anstream::ColorChoice::Auto,
        clap::ColorChoice::Always => anstream::ColorChoice::Always,
        clap::ColorChoice::Never => anstream::ColorChoice::Never,
    });
}

/// Whether what is written to `stream` may carry ANSI colours: `--color always` or `never` as
/// given; with `auto`, `NO_COLOR` forbids them, `CLICOLOR_FORCE` forces them, and otherwise a
/// terminal whose `TERM` is not `dumb` gets them.
pub fn colour_enabled(stream: Stream) -> bool {
    let choice = match stream {
        Stream::Stdout => anstream::AutoStream::choice(&std::io::stdout()),
        Stream::Stderr => anstream::AutoStream::choice(&std::io::stderr()),
    };
    choice != anstream::ColorChoice::Never
}

/// `ocsp-harness:`, the start of every error line on stderr: bold red like clap's `error:`
/// when stderr is coloured.
pub fn error_prefix() -> String {
    const PREFIX: &str = "ocsp-harness:";
    if colour_enabled(Stream::Stderr) {
        let style = clap::builder::styling::AnsiColor::Red.on_default().bold();
        format!("{style}{PREFIX}{style:#}")
    } else {
        PREFIX.to_owned()
    }
}

/// The human report's colours on `stream`.
pub fn report_colour(stream: Stream) -> report::Colour {
    if colour_enabled(stream) {
        report::Colour::Always
    } else {
        report::Colour::Never
    }
}

/// Whether `run` draws its progress line on stderr: only for a terminal that can move the
/// cursor back (`\r` and "erase line"), which a `TERM=dumb` one (an editor's shell buffer)
/// cannot. Colour has nothing to do with it: `--color never` keeps the progress line.
pub fn progress_enabled(stderr_is_terminal: bool, term: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && term.is_none_or(|term| term != "dumb")
}

/// The `--color` of a command line clap refused (for its error or help, which are printed in
/// colour or not too): the last `--color WHEN` or `--color=WHEN` before a `--`, if WHEN is one
/// of the three; `auto` otherwise.
pub fn choice_in(args: impl IntoIterator<Item = OsString>) -> clap::ColorChoice {
    use clap::ValueEnum;
    let mut choice = clap::ColorChoice::Auto;
    let mut args = args.into_iter().skip(1);
    while let Some(arg) = args.next() {
        let value = match arg.to_str() {
            Some("--") => break,
            Some("--color") => args.next(),
            Some(other) => other.strip_prefix("--color=").map(OsString::from),
            None => None,
        };
        if let Some(parsed) = value
            .as_deref()
            .and_then(std::ffi::OsStr::to_str)
            .and_then(|value| clap::ColorChoice::from_str(value, false).ok())
        {
            choice = parsed;
        }
    }
    choice
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_progress_line_on_a_dumb_terminal_or_off_a_terminal() {
        assert!(progress_enabled(true, Some("xterm-256color".as_ref())));
        assert!(progress_enabled(true, None));
        assert!(!progress_enabled(true, Some("dumb".as_ref())));
        assert!(!progress_enabled(false, Some("xterm".as_ref())));
    }

    #[test]
    fn the_color_of_a_refused_command_line() {
        let args = |words: &[&str]| words.iter().map(OsString::from).collect::<Vec<_>>();
        let choice = |words: &[&str]| choice_in(args(words));
        assert_eq!(choice(&["h", "run"]), clap::ColorChoice::Auto);
        assert_eq!(
            choice(&["h", "--color", "never", "run", "--bogus"]),
            clap::ColorChoice::Never
        );
        assert_eq!(
            choice(&["h", "run", "--color=always"]),
            clap::ColorChoice::Always
        );
        assert_eq!(choice(&["h", "--color", "purple"]), clap::ColorChoice::Auto);
        assert_eq!(
            choice(&["h", "--", "--color", "never"]),
            clap::ColorChoice::Auto
        );
    }
}
