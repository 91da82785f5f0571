//! `probe`: someone else's OCSP responder, checked for one certificate.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use ocsp_harness::clock::{Clock, SystemClock};
use ocsp_harness::probe::{ProbeOptions, probe};
use ocsp_harness::report;

use super::{EXIT_NON_CONFORMANT, EXIT_UNREACHABLE, emit, read_certificate};

/// The command line of `probe`.
#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// The responder's URL.
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// The certificate to ask about (PEM or DER).
    #[arg(long, value_name = "FILE")]
    pub cert: PathBuf,
    /// Its issuer (PEM or DER).
    #[arg(long, value_name = "FILE")]
    pub issuer: PathBuf,
    /// How long one exchange may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// Output format: human, json, junit, tap.
    #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = clap::value_parser!(ocsp_harness::report::Format))]
    pub format: report::Format,
    /// Also write every format into this directory.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
}

/// Runs the checks and reports them.
pub fn run_probe(args: ProbeArgs) -> anyhow::Result<ExitCode> {
    if !(args.url.starts_with("http://") || args.url.starts_with("https://")) {
        anyhow::bail!("--url {:?} must be an http:// or https:// URL", args.url);
    }
    let options = ProbeOptions {
        url: args.url.clone(),
        cert_der: read_certificate(&args.cert)?,
        issuer_der: read_certificate(&args.issuer)?,
        timeout: std::time::Duration::from_secs(args.timeout),
    };
    let info = probe_info(&args);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let results = match runtime.block_on(probe(options)) {
        Ok(results) => results,
        Err(error @ ocsp_harness::probe::ProbeError::Unreachable { .. }) => {
            eprintln!("ocsp-harness: {error}");
            return Ok(ExitCode::from(EXIT_UNREACHABLE));
        }
        Err(error) => return Err(error.into()),
    };
    let human_options = report::HumanOptions {
        colour: super::colour::report_colour(super::colour::Stream::Stdout),
        rerun: None,
        ..report::HumanOptions::default()
    };
    let run = report::RunReport {
        info: &info,
        results: &results,
        baseline: None,
    };
    let text = match args.format {
        report::Format::Human => report::human_with(&run, &human_options),
        format => format.render(&run),
    };
    emit(&text)?;
    if let Some(dir) = &args.report {
        report::write_all(
            dir,
            &run,
            &human_options,
            &format!("ocsp-harness probe: {}", args.url),
        )?;
    }
    Ok(
        if results.iter().any(|result| result.verdict.is_problem()) {
            ExitCode::from(EXIT_NON_CONFORMANT)
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// The probe as a run: the responder is the target, and a re-run repeats the same files.
fn probe_info(args: &ProbeArgs) -> report::RunInfo {
    report::RunInfo {
        options: vec![
            format!("--url {}", args.url),
            format!("--cert {}", args.cert.display()),
            format!("--issuer {}", args.issuer.display()),
            format!("--timeout {}", args.timeout),
        ],
        ..report::RunInfo::new(args.url.clone(), SystemClock.now())
    }
}
