//! How firmly a rule is fixed (CONTRACT.md): a target that breaks a documented rule is
//! non-conformant; one that breaks a recommended rule is unsafe; a reference rule is the
//! reference implementation's choice where the sources are silent, reported but never failed.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The level of a rule, a scenario or a catalogue row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The vendor's pages or OpenAPI say so.
    Documented,
    /// Required by the RFCs or plain security sense, not written down by the vendor.
    Recommended,
    /// The reference implementation's choice.
    Reference,
}

impl Level {
    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Level::Documented => "documented",
            Level::Recommended => "recommended",
            Level::Reference => "reference",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
