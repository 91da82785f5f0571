//! Choosing which scenarios run: by id text, tag, level, and a share of the corpus for
//! splitting a suite over CI machines.

use super::model::Scenario;
use contract::{Level, ProductVersion};

/// `K/N`: the K-th of N shares (1-based), by position in id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// Which share, from 1.
    pub index: usize,
    /// How many shares.
    pub count: usize,
}

impl std::str::FromStr for Partition {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid =
            || format!("invalid partition {text:?} (expected K/N with 1 <= K <= N, e.g. 2/4)");
        let (index, count) = text.split_once('/').ok_or_else(invalid)?;
        let index: usize = index.parse().map_err(|_| invalid())?;
        let count: usize = count.parse().map_err(|_| invalid())?;
        if index == 0 || count == 0 || index > count {
            return Err(invalid());
        }
        Ok(Self { index, count })
    }
}

/// What to keep.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Ids containing this text.
    pub filter: Option<String>,
    /// Scenarios with any of these tags (none: all).
    pub tags: Vec<String>,
    /// Scenarios of any of these levels (none: all).
    pub levels: Vec<Level>,
    /// Scenarios that hold for this product version (none: all).
    pub product_version: Option<ProductVersion>,
    /// One share of what is left.
    pub partition: Option<Partition>,
}

impl Selection {
    /// The scenarios to run, in id order.
    pub fn apply(&self, mut scenarios: Vec<Scenario>) -> Vec<Scenario> {
        scenarios.sort_by(|a, b| a.id.cmp(&b.id));
        scenarios.retain(|scenario| {
            self.filter
                .as_ref()
                .is_none_or(|text| scenario.id.contains(text.as_str()))
                && (self.tags.is_empty() || scenario.tags.iter().any(|tag| self.tags.contains(tag)))
                && (self.levels.is_empty() || self.levels.contains(&scenario.level))
                && self
                    .product_version
                    .is_none_or(|version| scenario.versions.contains(version))
        });
        match self.partition {
            Some(partition) => scenarios
                .into_iter()
                .enumerate()
                .filter(|(position, _)| position % partition.count == partition.index - 1)
                .map(|(_, scenario)| scenario)
                .collect(),
            None => scenarios,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_parse_and_refuse_nonsense() {
        assert_eq!("2/4".parse(), Ok(Partition { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "x", "1/", "/2"] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
    }
}
