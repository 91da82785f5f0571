//! What a remote run may change on its target, as the target showed it before the first
//! change: the OCSP configuration, the OCSP alerts' settings and every certificate with its
//! key. The run puts it back afterwards and reads it back to check; what it could not put back
//! is described, with the request bodies that would.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use contract::{ClusterAlert, ConfigField};

/// One installed certificate, as `GET /v1/cluster/certificates` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShownCertificate {
    /// `NAME_cert`: the certificate, with its chain, in PEM.
    pub(crate) certificate: String,
    /// `NAME_key`, when the target shows it.
    pub(crate) key: Option<String>,
}

/// The certificates of `GET /v1/cluster/certificates`, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Certificates(pub(crate) BTreeMap<String, ShownCertificate>);

impl Certificates {
    /// Reads the answer's `{"NAME_cert": PEM, "NAME_key": PEM}` object; fields of another form
    /// are not certificates and are left out.
    pub(crate) fn from_answer(answer: &Value) -> Option<Self> {
        let fields = answer.as_object()?;
        let mut certificates = BTreeMap::new();
        for (field, value) in fields {
            let (Some(name), Some(certificate)) = (field.strip_suffix("_cert"), value.as_str())
            else {
                continue;
            };
            let key = fields
                .get(&format!("{name}_key"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            certificates.insert(
                name.to_owned(),
                ShownCertificate {
                    certificate: certificate.to_owned(),
                    key,
                },
            );
        }
        Some(Self(certificates))
    }

    /// Why the proxy certificate could not be put back after a run that changes it, if it
    /// could not.
    pub(crate) fn why_proxy_not_restorable(&self) -> Option<&'static str> {
        match self.0.get("proxy") {
            None => Some("GET /v1/cluster/certificates shows no proxy certificate"),
            Some(proxy) if proxy.key.is_none() => {
                Some("GET /v1/cluster/certificates does not show the proxy certificate's key")
            }
            Some(_) => None,
        }
    }

    /// The entries that put `self` back over `now`: the certificates that differ or are
    /// missing (`{"name", "certificate", "key"}`), and the names `now` has that `self` has not.
    pub(crate) fn changes_from(&self, now: &Certificates) -> (Vec<Value>, Vec<String>) {
        let entries = self
            .0
            .iter()
            .filter(|(name, shown)| now.0.get(*name) != Some(*shown))
            .map(|(name, shown)| {
                let mut entry = json!({"name": name, "certificate": shown.certificate});
                if let (Some(key), Some(fields)) = (&shown.key, entry.as_object_mut()) {
                    fields.insert("key".to_owned(), Value::String(key.clone()));
                }
                entry
            })
            .collect();
        let added = now
            .0
            .keys()
            .filter(|name| !self.0.contains_key(*name))
            .cloned()
            .collect();
        (entries, added)
    }
}

/// Everything a run records before it changes anything.
#[derive(Debug, Clone)]
pub(crate) struct TargetSnapshot {
    /// The writable fields of `GET /v1/ocsp`.
    pub(crate) config: Value,
    /// The OCSP alerts' settings of `GET /v1/cluster`, when the target shows them.
    pub(crate) alert_settings: Option<Value>,
    /// `GET /v1/cluster/certificates`, when the target answers it.
    pub(crate) certificates: Option<Certificates>,
}

/// The fields of a configuration that `PUT /v1/ocsp` accepts: all but the read-only
/// `responder_url`.
pub(crate) fn writable_config(config: &Value) -> Value {
    match config {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(name, _)| name.as_str() != ConfigField::ResponderUrl.name())
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
        ),
        _ => json!({}),
    }
}

/// The OCSP alerts' settings in a cluster object (`GET /v1/cluster`); `None` when it shows
/// none of them.
pub(crate) fn ocsp_alert_settings(cluster: &Value) -> Option<Value> {
    let settings = cluster.get("alert_settings")?;
    let ocsp: Map<String, Value> = ClusterAlert::ALL
        .into_iter()
        .filter_map(|alert| {
            settings
                .get(alert.name())
                .map(|value| (alert.name().to_owned(), value.clone()))
        })
        .collect();
    (!ocsp.is_empty()).then_some(Value::Object(ocsp))
}

