//! The log of the commands that run as services (`serve`, `responder`): stderr only (stdout
//! carries the banner and nothing else), `RUST_LOG` as tracing-subscriber's `EnvFilter` reads
//! it, text or one JSON object per line.

use anyhow::Context;
use tracing_subscriber::EnvFilter;

use ocsp_harness::responder::ACCESS_TARGET;

/// The filter when `RUST_LOG` is unset or empty: warnings from everything, and everything down to
/// info from the harness. An `EnvFilter` target matches by prefix, so `ocsp_harness` covers the
/// crates (`ocsp_harness_reference`, ...) and the request lines (`ocsp_harness::access`).
const DEFAULT_FILTER: &str = "warn,ocsp_harness=info";

/// How a log line looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// `TIME LEVEL message field=value ...`, for people.
    #[default]
    Text,
    /// One JSON object per line, the fields at the top level, for log collectors.
    Json,
}

/// The logging flags `serve` and `responder` share.
#[derive(Debug, Clone, clap::Args)]
pub struct LogArgs {
    /// Log lines (on stderr) as text or as one JSON object per line. RUST_LOG filters them
    /// (default: warn,ocsp_harness=info).
    #[arg(long, value_name = "FORMAT", env = "OCSP_HARNESS_LOG_FORMAT", value_enum,
          default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// Installs the logger: `format`, the filter from `RUST_LOG` (or [`DEFAULT_FILTER`]), and the
/// request lines unless `request_lines` is false (`--quiet`). A `RUST_LOG` that does not parse
/// is bad input, not something to ignore quietly.
pub fn init(format: LogFormat, request_lines: bool) -> anyhow::Result<()> {
    let directives = match std::env::var("RUST_LOG") {
        Ok(value) if !value.trim().is_empty() => value,
        _ => DEFAULT_FILTER.to_owned(),
    };
    let mut filter = EnvFilter::builder()
        .parse(&directives)
        .with_context(|| format!("RUST_LOG={directives:?} is not a log filter"))?;
    if !request_lines {
        // The most specific directive wins, whatever RUST_LOG says of `ocsp_harness`.
        filter = filter.add_directive(
            format!("{ACCESS_TARGET}=off")
                .parse()
                .context("the filter that turns request lines off")?,
        );
    }
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    let installed = match format {
        LogFormat::Text => builder
            .with_target(false)
            .with_ansi(super::colour::colour_enabled(super::colour::Stream::Stderr))
            .try_init(),
        // The target stays: it tells request lines from the rest.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
    installed.map_err(|error| anyhow::anyhow!("cannot install the logger: {error}"))
}
