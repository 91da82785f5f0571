//! `inspect`: a DER OCSP request or response as JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use time::OffsetDateTime;

use ocsp_harness::clock::{Clock, SystemClock};
use ocsp_harness::ocsp;

use super::{emit, read_certificate};

pub fn inspect_file(
    file: &Path,
    verify_for: Option<(PathBuf, PathBuf)>,
    at: Option<OffsetDateTime>,
) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let inspection = ocsp::inspect(&bytes).with_context(|| file.display().to_string())?;
    let mut json = serde_json::to_value(&inspection).context("cannot render the inspection")?;
    if let Some((cert, issuer)) = verify_for {
        let cert_der = read_certificate(&cert)?;
        let issuer_der = read_certificate(&issuer)?;
        let certificate = <x509_cert::Certificate as der::Decode>::from_der(&cert_der)
            .with_context(|| format!("{}: not a certificate", cert.display()))?;
        let context = ocsp::VerifyContext {
            issuer_der: &issuer_der,
            serial: &certificate.tbs_certificate.serial_number,
            now: at.unwrap_or_else(|| SystemClock.now()),
            nonce_sent: None,
            max_skew: ocsp::DEFAULT_MAX_SKEW,
        };
        json["verification"] = match ocsp::verify_response(&bytes, &context) {
            Ok(verified) => serde_json::json!({ "valid": true, "response": verified }),
            Err(error) => serde_json::json!({ "valid": false, "error": error.to_string() }),
        };
    }
    let mut text = serde_json::to_string_pretty(&json).context("cannot render the inspection")?;
    text.push('\n');
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
