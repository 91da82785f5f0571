//! The command at the shell: completion scripts, man pages, `--color`.

use std::path::Path;
use std::process::{Command, Output};

/// Set, it makes a missing shell or `groff` fail the tests that use them instead of passing
/// with a note.
const REQUIRE: &str = "OCSP_HARNESS_REQUIRE_SHELLS";

/// The command with none of the colour variables of the environment the tests run in.
fn harness() -> Command {
    let mut command = crate::harness();
    for variable in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"] {
        command.env_remove(variable);
    }
    command
}

fn run(command: &mut Command) -> Output {
    let output = command.output().expect("runs");
    assert!(
        output.status.success(),
        "{:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn completions(shell: &str) -> String {
    text(&run(harness().args(["completions", shell])).stdout)
}

/// Completes `words` (the last one being completed) in bash with the generated script, and
/// returns the candidates.
fn bash_complete(bash: &Path, words: &[&str]) -> Vec<String> {
    let program = env!("CARGO_BIN_EXE_ocsp-harness");
    let quoted: Vec<String> = words.iter().map(|word| format!("'{word}'")).collect();
    let current = words.len() - 1;
    let script = format!(
        "source <('{program}' completions bash) || exit 1
         COMP_WORDS=({words}); COMP_CWORD={current}
         _ocsp__harness ocsp-harness \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words = quoted.join(" ")
    );
    let output = run(Command::new(bash).args(["-c", &script]));
    text(&output.stdout).lines().map(str::to_owned).collect()
}

#[test]
fn bash_registers_the_completion_and_completes_subcommands_flags_and_behaviours() {
    let Some(bash) = crate::program("bash", "BASH_PROGRAM") else {
        crate::not_run("the bash completion test", "no bash on PATH", REQUIRE);
        return;
    };
    let program = env!("CARGO_BIN_EXE_ocsp-harness");
    let registered = run(Command::new(&bash).args([
        "-c",
        &format!("source <('{program}' completions bash) && complete -p ocsp-harness"),
    ]));
    assert!(
        text(&registered.stdout).contains("ocsp-harness"),
        "{}",
        text(&registered.stdout)
    );

    assert!(bash_complete(&bash, &["ocsp-harness", "comp"]) == ["completions"]);
    // After a subcommand (clap_complete needs mending for a name with a hyphen).
    assert_eq!(
        bash_complete(&bash, &["ocsp-harness", "pki", "generate", "--key"]),
        ["--key-type"]
    );
    // The behaviours, from the catalogue, for both commands that take one.
    assert_eq!(
        bash_complete(
            &bash,
            &["ocsp-harness", "responder", "--behaviour", "revoked-key"]
        ),
        ["revoked-key-compromise"]
    );
    let behaviours = bash_complete(&bash, &["ocsp-harness", "serve", "--behaviour", ""]);
    assert_eq!(
        behaviours.len(),
        ocsp_harness::responder::catalogue().len(),
        "{behaviours:?}"
    );
    assert_eq!(
        bash_complete(&bash, &["ocsp-harness", "run", "--color", "ne"]),
        ["never"]
    );
}

/// The subcommands every script must name.
const SUBCOMMANDS: [&str; 8] = [
    "run",
    "responder",
    "serve",
    "probe",
    "inspect",
    "completions",
    "man",
    "generate",
];

#[test]
fn every_shell_gets_a_script_naming_the_subcommands_and_the_behaviours() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = completions(shell);
        for word in SUBCOMMANDS {
            assert!(script.contains(word), "{shell}: no {word}");
        }
        // elvish and powershell complete flags and subcommands, not values.
        if ["bash", "zsh", "fish"].contains(&shell) {
            for word in ["slow-drip", "revoked-key-compromise"] {
                assert!(script.contains(word), "{shell}: no {word}");
            }
        }
    }
}

