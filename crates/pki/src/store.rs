//! A test PKI on disk: one PEM file per certificate, key and chain, and `manifest.json` saying
//! which file holds what. Writing is all or nothing ([`files`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{KeyPair, PublicKeyData};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::error::StoreError;
use super::generate::{IssuedCert, TestPki};
use super::keys::private_key_pem;
use super::profile::{KeyType, PkiProfile, ResponderUrl};
use super::role::Role;
use super::summary::{CertificateSummary, certificate_spki_der};
use files::{NewFile, Overwrite, PathError, write_all_or_nothing};

/// The manifest's file name inside a PKI directory.
pub const MANIFEST_FILE: &str = "manifest.json";
const FORMAT: u32 = 1;
const UNRELATED_KEY_FILE: &str = "unrelated.key.pem";

/// What `manifest.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The manifest format version.
    pub format: u32,
    /// The program that wrote it, with its version.
    pub generator: String,
    /// The instant the validity windows were measured from.
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    /// The key type of every key.
    pub key_type: KeyType,
    /// The OCSP URL in the proxy certificate.
    pub responder_url: ResponderUrl,
    /// One entry per certificate.
    pub certificates: Vec<ManifestEntry>,
    /// The file of the key that belongs to no certificate.
    pub unrelated_key: String,
}

/// One certificate in the manifest: its files and its fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    /// The job it has.
    pub role: Role,
    /// The certificate's file.
    pub certificate: String,
    /// The private key's file.
    pub key: String,
    /// The file with the certificate and its issuers up to the root, root excluded; absent for
    /// roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    /// The certificate's fields.
    #[serde(flatten)]
    pub summary: CertificateSummary,
}

impl Manifest {
    fn describe(pki: &TestPki) -> Self {
        let certificates = pki
            .certs()
            .map(|cert| {
                let role = cert.role();
                ManifestEntry {
                    role,
                    certificate: format!("{role}.cert.pem"),
                    key: format!("{role}.key.pem"),
                    chain: role.issuer().map(|_| format!("{role}.chain.pem")),
                    summary: cert.summary().clone(),
                }
            })
            .collect();
        Manifest {
            format: FORMAT,
            generator: concat!("ocsp-harness ", env!("CARGO_PKG_VERSION")).to_owned(),
            generated_at: pki.profile().at,
            key_type: pki.profile().key_type,
            responder_url: pki.profile().responder_url.clone(),
            certificates,
            unrelated_key: UNRELATED_KEY_FILE.to_owned(),
        }
    }
}

/// Writes `pki` into `dir` (created if missing) and returns the manifest written.
///
/// Nothing is replaced unless `overwrite` allows it, and a failure part-way leaves the
/// directory as it was.
pub fn write_dir(pki: &TestPki, dir: &Path, overwrite: Overwrite) -> Result<Manifest, StoreError> {
    let manifest = Manifest::describe(pki);
    let files = new_files(pki, &manifest)?;
    write_all_or_nothing(dir, &files, overwrite)?;
    Ok(manifest)
}

fn new_files(pki: &TestPki, manifest: &Manifest) -> Result<Vec<NewFile>, StoreError> {
    let file = |name: &str, contents: String, private: bool| NewFile {
        name: name.to_owned(),
        contents: contents.into_bytes(),
        private,
    };
    let mut files = Vec::new();
    for entry in &manifest.certificates {
        let cert = pki.cert(entry.role);
        files.push(file(&entry.certificate, cert.pem(), false));
        files.push(file(&entry.key, cert.key_pem(), true));
        if let Some(chain) = &entry.chain {
            files.push(file(chain, pki.chain_pem(entry.role), false));
        }
    }
    files.push(file(
        &manifest.unrelated_key,
        private_key_pem(pki.unrelated_key()),
        true,
    ));
    let mut json =
        serde_json::to_string_pretty(manifest).map_err(|source| StoreError::Manifest {
            path: PathBuf::from(MANIFEST_FILE),
            source,
        })?;
    json.push('\n');
    files.push(file(MANIFEST_FILE, json, false));
    Ok(files)
}

