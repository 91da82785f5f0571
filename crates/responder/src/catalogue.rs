//! Every responder behaviour of the contract (docs/contract.md, "Responder behaviours") as a behaviour the responder can be asked for by name, with
//! the verdict the reference server's strict client must reach and the row's level.

use serde::Serialize;
use time::Duration;

use super::behaviour::{Behaviour, Body, Delivery, Socket};
use contract::{DEFAULT_RESPONSE_TIMEOUT, Level, RESPONSE_CAP, Verdict};
use ocsp::{
    CertIdPlan, Criticality, CrlReason, HashAlgorithm, NoncePlan, PlannedStatus, ResponderIdPlan,
    ResponsePlan, ResponseStatus, SignatureAlgorithmPlan, SignedPlan, Signer,
};
use pki::{KeyType, Role};

/// One row of the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogueEntry {
    /// The name to ask for it by.
    pub name: String,
    /// The group of behaviours it belongs to.
    pub section: &'static str,
    /// What it does, in a line.
    pub description: String,
    /// The behaviour itself.
    #[serde(skip)]
    pub behaviour: Behaviour,
    /// The verdict the strict client must reach.
    pub verdict: Verdict,
    /// The row's level.
    pub level: Level,
    /// A key type the row needs (it signs with an algorithm only that type has).
    pub needs_key_type: Option<KeyType>,
    /// Whether the verdict depends on the client sending a nonce.
    pub needs_nonce: bool,
}

fn signed(edit: impl FnOnce(&mut SignedPlan)) -> Behaviour {
    let mut plan = SignedPlan::default();
    edit(&mut plan);
    Behaviour {
        response: ResponsePlan::Signed(Box::new(plan)),
        delivery: Delivery::default(),
    }
}

fn delivered(edit: impl FnOnce(&mut Delivery)) -> Behaviour {
    let mut behaviour = Behaviour::default();
    edit(&mut behaviour.delivery);
    behaviour
}

struct Rows(Vec<CatalogueEntry>);

impl Rows {
    fn add(
        &mut self,
        section: &'static str,
        name: impl Into<String>,
        description: impl Into<String>,
        behaviour: Behaviour,
        verdict: Verdict,
        level: Level,
    ) -> &mut CatalogueEntry {
        self.0.push(CatalogueEntry {
            name: name.into(),
            section,
            description: description.into(),
            behaviour,
            verdict,
            level,
            needs_key_type: None,
            needs_nonce: false,
        });
        let last = self.0.len() - 1;
        &mut self.0[last]
    }
}