/// A part of the target the run did not leave as it found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    /// What it is: `the OCSP configuration`, `the proxy certificate`.
    pub what: String,
    /// What the target shows now, in short.
    pub now: String,
    /// What it showed before the run, in short.
    pub was: String,
    /// The request that puts it back: `PUT /v1/ocsp`.
    pub request: String,
    /// The file (under the directory the run wrote) holding that request's body, if it has one.
    pub body_file: Option<String>,
    /// The body, to be written to `body_file`.
    pub body: Option<Value>,
}

/// The leftovers of `snapshot` given what the target shows now (`None`: it could not be read).
pub(crate) fn leftovers(
    snapshot: &TargetSnapshot,
    config: Option<&Value>,
    alert_settings: Option<Option<Value>>,
    certificates: Option<&Certificates>,
) -> Vec<Leftover> {
    let mut found = Vec::new();
    let config_now = config.map(writable_config);
    if config_now.as_ref() != Some(&snapshot.config) {
        found.push(Leftover {
            what: "the OCSP configuration".to_owned(),
            now: config_now.map_or_else(|| "unreadable".to_owned(), |value| value.to_string()),
            was: snapshot.config.to_string(),
            request: "PUT /v1/ocsp".to_owned(),
            body_file: Some("ocsp.json".to_owned()),
            body: Some(snapshot.config.clone()),
        });
    }
    if let Some(settings) = &snapshot.alert_settings {
        let now = alert_settings.as_ref().map(|now| now.as_ref());
        if now != Some(Some(settings)) {
            found.push(Leftover {
                what: "the OCSP alerts' settings".to_owned(),
                now: match now {
                    Some(Some(value)) => value.to_string(),
                    Some(None) => "not shown".to_owned(),
                    None => "unreadable".to_owned(),
                },
                was: settings.to_string(),
                request: "PUT /v1/cluster".to_owned(),
                body_file: Some("cluster.json".to_owned()),
                body: Some(json!({"alert_settings": settings})),
            });
        }
    }
    if let Some(recorded) = &snapshot.certificates {
        let empty = Certificates::default();
        let (entries, added) = recorded.changes_from(certificates.unwrap_or(&empty));
        if !entries.is_empty() {
            let names: Vec<&str> = entries
                .iter()
                .filter_map(|entry| entry["name"].as_str())
                .collect();
            found.push(Leftover {
                what: format!("the certificates {}", names.join(", ")),
                now: match certificates {
                    Some(now) => names
                        .iter()
                        .map(|name| {
                            let shown = now.0.get(*name);
                            format!(
                                "{name}: {}",
                                shown.map_or("absent".to_owned(), |shown| short_pem(
                                    &shown.certificate
                                ))
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                    None => "unreadable".to_owned(),
                },
                was: names
                    .iter()
                    .map(|name| {
                        let shown = &recorded.0[*name];
                        format!("{name}: {}", short_pem(&shown.certificate))
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                request: "PUT /v1/cluster/certificates".to_owned(),
                body_file: Some("certificates.json".to_owned()),
                body: Some(json!({"certificates": entries})),
            });
        }
        for name in added {
            found.push(Leftover {
                what: format!("the certificate {name}"),
                now: "installed".to_owned(),
                was: "absent".to_owned(),
                request: format!("DELETE /v1/cluster/certificates/{name}"),
                body_file: None,
                body: None,
            });
        }
    }
    found
}

/// A PEM's first certificate, in short: its length and the end of its base64, enough to tell
/// two apart in a message.
fn short_pem(pem: &str) -> String {
    let body: String = pem
        .lines()
        .skip_while(|line| !line.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|line| !line.starts_with("-----END"))
        .collect();
    let tail: String = body
        .chars()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("a PEM of {} bytes ending …{tail}", pem.len())
}

/// The message of a run that could not put everything back: what the target is left with
/// and, for each part, the command that puts it back (`dir` holds the bodies).
pub fn describe_leftovers(leftovers: &[Leftover], url: &str, dir: &str) -> String {
    let mut text = String::from("the target was NOT left as the run found it:\n");
    for leftover in leftovers {
        let _ = writeln!(
            text,
            "  {}: now {}, was {}",
            leftover.what, leftover.now, leftover.was
        );
    }
    text.push_str("to put it back, as the admin:\n");
    for leftover in leftovers {
        let (method, path) = leftover
            .request
            .split_once(' ')
            .unwrap_or(("PUT", &leftover.request));
        let body = leftover.body_file.as_ref().map_or(String::new(), |file| {
            format!(" -H 'Content-Type: application/json' --data-binary @{dir}/{file}")
        });
        let _ = writeln!(text, "  curl -u ADMIN -X {method}{body} {url}{path}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(certificate: &str, key: Option<&str>) -> ShownCertificate {
        ShownCertificate {
            certificate: certificate.to_owned(),
            key: key.map(str::to_owned),
        }
    }

    #[test]
    fn certificates_are_read_by_name_with_their_keys() {
        let answer = json!({
            "proxy_cert": "P", "proxy_key": "PK",
            "syncer_cert": "S",
            "something_else": 3,
        });
        let certificates = Certificates::from_answer(&answer).expect("an object");
        assert_eq!(
            certificates.0,
            BTreeMap::from([
                ("proxy".to_owned(), shown("P", Some("PK"))),
                ("syncer".to_owned(), shown("S", None)),
            ])
        );
        assert_eq!(certificates.why_proxy_not_restorable(), None);
        assert!(Certificates::from_answer(&json!([])).is_none());
    }

    #[test]
    fn a_proxy_certificate_without_its_key_cannot_be_put_back() {
        let certificates = Certificates::from_answer(&json!({"proxy_cert": "P"})).expect("ok");
        assert!(
            certificates
                .why_proxy_not_restorable()
                .is_some_and(|why| why.contains("key"))
        );
        let none = Certificates::from_answer(&json!({})).expect("ok");
        assert!(none.why_proxy_not_restorable().is_some());
    }

    #[test]
    fn putting_back_installs_what_differs_and_deletes_what_was_added() {
        let recorded = Certificates(BTreeMap::from([
            ("proxy".to_owned(), shown("P", Some("PK"))),
            ("api".to_owned(), shown("A", Some("AK"))),
            ("syncer".to_owned(), shown("S", None)),
        ]));
        let now = Certificates(BTreeMap::from([
            ("proxy".to_owned(), shown("X", Some("XK"))),
            ("api".to_owned(), shown("A", Some("AK"))),
            ("mtls_trusted_ca".to_owned(), shown("M", None)),
        ]));
        let (entries, added) = recorded.changes_from(&now);
        assert_eq!(
            entries,
            vec![
                json!({"name": "proxy", "certificate": "P", "key": "PK"}),
                json!({"name": "syncer", "certificate": "S"}),
            ]
        );
        assert_eq!(added, vec!["mtls_trusted_ca".to_owned()]);
        assert_eq!(recorded.changes_from(&recorded), (Vec::new(), Vec::new()));
    }

    #[test]
    fn leftovers_name_each_part_with_the_request_that_puts_it_back() {
        let snapshot = TargetSnapshot {
            config: json!({"ocsp_functionality": true}),
            alert_settings: Some(json!({"cluster_ocsp_query_failed": true})),
            certificates: Some(Certificates(BTreeMap::from([(
                "proxy".to_owned(),
                shown(
                    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                    Some("K"),
                ),
            )]))),
        };
        let clean = leftovers(
            &snapshot,
            Some(&json!({"ocsp_functionality": true, "responder_url": "http://r/"})),
            Some(Some(json!({"cluster_ocsp_query_failed": true}))),
            snapshot.certificates.as_ref(),
        );
        assert_eq!(clean, Vec::new());

        let left = leftovers(
            &snapshot,
            Some(&json!({"ocsp_functionality": false})),
            None,
            Some(&Certificates::default()),
        );
        let requests: Vec<&str> = left.iter().map(|left| left.request.as_str()).collect();
        assert_eq!(
            requests,
            [
                "PUT /v1/ocsp",
                "PUT /v1/cluster",
                "PUT /v1/cluster/certificates"
            ]
        );
        let text = describe_leftovers(&left, "https://c:9443", "restore");
        assert!(text.contains("the OCSP configuration: now {\"ocsp_functionality\":false}, was {\"ocsp_functionality\":true}"), "{text}");
        assert!(
            text.contains("the OCSP alerts' settings: now unreadable"),
            "{text}"
        );
        assert!(text.contains("proxy: absent"), "{text}");
        assert!(text.contains("curl -u ADMIN -X PUT -H 'Content-Type: application/json' --data-binary @restore/certificates.json https://c:9443/v1/cluster/certificates"), "{text}");
    }
}