#[test]
fn zsh_and_fish_parse_their_scripts() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (shell, variable) in [("zsh", "ZSH_PROGRAM"), ("fish", "FISH_PROGRAM")] {
        let Some(program) = crate::program(shell, variable) else {
            crate::not_run(
                &format!("the {shell} completion test"),
                &format!("no {shell} on PATH"),
                REQUIRE,
            );
            continue;
        };
        let path = dir.path().join(shell);
        std::fs::write(&path, completions(shell)).expect("write");
        let checked = Command::new(&program)
            .arg("-n")
            .arg(&path)
            .output()
            .expect("runs");
        assert!(
            checked.status.success(),
            "{shell} -n: {}",
            text(&checked.stderr)
        );
        if shell == "fish" {
            // fish completes a command line on request: the behaviours, with their descriptions.
            let script = format!(
                "source '{}'; complete -C 'ocsp-harness responder --behaviour revoked-key'",
                path.display()
            );
            let completed = run(Command::new(&program).args(["-c", &script]));
            assert_eq!(
                text(&completed.stdout),
                "revoked-key-compromise\trevoked an hour ago, reason key-compromise\n"
            );
        }
    }
}

#[test]
fn an_unknown_shell_is_refused_on_one_line() {
    let output = harness()
        .args(["completions", "tcsh"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("invalid value 'tcsh' for '<SHELL>'"),
        "{stderr}"
    );
}

#[test]
fn man_prints_a_page_that_renders() {
    let page = text(&run(harness().arg("man")).stdout);
    assert!(
        page.lines()
            .any(|line| line.starts_with(".TH ocsp-harness 1")),
        "{page}"
    );
    for word in ["\\-\\-color", "responder", "completions"] {
        assert!(page.contains(word), "no {word}: {page}");
    }
    let Some(groff) = crate::program("groff", "GROFF") else {
        crate::not_run("the man page rendering test", "no groff on PATH", REQUIRE);
        return;
    };
    let mut child = Command::new(groff)
        .args(["-man", "-Tutf8", "-ww"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("groff starts");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(page.as_bytes()).expect("writes");
    }
    let rendered = child.wait_with_output().expect("groff ends");
    assert!(rendered.status.success(), "{}", text(&rendered.stderr));
    assert!(
        text(&rendered.stderr).trim().is_empty(),
        "groff warns: {}",
        text(&rendered.stderr)
    );
    // Bold in a terminal is a letter struck twice: compare the letters.
    let plain: String = text(&rendered.stdout)
        .split('\u{8}')
        .enumerate()
        .map(|(i, part)| if i == 0 { part } else { &part[1..] })
        .collect();
    assert!(plain.contains("SYNOPSIS"), "{plain}");
}

#[test]
fn man_writes_a_page_per_command_into_a_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("man1");
    let output = run(harness().args(["man", "--dir"]).arg(&out));
    assert!(text(&output.stdout).starts_with("wrote "), "{output:?}");
    for page in [
        "ocsp-harness.1",
        "ocsp-harness-run.1",
        "ocsp-harness-pki-generate.1",
        "ocsp-harness-responder.1",
    ] {
        let roff = std::fs::read_to_string(out.join(page)).expect(page);
        assert!(roff.contains(".TH "), "{page}");
    }
}

fn has_colour(bytes: &[u8]) -> bool {
    text(bytes).contains("\u{1b}[")
}

#[test]
fn color_always_never_and_the_environment_decide_for_clap_output() {
    let help = |args: &[&str], env: &[(&str, &str)]| -> Output {
        let mut command = harness();
        command.args(args).arg("--help").envs(env.iter().copied());
        run(&mut command)
    };
    // Not a terminal: plain unless forced.
    assert!(!has_colour(&help(&[], &[]).stdout));
    assert!(has_colour(&help(&["--color", "always"], &[]).stdout));
    assert!(has_colour(&help(&["run", "--color=always"], &[]).stdout));
    assert!(has_colour(&help(&[], &[("CLICOLOR_FORCE", "1")]).stdout));
    assert!(!has_colour(
        &help(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]).stdout
    ));
    assert!(!has_colour(
        &help(&[], &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]).stdout
    ));
    // --color said is --color done, whatever the environment.
    assert!(has_colour(
        &help(&["--color", "always"], &[("NO_COLOR", "1")]).stdout
    ));

    // A refused line is coloured as its --color says, and stays one line.
    let refused = harness()
        .args(["--color", "always", "run", "--bogus"])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(has_colour(&refused.stderr), "{}", text(&refused.stderr));
    assert_eq!(text(&refused.stderr).lines().count(), 1);
    let refused = harness()
        .args(["run", "--bogus"])
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert!(!has_colour(&refused.stderr), "{}", text(&refused.stderr));
    let wrong = harness()
        .args(["--color", "purple", "schema"])
        .output()
        .expect("runs");
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        text(&wrong.stderr).contains("invalid value 'purple' for '--color <WHEN>'"),
        "{}",
        text(&wrong.stderr)
    );
}

