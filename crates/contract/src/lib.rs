//! The contract of the Redis Software cluster REST API's OCSP endpoints, as the harness reads it
//! from the vendor's pages: the rules (`rules.yaml`, built in: each with its id, level,
//! versions and source), management roles and permissions, endpoints, error codes, the cluster
//! alerts, the OCSP configuration object with its ranges and defaults, the status object and
//! its date format. No I/O: the reference server, the scenario format and the runner all speak
//! in these types, so that none of them borrows another's.

#![forbid(unsafe_code)]

mod alert;
mod certificate;
mod config;
mod endpoint;
mod error_code;
mod level;
mod names;
mod role;
mod rules;
mod status;
mod verdict;

pub use alert::ClusterAlert;
pub use certificate::CertificateName;
pub use config::{ConfigError, ConfigField, OcspConfig};
pub use endpoint::Endpoint;
pub use error_code::ErrorCode;
pub use level::Level;
pub use names::UnknownName;
pub use role::{ManagementRole, Permission, User, Users};
pub use rules::{
    BadVersion, Check, CheckScope, Citation, Contract, ContractError, DocsSnapshot, ProductVersion,
    Rule, Section, Versions,
};
pub use status::{
    CertStatus, Status, StatusObject, imf_fixdate, is_imf_fixdate, parse_imf_fixdate,
};
pub use verdict::{DEFAULT_RESPONSE_TIMEOUT, RESPONSE_CAP, Verdict};

#[doc(hidden)]
pub use serde as __serde;
