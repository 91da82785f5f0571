//! Built-in management roles, the permissions of the endpoints under test, and users.
//!
//! Of the permissions the OCSP endpoints need, only `admin` holds any; every role but `none`
//! may view the cluster's information and alerts, and every node's information (documented).

use std::fmt;

use serde::{Deserialize, Serialize};

crate::named_enum! {
    /// A built-in management role.
    pub enum ManagementRole: "role" {
        /// admin
        Admin = "admin",
        /// cluster_member
        ClusterMember = "cluster_member",
        /// cluster_viewer
        ClusterViewer = "cluster_viewer",
        /// db_member
        DbMember = "db_member",
        /// db_viewer
        DbViewer = "db_viewer",
        /// user_manager
        UserManager = "user_manager",
        /// none
        None = "none",
    }
}

impl ManagementRole {
    /// Whether the role holds `permission` (documented: only admin holds the OCSP ones).
    pub fn has(self, permission: Permission) -> bool {
        match permission {
            Permission::ViewOcspConfig
            | Permission::ConfigOcsp
            | Permission::ViewOcspStatus
            | Permission::TestOcspStatus
            | Permission::UpdateCluster => self == ManagementRole::Admin,
            // Every role but `none` may read the cluster, its alerts and its nodes
            // (documented).
            Permission::ViewClusterInfo
            | Permission::ViewClusterAlerts
            | Permission::ViewAllNodesInfo
            | Permission::ViewNodeInfo => self != ManagementRole::None,
        }
    }
}

crate::named_enum! {
    /// The permissions of the endpoints under test.
    pub enum Permission: "permission" {
        /// `GET /v1/ocsp`
        ViewOcspConfig = "view_ocsp_config",
        /// `PUT /v1/ocsp`
        ConfigOcsp = "config_ocsp",
        /// `GET /v1/ocsp/status`
        ViewOcspStatus = "view_ocsp_status",
        /// `POST /v1/ocsp/test`
        TestOcspStatus = "test_ocsp_status",
        /// Changing the cluster and its certificates.
        UpdateCluster = "update_cluster",
        /// `GET /v1/cluster`, `GET /v1/cluster/certificates`
        ViewClusterInfo = "view_cluster_info",
        /// `GET /v1/cluster/alerts`
        ViewClusterAlerts = "view_cluster_alerts",
        /// `GET /v1/nodes`
        ViewAllNodesInfo = "view_all_nodes_info",
        /// `GET /v1/nodes/{uid}`
        ViewNodeInfo = "view_node_info",
    }
}

/// A user of a cluster: a role and the credentials to act as it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Its role.
    pub role: ManagementRole,
    /// Its user name.
    pub username: String,
    /// Its password.
    pub password: String,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Passwords are never printed by accident.
        f.debug_struct("User")
            .field("role", &self.role)
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// Users, by role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Users(Vec<User>);

impl Users {
    /// These users.
    pub fn new(users: Vec<User>) -> Self {
        Self(users)
    }

    /// Every user.
    pub fn all(&self) -> &[User] {
        &self.0
    }

    /// The first user with `role`.
    pub fn with_role(&self, role: ManagementRole) -> Option<&User> {
        self.0.iter().find(|user| user.role == role)
    }

    /// Replaces the user of `role` (or adds one).
    pub fn set(&mut self, user: User) {
        self.0.retain(|existing| existing.role != user.role);
        self.0.push(user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_holds_the_ocsp_permissions_and_every_role_but_none_views_the_cluster() {
        for role in ManagementRole::ALL {
            for permission in Permission::ALL {
                let viewing = matches!(
                    permission,
                    Permission::ViewClusterInfo
                        | Permission::ViewClusterAlerts
                        | Permission::ViewAllNodesInfo
                        | Permission::ViewNodeInfo
                );
                let expected = if viewing {
                    role != ManagementRole::None
                } else {
                    role == ManagementRole::Admin
                };
                assert_eq!(role.has(permission), expected, "{role} {permission}");
            }
        }
    }

    #[test]
    fn names_are_the_api_s() {
        assert_eq!(
            ManagementRole::names().collect::<Vec<_>>(),
            [
                "admin",
                "cluster_member",
                "cluster_viewer",
                "db_member",
                "db_viewer",
                "user_manager",
                "none"
            ]
        );
        assert_eq!("db_viewer".parse(), Ok(ManagementRole::DbViewer));
        assert_eq!(
            "root".parse::<ManagementRole>().map_err(|error| error.to_string()),
            Err("unknown role \"root\" (admin, cluster_member, cluster_viewer, db_member, db_viewer, user_manager, none)".to_owned())
        );
    }

    #[test]
    fn a_user_s_password_is_never_in_its_debug_form() {
        let user = User {
            role: ManagementRole::Admin,
            username: "admin".to_owned(),
            password: "hunter2".to_owned(),
        };
        assert!(!format!("{user:?}").contains("hunter2"));
    }
}
