//! The certificates and keys a test PKI holds, each with the job it has in scenarios.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One certificate (with its key) of a test PKI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The trust anchor.
    Root,
    /// The CA that issues the proxy certificate and the delegated responders.
    Intermediate,
    /// The cluster's `proxy` certificate, with the responder URL in its AIA extension.
    Proxy,
    /// A proxy certificate with no AIA extension: the `no_responder_url` case.
    ProxyNoAia,
    /// A delegated OCSP responder: OCSPSigning EKU and the no-check extension.
    Responder,
    /// A would-be delegated responder without the OCSPSigning EKU.
    ResponderNoEku,
    /// A delegated responder whose validity ended before the PKI's time.
    ResponderExpired,
    /// A delegated responder whose validity starts after the PKI's time.
    ResponderNotYetValid,
    /// A second root that has nothing to do with the proxy certificate.
    UnrelatedRoot,
    /// A delegated responder issued by [`Role::UnrelatedRoot`] instead of the intermediate.
    ResponderOtherCa,
    /// A TLS server certificate for `localhost`, `127.0.0.1` and `::1`.
    Server,
}

impl Role {
    /// Every role in declaration order, which puts issuers before what they issue.
    pub const ALL: [Role; 11] = [
        Role::Root,
        Role::Intermediate,
        Role::Proxy,
        Role::ProxyNoAia,
        Role::Responder,
        Role::ResponderNoEku,
        Role::ResponderExpired,
        Role::ResponderNotYetValid,
        Role::UnrelatedRoot,
        Role::ResponderOtherCa,
        Role::Server,
    ];

    /// The role's name in manifests, scenarios and file names.
    pub fn name(self) -> &'static str {
        match self {
            Role::Root => "root",
            Role::Intermediate => "intermediate",
            Role::Proxy => "proxy",
            Role::ProxyNoAia => "proxy-no-aia",
            Role::Responder => "responder",
            Role::ResponderNoEku => "responder-no-eku",
            Role::ResponderExpired => "responder-expired",
            Role::ResponderNotYetValid => "responder-not-yet-valid",
            Role::ResponderOtherCa => "responder-other-ca",
            Role::UnrelatedRoot => "unrelated-root",
            Role::Server => "server",
        }
    }

    /// The role whose key signs this role's certificate; `None` for self-signed roots.
    pub fn issuer(self) -> Option<Role> {
        match self {
            Role::Root | Role::UnrelatedRoot => None,
            Role::Intermediate => Some(Role::Root),
            Role::ResponderOtherCa => Some(Role::UnrelatedRoot),
            Role::Proxy
            | Role::ProxyNoAia
            | Role::Responder
            | Role::ResponderNoEku
            | Role::ResponderExpired
            | Role::ResponderNotYetValid
            | Role::Server => Some(Role::Intermediate),
        }
    }

    /// The certificate's subject common name.
    pub fn common_name(self) -> &'static str {
        match self {
            Role::Root => "ocsp-harness Test Root CA",
            Role::Intermediate => "ocsp-harness Test Intermediate CA",
            Role::Proxy => "proxy.cluster.test",
            Role::ProxyNoAia => "proxy-no-aia.cluster.test",
            Role::Responder => "ocsp-harness Delegated Responder",
            Role::ResponderNoEku => "ocsp-harness Responder without OCSPSigning",
            Role::ResponderExpired => "ocsp-harness Expired Responder",
            Role::ResponderNotYetValid => "ocsp-harness Not Yet Valid Responder",
            Role::ResponderOtherCa => "ocsp-harness Responder of an Unrelated CA",
            Role::UnrelatedRoot => "ocsp-harness Unrelated Root CA",
            Role::Server => "localhost",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A role name that is not one of ours.
#[derive(Debug, thiserror::Error)]
#[error("unknown certificate role {0:?}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.name() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_come_before_what_they_issue() {
        for (index, role) in Role::ALL.iter().enumerate() {
            if let Some(issuer) = role.issuer() {
                let issuer_index = Role::ALL.iter().position(|r| *r == issuer);
                assert!(issuer_index < Some(index), "{role} before {issuer}");
            }
        }
    }

    #[test]
    fn all_lists_roles_in_declaration_order() {
        for (index, role) in Role::ALL.into_iter().enumerate() {
            assert_eq!(role as usize, index, "{role}");
        }
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.name().parse::<Role>().ok(), Some(role));
            let json = serde_json::to_string(&role).expect("serialize");
            assert_eq!(json, format!("\"{}\"", role.name()));
        }
    }
}
