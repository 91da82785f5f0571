//! The cluster's OCSP alerts: their settings (off by default, documented) and their states,
//! which follow what the cluster caches (reference: a failed query turns
//! `cluster_ocsp_query_failed` on, a REVOKED status `cluster_ocsp_status_revoked`; the next
//! outcome that says otherwise, or turning OCSP off, turns them off).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use contract::{CertStatus, ClusterAlert};

use crate::cluster::Outcome;

/// One alert's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct AlertState {
    /// Whether it is triggered.
    on: bool,
    /// When it last turned on or off.
    changed: Option<OffsetDateTime>,
    /// What it was about when it last changed: a failure's reason, a status.
    about: Option<String>,
}

/// The settings and states of the OCSP alerts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Alerts {
    enabled: BTreeMap<ClusterAlert, bool>,
    states: BTreeMap<ClusterAlert, AlertState>,
}

/// Why an `alert_settings` update is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// Not a JSON object.
    #[error("alert_settings must be a JSON object")]
    NotAnObject,
    /// An alert the reference does not model.
    #[error("unknown alert {0:?} (the reference models {names})", names = ClusterAlert::names().collect::<Vec<_>>().join(", "))]
    UnknownAlert(String),
    /// A setting that is not a boolean.
    #[error("{0} must be a boolean")]
    NotBoolean(ClusterAlert),
}

impl Alerts {
    /// Whether `alert` is enabled in the settings.
    pub fn enabled(&self, alert: ClusterAlert) -> bool {
        self.enabled.get(&alert).copied().unwrap_or(false)
    }

    /// Whether `alert` is triggered, whatever the settings.
    pub fn triggered(&self, alert: ClusterAlert) -> bool {
        self.states.get(&alert).is_some_and(|state| state.on)
    }

    /// Follows a new cached outcome (`None`: the cache was cleared) at `now`.
    pub fn observe(&mut self, outcome: Option<&Outcome>, now: OffsetDateTime) {
        let (failed, revoked) = match outcome {
            None => (None, None),
            Some(Err(failure)) => (Some(failure.to_string()), None),
            Some(Ok(status)) if status.cert_status() == CertStatus::Revoked => {
                (None, Some("REVOKED".to_owned()))
            }
            Some(Ok(_)) => (None, None),
        };
        self.set(ClusterAlert::OcspQueryFailed, failed, now);
        // A failed query says nothing new about revocation: the revoked alert stays as it was.
        if !matches!(outcome, Some(Err(_))) {
            self.set(ClusterAlert::OcspStatusRevoked, revoked, now);
        }
    }

    fn set(&mut self, alert: ClusterAlert, about: Option<String>, now: OffsetDateTime) {
        let state = self.states.entry(alert).or_default();
        let on = about.is_some();
        if state.on != on {
            *state = AlertState {
                on,
                changed: Some(now),
                about,
            };
        }
    }

    /// The settings as the cluster object shows them.
    pub fn settings_json(&self) -> Value {
        let settings: Map<String, Value> = ClusterAlert::ALL
            .into_iter()
            .map(|alert| (alert.name().to_owned(), Value::Bool(self.enabled(alert))))
            .collect();
        Value::Object(settings)
    }

    /// Checks a whole `alert_settings` update, then applies it.
    pub fn update_settings(&mut self, update: &Value) -> Result<(), SettingsError> {
        let Value::Object(fields) = update else {
            return Err(SettingsError::NotAnObject);
        };
        let mut changes = Vec::new();
        for (name, value) in fields {
            let alert: ClusterAlert = name
                .parse()
                .map_err(|_| SettingsError::UnknownAlert(name.clone()))?;
            let enabled = value.as_bool().ok_or(SettingsError::NotBoolean(alert))?;
            changes.push((alert, enabled));
        }
        self.enabled.extend(changes);
        Ok(())
    }

