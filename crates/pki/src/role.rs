//! The certificates and keys a test PKI holds, each with the job it has in scenarios.

contract::named_enum! {
    /// One certificate (with its key) of a test PKI, by its name in manifests, scenarios and
    /// file names. Declared issuers first.
    pub enum Role: "certificate role" {
        /// The trust anchor.
        Root = "root",
        /// The CA that issues the proxy certificate and the delegated responders.
        Intermediate = "intermediate",
        /// The cluster's `proxy` certificate, with the responder URL in its AIA extension.
        Proxy = "proxy",
        /// A proxy certificate with no AIA extension: the `no_responder_url` case.
        ProxyNoAia = "proxy-no-aia",
        /// A delegated OCSP responder: OCSPSigning EKU and the no-check extension.
        Responder = "responder",
        /// A would-be delegated responder without the OCSPSigning EKU.
        ResponderNoEku = "responder-no-eku",
        /// A delegated responder whose validity ended before the PKI's time.
        ResponderExpired = "responder-expired",
        /// A delegated responder whose validity starts after the PKI's time.
        ResponderNotYetValid = "responder-not-yet-valid",
        /// A second root that has nothing to do with the proxy certificate.
        UnrelatedRoot = "unrelated-root",
        /// A delegated responder issued by [`Role::UnrelatedRoot`] instead of the intermediate.
        ResponderOtherCa = "responder-other-ca",
        /// A TLS server certificate for `localhost`, `127.0.0.1` and `::1`.
        Server = "server",
    }
}

impl Role {
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
