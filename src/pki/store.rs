//! A test PKI on disk: one PEM file per certificate, key and chain, and `manifest.json` saying
//! which file holds what. Writing is all or nothing: every file is first written under a
//! temporary name, and only renamed into place once all of them are written.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rcgen::{KeyPair, PublicKeyData};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::error::StoreError;
use super::generate::{IssuedCert, TestPki};
use super::keys::private_key_pem;
use super::profile::{KeyType, PkiProfile, ResponderUrl};
use super::role::Role;
use super::summary::{CertificateSummary, certificate_spki_der};

/// The manifest's file name inside a PKI directory.
pub const MANIFEST_FILE: &str = "manifest.json";
const FORMAT: u32 = 1;
const UNRELATED_KEY_FILE: &str = "unrelated.key.pem";

/// Whether [`write_dir`] may replace files that already exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Refuse if any file it would write exists.
    Refuse,
    /// Replace them.
    Allow,
}

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

/// A file to write: its name in the directory, its contents, and whether it holds a secret.
struct PendingFile {
    name: String,
    contents: String,
    secret: bool,
}

/// Writes `pki` into `dir` (created if missing) and returns the manifest written.
///
/// Nothing is replaced unless `overwrite` allows it, and a failure part-way leaves the
/// directory as it was: the files are written under temporary names first, then renamed.
pub fn write_dir(pki: &TestPki, dir: &Path, overwrite: Overwrite) -> Result<Manifest, StoreError> {
    let manifest = Manifest::describe(pki);
    let files = pending_files(pki, &manifest)?;

    fs::create_dir_all(dir).map_err(|source| StoreError::Io {
        action: "create directory",
        path: dir.to_owned(),
        source,
    })?;
    if overwrite == Overwrite::Refuse {
        if let Some(existing) = files
            .iter()
            .map(|file| dir.join(&file.name))
            .find(|path| path.symlink_metadata().is_ok())
        {
            return Err(StoreError::AlreadyExists { path: existing });
        }
    }

    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(files.len());
    let result = files.iter().try_for_each(|file| {
        let temporary = dir.join(format!(".{}.{}.tmp", file.name, std::process::id()));
        let write = write_new_file(&temporary, file);
        // Staged before the result is checked, so that a half-written file is removed too.
        staged.push((temporary.clone(), dir.join(&file.name)));
        write.map_err(|source| StoreError::Io {
            action: "write",
            path: temporary,
            source,
        })
    });
    if let Err(error) = result {
        for (temporary, _) in &staged {
            let _ = fs::remove_file(temporary);
        }
        return Err(error);
    }
    for (index, (temporary, target)) in staged.iter().enumerate() {
        if let Err(source) = fs::rename(temporary, target) {
            for (temporary, _) in &staged[index..] {
                let _ = fs::remove_file(temporary);
            }
            return Err(StoreError::Io {
                action: "rename into place",
                path: target.clone(),
                source,
            });
        }
    }
    Ok(manifest)
}

fn pending_files(pki: &TestPki, manifest: &Manifest) -> Result<Vec<PendingFile>, StoreError> {
    let mut files = Vec::new();
    for entry in &manifest.certificates {
        let cert = pki.cert(entry.role);
        files.push(PendingFile {
            name: entry.certificate.clone(),
            contents: cert.pem(),
            secret: false,
        });
        files.push(PendingFile {
            name: entry.key.clone(),
            contents: cert.key_pem(),
            secret: true,
        });
        if let Some(chain) = &entry.chain {
            files.push(PendingFile {
                name: chain.clone(),
                contents: pki.chain_pem(entry.role),
                secret: false,
            });
        }
    }
    files.push(PendingFile {
        name: manifest.unrelated_key.clone(),
        contents: private_key_pem(pki.unrelated_key()),
        secret: true,
    });
    let mut json =
        serde_json::to_string_pretty(manifest).map_err(|source| StoreError::Manifest {
            path: PathBuf::from(MANIFEST_FILE),
            source,
        })?;
    json.push('\n');
    files.push(PendingFile {
        name: MANIFEST_FILE.to_owned(),
        contents: json,
        secret: false,
    });
    Ok(files)
}

fn write_new_file(path: &Path, file: &PendingFile) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if file.secret { 0o600 } else { 0o644 });
    }
    let mut handle = options.open(path)?;
    handle.write_all(file.contents.as_bytes())?;
    handle.sync_all()
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
        let cert = IssuedCert::new(role, der, key).map_err(|source| StoreError::Pki {
            path: cert_path,
            source,
        })?;
        certs.push(cert);
    }
    let unrelated_key = read_key(&dir.join(&manifest.unrelated_key))?;

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
    fs::read_to_string(path).map_err(|source| StoreError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })
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
