//! `knead completions SHELL` and `knead man`: what shells and `man` need to know about knead,
//! generated from the same command-line definition that parses it, so they never drift.

use clap::Args;
use clap_complete::Shell;
use knead::error::{Error, IoContext};
use std::path::Path;

#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to complete knead's commands and options in
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> Result<(), Error> {
    let mut command = crate::cli_command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "knead", &mut script);
    crate::out::data(&script).context("write", Path::new("standard output"))
}

/// The manual page, knead(1), as roff.
pub fn man() -> Result<(), Error> {
    let mut page = Vec::new();
    clap_mangen::Man::new(crate::cli_command())
        .render(&mut page)
        .context("write", Path::new("the manual page"))?;
    crate::out::data(&page).context("write", Path::new("standard output"))
}
