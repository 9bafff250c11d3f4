//! IP Filter's own parser/printer regression vectors (`tests/data/ipnat`,
//! see its README): `xbow ipnat -Rnvf input` must print
//! `expected.illumos-predicted` exactly on stdout. Those files are derived
//! from the illumos sources, not captured on illumos, hence `derived_`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn vector_dir(set: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ipnat")
        .join(set)
        .join(name)
}

/// Run `xbow ipnat -Rnvf input` against a fresh sim state.
fn run(set: &str, name: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = vector_dir(set, name).join("input");
    let o = Command::new(env!("CARGO_BIN_EXE_xbow"))
        .args(["ipnat", "-Rnvf"])
        .arg(&input)
        .env("XBOW_BACKEND", "sim")
        .env("XBOW_SIM_STATE", dir.path().join("sim.json"))
        .env_remove("POSIXLY_CORRECT")
        .output()
        .expect("run xbow");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn expected(set: &str, name: &str) -> String {
    let p = vector_dir(set, name).join("expected.illumos-predicted");
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The vector's stdout; `status` is the exit status and the first line of
/// stderr (the parse error, if any).
fn check(set: &str, name: &str, status: i32, stderr_first: &str) {
    let (code, out, err) = run(set, name);
    assert_eq!(out, expected(set, name), "{set}/{name}: stdout");
    assert_eq!(code, status, "{set}/{name}: exit status (stderr: {err})");
    let first = err
        .lines()
        .find(|l| !l.starts_with("'sticky'"))
        .unwrap_or("");
    assert_eq!(first, stderr_first, "{set}/{name}: stderr");
}

#[test]
fn derived_v4_1_10_in1() {
    check("v4.1.10", "in1", 0, "");
}

#[test]
fn derived_v4_1_10_in2() {
    check("v4.1.10", "in2", 0, "");
    let (_, _, err) = run("v4.1.10", "in2");
    // `sticky` without round-robin or a split target: dropped, with a warning.
    assert_eq!(
        err.matches("'sticky' for use with round-robin/IP splitting only\n")
            .count(),
        err.lines().count()
    );
    assert!(!err.is_empty());
}

#[test]
fn derived_v4_1_10_in3() {
    check("v4.1.10", "in3", 0, "");
}

#[test]
fn derived_v4_1_10_in4() {
    check("v4.1.10", "in4", 0, "");
}

#[test]
fn derived_v4_1_10_in5() {
    check("v4.1.10", "in5", 0, "");
}

#[test]
fn derived_v4_1_10_in6() {
    check("v4.1.10", "in6", 0, "");
}

#[test]
fn derived_v4_1_35_in1() {
    check("v4.1.35", "in1", 0, "");
}

#[test]
fn derived_v4_1_35_in2() {
    check("v4.1.35", "in2", 0, "");
}

#[test]
fn derived_v4_1_35_in3() {
    check("v4.1.35", "in3", 0, "");
}

#[test]
fn derived_v4_1_35_in4() {
    check("v4.1.35", "in4", 0, "");
}

#[test]
fn derived_v4_1_35_in5() {
    // illumos has no `to ! addr`: the first rule is printed, then the error.
    check("v4.1.35", "in5", 1, "syntax error error at \"!\", line 2");
}

#[test]
fn derived_v4_1_35_in6() {
    // illumos has no `port a:b` range in from/to.
    check("v4.1.35", "in6", 1, "syntax error error at \":\", line 8");
}

#[test]
fn derived_v4_1_35_in7() {
    check("v4.1.35", "in7", 0, "");
}

/// Every vector directory has a test above.
#[test]
fn every_vector_is_covered() {
    let mut found = Vec::new();
    for set in ["v4.1.10", "v4.1.35"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/ipnat")
            .join(set);
        for e in std::fs::read_dir(&dir).expect("vector dir") {
            let e = e.expect("entry");
            found.push(format!("{set}/{}", e.file_name().to_string_lossy()));
        }
    }
    found.sort();
    assert_eq!(found.len(), 13, "{found:?}");
}
