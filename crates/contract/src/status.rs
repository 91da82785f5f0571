//! The OCSP status object of `POST /v1/ocsp/test` and `GET /v1/ocsp/status` (documented: all
//! strings; dates in IMF-fixdate, GMT).

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

/// `Wed, 22 Dec 2021 12:50:11 GMT` (RFC 9110 section 5.6.7), the date format of every vendor
/// example and of HTTP's own dates.
const IMF_FIXDATE: &[BorrowedFormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// An IMF-fixdate.
pub fn imf_fixdate(time: OffsetDateTime) -> String {
    // Formatting fails only for a year outside 0..=9999, which no certificate or clock here
    // reaches; an empty string would then show as a mismatch, not a panic.
    time.to_offset(time::UtcOffset::UTC)
        .format(IMF_FIXDATE)
        .unwrap_or_default()
}

/// The instant an IMF-fixdate names; `None` for anything else (a weekday that does not fit
/// the date included).
pub fn parse_imf_fixdate(text: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(text, IMF_FIXDATE)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
        .filter(|parsed| imf_fixdate(*parsed) == text)
}

/// Whether `text` is an IMF-fixdate.
pub fn is_imf_fixdate(text: &str) -> bool {
    parse_imf_fixdate(text).is_some()
}

crate::named_enum! {
    /// `cert_status` of the status object.
    pub enum CertStatus: "certificate status" {
        /// The certificate is good.
        Good = "GOOD",
        /// The certificate is revoked.
        Revoked = "REVOKED",
        /// The responder does not know the certificate.
        Unknown = "UNKNOWN",
    }
}

/// What the responder said of the certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Good.
    Good,
    /// Revoked at this time.
    Revoked {
        /// When.
        revocation_time: OffsetDateTime,
    },
    /// Unknown.
    Unknown,
}

/// The status object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusObject {
    /// The URL that was queried.
    pub responder_url: String,
    /// The certificate's status.
    pub status: Status,
    /// When the responder signed the response.
    pub produced_at: OffsetDateTime,
    /// When the status was last known correct.
    pub this_update: OffsetDateTime,
    /// When newer information will be available, if the response says.
    pub next_update: Option<OffsetDateTime>,
}

impl StatusObject {
    /// `cert_status`.
    pub fn cert_status(&self) -> CertStatus {
        match self.status {
            Status::Good => CertStatus::Good,
            Status::Revoked { .. } => CertStatus::Revoked,
            Status::Unknown => CertStatus::Unknown,
        }
    }

    /// Whether the staple is valid (`GOOD`); anything else puts polling into recovery.
    pub fn is_good(&self) -> bool {
        self.status == Status::Good
    }
}

/// The object as the API writes it: `next_update` omitted when the response has none,
/// `revocation_time` only for `REVOKED` (omitted otherwise, not null).
#[derive(Serialize)]
struct Wire<'a> {
    responder_url: &'a str,
    cert_status: CertStatus,
    produced_at: String,
    this_update: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_update: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revocation_time: Option<String>,
}

impl Serialize for StatusObject {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Wire {
            responder_url: &self.responder_url,
            cert_status: self.cert_status(),
            produced_at: imf_fixdate(self.produced_at),
            this_update: imf_fixdate(self.this_update),
            next_update: self.next_update.map(imf_fixdate),
            revocation_time: match self.status {
                Status::Revoked { revocation_time } => Some(imf_fixdate(revocation_time)),
                Status::Good | Status::Unknown => None,
            },
        }
        .serialize(serializer)
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
        assert_eq!(
            parse_imf_fixdate("Sun, 01 Mar 2026 07:05:01 GMT"),
            Some(datetime!(2026-03-01 07:05:01 UTC))
        );
        assert!(
            !is_imf_fixdate("Mon, 01 Mar 2026 07:05:01 GMT"),
            "wrong weekday"
        );
    }

    #[test]
    fn revocation_time_only_when_revoked() {
        let at = datetime!(2026-03-01 12:00 UTC);
        let object = |status| StatusObject {
            responder_url: "http://r/".to_owned(),
            status,
            produced_at: at,
            this_update: at,
            next_update: None,
        };
        let good = serde_json::to_value(object(Status::Good)).expect("serialises");
        assert_eq!(good["cert_status"], "GOOD");
        assert!(good.get("revocation_time").is_none() && good.get("next_update").is_none());
        let revoked = serde_json::to_value(object(Status::Revoked {
            revocation_time: at,
        }))
        .expect("serialises");
        assert_eq!(revoked["cert_status"], "REVOKED");
        assert_eq!(revoked["revocation_time"], "Sun, 01 Mar 2026 12:00:00 GMT");
    }
}
