//! The OCSP status object (documented: all strings; dates in IMF-fixdate, GMT).

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use crate::ocsp::{ReportedStatus, VerifiedResponse};

/// `Wed, 22 Dec 2021 12:50:11 GMT` (RFC 9110 section 5.6.7).
const IMF_FIXDATE: &[BorrowedFormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// An IMF-fixdate.
pub fn imf_fixdate(time: OffsetDateTime) -> String {
    time.to_offset(time::UtcOffset::UTC)
        .format(IMF_FIXDATE)
        .unwrap_or_default()
}

/// The status object of `POST /v1/ocsp/test` and `GET /v1/ocsp/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusObject {
    /// The URL that was queried.
    pub responder_url: String,
    /// `GOOD`, `REVOKED` or `UNKNOWN`.
    pub cert_status: &'static str,
    /// When the responder signed the response.
    pub produced_at: String,
    /// When the status was last known correct.
    pub this_update: String,
    /// When newer information will be available; omitted when the response has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_update: Option<String>,
    /// When the certificate was revoked; only for `REVOKED` (omitted otherwise, not null).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_time: Option<String>,
}

impl StatusObject {
    /// The object for a verified response from `responder_url`.
    pub fn new(responder_url: &str, verified: &VerifiedResponse) -> Self {
        let (cert_status, revocation_time) = match verified.status {
            ReportedStatus::Good => ("GOOD", None),
            ReportedStatus::Unknown => ("UNKNOWN", None),
            ReportedStatus::Revoked {
                revocation_time, ..
            } => ("REVOKED", Some(imf_fixdate(revocation_time))),
        };
        Self {
            responder_url: responder_url.to_owned(),
            cert_status,
            produced_at: imf_fixdate(verified.produced_at),
            this_update: imf_fixdate(verified.this_update),
            next_update: verified.next_update.map(imf_fixdate),
            revocation_time,
        }
    }

    /// Whether the staple is valid (`GOOD`); anything else puts polling into recovery.
    pub fn is_good(&self) -> bool {
        self.cert_status == "GOOD"
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn dates_are_imf_fixdate_in_gmt() {
        assert_eq!(
            imf_fixdate(datetime!(2021-12-22 12:50:11 UTC)),
            "Wed, 22 Dec 2021 12:50:11 GMT"
        );
        assert_eq!(
            imf_fixdate(datetime!(2026-03-01 09:05:01 +02:00)),
            "Sun, 01 Mar 2026 07:05:01 GMT"
        );
    }
}
