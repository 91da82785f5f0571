//! The cluster's certificate changes: install, remove, rotate. A change reaches every node or
//! none of the cluster-wide state (reference: `certs.partial-update`): with a node that cannot
//! write certificates (a provider state), what the API reports and what OCSP checks stay as
//! they were.

use serde_json::Value;

use contract::CertificateName;

use super::{Cluster, NodeState, PollPlan};
use crate::certificate::InstalledCertificate;
use crate::selfsigned;
use crate::store::{ROTATED, RemoveRefused, is_required};

/// Why a certificate change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateRefused {
    /// Some node could not write certificates.
    #[error("not all nodes have been updated: node {0} could not write its certificates")]
    NodesNotUpdated(usize),
    /// A required certificate cannot be removed.
    #[error("{0} is a required certificate and cannot be deleted")]
    Required(CertificateName),
    /// An optional certificate that is not installed.
    #[error("no {0} certificate is installed")]
    NotInstalled(CertificateName),
    /// The cluster does not rotate this certificate.
    #[error("{0} is not an internal certificate the cluster rotates ({list})", list = rotated_list())]
    RotationUnsupported(String),
    /// A new certificate could not be generated.
    #[error("{0}")]
    Generate(String),
}

/// `NodesNotUpdated` naming the first node that cannot write certificates, if any.
fn every_node_writes(nodes: &[NodeState]) -> Result<(), CertificateRefused> {
    match nodes.iter().position(|node| !node.certificates) {
        Some(node) => Err(CertificateRefused::NodesNotUpdated(node)),
        None => Ok(()),
    }
}

fn rotated_list() -> String {
    ROTATED.map(CertificateName::name).join(", ")
}

impl Cluster {
    /// `{"NAME_cert": PEM, "NAME_key": PEM}` for every installed certificate.
    pub fn certificates_json(&self) -> Value {
        self.lock().certificates.to_json()
    }

    /// Installs checked certificates on every node. A new proxy certificate empties the cache
    /// (it spoke of the old one), and a cluster with OCSP on polls the new one at once.
    pub fn install_certificates(
        &self,
        entries: Vec<(CertificateName, InstalledCertificate)>,
    ) -> Result<(), CertificateRefused> {
        let mut state = self.lock();
        every_node_writes(&state.nodes)?;
        let mut proxy_changed = false;
        for (name, certificate) in entries {
            proxy_changed |= name == CertificateName::Proxy;
            state.certificates.install(name, certificate);
        }
        if proxy_changed {
            state.set_cache(None, self.clock.now());
            if state.config.ocsp_functionality {
                state.plan = PollPlan::at(self.clock.now());
            }
        }
        drop(state);
        if proxy_changed {
            self.replan.notify_one();
        }
        Ok(())
    }

    /// Installs one certificate (the proxy's, for a provider or a test).
    pub fn install_proxy(&self, proxy: InstalledCertificate) -> Result<(), CertificateRefused> {
        self.install_certificates(vec![(CertificateName::Proxy, proxy)])
    }

    /// Removes an optional, installed certificate from every node. A required certificate is
    /// refused first; then a node that cannot write its disk fails the removal, whether or not
    /// the certificate is there (reference: the nodes are asked before the store is); then an
    /// optional certificate that is not installed is unknown.
    pub fn remove_certificate(&self, name: CertificateName) -> Result<(), CertificateRefused> {
        let mut state = self.lock();
        if is_required(name) {
            return Err(CertificateRefused::Required(name));
        }
        every_node_writes(&state.nodes)?;
        state
            .certificates
            .remove(name)
            .map_err(|refused| match refused {
                RemoveRefused::Required => CertificateRefused::Required(name),
                RemoveRefused::NotInstalled => CertificateRefused::NotInstalled(name),
            })
    }

