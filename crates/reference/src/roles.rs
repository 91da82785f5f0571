//! The users of the reference server: one per built-in role with a random password, and the
//! check of a user's credentials.

use contract::{ManagementRole, User, Users};

/// One user per role, named after it (`admin`, `cluster_member`, ...), each with a random
/// password.
pub fn generate_users() -> Users {
    Users::new(
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

/// The role of the user with these credentials.
pub fn authenticate(users: &Users, username: &str, password: &str) -> Option<ManagementRole> {
    let (username, password) = (sha256(username), sha256(password));
    users
        .all()
        .iter()
        .find(|user| {
            same_digest(&sha256(&user.username), &username)
                & same_digest(&sha256(&user.password), &password)
        })
        .map(|user| user.role)
}

/// Credentials are compared by their SHA-256 digests, in constant time, so that the time a
/// comparison takes depends neither on where the texts differ nor on their lengths. aws-lc, not
/// OpenSSL: OpenSSL 3.0 looks its SHA-256 up among its providers at every call, which made
/// logging in a twentieth of answering `POST /v1/ocsp/test`.
fn sha256(text: &str) -> aws_lc_rs::digest::Digest {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes())
}

fn same_digest(a: &aws_lc_rs::digest::Digest, b: &aws_lc_rs::digest::Digest) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(a.as_ref(), b.as_ref()).is_ok()
}

fn random_password() -> String {
    let mut bytes = [0u8; 12];
    // The OpenSSL RNG does not fail once initialised; a zero password would still be valid.
    let _ = openssl::rand::rand_bytes(&mut bytes);
    ocsp::hex(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_users_authenticate_with_their_own_password_only() {
        let users = generate_users();
        assert_eq!(users.all().len(), 7);
        let admin = users.with_role(ManagementRole::Admin).expect("admin");
        assert_eq!(
            authenticate(&users, "admin", &admin.password),
            Some(ManagementRole::Admin)
        );
        assert_eq!(authenticate(&users, "admin", "wrong"), None);
        let viewer = users.with_role(ManagementRole::DbViewer).expect("viewer");
        assert_eq!(authenticate(&users, "admin", &viewer.password), None);
        assert!(!format!("{admin:?}").contains(&admin.password));
    }
}
