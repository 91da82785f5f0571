//! The workspace's layers: every arrow between its crates, read from `cargo metadata`, must be
//! one the layout allows (README, "Layout"). A dependency that runs up or sideways, or a new
//! crate nobody placed, fails here, before it can become a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// Each crate of the workspace (short name, as the code uses it) and the crates it may depend
/// on. The same arrows are drawn in the README.
const ALLOWED: &[(&str, &[&str])] = &[
    ("contract", &[]),
    ("clock", &[]),
    ("files", &[]),
    ("pki", &["contract", "files"]),
    ("ocsp", &["contract", "pki"]),
    ("responder", &["clock", "contract", "ocsp", "pki"]),
    ("client", &["clock", "contract", "ocsp"]),
    (
        "reference",
        &["client", "clock", "contract", "ocsp", "pki", "responder"],
    ),
    ("scenario", &["contract", "ocsp", "pki", "responder"]),
    (
        "runner",
        &[
            "client",
            "clock",
            "contract",
            "files",
            "ocsp",
            "pki",
            "reference",
            "responder",
            "scenario",
        ],
    ),
    (
        "ocsp-harness",
        &[
            "client",
            "clock",
            "contract",
            "files",
            "ocsp",
            "pki",
            "reference",
            "responder",
            "runner",
            "scenario",
        ],
    ),
    // Helpers for test binaries only.
    ("testkit", &["pki"]),
];

/// A workspace dependency: from, to, and its kind (`normal`, `build`, `dev`).
type Arrow = (String, String, String);

fn short(package: &str) -> String {
    package
        .strip_prefix("ocsp-harness-")
        .unwrap_or(package)
        .to_owned()
}

/// Every crate of the workspace and every arrow between them.
fn workspace() -> (BTreeSet<String>, Vec<Arrow>) {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(crate::workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{output:?}");
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let members: BTreeSet<String> = packages
        .iter()
        .filter_map(|package| package["name"].as_str())
        .map(short)
        .collect();
    let mut arrows = Vec::new();
    for package in packages {
        let from = short(package["name"].as_str().expect("a name"));
        for dependency in package["dependencies"].as_array().expect("dependencies") {
            let to = short(dependency["name"].as_str().expect("a name"));
            if members.contains(&to) {
                let kind = dependency["kind"].as_str().unwrap_or("normal").to_owned();
                arrows.push((from.clone(), to, kind));
            }
        }
    }
    (members, arrows)
}

/// What `from` may depend on, transitively, by the allowed arrows.
fn below(from: &str) -> BTreeSet<&'static str> {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut reached = BTreeSet::new();
    let mut next: Vec<&str> = allowed.get(from).copied().unwrap_or_default().to_vec();
    while let Some(layer) = next.pop() {
        if reached.insert(layer) {
            next.extend(allowed.get(layer).copied().unwrap_or_default());
        }
    }
    reached
}

#[test]
fn every_crate_is_placed_in_the_layout() {
    let (members, _) = workspace();
    let placed: BTreeSet<String> = ALLOWED.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(
        members, placed,
        "the workspace's crates and the layout's differ: place a new crate in ALLOWED and the README"
    );
}

#[test]
fn the_allowed_arrows_have_no_cycle() {
    for (name, _) in ALLOWED {
        assert!(!below(name).contains(name), "{name} reaches itself");
    }
}

#[test]
fn every_dependency_runs_down() {
    let (_, arrows) = workspace();
    assert!(
        !arrows.is_empty(),
        "cargo metadata lists the workspace's arrows"
    );
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let upward: Vec<String> = arrows
        .iter()
        .filter(|(from, to, kind)| match kind.as_str() {
            // A test may use a crate beside or above its own as long as that crate does not
            // depend on it: no cycle, not even through dev-dependencies.
            "dev" => below(to).contains(from.as_str()) || to == from,
            _ => !allowed
                .get(from.as_str())
                .is_some_and(|targets| targets.contains(&to.as_str())),
        })
        .map(|(from, to, kind)| format!("{from} -> {to} ({kind})"))
        .collect();
    assert!(
        upward.is_empty(),
        "arrows the layout does not allow: {upward:?}"
    );
}

#[test]
fn the_check_catches_an_arrow_that_runs_up() {
    // The rule itself, on arrows no manifest has: the format may not see the server, the
    // protocol may not see the responder, and a test of the PKI may not use the runner.
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    for (from, to) in [
        ("scenario", "reference"),
        ("ocsp", "responder"),
        ("client", "responder"),
        ("contract", "pki"),
    ] {
        assert!(
            !allowed[from].contains(&to),
            "{from} -> {to} must not be allowed"
        );
    }
    assert!(below("runner").contains("pki") && below("responder").contains("pki"));
    assert!(
        !below("pki").contains("runner"),
        "a dev arrow pki -> runner would be a cycle"
    );
}
