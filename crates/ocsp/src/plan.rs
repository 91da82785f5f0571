//! The knobs of a response: what the fake responder puts in the DER it signs. The default is a
//! correct response (`good`, signed by the issuing CA, nonce echoed); each knob breaks or varies
//! one rule on purpose. Times are offsets from the responder's clock when it signs.

use serde::{Deserialize, Serialize};
use time::Duration;

use super::cert_id::HashAlgorithm;
use pki::Role;

/// Everything about the bytes of a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ResponsePlan {
    /// A signed `successful` response.
    Signed(Box<SignedPlan>),
    /// An unsigned response with this `responseStatus` value and no `responseBytes` (values 4
    /// and above 6 are not in RFC 6960).
    Unsigned {
        /// The ENUMERATED value.
        status: u8,
    },
    /// `successful` with no `responseBytes`.
    SuccessfulWithoutBytes,
}

impl Default for ResponsePlan {
    fn default() -> Self {
        ResponsePlan::Signed(Box::default())
    }
}

contract::named_enum! {
    /// The CRL reasons RFC 5280 section 5.3.1 defines (7 is unused), by the names JSON gives
    /// them.
    pub enum CrlReason: "CRL reason" {
        /// unspecified (0)
        Unspecified = "unspecified",
        /// keyCompromise (1)
        KeyCompromise = "key_compromise",
        /// cACompromise (2)
        CaCompromise = "ca_compromise",
        /// affiliationChanged (3)
        AffiliationChanged = "affiliation_changed",
        /// superseded (4)
        Superseded = "superseded",
        /// cessationOfOperation (5)
        CessationOfOperation = "cessation_of_operation",
        /// certificateHold (6)
        CertificateHold = "certificate_hold",
        /// removeFromCRL (8)
        RemoveFromCrl = "remove_from_crl",
        /// privilegeWithdrawn (9)
        PrivilegeWithdrawn = "privilege_withdrawn",
        /// aACompromise (10)
        AaCompromise = "aa_compromise",
    }
}

impl CrlReason {
    /// The name in behaviour names: `key-compromise`.
    pub fn kebab_name(self) -> String {
        self.name().replace('_', "-")
    }

    pub(crate) fn to_x509(self) -> x509_cert::ext::pkix::CrlReason {
        use x509_cert::ext::pkix::CrlReason as X;
        match self {
            CrlReason::Unspecified => X::Unspecified,
            CrlReason::KeyCompromise => X::KeyCompromise,
            CrlReason::CaCompromise => X::CaCompromise,
            CrlReason::AffiliationChanged => X::AffiliationChanged,
            CrlReason::Superseded => X::Superseded,
            CrlReason::CessationOfOperation => X::CessationOfOperation,
            CrlReason::CertificateHold => X::CertificateHold,
            CrlReason::RemoveFromCrl => X::RemoveFromCRL,
            CrlReason::PrivilegeWithdrawn => X::PrivilegeWithdrawn,
            CrlReason::AaCompromise => X::AaCompromise,
        }
    }

    pub(crate) fn from_x509(reason: x509_cert::ext::pkix::CrlReason) -> Self {
        use x509_cert::ext::pkix::CrlReason as X;
        match reason {
            X::Unspecified => CrlReason::Unspecified,
            X::KeyCompromise => CrlReason::KeyCompromise,
            X::CaCompromise => CrlReason::CaCompromise,
            X::AffiliationChanged => CrlReason::AffiliationChanged,
            X::Superseded => CrlReason::Superseded,
            X::CessationOfOperation => CrlReason::CessationOfOperation,
            X::CertificateHold => CrlReason::CertificateHold,
            X::RemoveFromCRL => CrlReason::RemoveFromCrl,
            X::PrivilegeWithdrawn => CrlReason::PrivilegeWithdrawn,
            X::AaCompromise => CrlReason::AaCompromise,
        }
    }
}

/// The status reported for the certificates the responder knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlannedStatus {
    /// good
    Good,
    /// revoked at an offset from now, with or without a reason
    Revoked {
        /// Offset of revocationTime from now (negative: in the past).
        #[serde(with = "crate::plan::seconds")]
        revoked_at: Duration,
        /// The CRL reason, if any.
        reason: Option<CrlReason>,
    },
    /// unknown
    Unknown,
}

/// Who signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signer {
    /// The CA that issued the certificate (the PKI's intermediate).
    Issuer,
    /// A delegated responder certificate of the PKI, by role.
    Delegated(Role),
    /// A key that belongs to nobody, while the ResponderID claims the issuer: a forgery.
    UnrelatedKey,
}

