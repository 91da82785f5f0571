//! `responder`: the fake OCSP responder as a process, and its catalogue listing.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use ocsp_harness::clock::SystemClock;
use ocsp_harness::pki;
use ocsp_harness::responder::{
    ConnectionLimits, Journal, Responder, ResponderConfig, behaviour_named, catalogue,
};

use super::logging::{self, LogFormat};
use super::{emit, stop_requested};

pub fn catalogue_text() -> Result<String, std::fmt::Error> {
    let entries = catalogue();
    let width = entries
        .iter()
        .map(|entry| entry.name.len())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    let mut section = "";
    for entry in &entries {
        if entry.section != section {
            section = entry.section;
            writeln!(text, "{section}:")?;
        }
        writeln!(
            text,
            "  {:<width$}  {:<26}  {:<11}  {}",
            entry.name,
            entry.verdict.answer().to_owned(),
            entry.level.name(),
            entry.description
        )?;
    }
    Ok(text)
}

pub fn run_responder(
    dir: &Path,
    listen: SocketAddr,
    name: &str,
    quiet: bool,
    threads: usize,
    limits: ConnectionLimits,
    log_format: LogFormat,
) -> anyhow::Result<ExitCode> {
    // clap took only names of the catalogue.
    let behaviour = behaviour_named(name).with_context(|| format!("unknown behaviour {name:?}"))?;
    let pki =
        pki::read_dir(dir).with_context(|| format!("cannot read the PKI in {}", dir.display()))?;
    // One thread runs connections with no cross-thread hand-offs (the fastest for a new
    // connection per request); several sign on every core (the fastest with keep-alive).
    let runtime = match threads {
        1 => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        threads => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build(),
    }
    .context("cannot start the async runtime")?;
    runtime.block_on(async {
        logging::init(log_format, !quiet)?;
        let config = ResponderConfig {
            listen,
            clock: Arc::new(SystemClock),
            journal_capacity: Journal::DEFAULT_CAPACITY,
            log_requests: !quiet,
            limits,
            connection_clock: Arc::new(SystemClock),
        };
        let pki = Arc::new(pki);
        let handle = Responder::start(Arc::clone(&pki), behaviour, config).await?;
        let mut text = format!(
            "OCSP responder for {} ({} keys) at {} with behaviour {name}; Ctrl-C stops it\n",
            dir.display(),
            pki.profile().key_type,
            handle.url()
        );
        let aia = pki.profile().responder_url.as_str();
        if aia.trim_end_matches('/') != handle.url().trim_end_matches('/') {
            text.push_str(&format!(
                "note: the proxy certificate names {aia} as its responder\n"
            ));
        }
        let stop = stop_requested()?;
        emit(&text)?;
        stop.await;
        handle
            .shutdown_gracefully(super::serve::SHUTDOWN_GRACE)
            .await;
        Ok(ExitCode::SUCCESS)
    })
}
