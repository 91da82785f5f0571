//! The endpoints under test: their method and path, and the permission each requires.

use crate::Permission;

crate::named_enum! {
    /// An endpoint of the API under test, by its method and path.
    pub enum Endpoint: "endpoint" {
        /// The OCSP configuration.
        GetConfig = "GET /v1/ocsp",
        /// A partial update of the OCSP configuration.
        PutConfig = "PUT /v1/ocsp",
        /// The cached status.
        GetStatus = "GET /v1/ocsp/status",
        /// Query the responder now.
        PostTest = "POST /v1/ocsp/test",
        /// Install one certificate (deprecated in favour of the next).
        UpdateCert = "PUT /v1/cluster/update_cert",
        /// Install certificates.
        PutCertificates = "PUT /v1/cluster/certificates",
    }
}

impl Endpoint {
    /// The HTTP method.
    pub fn method(self) -> &'static str {
        self.split().0
    }

    /// The path.
    pub fn path(self) -> &'static str {
        self.split().1
    }

    fn split(self) -> (&'static str, &'static str) {
        // Every name is written `METHOD /path` above.
        self.name().split_once(' ').unwrap_or(("", self.name()))
    }

    /// The endpoint `method` and `path` (a query string ignored) name, if any.
    pub fn of(method: &str, path: &str) -> Option<Endpoint> {
        let path = path.split('?').next().unwrap_or(path);
        Self::ALL
            .into_iter()
            .find(|endpoint| endpoint.method() == method && endpoint.path() == path)
    }

    /// The permission a user's role must hold (documented).
    pub fn permission(self) -> Permission {
        match self {
            Endpoint::GetConfig => Permission::ViewOcspConfig,
            Endpoint::PutConfig => Permission::ConfigOcsp,
            Endpoint::GetStatus => Permission::ViewOcspStatus,
            Endpoint::PostTest => Permission::TestOcspStatus,
            Endpoint::UpdateCert | Endpoint::PutCertificates => Permission::UpdateCluster,
        }
    }

    /// Whether every node must support OCSP (documented: 406 otherwise).
    pub fn needs_ocsp_capability(self) -> bool {
        match self {
            Endpoint::GetConfig
            | Endpoint::PutConfig
            | Endpoint::GetStatus
            | Endpoint::PostTest => true,
            Endpoint::UpdateCert | Endpoint::PutCertificates => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_is_found_by_its_method_and_path() {
        for endpoint in Endpoint::ALL {
            assert!(
                ["GET", "PUT", "POST"].contains(&endpoint.method()),
                "{endpoint}"
            );
            assert!(endpoint.path().starts_with("/v1/"), "{endpoint}");
            assert_eq!(
                Endpoint::of(endpoint.method(), endpoint.path()),
                Some(endpoint)
            );
        }
        assert_eq!(
            Endpoint::of("GET", "/v1/ocsp?x=1"),
            Some(Endpoint::GetConfig)
        );
        assert_eq!(Endpoint::of("DELETE", "/v1/ocsp"), None);
    }
}