/// Reads a PKI written by [`write_dir`], checking that every key matches its certificate.
pub fn read_dir(dir: &Path) -> Result<TestPki, StoreError> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let text = read_text(&manifest_path)?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|source| StoreError::Manifest {
            path: manifest_path.clone(),
            source,
        })?;
    if manifest.format != FORMAT {
        return Err(StoreError::ManifestVersion {
            path: manifest_path,
            found: manifest.format,
            expected: FORMAT,
        });
    }

    let mut certs = Vec::with_capacity(Role::ALL.len());
    for role in Role::ALL {
        let entry = manifest
            .certificates
            .iter()
            .find(|entry| entry.role == role)
            .ok_or_else(|| StoreError::MissingRole {
                path: manifest_path.clone(),
                role,
            })?;
        let cert_path = dir.join(&entry.certificate);
        let der = read_pem_block(&cert_path, "CERTIFICATE")?;
        let key_path = dir.join(&entry.key);
        let key = read_key(&key_path)?;
        let spki = certificate_spki_der(&der).map_err(|source| StoreError::Pki {
            path: cert_path.clone(),
            source,
        })?;
        if spki != key.subject_public_key_info() {
            return Err(StoreError::Pem {
                path: key_path,
                problem: format!(
                    "the key does not match the certificate {}",
                    entry.certificate
                ),
            });
        }
        let cert = IssuedCert::new(role, der, Arc::new(key)).map_err(|source| StoreError::Pki {
            path: cert_path,
            source,
        })?;
        certs.push(cert);
    }
    let unrelated_key = Arc::new(read_key(&dir.join(&manifest.unrelated_key))?);

    let proxy_serial = certs
        .iter()
        .find(|cert| cert.role() == Role::Proxy)
        .map(|cert| cert.summary().serial.clone());
    let profile = PkiProfile {
        key_type: manifest.key_type,
        responder_url: manifest.responder_url,
        proxy_serial,
        at: manifest.generated_at,
    };
    TestPki::from_parts(profile, certs, unrelated_key).map_err(|source| StoreError::Pki {
        path: manifest_path,
        source,
    })
}

fn read_text(path: &Path) -> Result<String, StoreError> {
    Ok(fs::read_to_string(path).map_err(PathError::at("read", path))?)
}

/// The contents of the first PEM block of `path`, which must carry `tag`.
fn read_pem_block(path: &Path, tag: &str) -> Result<Vec<u8>, StoreError> {
    let text = read_text(path)?;
    let problem = |problem: String| StoreError::Pem {
        path: path.to_owned(),
        problem,
    };
    let blocks = pem::parse_many(&text).map_err(|error| problem(format!("not PEM: {error}")))?;
    let first = blocks
        .into_iter()
        .next()
        .ok_or_else(|| problem("no PEM block".to_owned()))?;
    if first.tag() != tag {
        return Err(problem(format!(
            "expected a {tag} block, found {}",
            first.tag()
        )));
    }
    Ok(first.into_contents())
}