#[test]
fn color_decides_for_the_human_report() {
    let report = |args: &[&str], env: &[(&str, &str)]| -> Output {
        let mut command = harness();
        command
            .args(["run", "--filter", "certs::self-signed-accepted"])
            .args(args)
            .envs(env.iter().copied());
        run(&mut command)
    };
    let coloured = report(&["--color", "always"], &[]);
    assert!(
        text(&coloured.stdout).contains("\u{1b}[32mPASS \u{1b}[0m certs::self-signed-accepted"),
        "{}",
        text(&coloured.stdout)
    );
    assert!(has_colour(&report(&[], &[("CLICOLOR_FORCE", "1")]).stdout));
    for (args, env) in [
        (&[][..], &[][..]),
        (&["--color", "never"][..], &[("CLICOLOR_FORCE", "1")][..]),
        (&[][..], &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")][..]),
    ] {
        let plain = report(args, env);
        assert!(
            !has_colour(&plain.stdout),
            "{args:?} {env:?}: {}",
            text(&plain.stdout)
        );
        // The progress line is for a terminal only (unit tests cover TERM=dumb).
        assert!(!has_colour(&plain.stderr), "{}", text(&plain.stderr));
    }
}

#[test]
fn a_refused_behaviour_is_one_line_with_a_suggestion_for_both_commands() {
    for command in ["responder", "serve"] {
        let output = harness()
            .args([command, "--behaviour", "slow-dirp"])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2));
        let stderr = text(&output.stderr);
        assert_eq!(
            stderr,
            "ocsp-harness: invalid value 'slow-dirp' for '--behaviour <NAME>': did you mean 'slow-drip'? (`ocsp-harness responder --list` lists them)\n"
        );
    }
    // The list stays out of --help: it is 80 lines long, and `responder --list` says more.
    let help = text(&run(harness().args(["responder", "--help"])).stdout);
    assert!(!help.contains("slow-drip"), "{help}");
}

#[test]
fn color_decides_for_the_responder_log() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let dir = tempfile::tempdir().expect("tempdir");
    let pki = dir.path().to_str().expect("utf-8");
    run(harness().args(["pki", "generate", "--out", pki]));
    for (color, coloured) in [("always", true), ("never", false)] {
        let mut child = harness()
            .args(["responder", "--color", color, "--pki", pki])
            .args(["--listen", "127.0.0.1:0"])
            // Forced colour, that --color never must still beat.
            .env("CLICOLOR_FORCE", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts");
        let mut banner = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut banner)
            .expect("reads");
        let url = banner
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .expect("the banner names the URL")
            .to_owned();
        let query = Command::new("openssl")
            .args(["ocsp", "-issuer", "intermediate.cert.pem"])
            .args([
                "-cert",
                "proxy.cert.pem",
                "-CAfile",
                "root.cert.pem",
                "-url",
                &url,
            ])
            .current_dir(dir.path())
            .output()
            .expect("openssl runs");
        assert!(query.status.success(), "{}", text(&query.stderr));
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let output = child.wait_with_output().expect("exits");
        assert!(output.status.success(), "{:?}", output.status);
        let log = text(&output.stderr);
        assert!(log.contains("request"), "{log}");
        assert_eq!(
            has_colour(&output.stderr),
            coloured,
            "--color {color}: {log:?}"
        );
    }
}