/// The whole catalogue, in the order of the contract's table.
pub fn catalogue() -> Vec<CatalogueEntry> {
    use Level::{Documented, Recommended, Reference};
    use Verdict::{Failed, Good, Invalid, Revoked, Unknown};
    let mut rows = Rows(Vec::new());

    const STATUS: &str = "Status";
    rows.add(
        STATUS,
        "good",
        "the certificate is good, signed by the issuing CA (ResponderID byKey)",
        Behaviour::default(),
        Good,
        Documented,
    );
    rows.add(
        STATUS,
        "revoked",
        "revoked an hour ago, no reason given",
        signed(|plan| plan.status = revoked(None)),
        Revoked,
        Documented,
    );
    for reason in CrlReason::ALL {
        rows.add(
            STATUS,
            format!("revoked-{}", reason.kebab_name()),
            format!("revoked an hour ago, reason {}", reason.kebab_name()),
            signed(|plan| plan.status = revoked(Some(reason))),
            Revoked,
            Documented,
        );
    }
    rows.add(
        STATUS,
        "unknown",
        "the responder does not know the certificate",
        signed(|plan| plan.status = PlannedStatus::Unknown),
        Unknown,
        Documented,
    );
    rows.add(
        STATUS,
        "revoked-after-this-update",
        "revocationTime an hour after thisUpdate",
        signed(|plan| {
            plan.status = PlannedStatus::Revoked {
                revoked_at: Duration::hours(1),
                reason: None,
            }
        }),
        Invalid,
        Reference,
    );

    const RESPONSE_STATUS: &str = "Response status";
    // `successful` is every signed row, and the one without bytes below.
    for status in ResponseStatus::ALL {
        if status == ResponseStatus::Successful {
            continue;
        }
        let (name, value) = (status.kebab_name(), status.code());
        rows.add(
            RESPONSE_STATUS,
            format!("status-{name}"),
            format!("unsigned {name} response (responseStatus {value})"),
            Behaviour {
                response: ResponsePlan::Unsigned { status: value },
                ..Behaviour::default()
            },
            Invalid,
            Recommended,
        );
    }
    for value in [4, 7] {
        rows.add(
            RESPONSE_STATUS,
            format!("status-value-{value}"),
            format!("responseStatus {value}, which RFC 6960 does not define"),
            Behaviour {
                response: ResponsePlan::Unsigned { status: value },
                ..Behaviour::default()
            },
            Invalid,
            Recommended,
        );
    }
    rows.add(
        RESPONSE_STATUS,
        "successful-without-bytes",
        "successful, with no responseBytes",
        Behaviour {
            response: ResponsePlan::SuccessfulWithoutBytes,
            ..Behaviour::default()
        },
        Invalid,
        Recommended,
    );
    rows.add(
        RESPONSE_STATUS,
        "response-type-other",
        "responseType other than id-pkix-ocsp-basic",
        signed(|plan| plan.wrong_response_type = true),
        Invalid,
        Recommended,
    );

    const SIGNER: &str = "Signature and signer";
    rows.add(
        SIGNER,
        "responder-id-by-name",
        "signed by the issuing CA, ResponderID byName",
        signed(|plan| plan.responder_id = ResponderIdPlan::ByName),
        Good,
        Recommended,
    );
    rows.add(
        SIGNER,
        "delegated",
        "signed by a delegated responder (OCSPSigning, no-check), certificate included",
        signed(|plan| plan.signer = Signer::Delegated(Role::Responder)),
        Good,
        Recommended,
    );
    rows.add(
        SIGNER,
        "delegated-by-name",
        "delegated responder named byName",
        signed(|plan| {
            plan.signer = Signer::Delegated(Role::Responder);
            plan.responder_id = ResponderIdPlan::ByName;
        }),
        Good,
        Recommended,
    );
    rows.add(
        SIGNER,
        "signature-corrupted",
        "one bit of the signature flipped",
        signed(|plan| plan.corrupt_signature = true),
        Invalid,
        Recommended,
    );
    rows.add(
        SIGNER,
        "signed-by-unrelated-key",
        "signed by a key of nobody's while the ResponderID claims the issuer",
        signed(|plan| plan.signer = Signer::UnrelatedKey),
        Invalid,
        Recommended,
    );
    rows.add(
        SIGNER,
        "delegated-without-eku",
        "delegated responder without the OCSPSigning usage",
        signed(|plan| plan.signer = Signer::Delegated(Role::ResponderNoEku)),
        Invalid,
        Recommended,
    );
    rows.add(
        SIGNER,
        "delegated-expired",
        "delegated responder whose certificate has expired",
        signed(|plan| plan.signer = Signer::Delegated(Role::ResponderExpired)),
        Invalid,
        Recommended,
    );
    rows.add(
        SIGNER,
        "delegated-not-yet-valid",
        "delegated responder whose certificate is not yet valid",
        signed(|plan| plan.signer = Signer::Delegated(Role::ResponderNotYetValid)),
        Invalid,
        Recommended,
    );
    rows.add(
        SIGNER,
        "delegated-other-ca",
        "delegated responder issued by another CA",
        signed(|plan| plan.signer = Signer::Delegated(Role::ResponderOtherCa)),
        Invalid,
        Recommended,
    );
    rows.add(
        SIGNER,
        "responder-id-names-no-signer",
        "ResponderID byName with a name no certificate has",
        signed(|plan| plan.responder_id = ResponderIdPlan::NamesNoSigner),
        Invalid,
        Recommended,
    );
    rows.add(
        SIGNER,
        "delegated-cert-missing",
        "delegated responder whose certificate is left out of certs",
        signed(|plan| {
            plan.signer = Signer::Delegated(Role::Responder);
            plan.include_signer_cert = false;
        }),
        Invalid,
        Recommended,
    );
    rows.add(
        SIGNER,
        "signature-algorithm-unknown",
        "a correct signature declared under an unknown algorithm OID",
        signed(|plan| plan.signature_algorithm = SignatureAlgorithmPlan::UnknownOid),
        Invalid,
        Recommended,
    );
    rows.add(
        SIGNER,
        "signature-algorithm-sha1",
        "signed with SHA-1 (RSA or ECDSA)",
        signed(|plan| plan.signature_algorithm = SignatureAlgorithmPlan::Sha1),
        Invalid,
        Recommended,
    );
    rows.add(
        SIGNER,
        "signature-algorithm-md5",
        "signed with MD5 and RSA",
        signed(|plan| plan.signature_algorithm = SignatureAlgorithmPlan::Md5),
        Invalid,
        Recommended,
    )
    .needs_key_type = Some(KeyType::Rsa2048);

    const CERT_ID: &str = "CertID and single responses";
    for algorithm in [HashAlgorithm::Sha1, HashAlgorithm::Sha256] {
        rows.add(
            CERT_ID,
            format!("certid-{}", algorithm.name()),
            format!(
                "the single response's CertID hashed with {}",
                algorithm.name()
            ),
            signed(|plan| plan.cert_id = CertIdPlan::Rehash(algorithm)),
            Good,
            Recommended,
        );
    }
    rows.add(
        CERT_ID,
        "wrong-serial",
        "a response about another serial",
        signed(|plan| plan.cert_id = CertIdPlan::WrongSerial),
        Invalid,
        Recommended,
    );
    rows.add(
        CERT_ID,
        "wrong-issuer-name-hash",
        "issuerNameHash corrupted",
        signed(|plan| plan.cert_id = CertIdPlan::WrongIssuerNameHash),
        Invalid,
        Recommended,
    );
    rows.add(
        CERT_ID,
        "wrong-issuer-key-hash",
        "issuerKeyHash corrupted",
        signed(|plan| plan.cert_id = CertIdPlan::WrongIssuerKeyHash),
        Invalid,
        Recommended,
    );
    rows.add(
        CERT_ID,
        "issuer-key-hash-over-spki",
        "issuerKeyHash computed over the whole SubjectPublicKeyInfo",
        signed(|plan| plan.cert_id = CertIdPlan::KeyHashOverSpki),
        Invalid,
        Recommended,
    );
    rows.add(
        CERT_ID,
        "matching-response-not-first",
        "two single responses about other serials before the matching one",
        signed(|plan| plan.other_responses_first = 2),
        Good,
        Recommended,
    );
    rows.add(
        CERT_ID,
        "no-single-responses",
        "a response with no single response",
        signed(|plan| plan.omit_single_responses = true),
        Invalid,
        Recommended,
    );
    rows.add(
        CERT_ID,
        "unknown-hash-algorithm",
        "a CertID hash algorithm OID nobody knows",
        signed(|plan| plan.cert_id = CertIdPlan::UnknownHashAlgorithm),
        Invalid,
        Recommended,
    );

    const TIME: &str = "Time";
    rows.add(
        TIME,
        "this-update-beyond-skew",
        "thisUpdate 6 minutes ahead (skew allowed: 5)",
        signed(|plan| plan.this_update = Duration::minutes(6)),
        Invalid,
        Recommended,
    );
    rows.add(
        TIME,
        "this-update-inside-skew",
        "thisUpdate 4 minutes ahead (skew allowed: 5)",
        signed(|plan| plan.this_update = Duration::minutes(4)),
        Good,
        Recommended,
    );
    rows.add(
        TIME,
        "next-update-past-1s",
        "nextUpdate one second ago",
        signed(|plan| {
            plan.this_update = -Duration::hours(1);
            plan.next_update = Some(-Duration::SECOND);
        }),
        Invalid,
        Recommended,
    );
    rows.add(
        TIME,
        "next-update-past-1d",
        "nextUpdate one day ago",
        signed(|plan| {
            plan.this_update = -Duration::days(2);
            plan.next_update = Some(-Duration::days(1));
        }),
        Invalid,
        Recommended,
    );
    rows.add(
        TIME,
        "no-next-update",
        "nextUpdate absent",
        signed(|plan| plan.next_update = None),
        Good,
        Documented,
    );
    rows.add(
        TIME,
        "next-update-before-this-update",
        "nextUpdate an hour before thisUpdate",
        signed(|plan| {
            plan.this_update = -Duration::hours(1);
            plan.next_update = Some(-Duration::hours(2));
        }),
        Invalid,
        Recommended,
    );
    rows.add(
        TIME,
        "produced-at-before-this-update",
        "producedAt an hour before thisUpdate",
        signed(|plan| plan.produced_at = -Duration::hours(1)),
        Good,
        Reference,
    );

    const EXTENSIONS: &str = "Extensions and nonce";
    for (level_name, response_level) in [("response", true), ("single", false)] {
        for (criticality, verdict) in [
            (Criticality::NonCritical, Good),
            (Criticality::Critical, Invalid),
        ] {
            let critical = criticality == Criticality::Critical;
            rows.add(
                EXTENSIONS,
                format!(
                    "unknown-{}-{level_name}-extension",
                    if critical { "critical" } else { "noncritical" }
                ),
                format!(
                    "an unknown {} extension at the {level_name} level",
                    if critical { "critical" } else { "non-critical" }
                ),
                signed(|plan| {
                    if response_level {
                        plan.response_extension = Some(criticality);
                    } else {
                        plan.single_extension = Some(criticality);
                    }
                }),
                verdict,
                Recommended,
            );
        }
    }
    rows.add(
        EXTENSIONS,
        "nonce-echoed",
        "the request's nonce echoed",
        Behaviour::default(),
        Good,
        Recommended,
    )
    .needs_nonce = true;
    rows.add(
        EXTENSIONS,
        "nonce-different",
        "a different nonce returned",
        signed(|plan| plan.nonce = NoncePlan::Different),
        Invalid,
        Recommended,
    )
    .needs_nonce = true;
    rows.add(
        EXTENSIONS,
        "nonce-omitted",
        "no nonce returned (RFC 9919: fall back to the times)",
        signed(|plan| plan.nonce = NoncePlan::Omit),
        Good,
        Recommended,
    )
    .needs_nonce = true;
    rows.add(
        EXTENSIONS,
        "version-2",
        "ResponseData version v2",
        signed(|plan| plan.version = 1),
        Invalid,
        Recommended,
    );

    const BYTES: &str = "Bytes and HTTP";
    for (name, body, description) in [
        (
            "truncated-der",
            Body::TruncatedDer,
            "the first half of the DER",
        ),
        (
            "trailing-bytes",
            Body::TrailingBytes,
            "two octets after the DER",
        ),
        (
            "random-bytes",
            Body::RandomBytes,
            "64 octets that are not DER",
        ),
        ("html-page", Body::Html, "an HTML page with HTTP 200"),
        ("empty-body", Body::Empty, "an empty body with HTTP 200"),
    ] {
        rows.add(
            BYTES,
            name,
            description,
            delivered(|delivery| delivery.body = body),
            Invalid,
            Documented,
        );
    }
    for (status, with_der) in [
        (404, false),
        (500, false),
        (503, false),
        (500, true),
        (503, true),
    ] {
        let suffix = if with_der { "-with-der" } else { "" };
        rows.add(
            BYTES,
            format!("http-{status}{suffix}"),
            format!(
                "HTTP {status}{}",
                if with_der {
                    " with a good DER body"
                } else {
                    " with an empty body"
                }
            ),
            delivered(|delivery| {
                delivery.http_status = status;
                if !with_der {
                    delivery.body = Body::Empty;
                }
            }),
            Invalid,
            Reference,
        );
    }
    rows.add(
        BYTES,
        "redirect",
        "HTTP 302 to another URL (not to be followed)",
        delivered(|delivery| {
            delivery.http_status = 302;
            delivery.redirect_to = Some("http://127.0.0.1:9/".to_owned());
            delivery.body = Body::Empty;
        }),
        Invalid,
        Reference,
    );
    rows.add(
        BYTES,
        "oversized-body",
        "a 2 MiB body, over the 1 MiB cap",
        delivered(|delivery| delivery.body = Body::Oversized(2 * RESPONSE_CAP)),
        Invalid,
        Recommended,
    );
    rows.add(
        BYTES,
        "never-ending-body",
        "zeros streamed without end",
        delivered(|delivery| delivery.body = Body::NeverEnding),
        Invalid,
        Recommended,
    );
    rows.add(
        BYTES,
        "wrong-content-type",
        "a good response sent as text/plain",
        delivered(|delivery| delivery.content_type = Some("text/plain".to_owned())),
        Good,
        Reference,
    );
    rows.add(
        BYTES,
        "slower-than-timeout",
        "answers after twice the default response_timeout",
        delivered(|delivery| delivery.delay = Some(DEFAULT_RESPONSE_TIMEOUT * 2)),
        Failed,
        Reference,
    );
    rows.add(
        BYTES,
        "reset-mid-body",
        "headers and half the body, then a TCP reset",
        delivered(|delivery| delivery.socket = Socket::ResetMidBody),
        Failed,
        Reference,
    );
    rows.add(
        BYTES,
        "close-mid-body",
        "headers for the whole body, half of it, then a clean close: a truncated transfer",
        delivered(|delivery| delivery.socket = Socket::CloseMidBody),
        Failed,
        Reference,
    );
    rows.add(
        BYTES,
        "close-without-answer",
        "reads the request and closes the connection",
        delivered(|delivery| delivery.socket = Socket::CloseWithoutAnswer),
        Failed,
        Reference,
    );
    rows.add(
        BYTES,
        "slow-drip",
        "the body one octet every 100 ms, outlasting the timeout",
        delivered(|delivery| {
            delivery.socket = Socket::SlowDrip {
                chunk: 1,
                interval: Duration::milliseconds(100),
            }
        }),
        Failed,
        Reference,
    );

    rows.0
}