fn read_key(path: &Path) -> Result<KeyPair, StoreError> {
    let der = read_pem_block(path, "PRIVATE KEY")?;
    KeyPair::try_from(der.as_slice()).map_err(|error| StoreError::Pem {
        path: path.to_owned(),
        problem: format!("not a usable PKCS#8 private key: {error}"),
    })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::Serial;

    fn profile() -> PkiProfile {
        PkiProfile {
            key_type: KeyType::P256,
            responder_url: "http://127.0.0.1:8080/ocsp".parse().expect("url"),
            proxy_serial: Some("1000".parse::<Serial>().expect("serial")),
            at: datetime!(2026-03-01 12:00 UTC),
        }
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("readable")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_written_pki_reads_back_identical() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pki = TestPki::generate(&profile()).expect("generates");
        let manifest = write_dir(&pki, dir.path(), Overwrite::Refuse).expect("writes");
        let back = read_dir(dir.path()).expect("reads");
        assert_eq!(back.profile(), pki.profile());
        for (written, read) in pki.certs().zip(back.certs()) {
            assert_eq!(written.der(), read.der());
            assert_eq!(written.key().serialize_der(), read.key().serialize_der());
            assert_eq!(written.summary(), read.summary());
        }
        assert_eq!(manifest, Manifest::describe(&back));
    }

    #[test]
    fn the_manifest_lists_every_file_written_and_keys_are_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pki = TestPki::generate(&profile()).expect("generates");
        let manifest = write_dir(&pki, dir.path(), Overwrite::Refuse).expect("writes");
        let mut listed: Vec<String> = manifest
            .certificates
            .iter()
            .flat_map(|entry| {
                [
                    Some(entry.certificate.clone()),
                    Some(entry.key.clone()),
                    entry.chain.clone(),
                ]
            })
            .flatten()
            .chain([manifest.unrelated_key.clone(), MANIFEST_FILE.to_owned()])
            .collect();
        listed.sort();
        assert_eq!(files_in(dir.path()), listed);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |name: &str| {
                fs::metadata(dir.path().join(name))
                    .expect("exists")
                    .permissions()
                    .mode()
                    & 0o777
            };
            assert_eq!(mode("proxy.key.pem"), 0o600);
            assert_eq!(mode(UNRELATED_KEY_FILE), 0o600);
            assert_eq!(mode("proxy.cert.pem"), 0o644);
        }
    }

    #[test]
    fn manifest_shape() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pki = TestPki::generate(&profile()).expect("generates");
        write_dir(&pki, dir.path(), Overwrite::Refuse).expect("writes");
        let text = fs::read_to_string(dir.path().join(MANIFEST_FILE)).expect("manifest");
        let json: serde_json::Value = serde_json::from_str(&text).expect("json");
        insta::assert_json_snapshot!(json, {
            ".generator" => "[generator]",
            ".certificates[].serial" => insta::dynamic_redaction(|value, _| {
                // Derived from fresh keys, except the proxy serial the profile fixes.
                match value.as_str() {
                    Some("1000") => value.clone(),
                    _ => "[derived from the key]".into(),
                }
            }),
        });
    }

    #[test]
    fn existing_files_are_kept_unless_overwrite_is_allowed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = TestPki::generate(&profile()).expect("generates");
        write_dir(&first, dir.path(), Overwrite::Refuse).expect("writes");
        let before = fs::read(dir.path().join("root.cert.pem")).expect("root");

        let second = TestPki::generate(&profile()).expect("generates");
        let error = write_dir(&second, dir.path(), Overwrite::Refuse).expect_err("refuses");
        assert!(
            error
                .to_string()
                .ends_with("root.cert.pem already exists (pass --force to overwrite)"),
            "{error}"
        );
        assert_eq!(
            fs::read(dir.path().join("root.cert.pem")).expect("root"),
            before
        );

        write_dir(&second, dir.path(), Overwrite::Allow).expect("overwrites");
        assert_ne!(
            fs::read(dir.path().join("root.cert.pem")).expect("root"),
            before
        );
        assert_eq!(
            read_dir(dir.path()).expect("reads").cert(Role::Root).der(),
            second.cert(Role::Root).der()
        );
    }

    #[test]
    fn reading_reports_what_is_wrong_and_where() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pki = TestPki::generate(&profile()).expect("generates");
        write_dir(&pki, dir.path(), Overwrite::Refuse).expect("writes");

        // A key swapped for another role's.
        let proxy_key = dir.path().join("proxy.key.pem");
        let original = fs::read(&proxy_key).expect("key");
        fs::copy(dir.path().join("root.key.pem"), &proxy_key).expect("copy");
        match read_dir(dir.path()) {
            Err(StoreError::Pem { path, problem }) => {
                assert_eq!(path, proxy_key);
                assert_eq!(
                    problem,
                    "the key does not match the certificate proxy.cert.pem"
                );
            }
            other => panic!("expected a key mismatch, got {other:?}"),
        }
        fs::write(&proxy_key, original).expect("restore");

        // A certificate file that holds a key.
        let cert = dir.path().join("server.cert.pem");
        fs::copy(dir.path().join("server.key.pem"), &cert).expect("copy");
        match read_dir(dir.path()) {
            Err(StoreError::Pem { path, problem }) => {
                assert_eq!(path, cert);
                assert_eq!(problem, "expected a CERTIFICATE block, found PRIVATE KEY");
            }
            other => panic!("expected a PEM error, got {other:?}"),
        }

        // A manifest that is not JSON, then one of another format.
        let manifest = dir.path().join(MANIFEST_FILE);
        fs::write(&manifest, "{").expect("write");
        assert!(matches!(
            read_dir(dir.path()),
            Err(StoreError::Manifest { .. })
        ));
        let mut json: serde_json::Value =
            serde_json::to_value(Manifest::describe(&pki)).expect("json");
        json["format"] = 2.into();
        fs::write(&manifest, json.to_string()).expect("write");
        assert!(matches!(
            read_dir(dir.path()),
            Err(StoreError::ManifestVersion {
                found: 2,
                expected: 1,
                ..
            })
        ));
    }

    #[test]
    fn a_missing_directory_is_an_io_error_naming_the_manifest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let error = read_dir(&dir.path().join("nowhere")).expect_err("fails");
        assert!(error.to_string().contains("manifest.json"), "{error}");
    }
}
