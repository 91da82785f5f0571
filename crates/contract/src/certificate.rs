//! The certificates a cluster holds, by the names the certificates object and
//! `PUT /v1/cluster/certificates` give them (documented).

crate::named_enum! {
    /// A cluster certificate's name. Only `proxy` matters to OCSP; a cluster keeps the others.
    pub enum CertificateName: "certificate name" {
        /// The REST API's.
        Api = "api",
        /// The Cluster Manager UI's.
        Cm = "cm",
        /// The proxy's, whose OCSP status the cluster staples.
        Proxy = "proxy",
        /// The syncer's (Active-Active, Replica Of).
        Syncer = "syncer",
        /// The metrics exporter's.
        MetricsExporter = "metrics_exporter",
        /// The LDAP client's.
        LdapClient = "ldap_client",
        /// Control-plane internode encryption.
        CcsInternodeEncryption = "ccs_internode_encryption",
        /// Data-plane internode encryption.
        DataInternodeEncryption = "data_internode_encryption",
        /// The CAs trusted for mutual TLS.
        MtlsTrustedCa = "mtls_trusted_ca",
        /// The SAML service provider's.
        SsoService = "sso_service",
        /// The SAML identity provider's.
        SsoIssuer = "sso_issuer",
    }
}
