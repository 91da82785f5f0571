//! Helpers shared by the test binaries that talk to `openssl ocsp`.

use ocsp_harness::pki::{Role, TestPki};

/// The `index.txt` line `openssl ocsp -index` reads for `role`'s certificate: valid, or revoked
/// with `revoked` (`YYMMDDHHMMSSZ[,reason]`).
pub fn index_line(pki: &TestPki, role: Role, revoked: Option<&str>) -> String {
    let summary = pki.cert(role).summary();
    let expiry = summary
        .validity
        .not_after
        .format(time::macros::format_description!(
            "[year repr:last_two][month][day][hour][minute][second]Z"
        ))
        .expect("formats");
    let (flag, revocation) = match revoked {
        Some(revocation) => ("R", revocation),
        None => ("V", ""),
    };
    format!(
        "{flag}\t{expiry}\t{revocation}\t{}\tunknown\t/CN={}\n",
        summary.serial.to_hex(),
        role.common_name()
    )
}
