//! How firmly a rule is fixed: a target that breaks a documented rule is non-conformant; one
//! that breaks a recommended rule is unsafe; a reference rule is the reference implementation's
//! choice where the sources are silent, reported but never failed.

crate::named_enum! {
    /// The level of a rule, a scenario or a catalogue row, from the firmest.
    pub enum Level: "level" {
        /// The vendor's pages or OpenAPI say so.
        Documented = "documented",
        /// Required by the RFCs or plain security sense, not written down by the vendor.
        Recommended = "recommended",
        /// The reference implementation's choice.
        Reference = "reference",
    }
}

impl Level {
    /// Whether a target that breaks `self` is worse off than one that breaks `other`:
    /// documented is firmer than recommended, which is firmer than reference.
    pub fn is_firmer_than(self, other: Level) -> bool {
        let rank = |level: Level| Level::ALL.iter().position(|each| *each == level);
        rank(self) < rank(other)
    }
}

#[cfg(test)]
mod tests {
    use super::Level;

    #[test]
    fn documented_is_the_firmest() {
        assert!(Level::Documented.is_firmer_than(Level::Recommended));
        assert!(Level::Recommended.is_firmer_than(Level::Reference));
        assert!(!Level::Reference.is_firmer_than(Level::Reference));
        assert!(!Level::Reference.is_firmer_than(Level::Documented));
    }
}
