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

/// The arrows of `arrows` the layout does not allow, as `from -> to (kind)`.
fn disallowed(arrows: &[Arrow]) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    arrows
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
        .collect()
}

#[test]
fn every_dependency_runs_down() {
    let (_, arrows) = workspace();
    assert!(
        !arrows.is_empty(),
        "cargo metadata lists the workspace's arrows"
    );
    let upward = disallowed(&arrows);
    assert!(
        upward.is_empty(),
        "arrows the layout does not allow: {upward:?}"
    );
}

#[test]
fn the_check_catches_an_arrow_that_runs_up() {
    // The same check on arrows no manifest has: the format may not see the server, a crate
    // of the bottom row may not see one above, a test of the PKI may not use the runner (a
    // cycle through a dev-dependency); a test of the client may use the responder.
    let arrow =
        |from: &str, to: &str, kind: &str| (from.to_owned(), to.to_owned(), kind.to_owned());
    let arrows = [
        arrow("scenario", "reference", "normal"),
        arrow("contract", "pki", "build"),
        arrow("pki", "runner", "dev"),
        arrow("client", "responder", "dev"),
        arrow("runner", "scenario", "normal"),
    ];
    assert_eq!(
        disallowed(&arrows),
        [
            "scenario -> reference (normal)",
            "contract -> pki (build)",
            "pki -> runner (dev)",
        ]
    );
}
