//! HTML pages, self-contained (no network, no script: the filters are CSS on radio buttons):
//! the report of one run (`index.html`: the run's target and versions under the title, the
//! conformance statement on top, one row per level, then scenarios grouped by area with level,
//! verdict and duration, the differences of each failure, filters by verdict and level), and the
//! comparison of several runs side by side, one column each, marking what changed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::{ScenarioResult, Verdict};
use contract::Level;

use super::{RunInfo, RunReport, Statement, Summary};

const STYLE: &str = "
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .25em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
.passed .verdict { color: #1a7f37; } .failed .verdict, .error .verdict { color: #cf222e; font-weight: bold; }
.skipped .verdict { color: #9a6700; }
.changed { background: #fff8c5; }
pre { margin: .3em 0; white-space: pre-wrap; font-size: 12px; }
.filters label { margin-right: 1em; } .filters { margin: 1em 0; }
.counts span { margin-right: 1.5em; }
.run { color: #555; margin: .2em 0; }
table.statement { width: auto; margin: 1em 0; }
.statement .conforms .verdict { color: #1a7f37; font-weight: bold; }
.statement .does-not-conform .verdict { color: #cf222e; font-weight: bold; }
.statement .not-checked .verdict { color: #9a6700; font-weight: bold; }
";

/// CSS that hides rows a checked filter excludes; one rule per filter value.
fn filter_style() -> String {
    let mut css = String::new();
    for verdict in ["passed", "failed", "error", "skipped"] {
        // Writing to a String cannot fail.
        let _ = writeln!(
            css,
            "#show-{verdict}:checked ~ main tr.row:not(.{verdict}) {{ display: none; }}"
        );
    }
    for level in Level::ALL {
        let level = level.name();
        let _ = writeln!(
            css,
            "#level-{level}:checked ~ main tr.row:not(.level-{level}) {{ display: none; }}"
        );
    }
    css
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn verdict_name(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Passed => "passed",
        Verdict::Failed { .. } => "failed",
        Verdict::Error { .. } => "error",
        Verdict::Skipped { .. } => "skipped",
    }
}

fn area(id: &str) -> &str {
    id.split("::").next().unwrap_or(id)
}

fn page(title: &str, extra_style: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{STYLE}{extra_style}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        title = escape(title)
    )
}

/// The filters: radio buttons that come before `<main>`, so that CSS can hide rows.
fn filters() -> String {
    let mut html = String::new();
    html.push_str("<input type=\"radio\" name=\"verdict\" id=\"show-all\" checked hidden>");
    for verdict in ["passed", "failed", "error", "skipped"] {
        let _ = write!(
            html,
            "<input type=\"radio\" name=\"verdict\" id=\"show-{verdict}\" hidden>"
        );
    }
    html.push_str("<input type=\"radio\" name=\"level\" id=\"level-all\" checked hidden>");
    for level in Level::ALL {
        let _ = write!(
            html,
            "<input type=\"radio\" name=\"level\" id=\"level-{0}\" hidden>",
            level.name()
        );
    }
    html.push_str("\n<div class=\"filters\">Verdict: <label for=\"show-all\">all</label>");
    for verdict in ["passed", "failed", "error", "skipped"] {
        let _ = write!(html, "<label for=\"show-{verdict}\">{verdict}</label>");
    }
    html.push_str(" Level: <label for=\"level-all\">all</label>");
    for level in Level::ALL {
        let _ = write!(html, "<label for=\"level-{0}\">{0}</label>", level.name());
    }
    html.push_str("</div>\n");
    html
}

/// The page of one run: `title` names the run (the target, say).
pub fn html(report: &RunReport, title: &str) -> String {
    let results = report.results;
    let summary = Summary::of(results);
    let mut body = format!("<h1>{}</h1>\n", escape(title));
    body.push_str(&run_lines(report.info));
    body.push_str(&statement_table(&report.statement()));
    let _ = writeln!(
        body,
        "<p class=\"counts\"><span id=\"count-scenarios\">{} scenarios</span><span id=\"count-passed\">{} passed</span><span id=\"count-failed\">{} failed</span><span id=\"count-error\">{} could not run</span><span id=\"count-skipped\">{} skipped</span></p>",
        results.len(),
        summary.passed,
        summary.failed,
        summary.errors,
        summary.skipped
    );
    body.push_str(&filters());
    body.push_str("<main>\n");
    let mut areas: BTreeMap<&str, Vec<&ScenarioResult>> = BTreeMap::new();
    for result in results {
        areas.entry(area(&result.id)).or_default().push(result);
    }
    for (area, results) in areas {
        let _ = writeln!(
            body,
            "<h2>{}</h2>\n<table>\n<tr><th>scenario</th><th>level</th><th>verdict</th><th>ms</th></tr>",
            escape(area)
        );
        for result in results {
            let verdict = verdict_name(&result.verdict);
            let _ = writeln!(
                body,
                "<tr class=\"row {verdict} level-{level}\"><td><code>{id}</code><br>{title}{rules}{details}</td><td>{level}</td><td class=\"verdict\">{verdict}</td><td class=\"num\">{ms}</td></tr>",
                level = result.level.name(),
                id = escape(&result.id),
                title = escape(&result.title),
                rules = rules_line(result),
                details = details(result),
                ms = result.duration_ms,
            );
        }
        body.push_str("</table>\n");
    }
    body.push_str("</main>\n");
    page(title, &filter_style(), &body)
}

/// The run, under the title: target, start, versions, options, notes.
fn run_lines(info: &RunInfo) -> String {
    let mut html = format!(
        "<p class=\"run\" id=\"run\">{} &middot; started {}<br>{}",
        escape(&info.target),
        escape(&info.started_at),
        escape(&info.versions_line())
    );
    if !info.options.is_empty() {
        let _ = write!(
            html,
            "<br>options: <code>{}</code>",
            escape(&info.options.join(" "))
        );
    }
    for note in &info.notes {
        let _ = write!(html, "<br>note: {}", escape(note));
    }
    html.push_str("</p>\n");
    html
}

/// The statement: a row per level, the verdict in a word (coloured) and the sentence.
fn statement_table(statement: &Statement) -> String {
    let mut html = String::from(
        "<table class=\"statement\" id=\"statement\">\n<tr><th>level</th><th>verdict</th><th>passed</th><th>failed</th><th>expected failures</th><th>skipped</th><th>statement</th></tr>\n",
    );
    for level in &statement.levels {
        let counts = &level.counts;
        let (class, word) = if level.conforms {
            ("conforms", "conforms")
        } else if counts.failed + counts.expected_failures > 0 {
            ("does-not-conform", "does not conform")
        } else {
            ("not-checked", "not checked")
        };
        let _ = writeln!(
            html,
            "<tr class=\"{class}\"><td>{}</td><td class=\"verdict\">{word}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            level.level.name(),
            counts.passed,
            counts.failed,
            counts.expected_failures,
            counts.skipped,
            escape(&level.verdict)
        );
    }
    html.push_str("</table>\n");
    html
}

/// The contract's rules the scenario checks, under its title (docs/contract.md has each).
fn rules_line(result: &ScenarioResult) -> String {
    if result.rules.is_empty() {
        return String::new();
    }
    format!(
        "<br><small>rules: {}</small>",
        escape(&result.rules.join(", "))
    )
}

/// What went wrong, under the scenario's title: every difference, or the error, or why it
/// was skipped.
fn details(result: &ScenarioResult) -> String {
    match &result.verdict {
        Verdict::Passed => String::new(),
        Verdict::Failed { mismatches } => {
            let mut text = String::new();
            for mismatch in mismatches {
                let _ = write!(
                    text,
                    "{} {}\n  {}\n    expected {}\n    actual   {}\n",
                    result.source.at(mismatch.line),
                    mismatch.request,
                    mismatch.path,
                    mismatch.expected,
                    mismatch.actual
                );
            }
            format!("<pre>{}</pre>", escape(&text))
        }
        Verdict::Error { message } => format!("<pre>{}</pre>", escape(message)),
        Verdict::Skipped { reason } => format!("<pre>skipped: {}</pre>", escape(reason)),
    }
}

/// Several runs side by side: `runs` are (label, results); a row per scenario of any run,
/// marked when the verdicts differ.
pub fn compare(runs: &[(String, Vec<ScenarioResult>)]) -> String {
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for (_, results) in runs {
        ids.extend(results.iter().map(|result| result.id.as_str()));
    }
    let lookup: Vec<BTreeMap<&str, &ScenarioResult>> = runs
        .iter()
        .map(|(_, results)| {
            results
                .iter()
                .map(|result| (result.id.as_str(), result))
                .collect()
        })
        .collect();
    let mut changed = 0;
    let mut rows = String::new();
    for id in &ids {
        let verdicts: Vec<&str> = lookup
            .iter()
            .map(|run| {
                run.get(id)
                    .map_or("absent", |result| verdict_name(&result.verdict))
            })
            .collect();
        let differs = verdicts.iter().any(|verdict| *verdict != verdicts[0]);
        if differs {
            changed += 1;
        }
        let level = lookup
            .iter()
            .find_map(|run| run.get(id))
            .map_or("", |result| result.level.name());
        let _ = write!(
            rows,
            "<tr class=\"row{}\"><td><code>{}</code></td><td>{level}</td>",
            if differs { " changed" } else { "" },
            escape(id)
        );
        for (run, verdict) in lookup.iter().zip(&verdicts) {
            let detail = run
                .get(id)
                .map(|result| details(result))
                .unwrap_or_default();
            let _ = write!(
                rows,
                "<td class=\"{verdict}\"><span class=\"verdict\">{verdict}</span>{detail}</td>"
            );
        }
        rows.push_str("</tr>\n");
    }
    let mut body = String::from("<h1>ocsp-harness: runs side by side</h1>\n");
    let _ = writeln!(
        body,
        "<p class=\"counts\"><span id=\"count-scenarios\">{} scenarios</span><span id=\"count-runs\">{} runs</span><span id=\"count-changed\">{changed} differ</span></p>",
        ids.len(),
        runs.len()
    );
    body.push_str("<table>\n<tr><th>scenario</th><th>level</th>");
    for ((label, results), _) in runs.iter().zip(&lookup) {
        let summary = Summary::of(results);
        let _ = write!(
            body,
            "<th>{}<br><small>{} passed, {} failed</small></th>",
            escape(label),
            summary.passed,
            summary.failed + summary.errors
        );
    }
    body.push_str("</tr>\n");
    body.push_str(&rows);
    body.push_str("</table>\n");
    page("ocsp-harness: runs side by side", "", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scenario_shows_the_rules_it_checks() {
        let result = ScenarioResult {
            id: "test::good".to_owned(),
            source: crate::Source::File("scenarios/test-endpoint/good.yaml".into()),
            level: contract::Level::Documented,
            rules: vec!["test.ok".to_owned(), "status.fields".to_owned()],
            title: "GOOD".to_owned(),
            verdict: Verdict::Passed,
            duration_ms: 3,
        };
        let info = RunInfo::default();
        let results = [result];
        let report = RunReport {
            info: &info,
            results: &results,
            baseline: None,
        };
        let page = html(&report, "run");
        assert!(
            page.contains("GOOD<br><small>rules: test.ok, status.fields</small>"),
            "{page}"
        );
    }

    #[test]
    fn text_from_answers_is_escaped() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }
}
