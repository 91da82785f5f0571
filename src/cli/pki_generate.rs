//! `pki generate`: a test PKI written as PEM files and a manifest.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use ocsp_harness::clock::{Clock, SystemClock};
use ocsp_harness::pki::{self, KeyType, Overwrite, PkiProfile, ResponderUrl, Serial, TestPki};

use super::emit;

/// Generates the PKI and lists what was written.
pub fn generate(
    out: PathBuf,
    responder_url: ResponderUrl,
    key_type: KeyType,
    serial: Option<Serial>,
    at: Option<OffsetDateTime>,
    force: bool,
) -> anyhow::Result<ExitCode> {
    let profile = PkiProfile {
        key_type,
        responder_url,
        proxy_serial: serial,
        at: at.unwrap_or_else(|| SystemClock.now()),
    };
    let generated = TestPki::generate(&profile).context("cannot generate the test PKI")?;
    let overwrite = if force {
        Overwrite::Allow
    } else {
        Overwrite::Refuse
    };
    let manifest = pki::write_dir(&generated, &out, overwrite)?;
    let mut text = String::new();
    writeln!(
        text,
        "wrote a {} test PKI to {} (responder URL {}, validity from {})",
        manifest.key_type,
        out.display(),
        manifest.responder_url,
        manifest
            .generated_at
            .format(&Rfc3339)
            .unwrap_or_else(|_| manifest.generated_at.to_string()),
    )?;
    for entry in &manifest.certificates {
        writeln!(
            text,
            "  {:<24} {:<30} serial {}",
            entry.role.name(),
            entry.certificate,
            entry.summary.serial
        )?;
    }
    writeln!(text, "  {:<24} {}", "unrelated key", manifest.unrelated_key)?;
    writeln!(text, "  {:<24} {}", "manifest", pki::MANIFEST_FILE)?;
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