    /// Regenerates the internal certificates, or only `name` (which must be one of them).
    pub fn rotate(&self, name: Option<&str>) -> Result<(), CertificateRefused> {
        let names: Vec<CertificateName> = match name {
            None => ROTATED.to_vec(),
            Some(name) => {
                let rotated = ROTATED.into_iter().find(|rotated| rotated.name() == name);
                vec![
                    rotated
                        .ok_or_else(|| CertificateRefused::RotationUnsupported(name.to_owned()))?,
                ]
            }
        };
        every_node_writes(&self.lock().nodes)?;
        let fresh = names
            .into_iter()
            .map(|name| {
                selfsigned::generate(name.name())
                    .map(|certificate| (name, certificate))
                    .map_err(|error| CertificateRefused::Generate(error.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.install_certificates(fresh)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use time::macros::datetime;

    use super::*;
    use crate::store::CertificateStore;

    fn cluster() -> Arc<Cluster> {
        let clock = Arc::new(clock::VirtualClock::new(datetime!(2026-03-01 12:00 UTC)));
        let store = CertificateStore::initial(None).expect("store");
        Cluster::new(clock, 3, store).expect("cluster")
    }

    fn certificate(name: &str) -> InstalledCertificate {
        selfsigned::generate(name).expect("generated")
    }

    #[test]
    fn a_node_that_cannot_write_leaves_every_certificate_as_it_was() {
        let cluster = cluster();
        let before = cluster.certificates_json();
        assert!(cluster.set_node_certificates(1, false));
        assert_eq!(
            cluster.install_certificates(vec![(CertificateName::Api, certificate("api"))]),
            Err(CertificateRefused::NodesNotUpdated(1))
        );
        assert_eq!(
            cluster.rotate(None),
            Err(CertificateRefused::NodesNotUpdated(1))
        );
        assert_eq!(cluster.certificates_json(), before);

        assert!(cluster.set_node_certificates(1, true));
        let installed = certificate("ldap");
        cluster
            .install_certificates(vec![(CertificateName::LdapClient, installed)])
            .expect("installed");
        assert!(cluster.set_node_certificates(2, false));
        assert_eq!(
            cluster.remove_certificate(CertificateName::LdapClient),
            Err(CertificateRefused::NodesNotUpdated(2))
        );
        assert!(cluster.certificates_json()["ldap_client_cert"].is_string());
        assert!(!cluster.set_node_certificates(3, false));
    }

    #[test]
    fn removal_refuses_required_certificates_then_failing_nodes_then_absent_ones() {
        let cluster = cluster();
        assert_eq!(
            cluster.remove_certificate(CertificateName::SsoIssuer),
            Err(CertificateRefused::NotInstalled(CertificateName::SsoIssuer))
        );
        assert!(cluster.set_node_certificates(0, false));
        assert_eq!(
            cluster.remove_certificate(CertificateName::Proxy),
            Err(CertificateRefused::Required(CertificateName::Proxy))
        );
        assert_eq!(
            cluster.remove_certificate(CertificateName::SsoIssuer),
            Err(CertificateRefused::NodesNotUpdated(0))
        );
    }

    #[test]
    fn rotation_changes_the_internode_certificates_only() {
        let cluster = cluster();
        let proxy = certificate("proxy");
        cluster.install_proxy(proxy).expect("installed");
        let before = cluster.certificates_json();
        cluster.rotate(None).expect("rotated");
        let after = cluster.certificates_json();
        for name in ["ccs_internode_encryption", "data_internode_encryption"] {
            assert_ne!(
                before[format!("{name}_cert")],
                after[format!("{name}_cert")]
            );
            assert_ne!(before[format!("{name}_key")], after[format!("{name}_key")]);
        }
        for name in ["proxy", "api", "cm", "syncer", "metrics_exporter"] {
            assert_eq!(
                before[format!("{name}_cert")],
                after[format!("{name}_cert")]
            );
        }

        cluster
            .rotate(Some("ccs_internode_encryption"))
            .expect("rotated");
        let once_more = cluster.certificates_json();
        assert_ne!(
            once_more["ccs_internode_encryption_cert"],
            after["ccs_internode_encryption_cert"]
        );
        assert_eq!(
            once_more["data_internode_encryption_cert"],
            after["data_internode_encryption_cert"]
        );
        for name in ["proxy", "api", "no_such_name"] {
            assert_eq!(
                cluster.rotate(Some(name)),
                Err(CertificateRefused::RotationUnsupported(name.to_owned()))
            );
        }
    }
}
