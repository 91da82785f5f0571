//! Built-in management roles, the OCSP permissions, and the users of the reference server.
//!
//! Of the permissions the OCSP endpoints need, only `admin` holds any (documented).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A built-in management role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManagementRole {
    /// admin
    Admin,
    /// cluster_member
    ClusterMember,
    /// cluster_viewer
    ClusterViewer,
    /// db_member
    DbMember,
    /// db_viewer
    DbViewer,
    /// user_manager
    UserManager,
    /// none
    None,
}

impl ManagementRole {
    /// Every built-in role.
    pub const ALL: [ManagementRole; 7] = [
        ManagementRole::Admin,
        ManagementRole::ClusterMember,
        ManagementRole::ClusterViewer,
        ManagementRole::DbMember,
        ManagementRole::DbViewer,
        ManagementRole::UserManager,
        ManagementRole::None,
    ];

    /// The role's name in the API.
    pub fn name(self) -> &'static str {
        match self {
            ManagementRole::Admin => "admin",
            ManagementRole::ClusterMember => "cluster_member",
            ManagementRole::ClusterViewer => "cluster_viewer",
            ManagementRole::DbMember => "db_member",
            ManagementRole::DbViewer => "db_viewer",
            ManagementRole::UserManager => "user_manager",
            ManagementRole::None => "none",
        }
    }

    /// Whether the role holds `permission` (documented: only admin holds the OCSP ones).
    pub fn has(self, permission: Permission) -> bool {
        match permission {
            Permission::ViewOcspConfig
            | Permission::ConfigOcsp
            | Permission::ViewOcspStatus
            | Permission::TestOcspStatus
            | Permission::UpdateCluster => self == ManagementRole::Admin,
        }
    }
}

impl fmt::Display for ManagementRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ManagementRole {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ManagementRole::ALL
            .into_iter()
            .find(|role| role.name() == s)
            .ok_or_else(|| format!("unknown role {s:?}"))
    }
}

/// The permissions of the endpoints under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// `GET /v1/ocsp`
    ViewOcspConfig,
    /// `PUT /v1/ocsp`
    ConfigOcsp,
    /// `GET /v1/ocsp/status`
    ViewOcspStatus,
    /// `POST /v1/ocsp/test`
    TestOcspStatus,
    /// `PUT /v1/cluster/update_cert`, `PUT /v1/cluster/certificates`
    UpdateCluster,
}

impl Permission {
    /// The permission's name in the API.
    pub fn name(self) -> &'static str {
        match self {
            Permission::ViewOcspConfig => "view_ocsp_config",
            Permission::ConfigOcsp => "config_ocsp",
            Permission::ViewOcspStatus => "view_ocsp_status",
            Permission::TestOcspStatus => "test_ocsp_status",
            Permission::UpdateCluster => "update_cluster",
        }
    }
}

/// One user of the reference server.
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

/// The users: one per built-in role unless told otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Users(Vec<User>);

impl Users {
    /// One user per role, named after it (`admin`, `cluster_member`, ...), each with a random
    /// password.
    pub fn generate() -> Self {
        Self(
            ManagementRole::ALL
                .into_iter()
                .map(|role| User {
                    role,
                    username: role.name().to_owned(),
                    password: random_password(),
                })
                .collect(),
        )
    }

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

    /// The role of the user with these credentials.
    pub fn authenticate(&self, username: &str, password: &str) -> Option<ManagementRole> {
        self.0
            .iter()
            .find(|user| {
                constant_time_eq(user.username.as_bytes(), username.as_bytes())
                    & constant_time_eq(user.password.as_bytes(), password.as_bytes())
            })
            .map(|user| user.role)
    }
}

/// Equality whose time does not depend on where the inputs differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    openssl::memcmp::eq(&openssl::sha::sha256(a), &openssl::sha::sha256(b))
}

fn random_password() -> String {
    let mut bytes = [0u8; 12];
    // The OpenSSL RNG does not fail once initialised; a zero password would still be valid.
    let _ = openssl::rand::rand_bytes(&mut bytes);
    crate::ocsp::hex(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_holds_the_ocsp_permissions() {
        for role in ManagementRole::ALL {
            for permission in [
                Permission::ViewOcspConfig,
                Permission::ConfigOcsp,
                Permission::ViewOcspStatus,
                Permission::TestOcspStatus,
                Permission::UpdateCluster,
            ] {
                assert_eq!(
                    role.has(permission),
                    role == ManagementRole::Admin,
                    "{role} {permission:?}"
                );
            }
        }
    }

    #[test]
    fn generated_users_authenticate_with_their_own_password_only() {
        let users = Users::generate();
        assert_eq!(users.all().len(), 7);
        let admin = users.with_role(ManagementRole::Admin).expect("admin");
        assert_eq!(
            users.authenticate("admin", &admin.password),
            Some(ManagementRole::Admin)
        );
        assert_eq!(users.authenticate("admin", "wrong"), None);
        let viewer = users.with_role(ManagementRole::DbViewer).expect("viewer");
        assert_eq!(users.authenticate("admin", &viewer.password), None);
        assert!(!format!("{admin:?}").contains(&admin.password));
    }
}
