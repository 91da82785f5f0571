//! `completions` and `man`: the command line described for shells and for `man`, both made from
//! the same definition clap parses with, so they cannot fall behind it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::CommandFactory;

use ocsp_harness::files::{NewFile, Overwrite, write_all_or_nothing};

use super::{Args, emit};

/// The command's name, as the shell completes it and `man` finds it.
const NAME: &str = "ocsp-harness";

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Args::command(), NAME, &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if shell == clap_complete::Shell::Bash {
        // clap_complete spells the bash state of a subcommand two ways when the command's name
        // has a hyphen (clap-rs/clap#6421): the loop that walks the words arrives at
        // `ocsp__harness__subcmd__run`, the case arms wait for `ocsp__subcmd__harness__subcmd__run`,
        // and nothing after a subcommand completes. One spelling, the loop's, mends it (and
        // changes nothing once clap_complete is fixed).
        script = script.replace("ocsp__subcmd__harness__subcmd__", "ocsp__harness__subcmd__");
    }
    emit(&script)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the command's man page, or writes one page per command and subcommand into `dir`
/// (all of them or none).
pub fn man(dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let mut command = Args::command().disable_help_subcommand(true);
    // Built, subcommands get their full names (`ocsp-harness-pki-generate`) and inherit the
    // global flags, as their pages should show them.
    command.build();
    let Some(dir) = dir else {
        emit(&String::from_utf8_lossy(&page(command.clone())?))?;
        return Ok(ExitCode::SUCCESS);
    };
    let mut files = Vec::new();
    pages(&command, &mut files)?;
    let count = files.len();
    write_all_or_nothing(dir, &files, Overwrite::Allow)?;
    emit(&format!("wrote {count} man pages to {}\n", dir.display()))?;
    Ok(ExitCode::SUCCESS)
}

/// The page of `command` and of each subcommand below it, as clap_mangen names them.
fn pages(command: &clap::Command, files: &mut Vec<NewFile>) -> anyhow::Result<()> {
    let man = clap_mangen::Man::new(command.clone());
    files.push(NewFile {
        name: man.get_filename(),
        contents: page(command.clone())?,
        private: false,
    });
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        pages(sub, files)?;
    }
    Ok(())
}

fn page(command: clap::Command) -> anyhow::Result<Vec<u8>> {
    let mut roff = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut roff)
        .context("cannot render the man page")?;
    Ok(roff)
}
