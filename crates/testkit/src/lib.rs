//! Helpers shared by the test binaries that talk to `openssl ocsp`.

use pki::{Role, TestPki};

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

/// An `openssl ocsp -index index.txt` responder in `dir` (a PKI written by `write_dir`),
/// signing with `signer`, that exits after `requests` requests; killed when dropped.
pub struct OpensslResponder {
    /// `http://127.0.0.1:PORT/`.
    pub url: String,
    child: std::process::Child,
}

impl OpensslResponder {
    /// Starts it and waits for the port it listens on.
    pub fn start(dir: &std::path::Path, signer: Role, requests: usize) -> Self {
        use std::io::BufRead;
        let mut child = std::process::Command::new("openssl")
            .args([
                "ocsp",
                "-index",
                "index.txt",
                "-CA",
                "intermediate.cert.pem",
            ])
            .args(["-rsigner", &format!("{signer}.cert.pem")])
            .args(["-rkey", &format!("{signer}.key.pem")])
            .args([
                "-port",
                "0",
                "-nrequest",
                &requests.to_string(),
                "-ndays",
                "1",
            ])
            .current_dir(dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the openssl command is installed (see README)");
        // "ACCEPT [::]:PORT PID=..." comes first on stdout.
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let port = loop {
            let line = lines
                .next()
                .expect("openssl ocsp printed its ACCEPT line")
                .expect("readable");
            if let Some(rest) = line.strip_prefix("ACCEPT ") {
                let address = rest.split_whitespace().next().unwrap_or_default();
                let port = address.rsplit(':').next().unwrap_or_default();
                break port.parse::<u16>().expect("a port number");
            }
        };
        Self {
            url: format!("http://127.0.0.1:{port}/"),
            child,
        }
    }

    /// Waits for it to exit, as it does after its requests.
    // Each test binary compiles this module; not every one waits.
    #[allow(dead_code)]
    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().expect("openssl exits")
    }
}

impl Drop for OpensslResponder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
