//! Why the harness could not run a scenario: the world or the target could not be set up, or a
//! step got no answer. These are not failures of the target (a [`Mismatch`](crate::Mismatch)
//! is); a result reports them as `error`.

use client::http_body::error_chain;
use contract::ManagementRole;
use pki::Role;

/// Why a scenario could not be run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The embedded world could not be set up.
    #[error("setting up the world: {0}")]
    World(#[source] SetupError),
    /// The remote target could not be brought to the scenario's start.
    #[error("setting up the target: {0}")]
    Target(#[source] SetupError),
    /// A step could not be carried out.
    #[error("line {line}: {error}")]
    Step {
        /// The step's line in the scenario file.
        line: u64,
        /// What went wrong.
        #[source]
        error: StepError,
    },
}

/// Why a world or a target could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The embedded reference server did not start.
    #[error("the embedded world did not start: {0}")]
    Server(#[source] reference::ReferenceError),
    /// The world names a node the cluster does not have.
    #[error("the world has no node {0}")]
    NoSuchNode(usize),
    /// The embedded server runs on the system clock (a bug: the runner asks for a virtual one).
    #[error("the embedded world has no virtual clock")]
    NoVirtualClock,
    /// The proxy certificate could not be installed.
    #[error("{0}")]
    Install(#[source] InstallError),
    /// A provider state could not be set.
    #[error("{0}")]
    State(#[source] HttpError),
    /// The configuration could not be set.
    #[error("{0}")]
    Config(#[source] HttpError),
    /// The test PKI could not be generated.
    #[error("cannot generate the test PKI: {0}")]
    Pki(#[source] pki::PkiError),
    /// The harness's responder refused the PKI.
    #[error("the responder cannot use the PKI: {0}")]
    Responder(#[source] responder::ResponderError),
}

/// Why a step could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// Nobody of the role to send as.
    #[error("no user with the role {0}")]
    NoUser(ManagementRole),
    /// The request got no answer.
    #[error("{request}: no answer: {}", error_chain(.source))]
    NoAnswer {
        /// `METHOD /path`.
        request: String,
        /// The client's error.
        source: reqwest::Error,
    },
    /// The answer's body was not read whole.
    #[error("{request}: {why}")]
    Body {
        /// `METHOD /path`.
        request: String,
        /// Why.
        why: BodyProblem,
    },
    /// Background work could not be waited for.
    #[error("{0}")]
    Settle(#[source] HttpError),
    /// A certificate could not be installed.
    #[error("{0}")]
    Install(#[source] InstallError),
    /// The target's clock cannot be moved.
    #[error("a remote target's clock cannot be moved")]
    ClockFixed,
}

/// Why an answer's body was not read.
#[derive(Debug, thiserror::Error)]
pub enum BodyProblem {
    /// Over the runner's cap.
    #[error("the answer's body is larger than {0} bytes")]
    TooLarge(usize),
    /// The connection failed while reading.
    #[error("body not read: {}", error_chain(.0))]
    Read(reqwest::Error),
}

/// Why a certificate could not be installed through `PUT /v1/cluster/certificates` (or
/// `update_cert`).
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// There is no admin to install it as.
    #[error("no admin user to install the proxy certificate with")]
    NoAdmin,
    /// The request got no answer.
    #[error("installing the {role} certificate: {}", error_chain(.source))]
    NoAnswer {
        /// The certificate.
        role: Role,
        /// The client's error.
        source: reqwest::Error,
    },
    /// The target refused it.
    #[error("installing the {role} certificate: {endpoint} answered HTTP {status}")]
    Refused {
        /// The certificate.
        role: Role,
        /// The request that refused it.
        endpoint: contract::Endpoint,
        /// The status it answered.
        status: u16,
    },
}

/// A request of the harness's own (a provider state, the configuration) that did not do.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// There is no admin to send it as.
    #[error("no admin user")]
    NoAdmin,
    /// No answer.
    #[error("{request}: {}", error_chain(.source))]
    NoAnswer {
        /// `METHOD URL`.
        request: String,
        /// The client's error.
        source: reqwest::Error,
    },
    /// An answer other than success.
    #[error("{request} answered HTTP {status}")]
    Refused {
        /// `METHOD URL` (and the body, where it says what was asked).
        request: String,
        /// The status.
        status: u16,
    },
}