/// How the ResponderID names the signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponderIdPlan {
    /// byKey: SHA-1 of the signer's public key.
    ByKey,
    /// byName: the signer certificate's subject.
    ByName,
    /// byName, with a name no certificate has.
    NamesNoSigner,
}

/// The signature algorithm declared and used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureAlgorithmPlan {
    /// The key's usual algorithm: ECDSA with SHA-256/384, RSA PKCS#1 with SHA-256, Ed25519.
    Standard,
    /// A correct signature under an OID nobody knows.
    UnknownOid,
    /// SHA-1 (ECDSA or RSA keys).
    Sha1,
    /// MD5 with RSA (RSA keys only).
    Md5,
}

/// What the CertID of the single response says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertIdPlan {
    /// The request's CertID, byte for byte.
    Echo,
    /// The same certificate, hashed with another algorithm.
    Rehash(HashAlgorithm),
    /// Another serial.
    WrongSerial,
    /// A corrupted issuerNameHash.
    WrongIssuerNameHash,
    /// A corrupted issuerKeyHash.
    WrongIssuerKeyHash,
    /// issuerKeyHash over the whole SubjectPublicKeyInfo instead of the key bits.
    KeyHashOverSpki,
    /// A hash algorithm OID nobody knows.
    UnknownHashAlgorithm,
}

/// What the response does with the request's nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoncePlan {
    /// Echo it (and send none when none was asked).
    Echo,
    /// Leave it out.
    Omit,
    /// Return a different one (even when none was sent).
    Different,
}

/// Whether an added unknown extension is critical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criticality {
    /// critical FALSE
    NonCritical,
    /// critical TRUE
    Critical,
}

/// The knobs of a signed `successful` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignedPlan {
    /// The status of the certificates the responder issued.
    pub status: PlannedStatus,
    /// Who signs.
    pub signer: Signer,
    /// How the signer is named.
    pub responder_id: ResponderIdPlan,
    /// Whether a delegated signer's certificate goes into `certs`.
    pub include_signer_cert: bool,
    /// The signature algorithm.
    pub signature_algorithm: SignatureAlgorithmPlan,
    /// Flip a bit of the signature after signing.
    pub corrupt_signature: bool,
    /// The CertID of the matching single response.
    pub cert_id: CertIdPlan,
    /// Single responses about other serials placed before the matching one.
    pub other_responses_first: u8,
    /// Send no single response at all.
    pub omit_single_responses: bool,
    /// thisUpdate, as an offset from now.
    #[serde(with = "seconds")]
    pub this_update: Duration,
    /// nextUpdate, as an offset from now; `None` leaves it out.
    #[serde(with = "optional_seconds")]
    pub next_update: Option<Duration>,
    /// producedAt, as an offset from now.
    #[serde(with = "seconds")]
    pub produced_at: Duration,
    /// The nonce.
    pub nonce: NoncePlan,
    /// An unknown extension at the response level.
    pub response_extension: Option<Criticality>,
    /// An unknown extension in the single response.
    pub single_extension: Option<Criticality>,
    /// The ResponseData version number (0 is v1, the only one RFC 6960 defines).
    pub version: u8,
    /// Wrap the BasicOCSPResponse under another responseType OID.
    pub wrong_response_type: bool,
}

impl Default for SignedPlan {
    fn default() -> Self {
        Self {
            status: PlannedStatus::Good,
            signer: Signer::Issuer,
            responder_id: ResponderIdPlan::ByKey,
            include_signer_cert: true,
            signature_algorithm: SignatureAlgorithmPlan::Standard,
            corrupt_signature: false,
            cert_id: CertIdPlan::Echo,
            other_responses_first: 0,
            omit_single_responses: false,
            this_update: Duration::ZERO,
            next_update: Some(Duration::days(1)),
            produced_at: Duration::ZERO,
            nonce: NoncePlan::Echo,
            response_extension: None,
            single_extension: None,
            version: 0,
            wrong_response_type: false,
        }
    }
}

/// Offsets as whole seconds in JSON and YAML.
pub mod seconds {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Duration;

    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(duration.whole_seconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        i64::deserialize(deserializer).map(Duration::seconds)
    }
}

/// Optional offsets as whole seconds in JSON and YAML.
pub mod optional_seconds {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Duration;

    pub fn serialize<S: Serializer>(
        duration: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match duration {
            Some(duration) => serializer.serialize_some(&duration.whole_seconds()),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        Option::<i64>::deserialize(deserializer).map(|seconds| seconds.map(Duration::seconds))
    }
}
