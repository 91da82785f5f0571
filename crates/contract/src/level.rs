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