    /// The alert object of `alert`. A disabled alert reads as disabled with a false state
    /// unless `ignore_settings` (documented).
    pub fn alert_json(&self, alert: ClusterAlert, ignore_settings: bool) -> Value {
        let enabled = self.enabled(alert);
        let state = self.states.get(&alert).cloned().unwrap_or_default();
        let visible = enabled || ignore_settings;
        let on = visible && state.on;
        let change_time = state
            .changed
            .filter(|_| visible)
            .and_then(|time| time.format(&Rfc3339).ok());
        let mut change_value = json!({"state": on});
        if let (true, Some(about)) = (visible, &state.about) {
            change_value["reason"] = Value::String(about.clone());
        }
        json!({
            "enabled": enabled,
            "state": on,
            "severity": alert.severity(),
            "change_time": change_time,
            "change_value": change_value,
        })
    }

    /// Every alert's object, by name.
    pub fn all_json(&self, ignore_settings: bool) -> Value {
        let alerts: Map<String, Value> = ClusterAlert::ALL
            .into_iter()
            .map(|alert| {
                (
                    alert.name().to_owned(),
                    self.alert_json(alert, ignore_settings),
                )
            })
            .collect();
        Value::Object(alerts)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::cluster::QueryFailure;
    use client::Unanswered;
    use contract::{Status, StatusObject};

    fn status(status: Status) -> Outcome {
        let at = datetime!(2026-03-01 11:00 UTC);
        Ok(StatusObject {
            responder_url: "http://ocsp.test/".to_owned(),
            status,
            produced_at: at,
            this_update: at,
            next_update: None,
        })
    }

    fn revoked() -> Status {
        Status::Revoked {
            revocation_time: datetime!(2026-03-01 10:00 UTC),
        }
    }

    #[test]
    fn a_failure_and_a_revocation_raise_their_alerts_and_a_good_status_clears_them() {
        let now = datetime!(2026-03-01 12:00 UTC);
        let mut alerts = Alerts::default();
        alerts
            .update_settings(&json!({"cluster_ocsp_query_failed": true}))
            .expect("valid");
        alerts.observe(
            Some(&Err(QueryFailure::Failed(Unanswered::TimedOut(
                Default::default(),
            )))),
            now,
        );
        assert!(alerts.triggered(ClusterAlert::OcspQueryFailed));
        assert_eq!(
            alerts.alert_json(ClusterAlert::OcspQueryFailed, false)["state"],
            true
        );
        alerts.observe(Some(&status(revoked())), now);
        assert!(!alerts.triggered(ClusterAlert::OcspQueryFailed));
        assert!(alerts.triggered(ClusterAlert::OcspStatusRevoked));
        // Disabled: read as off unless the settings are ignored.
        let disabled = alerts.alert_json(ClusterAlert::OcspStatusRevoked, false);
        assert_eq!(
            (disabled["enabled"].clone(), disabled["state"].clone()),
            (json!(false), json!(false))
        );
        assert_eq!(
            alerts.alert_json(ClusterAlert::OcspStatusRevoked, true)["state"],
            true
        );
        alerts.observe(Some(&status(Status::Good)), now);
        assert!(!alerts.triggered(ClusterAlert::OcspStatusRevoked));
        alerts.observe(Some(&status(revoked())), now);
        alerts.observe(None, now);
        assert!(!alerts.triggered(ClusterAlert::OcspStatusRevoked));
    }

    #[test]
    fn settings_are_checked_whole() {
        let mut alerts = Alerts::default();
        assert_eq!(
            alerts.update_settings(&json!({"cluster_ocsp_query_failed": true, "bdb_size": true})),
            Err(SettingsError::UnknownAlert("bdb_size".to_owned()))
        );
        assert!(!alerts.enabled(ClusterAlert::OcspQueryFailed));
        assert_eq!(
            alerts.update_settings(&json!({"cluster_ocsp_status_revoked": "yes"})),
            Err(SettingsError::NotBoolean(ClusterAlert::OcspStatusRevoked))
        );
        assert_eq!(
            alerts.settings_json(),
            json!({"cluster_ocsp_query_failed": false, "cluster_ocsp_status_revoked": false})
        );
    }
}
