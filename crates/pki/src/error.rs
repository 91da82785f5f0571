//! What can go wrong when describing, generating, reading or writing a test PKI.

use std::path::PathBuf;

use super::role::Role;

/// A profile value that cannot describe a PKI.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// A serial that is not hex.
    #[error("invalid serial {0:?} (expected hex digits, e.g. 0x1A2B or 1a:2b)")]
    InvalidSerial(String),
    /// A serial of zero.
    #[error("a certificate serial must be positive, not zero")]
    SerialNotPositive,
    /// A negative serial, read from a DER INTEGER.
    #[error("a certificate serial must be positive, not negative")]
    SerialNegative,
    /// A serial whose DER encoding is over 20 octets.
    #[error("a certificate serial takes at most 20 octets encoded, this one takes {encoded_len}")]
    SerialTooLong {
        /// The octets its DER encoding would take.
        encoded_len: usize,
    },
    /// A responder URL that cannot go into an AIA extension.
    #[error("invalid responder URL {url:?}: {reason}")]
    InvalidResponderUrl {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: &'static str,
    },
}

/// A failure while generating certificates or reading one back.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// The crypto backend could not make a key.
    #[error("cannot generate the {role} key")]
    KeyGeneration {
        /// Whose key.
        role: Role,
        /// The backend's error.
        #[source]
        source: rcgen::Error,
    },
    /// rcgen refused the certificate parameters or could not sign.
    #[error("cannot issue the {role} certificate")]
    Issue {
        /// Which certificate.
        role: Role,
        /// rcgen's error.
        #[source]
        source: rcgen::Error,
    },
    /// A certificate's issuer was not made before it (a bug in the role order).
    #[error("cannot issue the {role} certificate before its issuer {issuer}")]
    IssuerMissing {
        /// The certificate to issue.
        role: Role,
        /// The issuer that is missing.
        issuer: Role,
    },
    /// A PKI must hold every role exactly once.
    #[error("a test PKI needs every role exactly once, found {found:?}")]
    Roles {
        /// The roles found, in order.
        found: Vec<Role>,
    },
    /// An extension value could not be DER-encoded.
    #[error("cannot encode the {extension} extension")]
    EncodeExtension {
        /// The extension's name.
        extension: &'static str,
        /// The encoder's error.
        #[source]
        source: der::Error,
    },
    /// Bytes that are not a DER certificate, or a certificate extension that does not decode.
    #[error("cannot decode {what}")]
    Decode {
        /// What was being decoded.
        what: String,
        /// The decoder's error.
        #[source]
        source: der::Error,
    },
}

/// A failure while writing a PKI to a directory or reading one from it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading a file failed.
    #[error(transparent)]
    Io(#[from] files::PathError),
    /// Writing the files failed; nothing was changed.
    #[error(transparent)]
    Write(#[from] files::WriteError),
    /// The manifest is not what this version writes.
    #[error("invalid manifest {}", path.display())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// The JSON error, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// The manifest is of a format version this build does not read.
    #[error("{}: manifest format {found} is not supported (expected {expected})", path.display())]
    ManifestVersion {
        /// The manifest file.
        path: PathBuf,
        /// The version it declares.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// The manifest does not list a role the PKI needs.
    #[error("{}: no entry for role {role}", path.display())]
    MissingRole {
        /// The manifest file.
        path: PathBuf,
        /// The role it lacks.
        role: Role,
    },
    /// A PEM file that does not hold what it should.
    #[error("{}: {problem}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A certificate or key read from disk that does not decode or does not match.
    #[error("{}", path.display())]
    Pki {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: PkiError,
    },
}
