//! The test PKI: root and intermediate CAs, the cluster's proxy certificate with the responder
//! URL in its AIA extension, delegated OCSP responders good and bad, and the means to write them
//! to a directory as PEM with a manifest, and read them back.

mod error;
mod extensions;
mod generate;
mod integer;
mod keys;
mod name;
mod pool;
mod profile;
mod role;
mod store;
mod summary;

pub use error::{PkiError, ProfileError, StoreError};
pub use generate::{IssuedCert, TestPki};
pub use integer::DerInteger;
pub use keys::{pem_encode, private_key_pem};
pub use pool::KeySource;
pub use profile::{KeyType, PkiProfile, ResponderUrl, Serial};
pub use role::Role;
pub use store::{MANIFEST_FILE, Manifest, ManifestEntry, read_dir, write_dir};

pub use files::Overwrite;
pub use summary::{CertificateSummary, Validity};