/// The behaviour named `name`.
pub fn behaviour_named(name: &str) -> Option<Behaviour> {
    catalogue()
        .into_iter()
        .find(|entry| entry.name == name)
        .map(|entry| entry.behaviour)
}

/// The catalogue row named `name`.
pub fn catalogue_entry(name: &str) -> Option<CatalogueEntry> {
    catalogue().into_iter().find(|entry| entry.name == name)
}

/// The catalogue row whose behaviour is `behaviour`, if one is (a behaviour set from code may
/// be none of them).
pub fn entry_for(behaviour: &Behaviour) -> Option<CatalogueEntry> {
    catalogue()
        .into_iter()
        .find(|entry| entry.behaviour == *behaviour)
}

/// The catalogue's name nearest to `name` and its edit distance from it, for "did you mean".
pub fn closest_name(name: &str) -> Option<(String, usize)> {
    catalogue()
        .into_iter()
        .map(|entry| (edit_distance(name, &entry.name), entry.name))
        .min()
        .map(|(distance, closest)| (closest, distance))
}

/// Levenshtein distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

fn revoked(reason: Option<CrlReason>) -> PlannedStatus {
    PlannedStatus::Revoked {
        revoked_at: -Duration::hours(1),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_are_unique_and_kebab_case() {
        let entries = catalogue();
        let mut seen = HashSet::new();
        for entry in &entries {
            assert!(seen.insert(entry.name.clone()), "duplicate {}", entry.name);
            assert!(
                entry
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                entry.name
            );
        }
        assert!(entries.len() > 70, "{} rows", entries.len());
    }

    #[test]
    fn every_row_can_be_asked_for_by_name() {
        for entry in catalogue() {
            assert_eq!(
                behaviour_named(&entry.name),
                Some(entry.behaviour),
                "{}",
                entry.name
            );
        }
        assert_eq!(behaviour_named("no-such-behaviour"), None);
    }

    #[test]
    fn a_behaviour_is_found_back_by_its_definition_and_a_typo_by_its_neighbour() {
        let revoked = behaviour_named("revoked").expect("a row");
        assert_eq!(
            entry_for(&revoked).map(|entry| entry.name),
            Some("revoked".to_owned())
        );
        let mut custom = revoked;
        custom.delivery.http_status = 299;
        assert!(entry_for(&custom).is_none());
        assert_eq!(closest_name("revokd"), Some(("revoked".to_owned(), 1)));
        assert_eq!(closest_name("good"), Some(("good".to_owned(), 0)));
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
