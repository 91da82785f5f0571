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
        /// The installed certificates and keys.
        GetCertificates = "GET /v1/cluster/certificates",
        /// Remove an optional certificate.
        DeleteCertificate = "DELETE /v1/cluster/certificates/{certificate_name}",
        /// Regenerate the internal certificates.
        RotateCertificates = "POST /v1/cluster/certificates/rotate",
        /// The cluster object (of which the reference keeps the alert settings).
        GetCluster = "GET /v1/cluster",
        /// Change the cluster object (of which the reference takes the alert settings).
        PutCluster = "PUT /v1/cluster",
        /// Every cluster alert's state.
        GetAlerts = "GET /v1/cluster/alerts",
        /// One cluster alert's state.
        GetAlert = "GET /v1/cluster/alerts/{alert}",
        /// Every node of the cluster (where a client reads the product version).
        GetNodes = "GET /v1/nodes",
        /// One node of the cluster.
        GetNode = "GET /v1/nodes/{uid}",
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

    /// The endpoint `method` and `path` (a query string ignored) name, if any. A `{name}`
    /// segment of an endpoint's path takes any one segment; a literal path wins over a
    /// template (`POST .../certificates/rotate` is not a certificate's name).
    pub fn of(method: &str, path: &str) -> Option<Endpoint> {
        let path = path.split('?').next().unwrap_or(path);
        let candidates = || {
            Self::ALL
                .into_iter()
                .filter(move |endpoint| endpoint.method() == method)
        };
        candidates()
            .find(|endpoint| endpoint.path() == path)
            .or_else(|| candidates().find(|endpoint| endpoint.template_matches(path)))
    }

    fn template_matches(self, path: &str) -> bool {
        let mut template = self.path().split('/');
        let mut given = path.split('/');
        loop {
            match (template.next(), given.next()) {
                (None, None) => return true,
                (Some(expected), Some(segment)) => {
                    let wildcard = expected.starts_with('{') && expected.ends_with('}');
                    if !(wildcard && !segment.is_empty() || expected == segment) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
    }

    /// The permission a user's role must hold (documented).
    pub fn permission(self) -> Permission {
        match self {
            Endpoint::GetConfig => Permission::ViewOcspConfig,
            Endpoint::PutConfig => Permission::ConfigOcsp,
            Endpoint::GetStatus => Permission::ViewOcspStatus,
            Endpoint::PostTest => Permission::TestOcspStatus,
            Endpoint::UpdateCert
            | Endpoint::PutCertificates
            | Endpoint::DeleteCertificate
            | Endpoint::RotateCertificates
            | Endpoint::PutCluster => Permission::UpdateCluster,
            Endpoint::GetCertificates | Endpoint::GetCluster => Permission::ViewClusterInfo,
            Endpoint::GetAlerts | Endpoint::GetAlert => Permission::ViewClusterAlerts,
            Endpoint::GetNodes => Permission::ViewAllNodesInfo,
            Endpoint::GetNode => Permission::ViewNodeInfo,
        }
    }

    /// Whether every node must support OCSP (documented: 406 otherwise).
    pub fn needs_ocsp_capability(self) -> bool {
        match self {
            Endpoint::GetConfig
            | Endpoint::PutConfig
            | Endpoint::GetStatus
            | Endpoint::PostTest => true,
            Endpoint::UpdateCert
            | Endpoint::PutCertificates
            | Endpoint::GetCertificates
            | Endpoint::DeleteCertificate
            | Endpoint::RotateCertificates
            | Endpoint::GetCluster
            | Endpoint::PutCluster
            | Endpoint::GetAlerts
            | Endpoint::GetAlert
            | Endpoint::GetNodes
            | Endpoint::GetNode => false,
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
                ["GET", "PUT", "POST", "DELETE"].contains(&endpoint.method()),
                "{endpoint}"
            );
            assert!(endpoint.path().starts_with("/v1/"), "{endpoint}");
            assert_eq!(
                Endpoint::of(endpoint.method(), endpoint.path()),
                Some(endpoint)
            );
        }
        assert_eq!(
            Endpoint::of("DELETE", "/v1/cluster/certificates/syncer"),
            Some(Endpoint::DeleteCertificate)
        );
        assert_eq!(
            Endpoint::of("POST", "/v1/cluster/certificates/rotate"),
            Some(Endpoint::RotateCertificates)
        );
        assert_eq!(
            Endpoint::of("GET", "/v1/cluster/alerts/cluster_ocsp_query_failed"),
            Some(Endpoint::GetAlert)
        );
        assert_eq!(Endpoint::of("GET", "/v1/nodes/2"), Some(Endpoint::GetNode));
        assert_eq!(Endpoint::of("DELETE", "/v1/cluster/certificates/"), None);
        assert_eq!(Endpoint::of("DELETE", "/v1/cluster/certificates/a/b"), None);
        assert_eq!(
            Endpoint::of("GET", "/v1/ocsp?x=1"),
            Some(Endpoint::GetConfig)
        );
        assert_eq!(Endpoint::of("DELETE", "/v1/ocsp"), None);
    }
}
