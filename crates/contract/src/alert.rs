//! The cluster alerts that concern OCSP (documented: the cluster's `alert_settings` object),
//! with the severity the reference gives each.

crate::named_enum! {
    /// A cluster alert about OCSP.
    pub enum ClusterAlert: "cluster alert" {
        /// A query of the OCSP responder failed.
        OcspQueryFailed = "cluster_ocsp_query_failed",
        /// The proxy certificate's status is REVOKED.
        OcspStatusRevoked = "cluster_ocsp_status_revoked",
    }
}

impl ClusterAlert {
    /// The alert's severity (reference: the pages give none for these two).
    pub fn severity(self) -> &'static str {
        match self {
            ClusterAlert::OcspQueryFailed => "WARNING",
            ClusterAlert::OcspStatusRevoked => "ERROR",
        }
    }
}
